"""Apply online and follow the dossier in a browser (issue 5 "Done when"): a citizen signs up
(and opens the e-mailed verification link), applies with two uploads, reloads in the middle and continues, submits; looks the dossier up
publicly with code and secret and sees no identity number; answers a supplement request online.
Screenshots of the steps and of "my dossiers" on a phone and a desktop."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from tests.e2e.conftest import screenshot
from tests.e2e.test_portal_signin import PASSWORD, _path_of_link
from tests.portal.applyfixtures import PDF, PNG, make_citizen, make_place

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (390, 844)
DESKTOP = (1366, 768)
CCCD = "096185000321"


@pytest.fixture
def setup(settings, tmp_path):
    from motcua.catalog.models import Component, Field, Procedure, ProcedureCase, ProcedureVersion
    from motcua.worktime.selectors import clear_calendar_cache

    settings.MEDIA_ROOT = tmp_path / "media"
    clear_calendar_cache()
    place = make_place()
    field = Field.objects.create(code="ho-tich", name="Hộ tịch")
    version = ProcedureVersion.objects.create(
        procedure=Procedure.objects.create(code="1.001193"),
        valid_from="2024-01-01",
        name="Thủ tục đăng ký khai sinh",
        level="commune",
        field=field,
        online_level="full",
        competent_at_commune=True,
        competent_agency_kind="peoples_committee",
        non_boundary=True,
    )
    case = ProcedureCase.objects.create(
        version=version,
        order=1,
        name="Đăng ký khai sinh thông thường",
        legal_direct_value=Decimal(3),
        legal_direct_unit="working_days",
    )
    Component.objects.create(case=case, order=1, name="Tờ khai đăng ký khai sinh", originals=1)
    Component.objects.create(case=case, order=2, name="Giấy chứng sinh", originals=1)
    Component.objects.create(case=case, order=3, name="Văn bản ủy quyền (nếu nộp thay)", mandatory=False)
    officer = make_citizen("tiepnhan", full_name="Cán bộ tiếp nhận")
    return {"place": place, "version": version, "officer": officer}


def _signed_in_page(new_page, live_server, user, viewport):
    from django.test import Client

    client = Client()
    client.force_login(user)
    page = new_page(viewport=viewport)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def test_apply_online_reload_submit_lookup_and_answer_a_supplement(new_page, live_server, setup):
    from django.core import mail

    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier, DossierComponent, Status
    from motcua.dossiers.services import dossier_perform

    # Sign up on the phone, then open the verification link from the e-mail: only a verified
    # account may file online.
    page = new_page(viewport=PHONE)
    page.goto("/tai-khoan/dang-ky/")
    page.get_by_label("Họ và tên").fill("Trần Thị Bích Ngọc")
    page.get_by_label("Thư điện tử").fill("ngoc@example.vn")
    page.get_by_label("Số điện thoại (không bắt buộc)").fill("0918000111")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url("**/tai-khoan/")
    page.goto(_path_of_link(mail.outbox[-1].body))
    citizen = User.objects.get(username="ngoc@example.vn")
    assert citizen.email_verified
    desk = _signed_in_page(new_page, live_server, citizen, DESKTOP)

    def shots(name: str) -> None:
        screenshot(page, f"{name}-phone")
        desk.goto(page.url)
        screenshot(desk, f"{name}-desktop")

    page.goto("/thu-tuc/1.001193/")
    page.get_by_role("link", name="Nộp trực tuyến").click()
    page.wait_for_url("**/nop-ho-so/1.001193/")

    # Step 1: the case is preselected (only one); choosing nothing shows the error summary.
    shots("portal-apply-place")
    page.get_by_role("button", name="Tiếp tục").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Chọn nơi nộp hồ sơ." in summary.inner_text()
    page.get_by_label("Nộp tại Bộ phận Một cửa").select_option(
        label="Trung tâm Phục vụ hành chính công phường An Xuyên"
    )
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/nguoi-nop/")

    # Step 2: pre-filled from the account; the identity number is checked.
    assert page.get_by_label("Họ và tên / tên tổ chức").input_value() == "Trần Thị Bích Ngọc"
    assert page.get_by_label("Thư điện tử").input_value() == "ngoc@example.vn"
    page.get_by_label("Số giấy tờ").fill("123")
    page.get_by_label("Địa chỉ").fill("Khóm 3, phường An Xuyên")
    page.get_by_role("button", name="Tiếp tục").click()
    page.locator("#error-summary").wait_for()
    screenshot(page, "portal-apply-applicant-error-phone")
    page.get_by_label("Số giấy tờ").fill(CCCD)
    page.get_by_label("Ngày sinh").fill("1985-06-15")
    page.get_by_label("Giới tính").select_option("female")
    shots("portal-apply-applicant")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/thanh-phan/")

    # Step 3: first upload, then reload in the middle: the file is still there.
    page.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(
        [{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Tải tệp lên").click()
    page.get_by_role("link", name="to-khai.pdf").wait_for()
    page.reload()
    page.get_by_role("link", name="to-khai.pdf").wait_for()
    # Coming back through the procedure page continues at the same step.
    page.goto("/nop-ho-so/1.001193/")
    page.wait_for_url("**/thanh-phan/")
    page.get_by_role("link", name="to-khai.pdf").wait_for()
    page.get_by_label("Giấy chứng sinh").set_input_files(
        [{"name": "giay-chung-sinh.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Tải tệp lên").click()
    page.get_by_role("link", name="giay-chung-sinh.png").wait_for()
    shots("portal-apply-components")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/cam-ket/")

    # Step 4: consent.
    page.get_by_label("Tôi cam đoan").check()
    page.get_by_label("Tôi đồng ý").check()
    shots("portal-apply-consent")
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url("**/xem-lai/")

    # Step 5: review and submit (a double click makes one dossier).
    assert "giay-chung-sinh.png" in page.locator("main").inner_text()
    shots("portal-apply-review")
    page.get_by_role("button", name="Nộp hồ sơ").dblclick()
    page.wait_for_url("**/bien-nhan/")
    page.get_by_role("heading", name="Đã nộp hồ sơ trực tuyến").wait_for()
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.components.count() == 2
    secret = page.locator("#secret").inner_text().strip()
    assert page.locator("#reference").inner_text().strip() == dossier.temp_reference
    assert secret == dossier.lookup_secret
    shots("portal-apply-receipt")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]

    # The one-stop unit receives it: a dossier code is issued.
    dossier_perform(dossier=dossier, action="receive", actor=setup["officer"], roles=["receiving_officer"])
    dossier.refresh_from_db()
    page.goto("/ho-so-cua-toi/")
    assert dossier.code in page.locator("main").inner_text()
    shots("portal-mine-list")

    # Public look-up with code and secret, signed out: no identity number.
    anon = new_page(viewport=PHONE)
    anon.goto("/tra-cuu/")
    anon.get_by_label("Mã hồ sơ").fill(dossier.code)
    anon.get_by_label("Mã bí mật").fill(secret)
    anon.get_by_role("button", name="Tra cứu").click()
    anon.locator("section.result").wait_for()
    assert "Trần T** B*** N***" in anon.locator("section.result").inner_text()
    assert CCCD not in anon.content()

    # An officer asks for a supplement; the citizen answers it online.
    dossier_perform(
        dossier=dossier,
        action="request_supplement",
        actor=setup["officer"],
        roles=["receiving_officer"],
        reason="Giấy chứng sinh chụp bị mờ",
        payload={"items": [{"name": "Giấy chứng sinh", "reason": "Bản chụp bị mờ"}]},
    )
    page.goto(f"/ho-so-cua-toi/{dossier.code}/")
    page.get_by_role("heading", name="Cơ quan yêu cầu bổ sung hồ sơ").wait_for()
    shots("portal-mine-detail")
    page.get_by_role("link", name="Bổ sung hồ sơ trực tuyến").click()
    page.wait_for_url("**/bo-sung/")
    page.get_by_label("Giấy chứng sinh").set_input_files(
        [{"name": "giay-chung-sinh-ro.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shots("portal-mine-supplement")
    page.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.code}/")
    assert page.locator("#status").inner_text() == "Đang giải quyết"
    assert "Giấy tờ bổ sung đã được nhận" in page.locator("main").inner_text()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert DossierComponent.objects.filter(dossier=dossier, name="Bổ sung: Giấy chứng sinh").exists()
