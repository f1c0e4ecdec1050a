"""Counter intake page (/can-bo/tiep-nhan/) on the Cà Mau demo, through Django's test client."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse

from motcua.catalog.models import Component, ProcedureCase
from motcua.dossiers.models import Dossier, DossierAction, Status

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CCCD, BIRTH = "096085000123", "1985-03-01"  # Cà Mau, male, born 1985
CAY_TRONG = "1.008004"  # commune level, bound to the commune, one mandatory component
KHAI_SINH = "1.001193"  # commune level, non-boundary
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
URL = "/can-bo/tiep-nhan/"


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo (org + catalog) once per module, in an outer transaction rolled back after."""
    from motcua.catalog.demo import catalog_load_demo
    from motcua.org.demo import org_load_camau_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                org_load_camau_demo()
            catalog_load_demo()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def as_user(demo_data, db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return make


def case_of(code: str) -> ProcedureCase:
    return ProcedureCase.objects.get(version__procedure__code=code, version__valid_to__isnull=True, order=1)


def form_data(code=CAY_TRONG, *, tick_all=True, token="tok-1", **overrides):
    case = case_of(code)
    data = {
        "token": token,
        "applicant_type": "citizen",
        "name": "Nguyễn Văn Ấn",
        "id_kind": "cccd",
        "id_number": CCCD,
        "birth_date": BIRTH,
        "sex": "male",
        "phone": "0912345678",
        "address": "Khóm 1, phường An Xuyên",
        "case": str(case.pk),
        "channel": "direct",
        "outcome": "receive",
    }
    if tick_all:
        for comp in Component.objects.filter(case=case):
            data[f"comp_{comp.pk}"] = "1"
    data.update(overrides)
    return data


def upload(name, content, ctype="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=ctype)


def test_only_receiving_officers_open_the_intake(as_user):
    assert as_user("chuyenvien.anxuyen").get(URL).status_code == 403
    page = as_user("tiepnhan.anxuyen").get(URL)
    assert page.status_code == 200
    assert "Tiếp nhận hồ sơ tại quầy" in page.content.decode()


def test_live_search_ignores_diacritics(as_user):
    client = as_user("tiepnhan.anxuyen")
    html = client.get(reverse("backoffice:intake_search"), {"q": "cap giay phep"}).content.decode()
    assert "Cấp giấy phép" in html
    html = client.get(reverse("backoffice:intake_search"), {"q": CAY_TRONG}).content.decode()
    assert "Chuyển đổi cơ cấu cây trồng" in html
    checklist = client.get(reverse("backoffice:intake_case", args=[case_of(CAY_TRONG).pk])).content.decode()
    assert "Bản Đăng ký chuyển đổi cơ cấu cây trồng" in checklist and "bắt buộc" in checklist


def test_receive_creates_the_dossier_and_shows_code_and_due_at_once(as_user):
    client = as_user("tiepnhan.anxuyen")
    comp = Component.objects.get(case=case_of(CAY_TRONG))
    data = form_data(**{f"file_{comp.pk}": [upload("scan.pdf", PDF), upload("trang2.png", PNG, "image/png")]})
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.status == Status.RECEIVED and d.code and d.due_at and d.channel == "direct"
    assert d.applicant_name == "Nguyễn Văn Ấn" and d.resolving_agency.admin_unit.code == "32002"
    files = list(d.components.order_by("id"))
    assert len(files) == 2 and all(f.file for f in files) and files[1].file.name.endswith(".png")
    assert d.digitized
    page = client.get(response["Location"]).content.decode()
    assert d.code in page and "Ngày hẹn trả kết quả" in page
    assert f"/can-bo/ho-so/{d.code}/bieu-mau/receipt.pdf" in page


def test_double_submit_makes_one_dossier(as_user):
    client = as_user("tiepnhan.anxuyen")
    first = client.post(URL, form_data(token="same"))
    second = client.post(URL, form_data(token="same"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "999123456789"}, "id_number", "mã tỉnh"),
        ({"id_number": "096185000123"}, "sex", "Giới tính không khớp"),
        ({"case": ""}, "case", "Hãy chọn thủ tục"),
    ],
)
def test_field_errors_are_shown_and_typed_values_kept(as_user, overrides, field, message):
    client = as_user("tiepnhan.anxuyen")
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="error-summary"' in html and message in html
    assert "Nguyễn Văn Ấn" in html and "0912345678" in html  # nothing typed is lost
    assert not Dossier.objects.exists()


