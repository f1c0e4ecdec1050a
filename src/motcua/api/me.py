"""``/me``: who the caller is (proves token and session authentication)."""

from django.utils import translation
from ninja import Router

from motcua.api.errors import ErrorOut
from motcua.api.schemas import MeOut
from motcua.org.models import StaffAssignment
from motcua.org.selectors import staff_roles

router = Router(tags=["me"])  # the API's default authentication applies


@router.get(
    "", response={200: MeOut, 401: ErrorOut, 403: ErrorOut}, summary="The signed-in person and their roles"
)
def current_user(request):
    user = request.auth
    with translation.override("vi"):  # the API's labels do not follow the caller's language
        roles = [
            {
                "role": role,
                "role_label": str(StaffAssignment.Role(role).label),
                "agency_ident_code": agency.ident_code,
                "agency_name": agency.name,
            }
            for role, agency in staff_roles(user)
        ]
    return {
        "username": user.get_username(),
        "full_name": user.full_name,
        "email": user.email,
        "is_staff": user.is_staff,
        "auth_method": getattr(request, "auth_method", "session"),
        "roles": roles,
    }
