"""``/api/v1/dossiers/{code}/files``: a counter scanner adds the scans of a received dossier, an
applicant adds papers to an online one; content checks, size limit, statuses, visibility,
idempotent retries, download with the personal-data audit (Cà Mau demo)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.dossiers.models import Dossier, DossierAction, DossierComponent, PersonalDataAccess, Status
from tests.api.conftest import assert_error

URL = "/api/v1/dossiers"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FAKE_PDF = b"MZ\x90\x00 this is an executable, not a PDF"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_user(demo):
    User = get_user_model()

    def make(username: str) -> Client:
        user, _ = User.objects.get_or_create(username=username)
        _, secret = api_token_create(user=user, name="test")
        client = Client(headers={"authorization": f"Bearer {secret}"})
        client.user = user
        return client

    return make


def _body(**overrides) -> dict:
    body = {
        "procedure": "1.001193",  # khai sinh, commune level
        "channel": "direct",
        "applicant": {"name": "Nguyễn Văn An"},
        "components": [{"order": 1, "originals": 1}, {"name": "Giấy chứng sinh", "copies": 1}],
    }
    body.update(overrides)
    return body


def _create(client, **overrides) -> dict:
    response = client.post(URL, _body(**overrides), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _upload(client, ref, content=PDF, *, filename="scan.pdf", key=None, **fields):
    data = {"file": SimpleUploadedFile(filename, content, content_type="application/pdf"), **fields}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"{URL}/{ref}/files", data, headers=headers)


@pytest.fixture
def officer(as_user):
    return as_user("tiepnhan.anxuyen")


@pytest.fixture
def received(officer):
    return _create(officer)


def test_a_good_pdf_goes_to_the_component_and_can_be_downloaded(officer, received):
    code = received["code"]
    response = _upload(officer, code, component=1)
    assert response.status_code == 201, response.content
    f = response.json()
    assert (f["order"], f["has_file"], f["mime"], f["size"]) == (1, True, "application/pdf", len(PDF))
    assert f["url"] == f"{URL}/{code}/files/{f['id']}"
    # It filled the paper listed at reception, no extra row.
    rows = officer.get(f"{URL}/{code}/files").json()
    assert [(r["order"], r["has_file"]) for r in rows] == [(1, True), (None, False)]
    assert rows[0]["id"] == f["id"]
    assert DossierComponent.objects.filter(dossier__code=code).count() == 2

    audited = PersonalDataAccess.objects.filter(purpose="api_file").count()
    download = officer.get(f["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    # A staff read of a personal file is audited.
    assert PersonalDataAccess.objects.filter(purpose="api_file").count() == audited + 1
    # Nothing is written to the action log (no action type exists for an upload).
    assert list(DossierAction.objects.filter(dossier__code=code).values_list("action", flat=True)) == [
        "receive"
    ]


def test_all_papers_scanned_makes_the_dossier_digitized(officer, received):
    code = received["code"]
    assert Dossier.objects.get(code=code).digitized is False
    assert _upload(officer, code, component=1).status_code == 201
    assert Dossier.objects.get(code=code).digitized is False  # the birth certificate has no scan yet
    rows = officer.get(f"{URL}/{code}/files").json()
    # The paper listed without a catalog component is reached by its id.
    scan = _upload(officer, code, PNG, filename="giay.png", paper=rows[1]["id"])
    assert scan.status_code == 201, scan.content
    assert (scan.json()["id"], scan.json()["mime"], scan.json()["name"]) == (
        rows[1]["id"],
        "image/png",
        "Giấy chứng sinh",
    )
    assert Dossier.objects.get(code=code).digitized is True
    # Another paper by name makes a new row; one more file for a scanned paper too.
    extra = _upload(officer, code, name="Bản sao sổ hộ khẩu")
    again = _upload(officer, code, paper=rows[1]["id"])
    assert (extra.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] not in (rows[0]["id"], rows[1]["id"])
    assert again.json()["name"] == "Giấy chứng sinh"
    assert DossierComponent.objects.filter(dossier__code=code).count() == 4


def test_a_fake_pdf_is_refused_with_a_clear_message(officer, received):
    response = _upload(officer, received["code"], FAKE_PDF, filename="to-khai.pdf", component=1)
    body = assert_error(response, 415, code="file_type", field="file")
    assert "không phải PDF, JPEG hoặc PNG" in body["message_vi"]
    assert "checked by its content" in body["message"]
    assert not DossierComponent.objects.filter(dossier__code=received["code"]).exclude(file="").exists()


def test_a_too_large_file_is_413(officer, received, settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 1024
    response = _upload(officer, received["code"], PDF + b"0" * 2048, component=1)
    body = assert_error(response, 413, code="file_too_large", field="file")
    assert "quá lớn" in body["message_vi"]


def test_an_empty_file_is_422(officer, received):
    assert_error(_upload(officer, received["code"], b"", component=1), 422, code="file_empty", field="file")


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"component": 9}, "component_not_found", "component"),
        ({"paper": 999999}, "paper_not_found", "paper"),
        ({}, "required", "component"),
        ({"component": 1, "copies": 101}, "invalid", "originals"),
    ],
)
def test_paper_reference_is_checked(officer, received, fields, code, field):
    assert_error(_upload(officer, received["code"], **fields), 422, code=code, field=field)


def test_wrong_dossier_and_other_unit_are_404(officer, received, as_user):
    code = received["code"]
    f = _upload(officer, code, component=1).json()
    other = _create(officer)
    # A file id of dossier A asked through dossier B.
    assert_error(officer.get(f"{URL}/{other['code']}/files/{f['id']}"), 404, code="file_not_found")
    assert_error(officer.get(f"{URL}/{code}/files/999999"), 404, code="file_not_found")
    no_file = officer.get(f"{URL}/{code}/files").json()[1]["id"]  # a paper without a scan
    assert_error(officer.get(f"{URL}/{code}/files/{no_file}"), 404, code="file_not_found")
    # A paper of dossier A cannot be targeted through dossier B.
    assert_error(_upload(officer, other["code"], paper=f["id"]), 422, code="paper_not_found")
    # An officer of another commune sees nothing, as for an unknown code.
    stranger = as_user("tiepnhan.datmui")
    assert_error(stranger.get(f["url"]), 404, code="dossier_not_found")
    assert_error(stranger.get(f"{URL}/{code}/files"), 404, code="dossier_not_found")
    assert_error(_upload(stranger, code, component=1), 404, code="dossier_not_found")
    assert_error(_upload(officer, "000.00.00.H12-250101-9999", component=1), 404, code="dossier_not_found")
    assert DossierComponent.objects.filter(dossier__code=code).exclude(file="").count() == 1


def test_unauthenticated_is_401(received):
    assert_error(_upload(Client(), received["code"], component=1), 401)
    assert_error(Client().get(f"{URL}/{received['code']}/files"), 401)


def test_an_idempotent_retry_returns_the_same_paper(officer, received):
    code = received["code"]
    first = _upload(officer, code, component=1, key="scan-7d2c")
    again = _upload(officer, code, component=1, key="scan-7d2c")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert DossierComponent.objects.filter(dossier__code=code).exclude(file="").count() == 1
    # The same key with other bytes or another paper is refused; nothing is written.
    assert_error(
        _upload(officer, code, PNG, filename="x.png", component=1, key="scan-7d2c"),
        422,
        code="idempotency_key_reused",
        field="Idempotency-Key",
    )
    assert_error(
        _upload(officer, code, key="scan-7d2c", name="Khác"),
        422,
        code="idempotency_key_reused",
    )
    assert DossierComponent.objects.filter(dossier__code=code).count() == 2
    # A new key adds a second file for the same component (a two-part scan).
    assert _upload(officer, code, component=1, key="scan-8e3d").status_code == 201
    assert DossierComponent.objects.filter(dossier__code=code).exclude(file="").count() == 2
    assert_error(_upload(officer, code, component=1, key="x" * 101), 422, field="Idempotency-Key")
    # A retry after the dossier moved on still gets the first answer; a new upload does not.
    Dossier.objects.filter(code=code).update(status=Status.PROCESSING)
    late_retry = _upload(officer, code, component=1, key="scan-7d2c")
    assert (late_retry.status_code, late_retry.json()["id"]) == (200, first.json()["id"])
    assert_error(_upload(officer, code, component=1, key="scan-9f4e"), 409, code="files_not_allowed")


def test_papers_only_while_the_status_allows_them(officer, received):
    code = received["code"]
    Dossier.objects.filter(code=code).update(status=Status.PROCESSING)
    body = assert_error(_upload(officer, code, component=1), 409, code="files_not_allowed")
    assert "Đang xử lý" in body["message_vi"]
    Dossier.objects.filter(code=code).update(status=Status.SUPPLEMENT_REQUESTED)
    assert _upload(officer, code, component=1).status_code == 201


def test_the_applicant_adds_papers_before_reception_only(as_user, officer):
    citizen = as_user("citizen.one")
    ref = _create(citizen, channel="online", commune="32002")["reference"]
    assert ref.startswith("TMP-")
    response = _upload(citizen, ref, component=1)
    assert response.status_code == 201, response.content
    # The applicant's own read is not audited.
    before = PersonalDataAccess.objects.count()
    assert citizen.get(response.json()["url"]).status_code == 200
    assert PersonalDataAccess.objects.count() == before
    # Another citizen does not see it.
    assert_error(_upload(as_user("citizen.two"), ref, component=1), 404)
    received = officer.post(f"{URL}/{ref}/actions/receive", "{}", content_type="application/json")
    assert received.status_code == 200, received.content
    code = received.json()["dossier"]["code"]
    # Received: the officer may still scan, the applicant may no longer change the papers.
    assert_error(_upload(citizen, code, component=1), 403, code="role_not_allowed")
    assert _upload(officer, code, component=1).status_code == 201


def test_the_openapi_document_describes_the_endpoints():
    from motcua.api.api import api

    paths = api.get_openapi_schema()["paths"]
    post = paths["/api/v1/dossiers/{code}/files"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"201", "413", "415", "409"} <= {str(k) for k in post["responses"]}
    download = {
        str(k): v for k, v in paths["/api/v1/dossiers/{code}/files/{file_id}"]["get"]["responses"].items()
    }
    assert "application/pdf" in download["200"]["content"]


MALFORMED_FILE_URLS = [
    "/api/v1/dossiers/%00/files",
    "/api/v1/dossiers/" + "%C4%90" * 300 + "/files",
    "/api/v1/dossiers/x/files/abc",
    "/api/v1/dossiers/x/files/99999999999999999999999",
    "/api/v1/dossiers/%00/files/%00",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", MALFORMED_FILE_URLS)
def test_malformed_input_never_gives_a_500(url):
    client = Client(raise_request_exception=True)
    # The download route is GET only (a POST there is ninja's 405, as for any route).
    for send in (client.get, client.post) if url.endswith("/files") else (client.get,):
        response = send(url, HTTP_AUTHORIZATION="Bearer \x00garbage")
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert set(response.json()) == {"code", "message", "message_vi", "field"}


def test_malformed_uploads_are_4xx(officer, received):
    code = received["code"]
    url = f"{URL}/{code}/files"
    cases = [
        officer.post(url, {"component": "1"}),  # no file
        officer.post(url, {"component": "abc", "file": SimpleUploadedFile("a.pdf", PDF)}),
        officer.post(url, {"component": "99999999999999999999999", "file": SimpleUploadedFile("a.pdf", PDF)}),
        officer.post(url, '{"component": 1}', content_type="application/json"),
        officer.post(url, {"name": "\x00", "file": SimpleUploadedFile("a.pdf", PDF)}),
        officer.post(url, {"name": "x" * 3000, "file": SimpleUploadedFile("a.pdf", PDF)}),
        officer.post(url, {"component": "1", "file": SimpleUploadedFile("noext", PDF)}),
    ]
    statuses = [r.status_code for r in cases]
    for r in cases[:-1]:
        assert_error(r, r.status_code)
        assert 400 <= r.status_code < 500, statuses
    # A file without an extension is named by its content.
    assert cases[-1].status_code == 201, cases[-1].content
    assert cases[-1].json()["mime"] == "application/pdf"
