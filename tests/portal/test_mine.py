"""My dossiers (issue 5 point 4): list and detail of one's own dossiers only, the timeline in
plain words, answering a supplement request online, issued forms and papers, withdrawal."""

from __future__ import annotations

import pytest
from django.urls import reverse
from freezegun import freeze_time

from motcua.dossiers.models import Dossier, DossierAction, DossierComponent, Status
from motcua.dossiers.services import dossier_perform
from motcua.portal.services import draft_submit
from tests.dossiers.factories import UserFactory
from tests.portal.applyfixtures import PDF, make_citizen, make_place, upload, walk_to_review


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


@pytest.fixture
def submitted(signed_in, catalog, place):
    draft = walk_to_review(signed_in, catalog, place)
    return draft_submit(draft=draft)


@pytest.fixture
def officer(db):
    return UserFactory(username="tiepnhan")


def _receive(dossier, officer):
    dossier_perform(dossier=dossier, action="receive", actor=officer, roles=["receiving_officer"])
    dossier.refresh_from_db()
    return dossier


def _request_supplement(dossier, officer):
    dossier_perform(
        dossier=dossier,
        action="request_supplement",
        actor=officer,
        roles=["receiving_officer"],
        reason="Giấy chứng sinh bị mờ",
        payload={"items": [{"name": "Giấy chứng sinh", "reason": "Bản chụp bị mờ, không đọc được"}]},
    )
    dossier.refresh_from_db()
    return dossier


def detail_url(dossier) -> str:
    return reverse("portal:mine_detail", args=[dossier.code or dossier.pk])


def test_the_list_shows_my_dossiers_in_plain_words(signed_in, submitted):
    html = signed_in.get("/ho-so-cua-toi/").content.decode()
    assert submitted.temp_reference in html
    assert "Thủ tục đăng ký khai sinh" in html
    assert "Đã nộp trực tuyến, đang chờ tiếp nhận" in html
    assert "Hạn tiếp nhận hồ sơ" in html
    assert "Không cần làm gì" in html


def test_the_list_requires_sign_in(client, db):
    response = client.get("/ho-so-cua-toi/")
    assert response.status_code == 302


