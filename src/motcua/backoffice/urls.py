from django.urls import path

from motcua.backoffice import views, views_dossier, views_inbox, views_indicators, views_intake

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    # --- Inbox (hộp việc), bulk hand-over and ledger (sổ theo dõi) -------------------------
    path("hop-viec/", views_inbox.inbox, name="inbox"),
    path("hop-viec/chuyen-dau-ngay/", views_inbox.handover, name="inbox_handover"),
    path("so-theo-doi/", views.ledger, name="ledger"),
    # --- end of inbox block ------------------------------------------------------------------
    # --- Counter intake (tiếp nhận) and the dossier page (trang hồ sơ) -----------------------
    path("tiep-nhan/", views_intake.intake, name="intake"),
    path("tiep-nhan/tim-thu-tuc/", views_intake.intake_search, name="intake_search"),
    path("tiep-nhan/nguoi-nop/", views_intake.intake_applicant, name="intake_applicant"),
    path("tiep-nhan/truong-hop/<int:case_id>/", views_intake.intake_case, name="intake_case"),
    path("ho-so/<str:code>/", views_dossier.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views_dossier.dossier_action, name="dossier_action"),
    path("ho-so/<str:code>/tep/<int:pk>/", views_dossier.dossier_file, name="dossier_file"),
    path("ho-so/<str:code>/bieu-mau/<str:form>.pdf", views_dossier.dossier_form_pdf, name="dossier_form"),
    # --- end of intake and dossier block -----------------------------------------------------
    # --- Leaders' dashboard of the 766 index (chỉ số), drill-down and exports ------------------
    path("chi-so/", views_indicators.dashboard, name="indicators"),
    path("chi-so/nhom/<str:code>/", views_indicators.group_detail, name="indicators_group"),
    path("chi-so/ho-so/", views_indicators.drilldown, name="indicators_dossiers"),
    path("chi-so/xuat.xlsx", views_indicators.export_xlsx, name="indicators_xlsx"),
    path("chi-so/bao-cao.pdf", views_indicators.export_pdf, name="indicators_pdf"),
    # --- end of indicators block ---------------------------------------------------------------
]
