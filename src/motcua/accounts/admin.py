from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from motcua.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")
    fieldsets = BaseUserAdmin.fieldsets + (("Thông tin bổ sung", {"fields": ("full_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Thông tin bổ sung", {"fields": ("full_name", "email")}),)