def test_someone_elses_dossier_is_404_everywhere(signed_in, submitted, client, officer):
    dossier = _receive(submitted, officer)
    other = make_citizen("khac")
    client.force_login(other)
    assert dossier.code not in client.get("/ho-so-cua-toi/").content.decode()
    for url in (
        f"/ho-so-cua-toi/{dossier.pk}/",
        f"/ho-so-cua-toi/{dossier.code}/",
        f"/ho-so-cua-toi/{dossier.temp_reference}/",
        f"/ho-so-cua-toi/{dossier.code}/bo-sung/",
        f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/",
        f"/ho-so-cua-toi/{dossier.code}/bieu-mau/receipt.pdf",
        f"/ho-so-cua-toi/{dossier.code}/giay-to/{dossier.components.first().pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"reason": "x", "confirm": "on", "token": "t"}
        ).status_code
        == 404
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_detail_shows_the_timeline_and_due_moment(signed_in, submitted, officer):
    dossier = _receive(submitted, officer)
    response = signed_in.get(f"/ho-so-cua-toi/{dossier.pk}/")  # by id works too
    html = response.content.decode()
    assert "Bạn đã nộp hồ sơ trực tuyến" in html
    assert "Hồ sơ được tiếp nhận và cấp mã hồ sơ" in html and dossier.code in html
    assert "Hẹn trả kết quả" in html
    assert "Đã tiếp nhận, đang giải quyết" in html
    # My own papers can be opened.
    paper = dossier.components.order_by("id").first()
    got = signed_in.get(reverse("portal:mine_file", args=[dossier.code, paper.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF


def test_issued_forms_are_downloadable_but_not_the_internal_control_slip(signed_in, submitted, officer):
    dossier = _receive(submitted, officer)
    html = signed_in.get(detail_url(dossier)).content.decode()
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in html
    response = signed_in.get(reverse("portal:mine_form", args=[dossier.code, "receipt"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert signed_in.get(reverse("portal:mine_form", args=[dossier.code, "control_slip"])).status_code == 404


def test_answer_a_supplement_request_online(signed_in, catalog, place, officer, citizen):
    # Received Monday 2/3/2026 09:00, supplement asked an hour later, answered Wednesday 10:00.
    with freeze_time("2026-03-02 09:00:00+07:00"):
        dossier = _receive(draft_submit(draft=walk_to_review(signed_in, catalog, place)), officer)
    with freeze_time("2026-03-02 10:00:00+07:00"):
        dossier = _request_supplement(dossier, officer)
    due_before = dossier.due_at
    html = signed_in.get(detail_url(dossier)).content.decode()
    assert "Cơ quan yêu cầu bổ sung hồ sơ" in html
    assert "Giấy chứng sinh" in html and "Bản chụp bị mờ, không đọc được" in html
    assert "Bổ sung giấy tờ theo yêu cầu của cơ quan." in html
    assert "/bo-sung/" in html

    page = signed_in.get(reverse("portal:mine_supplement", args=[dossier.code]))
    assert page.status_code == 200
    token = page.context["form"]["token"].value()
    data = {"token": token, "note": "Đã chụp lại", "file_0": upload("giay-chung-sinh-moi.pdf", PDF)}
    with freeze_time("2026-03-04 10:00:00+07:00"):
        response = signed_in.post(reverse("portal:mine_supplement", args=[dossier.code]), data)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    action = dossier.actions.order_by("-id").first()
    assert (
        action.action == "supplement_received"
        and action.actor == citizen
        and action.actor_role == "applicant"
    )
    # The restart policy (the default snapshot) gives a new due moment counted from the answer.
    assert dossier.supplement_policy == "restart" and dossier.due_at > due_before
    added = DossierComponent.objects.filter(dossier=dossier, name="Bổ sung: Giấy chứng sinh").get()
    assert added.file.read() == PDF
    # A repeated post (double click) changes nothing more.
    signed_in.post(
        reverse("portal:mine_supplement", args=[dossier.code]),
        {"token": token, "file_0": upload("giay-chung-sinh-moi.pdf", PDF)},
    )
    assert DossierAction.objects.filter(dossier=dossier, action="supplement_received").count() == 1
    assert DossierComponent.objects.filter(dossier=dossier, name__startswith="Bổ sung").count() == 1
    timeline = signed_in.get(detail_url(dossier)).content.decode()
    assert "Giấy tờ bổ sung đã được nhận" in timeline


def test_a_supplement_answer_needs_a_valid_file(signed_in, submitted, officer):
    dossier = _request_supplement(_receive(submitted, officer), officer)
    url = reverse("portal:mine_supplement", args=[dossier.code])
    response = signed_in.post(url, {"token": "abc"})
    assert response.status_code == 400
    assert "Chọn ít nhất một tệp giấy tờ bổ sung." in response.content.decode()
    response = signed_in.post(url, {"token": "abc", "file_0": upload("x.pdf", b"GIF89a not allowed")})
    assert response.status_code == 400
    assert "không phải PDF, JPEG hoặc PNG" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_withdraw_before_reception_needs_reason_and_confirmation(signed_in, submitted):
    url = reverse("portal:mine_withdraw", args=[submitted.pk])
    page = signed_in.get(url)
    assert page.status_code == 200 and "chưa được tiếp nhận" in page.content.decode()
    response = signed_in.post(url, {"token": "t1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nhập lý do rút hồ sơ." in html and "Đánh dấu xác nhận để rút hồ sơ." in html
    response = signed_in.post(url, {"token": "t1", "reason": "Nộp nhầm thủ tục", "confirm": "on"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.WITHDRAWN
    row = submitted.actions.get(action="withdraw")
    assert row.reason == "Nộp nhầm thủ tục" and row.actor_role == "applicant"
    html = signed_in.get(detail_url(submitted)).content.decode()
    assert "Bạn đã rút hồ sơ" in html and "/rut-ho-so/" not in html


def test_withdraw_after_reception_is_a_stop_at_the_applicants_request(signed_in, submitted, officer):
    dossier = _receive(submitted, officer)
    url = reverse("portal:mine_withdraw", args=[dossier.code])
    assert "Điều 21" in signed_in.get(url).content.decode()
    signed_in.post(url, {"token": "t2", "reason": "Không còn nhu cầu", "confirm": "on"})
    dossier.refresh_from_db()
    assert dossier.status == Status.STOPPED and dossier.stop_initiator == "applicant"


def test_a_finished_dossier_cannot_be_withdrawn(signed_in, submitted):
    Dossier.objects.filter(pk=submitted.pk).update(status=Status.REFUSED)
    response = signed_in.get(reverse("portal:mine_withdraw", args=[submitted.pk]))
    assert response.status_code == 302


def test_answer_a_supplement_asked_before_reception(signed_in, submitted, officer):
    """An online dossier answered within the 8 working hours with a supplement notice: the answer
    puts it back in the queue with a new acceptance deadline (Decree 118/2025 Art. 17(2))."""
    dossier_perform(
        dossier=submitted,
        action="request_supplement",
        actor=officer,
        roles=["receiving_officer"],
        reason="Thiếu trang 2 của tờ khai",
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUPPLEMENT_AT_RECEPTION
    html = signed_in.get(detail_url(submitted)).content.decode()
    assert "Cần bổ sung hồ sơ trước khi tiếp nhận" in html and "Thiếu trang 2 của tờ khai" in html
    url = reverse("portal:mine_supplement", args=[submitted.pk])
    response = signed_in.post(url, {"token": "s1", "file_0": upload("trang-2.pdf", PDF)})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.acceptance_due_at is not None
    assert submitted.components.filter(name="Bổ sung: Thiếu trang 2 của tờ khai").exists()
