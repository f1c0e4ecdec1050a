"""The dossier page (/can-bo/ho-so/<code>/): what it shows, who sees it, the actions it offers
and posts, file preview and printed forms. Cà Mau demo, Django's test client."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Component
from motcua.dossiers.models import Dossier, DossierAction, PersonalDataAccess, Status
from motcua.worktime.engine import TZ
from tests.backoffice.test_intake import PDF, URL, case_of, demo_data, form_data  # noqa: F401

AN_XUYEN = ("tiepnhan.anxuyen", "chuyenvien.anxuyen", "lanhdao.anxuyen")


@pytest.fixture
def login(demo_data, db, client, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path

    def make(username):
        client.logout()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return make


@pytest.fixture
def dossier(login):
    client = login("tiepnhan.anxuyen")
    comp = Component.objects.get(case=case_of("1.008004"))
    scan = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    assert client.post(URL, form_data(**{f"file_{comp.pk}": scan})).status_code == 302
    return Dossier.objects.get()


def page_url(d):
    return f"/can-bo/ho-so/{d.code}/"


def act(client, d, action, **fields):
    d.refresh_from_db()
    data = {f"{action}-expected_version": d.version, f"{action}-token": f"{action}-{d.version}"}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(f"{page_url(d)}thao-tac/{action}/", data)


def offered(html):
    return {
        a
        for a in (
            "forward",
            "request_supplement",
            "apologize_and_extend",
            "approve",
            "resolve",
            "return_result",
            "stop",
            "supplement_received",
            "consult",
        )
        if f'id="action-{a}"' in html
    }


def test_page_shows_the_dossier_and_audits_the_read(login, dossier):
    client = login("chuyenvien.anxuyen")
    html = client.get(page_url(dossier)).content.decode()
    for text in (
        dossier.code,
        "Nguyễn Văn Ấn",
        "Chuyển đổi cơ cấu cây trồng",
        "Đã tiếp nhận",
        "mã trạng thái quốc gia",
        "Tiếp nhận hồ sơ",
        "Hẹn trả ban đầu",
    ):
        assert text in html, text
    assert PersonalDataAccess.objects.filter(dossier=dossier, user__username="chuyenvien.anxuyen").exists()


def test_only_the_actions_of_the_role_are_offered(login, dossier):
    seen = {u: offered(login(u).get(page_url(dossier)).content.decode()) for u in AN_XUYEN}
    assert seen["tiepnhan.anxuyen"] == {"forward", "request_supplement", "apologize_and_extend", "stop"}
    assert seen["chuyenvien.anxuyen"] == {"forward", "request_supplement", "stop"}
    assert seen["lanhdao.anxuyen"] == {"forward", "request_supplement", "apologize_and_extend", "stop"}


def test_another_communes_officer_gets_404_for_page_file_and_forms(login, dossier):
    client = login("tiepnhan.datmui")
    comp = dossier.components.get()
    assert client.get(page_url(dossier)).status_code == 404
    assert client.get(f"{page_url(dossier)}tep/{comp.pk}/").status_code == 404
    assert client.get(f"{page_url(dossier)}bieu-mau/receipt.pdf").status_code == 404
    assert act(client, dossier, "forward").status_code == 404
    assert not PersonalDataAccess.objects.filter(user__username="tiepnhan.datmui").exists()


def test_file_preview_is_inline_and_typed_by_content(login, dossier):
    client = login("chuyenvien.anxuyen")
    comp = dossier.components.get()
    html = client.get(page_url(dossier)).content.decode()
    assert f'<iframe src="{page_url(dossier)}tep/{comp.pk}/"' in html
    response = client.get(f"{page_url(dossier)}tep/{comp.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_receipt_pdf_download(login, dossier):
    response = login("tiepnhan.anxuyen").get(f"{page_url(dossier)}bieu-mau/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")
    assert login("tiepnhan.anxuyen").get(f"{page_url(dossier)}bieu-mau/refusal.pdf").status_code == 404


def test_an_action_posts_and_appears_in_the_timeline(login, dossier):
    client = login("tiepnhan.anxuyen")
    specialist = get_user_model().objects.get(username="chuyenvien.anxuyen")
    response = act(client, dossier, "forward", assignee=str(specialist.pk), reason="Chuyển thẩm định")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.assignee_id == specialist.pk
    html = client.get(page_url(dossier)).content.decode()
    assert 'data-action="forward"' in html and "Chuyển thẩm định" in html and "Đã thực hiện" in html
    assert "Giấy tờ cần bổ sung:" not in html.split('id="timeline"')[1]


def test_a_stale_page_is_told_to_reload(login, dossier):
    client = login("tiepnhan.anxuyen")
    stale = dossier.version
    assert act(client, dossier, "forward").status_code == 302
    data = {"forward-expected_version": stale, "forward-token": "other"}
    response = client.post(f"{page_url(dossier)}thao-tac/forward/", data, follow=True)
    assert "Hồ sơ đã được người khác cập nhật" in response.content.decode()
    assert DossierAction.objects.filter(dossier=dossier, action="forward").count() == 1


def test_extension_once_then_refused_on_the_page(login, dossier):
    client = login("lanhdao.anxuyen")
    new_day = (dossier.due_at.astimezone(TZ) + dt.timedelta(days=10)).date()
    fields = {"new_due_date": new_day.isoformat(), "new_due_time": "16:00", "reason": "Cần xác minh thực địa"}
    assert act(client, dossier, "apologize_and_extend", **fields).status_code == 302
    dossier.refresh_from_db()
    assert dossier.extended and dossier.due_at == dt.datetime.combine(new_day, dt.time(16), TZ)
    assert dossier.original_due_at < dossier.due_at
    fields["new_due_date"] = (new_day + dt.timedelta(days=3)).isoformat()
    response = act(client, dossier, "apologize_and_extend", **fields)
    assert response.status_code == 422
    assert "chỉ được thực hiện một lần" in response.content.decode()
    html = client.get(page_url(dossier)).content.decode()
    assert "apology_extension.pdf" in html


def test_supplement_then_received(login, dossier):
    client = login("chuyenvien.anxuyen")
    r = act(client, dossier, "request_supplement", reason="Thiếu giấy tờ", items="Bản vẽ | bị mờ")
    assert r.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert "Giấy tờ cần bổ sung: Bản vẽ (bị mờ)" in client.get(page_url(dossier)).content.decode()
    assert offered(client.get(page_url(dossier)).content.decode()) == {"stop"}
    client = login("tiepnhan.anxuyen")
    assert "supplement_received" in offered(client.get(page_url(dossier)).content.decode())
    assert act(client, dossier, "supplement_received").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_resolve_and_return_records_who_collected(login, dossier):
    leader = login("lanhdao.anxuyen")
    for action in ("forward", "approve", "resolve"):
        assert act(leader, dossier, action).status_code == 302, action
    client = login("tiepnhan.anxuyen")
    r = act(client, dossier, "return_result", method="counter", collector_name="")
    assert r.status_code == 422 and "Hãy nhập họ tên người nhận kết quả" in r.content.decode()
    r = act(
        client,
        dossier,
        "return_result",
        method="counter",
        collector_name="Trần Thị Bé",
        collector_id_number="096185000123",
        relation="proxy",
        originals_returned="on",
    )
    assert r.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.returned_at
    log = DossierAction.objects.get(dossier=dossier, action="return_result")
    assert log.payload["collector"] == {
        "name": "Trần Thị Bé",
        "id_number": "096185000123",
        "relation": "proxy",
    }
    assert log.payload["originals_returned"] is True
    assert "Trần Thị Bé" in client.get(page_url(dossier)).content.decode()


def test_a_role_that_may_not_act_is_refused(login, dossier):
    client = login("chuyenvien.anxuyen")
    response = act(
        client, dossier, "apologize_and_extend", new_due_date="2099-01-01", new_due_time="16:00", reason="x"
    )
    assert response.status_code == 403
    assert not DossierAction.objects.filter(action="apologize_and_extend").exists()


def test_return_by_post_records_the_tracking_number(login, dossier):
    leader = login("lanhdao.anxuyen")
    for action in ("forward", "approve", "resolve"):
        assert act(leader, dossier, action).status_code == 302, action
    client = login("tiepnhan.anxuyen")
    assert act(client, dossier, "return_result", method="postal").status_code == 422
    assert (
        act(client, dossier, "return_result", method="postal", postal_tracking="EB123456789VN").status_code
        == 302
    )
    log = DossierAction.objects.get(dossier=dossier, action="return_result")
    assert log.payload == {"return_method": "postal", "postal_tracking": "EB123456789VN"}
