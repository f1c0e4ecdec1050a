"""Evaluation and petitions in a real browser (issue 5 points 6–7): a citizen evaluates a returned
dossier and files a petition about it on a phone; the officer of the commune finds the petition
in /can-bo/phan-anh/ and answers it. The dossier is brought to its result through the services;
people are signed in by a session cookie from ``client.force_login``."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from motcua.feedback.models import Evaluation, Petition, PetitionStatus
from tests.e2e.conftest import screenshot
from tests.feedback.conftest import build_world, finish, receive

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (390, 844)
DESKTOP = (1366, 768)


@pytest.fixture
def world():
    from motcua.worktime.selectors import clear_calendar_cache

    clear_calendar_cache()
    w = build_world()
    w["dossier"] = finish(receive(w, user=w["citizen"]))
    return w


def signed_in(new_page, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    page = new_page(viewport=viewport)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def test_citizen_evaluates_and_files_a_petition_the_officer_answers(new_page, live_server, world):
    code = world["dossier"].code
    page = signed_in(new_page, live_server, world["citizen"], PHONE)
    page.goto(f"/danh-gia/{code}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đánh giá việc giải quyết hồ sơ"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    screenshot(page, "portal-evaluate-phone")

    # Sending without answering: an error summary with links, messages next to the groups.
    page.get_by_role("button", name="Gửi đánh giá").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Vui lòng kiểm tra lại" in summary.inner_text()
    assert "a) Thời gian trả kết quả so với thời hạn quy định: Chọn một mức" in summary.inner_text()
    screenshot(page, "portal-evaluate-errors-phone")
    assert page.locator("fieldset[aria-invalid=true]").count() == 7  # 6 criteria a–e + overall

    def choose(group: str, answer: str):
        page.get_by_role("group", name=group).get_by_text(answer, exact=False).first.click()

    choose("a) Thời gian trả kết quả so với thời hạn quy định", "Đúng hẹn")
    choose("b) Số cơ quan, đơn vị phải liên hệ để hoàn thành hồ sơ", "Chỉ liên hệ Bộ phận Một cửa")
    choose("c) Số lần phải liên hệ để hoàn thiện hồ sơ", "Không lần nào")
    choose("d) Thông tin thủ tục hành chính được công khai", "Chính xác, đầy đủ, kịp thời")
    choose("đ) Thái độ, hành vi của cán bộ, công chức", "Lịch sự, tận tình, chu đáo")
    choose("e) Kết quả và chi phí đúng quy định", "Đúng quy định, không có chi phí ngoài quy định")
    choose("g) Thời gian, chất lượng giải thích, trả lời phản ánh, kiến nghị, khiếu nại", "Không áp dụng")
    choose("h) Tiến độ, chất lượng dịch vụ công trực tuyến", "Không áp dụng")
    page.get_by_role("group", name="Nhìn chung").get_by_label("Hài lòng", exact=True).check()
    page.get_by_label("Ý kiến khác (không bắt buộc)").fill("Cán bộ hướng dẫn rõ ràng.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_text("Cảm ơn ông/bà đã đánh giá.").wait_for()
    evaluation = Evaluation.objects.get()
    assert (evaluation.satisfied, evaluation.total) == (True, 10)  # 1+1+2+2+2+2
    assert "Tổng điểm" in page.locator("table").inner_text()

    # A petition about the same dossier, from the evaluation page.
    page.get_by_role("link", name="Gửi phản ánh, kiến nghị về hồ sơ này").click()
    page.wait_for_url("**/phan-anh/?ho_so=*")
    assert page.get_by_label("Mã hồ sơ liên quan (nếu có)").input_value() == code
    page.get_by_role("group", name="Nhóm nội dung").get_by_label(
        "Việc giải quyết hồ sơ (tiến độ, kết quả)"
    ).check()
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill(
        "Kết quả ghi sai năm sinh của con tôi, đề nghị sửa lại."
    )
    screenshot(page, "portal-petition-phone")
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_url("**/phan-anh/tra-cuu/?ma=*")
    petition = Petition.objects.get()
    assert petition.dossier_id == world["dossier"].pk
    page.get_by_text("Đã gửi phản ánh.").wait_for()
    assert petition.code in page.locator("section.result").inner_text()
    screenshot(page, "portal-petition-status-phone")

    # The officer of commune A sees it in the list, with its deadline in words, and answers.
    officer = signed_in(new_page, live_server, world["rec_a"], DESKTOP)
    officer.goto("/can-bo/phan-anh/")
    officer.get_by_role("navigation", name="Chức năng").get_by_role(
        "link", name="Phản ánh, kiến nghị"
    ).wait_for()
    row = officer.get_by_role("row").filter(has_text=petition.code)
    assert "Còn hạn" in row.inner_text() and f"Hồ sơ {code}" in row.inner_text()
    screenshot(officer, "backoffice-petitions")
    row.get_by_role("link", name=petition.code).click()
    officer.get_by_role("button", name="Nhận xử lý").click()
    officer.get_by_label("Nội dung trả lời").fill(
        "Đơn vị đã cấp lại bản chính có năm sinh đúng; mời ông/bà đến nhận."
    )
    screenshot(officer, "backoffice-petition")
    officer.get_by_role("button", name="Gửi trả lời").click()
    officer.get_by_text("Đã gửi trả lời").wait_for()
    petition.refresh_from_db()
    assert (petition.status, petition.answered_on_time) == (PetitionStatus.ANSWERED, True)
    assert any(petition.code in m.subject for m in mail.outbox)

    # An officer of another commune does not see it.
    other = signed_in(new_page, live_server, world["rec_b"], DESKTOP)
    other.goto("/can-bo/phan-anh/")
    assert petition.code not in other.content()


def test_forms_on_a_desktop(new_page, live_server, world):
    page = signed_in(new_page, live_server, world["citizen"], DESKTOP)
    page.goto(f"/danh-gia/{world['dossier'].code}/")
    page.get_by_role("button", name="Gửi đánh giá").wait_for()
    screenshot(page, "portal-evaluate-desktop")
    anonymous = new_page(viewport=DESKTOP)
    anonymous.goto("/phan-anh/")
    anonymous.get_by_label("Họ và tên").wait_for()
    screenshot(anonymous, "portal-petition-desktop")
    # Keyboard: the first radio of the first group is reachable and selectable without a mouse.
    page.get_by_role("group", name="a) Thời gian trả kết quả so với thời hạn quy định").get_by_role(
        "radio"
    ).first.focus()
    page.keyboard.press("Space")
    assert (
        page.get_by_role("group", name="a) Thời gian trả kết quả so với thời hạn quy định")
        .get_by_role("radio")
        .first.is_checked()
    )