def test_a_missing_mandatory_component_needs_supplement_or_refusal(as_user):
    client = as_user("tiepnhan.anxuyen")
    response = client.post(URL, form_data(tick_all=False))
    assert response.status_code == 422
    assert "thành phần bắt buộc chưa có" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_fake_pdf_is_refused_by_content(as_user):
    client = as_user("tiepnhan.anxuyen")
    comp = Component.objects.get(case=case_of(CAY_TRONG))
    fake = upload("giay-to.pdf", b"MZ\x90\x00 not a pdf at all")
    response = client.post(URL, form_data(**{f"file_{comp.pk}": fake}))
    assert response.status_code == 422
    html = response.content.decode()
    assert "không phải PDF, JPEG hoặc PNG" in html and "chọn lại" in html
    assert not Dossier.objects.exists()


def test_an_oversized_scan_is_refused(as_user, settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 10
    client = as_user("tiepnhan.anxuyen")
    comp = Component.objects.get(case=case_of(CAY_TRONG))
    response = client.post(URL, form_data(**{f"file_{comp.pk}": upload("a.pdf", PDF)}))
    assert response.status_code == 422 and "quá lớn" in response.content.decode()


def test_supplement_at_the_counter_records_items_without_a_code(as_user):
    client = as_user("tiepnhan.anxuyen")
    data = form_data(
        tick_all=False,
        outcome="request_supplement",
        reason="Hồ sơ chưa đủ",
        items="Bản đăng ký chuyển đổi | chưa có chữ ký\nBản sao CCCD",
    )
    response = client.post(URL, data)
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.SUPPLEMENT_AT_RECEPTION and d.code is None and d.due_at is None
    log = DossierAction.objects.get(dossier=d)
    assert log.payload["items"][0] == {"name": "Bản đăng ký chuyển đổi", "reason": "chưa có chữ ký"}
    page = client.get(response["Location"]).content.decode()
    assert d.temp_reference in page and "supplement_request.pdf" in page


def test_refusal_at_the_counter_needs_a_reason(as_user):
    client = as_user("tiepnhan.anxuyen")
    response = client.post(URL, form_data(tick_all=False, outcome="refuse"))
    assert response.status_code == 422 and "Cần nêu rõ lý do" in response.content.decode()
    response = client.post(URL, form_data(tick_all=False, outcome="refuse", reason="Không thuộc thẩm quyền"))
    assert response.status_code == 302
    assert Dossier.objects.get().status == Status.REFUSED


def test_non_boundary_reception_goes_to_the_chosen_commune(as_user):
    client = as_user("tiepnhan.anxuyen")
    response = client.post(URL, form_data(KHAI_SINH, commune="32248"))
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.resolving_agency.admin_unit.code == "32248" and d.receiving_unit.admin_unit.code == "32002"


def test_a_bound_procedure_is_refused_for_another_commune(as_user):
    client = as_user("tiepnhan.anxuyen")
    response = client.post(URL, form_data(commune="32248"))
    assert response.status_code == 422
    assert "không phụ thuộc địa giới hành chính" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_returning_applicant_is_found_by_number(as_user):
    client = as_user("tiepnhan.anxuyen")
    url = reverse("backoffice:intake_applicant")
    assert client.get(url, {"id_number": CCCD}).status_code == 204  # nobody yet
    assert client.post(URL, form_data()).status_code == 302
    html = client.get(url, {"id_number": "096 085 000 123", "phone": "0900000000"}).content.decode()
    assert "Nguyễn Văn Ấn" in html and "1985-03-01" in html
    assert "0900000000" in html  # what the officer typed wins
    assert as_user("tiepnhan.datmui").get(url, {"id_number": CCCD}).status_code == 204  # not theirs


@pytest.mark.parametrize("channel", ["postal", "at_home"])
def test_postal_and_at_home_channels(as_user, channel):
    response = as_user("tiepnhan.anxuyen").post(URL, form_data(channel=channel))
    assert response.status_code == 302
    assert Dossier.objects.get().channel == channel


def test_search_and_checklist_are_for_receiving_officers_only(as_user):
    client = as_user("lanhdao.anxuyen")
    assert client.get(reverse("backoffice:intake_search"), {"q": "khai sinh"}).status_code == 403
    assert client.get(reverse("backoffice:intake_case", args=[case_of(CAY_TRONG).pk])).status_code == 403
    assert client.post(URL, form_data()).status_code == 403
    assert not Dossier.objects.exists()
