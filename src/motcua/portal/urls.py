from django.urls import path

from . import views, views_account, views_apply, views_mine

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("tra-cuu/", views.lookup, name="lookup"),
    # Citizen accounts and sign-in (issue 5 point 2).
    path("tai-khoan/", views_account.account, name="account"),
    path("tai-khoan/dang-ky/", views_account.signup, name="signup"),
    path("tai-khoan/dang-nhap/", views_account.signin, name="signin"),
    path("tai-khoan/dang-xuat/", views_account.signout, name="signout"),
    path("tai-khoan/xac-thuc-email/", views_account.resend_verification, name="verify_email_resend"),
    path("tai-khoan/xac-thuc-email/<str:token>/", views_account.verify_email, name="verify_email"),
    path("tai-khoan/quen-mat-khau/", views_account.PasswordResetView.as_view(), name="password_reset"),
    path(
        "tai-khoan/quen-mat-khau/da-gui/",
        views_account.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "tai-khoan/dat-lai-mat-khau/<uidb64>/<token>/",
        views_account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "tai-khoan/dat-lai-mat-khau/xong/",
        views_account.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("tai-khoan/oidc/", views_account.OIDCStartView.as_view(), name="oidc_start"),
    path("tai-khoan/oidc/callback/", views_account.OIDCCallbackView.as_view(), name="oidc_callback"),
    # Apply online and my dossiers (issue 5 points 3 and 4).
    path("nop-ho-so/<str:code>/", views_apply.apply_start, name="apply"),
    path("nop-ho-so/nhap/<uuid:draft_id>/xoa/", views_apply.draft_delete, name="apply_delete"),
    path("nop-ho-so/nhap/<uuid:draft_id>/bien-nhan/", views_apply.receipt, name="apply_receipt"),
    path("nop-ho-so/nhap/<uuid:draft_id>/tep/<int:file_id>/", views_apply.file_view, name="apply_file"),
    path(
        "nop-ho-so/nhap/<uuid:draft_id>/tep/<int:file_id>/xoa/",
        views_apply.file_remove,
        name="apply_file_remove",
    ),
    path("nop-ho-so/nhap/<uuid:draft_id>/<str:step>/", views_apply.apply_step, name="apply_step"),
    path("ho-so-cua-toi/", views_mine.mine, name="mine"),
    path("ho-so-cua-toi/<str:ref>/", views_mine.detail, name="mine_detail"),
    path("ho-so-cua-toi/<str:ref>/bo-sung/", views_mine.supplement, name="mine_supplement"),
    path("ho-so-cua-toi/<str:ref>/rut-ho-so/", views_mine.withdraw, name="mine_withdraw"),
    path("ho-so-cua-toi/<str:ref>/bieu-mau/<str:form>.pdf", views_mine.form_pdf, name="mine_form"),
    path("ho-so-cua-toi/<str:ref>/giay-to/<int:pk>/", views_mine.component_file, name="mine_file"),
]
