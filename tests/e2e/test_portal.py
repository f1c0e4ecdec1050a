"""The citizen portal in a browser (issue 5 "Done when", points 1 and 5): search "khai sinh"
without diacritics on a phone and open the procedure; look a dossier up with its code and the
secret printed on the receipt, and see no identity number."""

import pytest

from tests.dossiers.factories import MONDAY
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (390, 844)
CCCD = "096185000321"


@pytest.fixture
def demo():
    from motcua.catalog.demo import catalog_load_demo
    from motcua.org.demo import org_load_camau_demo
    from motcua.worktime.selectors import clear_calendar_cache

    org_load_camau_demo()
    catalog_load_demo()
    clear_calendar_cache()


@pytest.fixture
def dossier(demo):
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.services import dossier_receive
    from motcua.org.models import Agency

    version = ProcedureVersion.objects.get(name="Thủ tục đăng ký khai sinh", valid_to__isnull=True)
    one_stop = Agency.objects.filter(kind=Agency.Kind.ONE_STOP, admin_unit__level=3).order_by("pk").first()
    return dossier_receive(
        case=version.cases.order_by("order").first(),
        channel="direct",
        receiving_unit=one_stop,
        applicant={
            "applicant_type": "citizen",
            "name": "Trần Thị Bích Ngọc",
            "id_kind": "cccd",
            "id_number": CCCD,
            "birth_date": "1985-06-15",
            "sex": "female",
            "phone": "0918000111",
            "address": "Khóm 3, phường An Xuyên",
        },
        components=[{"name": "Tờ khai đăng ký khai sinh", "originals": 1}],
        actor=None,
        roles=["receiving_officer"],
        received_at=MONDAY,
    )


def test_search_without_diacritics_on_a_phone_and_open_the_procedure(new_page, demo):
    page = new_page(viewport=PHONE)
    page.goto("/")
    page.get_by_label("Tìm thủ tục (có dấu hoặc không dấu)").fill("khai sinh")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/?q=khai+sinh")
    link = page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True)
    link.wait_for()
    screenshot(page, "portal-search-phone")
    # Nothing is wider than the phone (no horizontal scrolling of the page).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    link.click()
    page.wait_for_url("**/thu-tuc/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thủ tục đăng ký khai sinh"
    page.get_by_role("heading", name="Thời hạn giải quyết").first.wait_for()
    page.get_by_role("heading", name="Thành phần hồ sơ").first.wait_for()
    assert "Dịch vụ công trực tuyến" in page.content()
    screenshot(page, "portal-procedure-phone")


def test_skip_link_is_first_and_reachable_by_keyboard(page, demo):
    page.goto("/thu-tuc/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Bỏ qua điều hướng"


def test_public_lookup_with_code_and_secret_shows_no_identity_number(new_page, dossier):
    page = new_page(viewport=PHONE)
    # The receipt's QR code opens this address with the code filled in.
    page.goto(f"/tra-cuu/?ma={dossier.code}")
    assert page.get_by_label("Mã hồ sơ").input_value() == dossier.code
    page.get_by_label("Mã bí mật").fill("AAAAAAAA")
    page.get_by_role("button", name="Tra cứu").click()
    page.get_by_role("alert").wait_for()
    assert "Không tìm thấy hồ sơ" in page.get_by_role("alert").inner_text()

    page.get_by_label("Mã bí mật").fill(dossier.lookup_secret.lower())
    page.get_by_role("button", name="Tra cứu").click()
    result = page.locator("section.result")
    result.wait_for()
    text = result.inner_text()
    assert "Trần T** B*** N***" in text
    assert "Thủ tục đăng ký khai sinh" in text
    assert "Đã tiếp nhận, đang giải quyết" in text
    content = page.content()
    for private in (CCCD, "0918000111", "Khóm 3", "Trần Thị Bích Ngọc"):
        assert private not in content
    screenshot(page, "portal-lookup-phone")


def test_home_and_catalog_on_a_desktop(new_page, demo):
    page = new_page(viewport=(1366, 768))
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Cổng dịch vụ công"
    page.get_by_role("link", name="Cán bộ đăng nhập").wait_for()
    screenshot(page, "portal-home-desktop")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Thủ tục hành chính"
    ).click()
    page.wait_for_url("**/thu-tuc/")
    page.get_by_label("Cấp thực hiện").select_option("province")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_url("**/thu-tuc/?*cap=province*")
    assert "Cấp tỉnh" in page.locator("ol.results").inner_text()
    assert "Cấp xã" not in page.locator("ol.results").inner_text()
    screenshot(page, "portal-catalog-desktop")
