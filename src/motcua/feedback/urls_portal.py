from django.urls import path

from . import views_portal

app_name = "feedback"

urlpatterns = [
    path("danh-gia/<str:code>/", views_portal.evaluate, name="evaluate"),
    path("phan-anh/", views_portal.petition_new, name="petition_new"),
    path("phan-anh/tra-cuu/", views_portal.petition_status, name="petition_status"),
    path("phan-anh/<str:code>/danh-gia-tra-loi/", views_portal.petition_rate, name="petition_rate"),
]
