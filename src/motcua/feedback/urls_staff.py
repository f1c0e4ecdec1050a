from django.urls import path

from . import views_staff

app_name = "feedback_staff"

urlpatterns = [
    path("phan-anh/", views_staff.petitions, name="petitions"),
    path("phan-anh/<str:code>/", views_staff.petition_detail, name="petition"),
    path("phan-anh/<str:code>/nhan-xu-ly/", views_staff.petition_take, name="petition_take"),
    path("phan-anh/<str:code>/tra-loi/", views_staff.petition_reply, name="petition_reply"),
    path("phan-anh/<str:code>/dong/", views_staff.petition_end, name="petition_close"),
    path("danh-gia-giay/", views_staff.paper_evaluation, name="paper_evaluation"),
]
