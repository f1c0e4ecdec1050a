from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from motcua.api.api import api

admin.site.site_header = "motcua — Quản trị hệ thống một cửa"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
