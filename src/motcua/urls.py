from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from motcua.api.api import api

admin.site.site_header = "motcua — Quản trị hệ thống một cửa"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("can-bo/", include("motcua.feedback.urls_staff")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.feedback.urls_portal")),
    path("", include("motcua.portal.urls")),
]
