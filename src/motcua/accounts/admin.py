from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import api_token_revoke


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "full_name",
        "email",
        "is_staff",
        "is_active",
        "email_verified",
        "identity_verified",
    )
    list_filter = (*BaseUserAdmin.list_filter, "email_verified", "identity_verified")
    search_fields = ("username", "full_name", "email")
    readonly_fields = ("oidc_issuer", "oidc_sub")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Thông tin bổ sung", {"fields": ("full_name", "phone")}),
        (
            "Công dân",
            {
                "fields": (
                    "email_verified",
                    "identity_verified",
                    "id_kind",
                    "id_number",
                    "birth_date",
                    "sex",
                    "address",
                    "oidc_issuer",
                    "oidc_sub",
                )
            },
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Thông tin bổ sung", {"fields": ("full_name", "email")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with ``motcua token create`` (the secret is shown once); here they are
    only listed and revoked."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Thu hồi các mã đã chọn")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token)
