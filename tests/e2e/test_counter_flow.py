"""A day at the counter through the real pages (issue 4 "Done when"): receive a paper dossier
with a scanned file, download and read its receipt, then work it through the internal workflow
— supplement, the single extension (a second one refused on the page), resolution and return."""

import datetime as dt
import subprocess

import pytest

from motcua.dossiers.models import Dossier, Status
from motcua.worktime.engine import TZ
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT = "Nguyễn Thị Ánh Tuyết"
CCCD, BIRTH = "096185000321", "1985-06-15"  # Cà Mau, female, born 1985
FAST = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
# The smallest valid one-page PDF (a scan stand-in).
SCAN_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def demo(settings, tmp_path):
    from motcua.catalog.demo import catalog_load_demo
    from motcua.org.demo import org_load_camau_demo
    from motcua.worktime.selectors import clear_calendar_cache

    settings.PASSWORD_HASHERS = FAST
    settings.MEDIA_ROOT = tmp_path / "media"
    org_load_camau_demo()
    catalog_load_demo()
    clear_calendar_cache()


def sign_in(new_page, username):
    page = new_page()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("MotCua@2026")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/**")
    return page


def do(page, action, **fields):
    """Open an action's form on the dossier page, fill it and submit it."""
    box = page.locator(f"#action-{action}")
    box.locator("summary").click()
    for name, value in fields.items():
        page.locator(f"#id_{action}-{name}").fill(value)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_day_at_the_counter(demo, new_page, tmp_path):
    # --- reception at the counter --------------------------------------------------------------
    page = sign_in(new_page, "tiepnhan.anxuyen")
    page.goto("/can-bo/tiep-nhan/")
    page.get_by_label("Họ tên / tên tổ chức").fill(APPLICANT)
    page.get_by_label("Số giấy tờ").fill(CCCD)
    page.get_by_label("Ngày sinh").fill(BIRTH)
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Điện thoại").fill("0919876543")
    page.locator("#procedure-search").fill("chuyen doi co cau cay trong")
    page.get_by_role("button", name="Chuyển đổi cơ cấu cây trồng").click()
    checklist = page.locator("#case-panel input[type=checkbox]")
    checklist.first.wait_for()
    checklist.first.check()
    scan = tmp_path / "ban-dang-ky.pdf"
    scan.write_bytes(SCAN_PDF)
    page.locator("#case-panel input[type=file]").first.set_input_files(str(scan))
    screenshot(page, "intake")
    page.locator("#submit-intake").click()
    page.wait_for_url("**/can-bo/ho-so/**")

    d = Dossier.objects.get()
    assert page.locator("#dossier-code").inner_text() == d.code
    assert page.locator("#due-at").is_visible()
    screenshot(page, "dossier")

    with page.expect_download() as info:
        page.locator("#download-receipt").click()
    receipt = tmp_path / "receipt.pdf"
    info.value.save_as(receipt)
    text = subprocess.run(["pdftotext", str(receipt), "-"], capture_output=True, text=True, check=True).stdout
    assert d.code in text and APPLICANT in text

    do(page, "forward", reason="Chuyển thẩm định")
    assert "Đã thực hiện" in page.content()

    # --- the specialist asks for a supplement; the counter receives it -------------------------
    specialist = sign_in(new_page, "chuyenvien.anxuyen")
    specialist.goto(f"/can-bo/ho-so/{d.code}/")
    do(
        specialist,
        "request_supplement",
        reason="Bản đăng ký chưa có chữ ký",
        items="Bản đăng ký | thiếu chữ ký",
    )
    assert "Yêu cầu bổ sung (thẩm định)" in specialist.locator("#status").inner_text()

    page.goto(f"/can-bo/ho-so/{d.code}/")
    do(page, "supplement_received", reason="Đã nhận bản có chữ ký")
    assert page.locator("#status").inner_text() == "Đang xử lý"

    # --- the leader extends once; a second extension is refused on the page ----------------------
    d.refresh_from_db()
    new_day = (d.due_at.astimezone(TZ) + dt.timedelta(days=7)).date()
    leader = sign_in(new_page, "lanhdao.anxuyen")
    leader.goto(f"/can-bo/ho-so/{d.code}/")
    extend = {"new_due_date": new_day.isoformat(), "new_due_time": "16:00", "reason": "Cần xác minh thực địa"}
    do(leader, "apologize_and_extend", **extend)
    assert "Đã thực hiện" in leader.content()
    do(
        leader,
        "apologize_and_extend",
        **{**extend, "new_due_date": (new_day + dt.timedelta(days=2)).isoformat()},
    )
    assert "chỉ được thực hiện một lần" in leader.content()

    # --- through the workflow to resolution, and the result returned at the counter -------------
    leader.goto(f"/can-bo/ho-so/{d.code}/")
    for action in ("forward", "approve", "resolve"):
        do(leader, action)
        assert "Đã thực hiện" in leader.content(), action
    page.goto(f"/can-bo/ho-so/{d.code}/")
    box = page.locator("#action-return_result")
    box.locator("summary").click()
    page.locator("#id_return_result-collector_name").fill(APPLICANT)
    page.locator("#id_return_result-originals_returned").check()
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "Đã trả kết quả"
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.extended
    page.locator("#timeline").scroll_into_view_if_needed()
    screenshot(page, "dossier-timeline")
    assert page.locator("#timeline li").count() == 9

    # The same pages on a 10" tablet held upright.
    tablet = sign_in(lambda: new_page(viewport=(800, 1280)), "tiepnhan.anxuyen")
    tablet.goto(f"/can-bo/ho-so/{d.code}/")
    assert tablet.locator("#dossier-code").is_visible()
    tablet.goto("/can-bo/tiep-nhan/")
    assert tablet.locator("#submit-intake").is_visible()
    screenshot(tablet, "intake-tablet")
