"""The NinjaAPI instance of REST API v1, mounted at ``/api/v1/`` by ``motcua.urls``.

Every endpoint requires authentication (``auth.AUTH``: token or session) unless its router says
``auth=None``; the public routers are the published catalog, org units/agencies and the deadline
calculator. A new domain adds ``motcua/api/<domain>.py`` with a ``router`` and one line below.
"""

from __future__ import annotations

from django.conf import settings
from ninja import NinjaAPI

from motcua.api import catalog, dossier_files, dossiers, indicators, me, org, worktime
from motcua.api.auth import AUTH
from motcua.api.errors import register_error_handlers

DESCRIPTION = """\
REST API v1 of motcua, the one-stop administrative-procedure system (hệ thống một cửa).

Authentication: `Authorization: Bearer <token>` with a personal API token
(`motcua token create USERNAME`), or the Django session cookie of a signed-in browser (unsafe
methods then need the `X-CSRFToken` header). Catalog, org and worktime reads are public.

Errors: every 4xx body is `{"code", "message", "message_vi", "field"}`.
"""


class MotcuaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """``<module>_<function>``, e.g. ``catalog_list_procedures`` (stable across refactors of
        the package path, unlike ninja's default of the full dotted module)."""
        module = operation.view_func.__module__.rsplit(".", 1)[-1]
        return f"{module}_{operation.view_func.__name__}"


api = MotcuaAPI(
    title="motcua API",
    version="1",
    description=DESCRIPTION,
    auth=AUTH,
    urls_namespace="api-v1",
    # The Swagger page is served from ninja's bundled assets only when "ninja" is an installed
    # app; otherwise ninja would load them from a CDN, and the product must work offline.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
)
register_error_handlers(api)

api.add_router("/catalog/", catalog.router)
api.add_router("/org/", org.router)
api.add_router("/worktime/", worktime.router)
api.add_router("/me", me.router)
api.add_router("/dossiers", dossiers.router)
api.add_router("/dossiers", dossier_files.router)  # /dossiers/{code}/files
api.add_router("/indicators", indicators.router)
