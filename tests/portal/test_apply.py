"""Apply online (issue 5 point 3): the steps, validation, drafts surviving, uploads checked by
content and size, an idempotent and atomic submission, the receipt page and e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from motcua.accounts.models import User
from motcua.dossiers.models import Channel, Dossier, DossierAction, Status
from motcua.portal import services
from motcua.portal.models import ApplicationDraft, DraftFile
from tests.portal.applyfixtures import (
    APPLICANT_POST,
    PDF,
    PNG,
    make_citizen,
    make_place,
    step_url,
    upload,
    walk_to_review,
)

START = "/nop-ho-so/1.001193/"


@pytest.fixture
def place(db):
    return make_place()


@pytest.fixture
def citizen(db):
    return make_citizen()


@pytest.fixture
def signed_in(client, citizen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(citizen)
    return client


# --- the way in ---------------------------------------------------------------------------------


def test_procedure_page_has_the_apply_button_only_for_online_procedures(client, catalog):
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert 'href="/nop-ho-so/1.001193/"' in html and "Nộp trực tuyến" in html
    land = client.get("/thu-tuc/2.000815/").content.decode()
    assert "/nop-ho-so/" not in land


def test_applying_requires_sign_in(client, catalog):
    response = client.get(START)
    assert response.status_code == 302 and "next=/nop-ho-so/1.001193/" in response["Location"]


def test_a_procedure_without_online_service_says_so(signed_in, catalog):
    response = signed_in.get("/nop-ho-so/2.000815/")
    assert response.status_code == 404
    assert "chưa cung cấp dịch vụ công trực tuyến" in response.content.decode()


def test_an_unverified_email_address_cannot_apply(client, catalog, monkeypatch):
    fields = {f.name for f in User._meta.get_fields()}
    user = make_citizen("chua")
    if "email_verified" in fields:
        User.objects.filter(pk=user.pk).update(email_verified=False)
    else:
        monkeypatch.setattr(User, "email_verified", False, raising=False)
    client.force_login(user)
    response = client.get(START)
    assert response.status_code == 403
    assert "Cần xác thực thư điện tử" in response.content.decode()
    assert not ApplicationDraft.objects.exists()


# --- step 1 ------------------------------------------------------------------------------------


def test_step_one_errors_are_next_to_the_field_and_in_the_summary(signed_in, catalog, place):
    response = signed_in.post(START, {"case": catalog["case"].pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert html.count("Chọn nơi nộp hồ sơ.") == 2  # summary + next to the field
    assert 'href="#id_receiving_unit"' in html
    assert not ApplicationDraft.objects.exists()


def test_step_one_creates_the_draft_and_shows_the_resolving_agency(signed_in, catalog, place, citizen):
    response = signed_in.post(START, {"case": catalog["case"].pk, "receiving_unit": place["one_stop"].pk})
    draft = ApplicationDraft.objects.get()
    assert response["Location"] == step_url(draft, "nguoi-nop")
    assert (
        draft.user == citizen and draft.receiving_unit == place["one_stop"] and draft.completed == "noi-nop"
    )
    page = signed_in.get(step_url(draft, "noi-nop")).content.decode()
    assert "Ủy ban nhân dân phường An Xuyên" in page  # the resolving agency
    assert "portal/apply.css" in page and 'href="/ho-so-cua-toi/"' in page  # styles, nav link


def test_a_later_step_is_not_reachable_before_the_earlier_ones(signed_in, catalog, place):
    signed_in.post(START, {"case": catalog["case"].pk, "receiving_unit": place["one_stop"].pk})
    draft = ApplicationDraft.objects.get()
    response = signed_in.get(step_url(draft, "xem-lai"))
    assert response.status_code == 302 and response["Location"] == step_url(draft, "nguoi-nop")


# --- step 2 ------------------------------------------------------------------------------------


def test_step_two_is_prefilled_from_the_account_and_checks_the_identity_number(signed_in, catalog, place):
    signed_in.post(START, {"case": catalog["case"].pk, "receiving_unit": place["one_stop"].pk})
    draft = ApplicationDraft.objects.get()
    html = signed_in.get(step_url(draft, "nguoi-nop")).content.decode()
    assert 'value="Trần Thị Bích Ngọc"' in html and 'value="ngoc@example.vn"' in html

    bad = {**APPLICANT_POST, "id_number": "999185000321"}  # 999 is no province code
    response = signed_in.post(step_url(draft, "nguoi-nop"), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_id_number"' in html and 'aria-invalid="true"' in html
    draft.refresh_from_db()
    assert draft.applicant == {}

    wrong_year = {**APPLICANT_POST, "birth_date": "1986-06-15"}
    response = signed_in.post(step_url(draft, "nguoi-nop"), wrong_year)
    assert "Năm sinh không khớp" in response.content.decode()

    response = signed_in.post(
        step_url(draft, "nguoi-nop"), {**APPLICANT_POST, "id_number": "096 185 000 321"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.applicant["id_number"] == "096185000321" and draft.applicant["birth_date"] == "1985-06-15"


def test_a_proxy_needs_a_name_and_a_valid_number(signed_in, catalog, place):
    signed_in.post(START, {"case": catalog["case"].pk, "receiving_unit": place["one_stop"].pk})
    draft = ApplicationDraft.objects.get()
    response = signed_in.post(step_url(draft, "nguoi-nop"), {**APPLICANT_POST, "has_proxy": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nhập họ và tên người được ủy quyền." in html and "Nhập số căn cước người được ủy quyền." in html
    ok = {**APPLICANT_POST, "has_proxy": "on", "proxy_name": "Lê Văn Tư", "proxy_id_number": "096090000123"}
    assert signed_in.post(step_url(draft, "nguoi-nop"), ok).status_code == 302
    draft.refresh_from_db()
    assert draft.proxy == {"name": "Lê Văn Tư", "id_number": "096090000123", "phone": ""}


# --- step 3 ------------------------------------------------------------------------------------


def _to_components(signed_in, catalog, place):
    signed_in.post(START, {"case": catalog["case"].pk, "receiving_unit": place["one_stop"].pk})
    draft = ApplicationDraft.objects.get()
    signed_in.post(step_url(draft, "nguoi-nop"), APPLICANT_POST)
    return draft, list(catalog["case"].components.order_by("order"))


def test_uploads_are_checked_by_content_and_size_and_a_rejected_file_says_why(
    signed_in, catalog, place, settings
):
    draft, comps = _to_components(signed_in, catalog, place)
    settings.MOTCUA_UPLOAD_MAX_BYTES = 200
    response = signed_in.post(
        step_url(draft, "thanh-phan"),
        {
            f"file_{comps[0].pk}": upload("to-khai.pdf", b"MZ this is a program, not a PDF"),
            f"file_{comps[1].pk}": upload("big.pdf", PDF + b"0" * 300),
            "action": "upload",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "không phải PDF, JPEG hoặc PNG" in html and "to-khai.pdf" in html
    assert "quá lớn" in html
    assert 'class="error-summary"' in html
    assert not DraftFile.objects.exists()


def test_several_files_per_component_are_kept_with_the_draft(signed_in, catalog, place):
    draft, comps = _to_components(signed_in, catalog, place)
    response = signed_in.post(
        step_url(draft, "thanh-phan"),
        {
            f"file_{comps[0].pk}": [upload("a.pdf", PDF), upload("b.png", PNG, "image/png")],
            "action": "upload",
        },
    )
    assert response.status_code == 302  # saved; the page is shown again
    files = list(DraftFile.objects.order_by("id"))
    assert [(f.component_id, f.content_type) for f in files] == [
        (comps[0].pk, "application/pdf"),
        (comps[0].pk, "image/png"),
    ]
    assert files[0].file.read() == PDF
    # Mandatory component 2 still missing: "next" is refused with a message on that component.
    response = signed_in.post(step_url(draft, "thanh-phan"), {"action": "next"})
    assert response.status_code == 400
    assert "Thành phần bắt buộc: chọn ít nhất một tệp" in response.content.decode()
    # A file is removed; the citizen can look at their own file.
    assert signed_in.get(reverse("portal:apply_file", args=[draft.pk, files[1].pk])).status_code == 200
    signed_in.post(reverse("portal:apply_file_remove", args=[draft.pk, files[1].pk]))
    assert DraftFile.objects.count() == 1


# --- step 4, drafts surviving ------------------------------------------------------------------


def test_consent_is_required(signed_in, catalog, place):
    draft, comps = _to_components(signed_in, catalog, place)
    signed_in.post(
        step_url(draft, "thanh-phan"),
        {
            f"file_{comps[0].pk}": upload("a.pdf", PDF),
            f"file_{comps[1].pk}": upload("b.pdf", PDF),
            "action": "next",
        },
    )
    response = signed_in.post(step_url(draft, "cam-ket"), {"truthful": "on"})
    assert response.status_code == 400
    assert "Cần đồng ý xử lý dữ liệu cá nhân" in response.content.decode()


def test_a_draft_survives_and_the_apply_link_resumes_it(signed_in, catalog, place, client):
    draft, comps = _to_components(signed_in, catalog, place)
    # Coming back later: the apply link opens the next step of the unfinished draft.
    response = signed_in.get(START)
    assert response.status_code == 302 and response["Location"] == step_url(draft, "thanh-phan")
    # Reloading step 2 shows what was saved.
    html = signed_in.get(step_url(draft, "nguoi-nop")).content.decode()
    assert f'value="{APPLICANT_POST["id_number"]}"' in html and 'value="1985-06-15"' in html
    # It is listed in "my dossiers" with a link to continue.
    mine = signed_in.get("/ho-so-cua-toi/").content.decode()
    assert "Hồ sơ đang soạn" in mine and step_url(draft, "thanh-phan") in mine
    # "moi" starts a second application instead.
    assert signed_in.get(START + "?moi=1").status_code == 200


def test_another_person_cannot_open_or_submit_my_draft(signed_in, catalog, place, client):
    draft = walk_to_review(signed_in, catalog, place)
    other = make_citizen("khac")
    client.force_login(other)
    assert client.get(step_url(draft, "xem-lai")).status_code == 404
    assert client.post(step_url(draft, "xem-lai")).status_code == 404
    file = DraftFile.objects.first()
    assert client.get(reverse("portal:apply_file", args=[draft.pk, file.pk])).status_code == 404
    assert not Dossier.objects.exists()


def test_deleting_a_draft(signed_in, catalog, place):
    draft, _ = _to_components(signed_in, catalog, place)
    signed_in.post(reverse("portal:apply_delete", args=[draft.pk]))
    assert not ApplicationDraft.objects.exists()


# --- step 5: submit ----------------------------------------------------------------------------


def test_submit_makes_an_online_dossier_with_the_files_a_receipt_and_an_email(
    signed_in, catalog, place, citizen, django_capture_on_commit_callbacks
):
    draft = walk_to_review(signed_in, catalog, place)
    review = signed_in.get(step_url(draft, "xem-lai")).content.decode()
    assert "to-khai.pdf" in review and "Ủy ban nhân dân phường An Xuyên" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(step_url(draft, "xem-lai"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:apply_receipt", args=[draft.pk]
    )
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.channel == Channel.ONLINE
    assert dossier.applicant_user == citizen and dossier.applicant_sign_in == "local"
    assert dossier.resolving_agency == place["pc"] and dossier.receiving_unit == place["one_stop"]
    assert dossier.id_number == "096185000321" and dossier.birth_date.isoformat() == "1985-06-15"
    assert dossier.code is None and dossier.temp_reference and dossier.acceptance_due_at
    papers = list(dossier.components.order_by("id"))
    assert len(papers) == 3 and all(p.file for p in papers) and dossier.digitized
    assert papers[0].file.name.startswith("dossiers/") and papers[0].file.read() == PDF
    draft.refresh_from_db()
    assert draft.dossier == dossier and draft.submitted_at

    receipt = signed_in.get(response["Location"]).content.decode()
    assert dossier.temp_reference in receipt and dossier.lookup_secret in receipt
    assert "Hạn tiếp nhận hoặc thông báo bổ sung" in receipt
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ngoc@example.vn"]
    assert dossier.temp_reference in message.subject
    assert dossier.lookup_secret in message.body and dossier.temp_reference in message.body
    # The draft is no longer editable; its steps lead to the receipt.
    assert signed_in.get(step_url(draft, "nguoi-nop"))["Location"].endswith("/bien-nhan/")


def test_submit_twice_makes_one_dossier(signed_in, catalog, place):
    draft = walk_to_review(signed_in, catalog, place)
    first = signed_in.post(step_url(draft, "xem-lai"))
    second = signed_in.post(step_url(draft, "xem-lai"))
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1
    assert DossierAction.objects.filter(action="submit_online").count() == 1
    # The service itself is idempotent on the draft's key even when the draft link is lost.
    dossier = Dossier.objects.get()
    ApplicationDraft.objects.filter(pk=draft.pk).update(dossier=None)
    draft.refresh_from_db()
    assert services.draft_submit(draft=draft) == dossier
    assert Dossier.objects.count() == 1


def test_submit_is_atomic_when_the_service_refuses(signed_in, catalog, place):
    draft = walk_to_review(signed_in, catalog, place)
    # Data changed behind the form's back: the dossier service refuses the identity number.
    ApplicationDraft.objects.filter(pk=draft.pk).update(applicant={**draft.applicant, "id_number": "12"})
    response = signed_in.post(step_url(draft, "xem-lai"))
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not Dossier.objects.exists() and not DossierAction.objects.exists()
    draft.refresh_from_db()
    assert draft.dossier is None and draft.submitted_at is None


def test_review_lists_what_is_missing_when_the_catalog_changed(signed_in, catalog, place):
    draft = walk_to_review(signed_in, catalog, place)
    DraftFile.objects.filter(component__order=2).delete()
    response = signed_in.post(step_url(draft, "xem-lai"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa có tệp cho thành phần bắt buộc: Giấy chứng sinh" in html
    assert f'href="{step_url(draft, "thanh-phan")}"' in html
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("url", ["/ho-so-cua-toi/", "/nop-ho-so/1.001193/"])
def test_signed_out_citizen_goes_to_the_citizen_sign_in(client, url):
    """Not to the officers' /dang-nhap/: the portal has its own sign-in page."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    assert not response["Location"].startswith("/dang-nhap/")
