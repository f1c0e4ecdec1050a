"""``motcua openapi``: print the OpenAPI document of API v1 (the committed contract).

motcua openapi > docs/api/openapi.json
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

API_PREFIX = "/api/v1/"


def openapi_document() -> str:
    """The document as committed: JSON, sorted keys, indent 2, UTF-8 text, final newline."""
    from motcua.api.api import api

    schema = api.get_openapi_schema(path_prefix=API_PREFIX)
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "In tài liệu OpenAPI của API v1 / print the API v1 OpenAPI document (JSON)"

    def handle(self, *args, **options):
        self.stdout.write(openapi_document(), ending="")
