"""The officer's inbox in a real browser (issue 4 point 3): labels in colour and text, the
channel filter refreshing the table without a reload, and the bulk hand-over of paper dossiers
received after 15:00. Dossiers are created through the services, not through the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.catalog.models import ProcedureCase
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import dossier_receive
from motcua.org.models import StaffAssignment
from motcua.worktime.engine import TZ
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

FAST = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LABELS = {"Còn hạn", "Đến hạn hôm nay", "Quá hạn"}


@pytest.fixture
def dossiers(settings, tmp_path):
    """An Xuyên's counter with five dossiers (one long overdue, two paper ones received after
    15:00 on the previous working day, one by post, one at the counter) and one of Đất Mũi."""
    from motcua.catalog.demo import catalog_load_demo
    from motcua.org.demo import org_load_camau_demo
    from motcua.worktime.selectors import clear_calendar_cache, get_calendar

    settings.PASSWORD_HASHERS = FAST
    settings.MEDIA_ROOT = tmp_path / "media"
    org_load_camau_demo()
    catalog_load_demo()
    clear_calendar_cache()
    case = (
        ProcedureCase.objects.filter(version__name__startswith="Chuyển đổi cơ cấu cây trồng")
        .order_by("pk")
        .first()
    )
    calendar = get_calendar()
    today = timezone.now().astimezone(TZ).date()
    previous = today - dt.timedelta(days=1)
    while not calendar.is_working_day(previous):
        previous -= dt.timedelta(days=1)

    def at(day, hour, minute=0):
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)

    def receive(username, when, name, channel="direct"):
        officer = StaffAssignment.objects.get(user__username=username, role="receiving_officer")
        resolver = StaffAssignment.objects.get(
            user__username=username.replace("tiepnhan", "chuyenvien")
        ).agency
        return dossier_receive(
            case=case,
            channel=channel,
            receiving_unit=officer.agency,
            resolving_agency=resolver,
            applicant={"applicant_type": "citizen", "name": name, "phone": "0919000111"},
            actor=officer.user,
            roles={"receiving_officer"},
            received_at=when,
        )

    return {
        "overdue": receive("tiepnhan.anxuyen", at(previous - dt.timedelta(days=30), 9), "Phạm Văn Đông"),
        "late_1": receive("tiepnhan.anxuyen", at(previous, 15, 20), "Nguyễn Thị Ánh Tuyết"),
        "late_2": receive("tiepnhan.anxuyen", at(previous, 16, 5), "Trần Quốc Hưng"),
        "postal": receive("tiepnhan.anxuyen", at(previous, 10), "Lê Thị Mỹ Dung", channel="postal"),
        "counter": receive("tiepnhan.anxuyen", at(previous, 9, 30), "Võ Minh Khôi"),
        "foreign": receive("tiepnhan.datmui", at(previous, 9), "Đặng Thị Hoa"),
    }


def test_inbox_labels_filter_and_bulk_handover(dossiers, login, page, new_page):
    d = dossiers
    login("tiepnhan.anxuyen")
    page.goto("/can-bo/hop-viec/")
    assert page.get_by_role("heading", name="Hộp việc").is_visible()
    html = page.content()
    assert d["foreign"].code not in html and "Đặng Thị Hoa" not in html
    for key in ("overdue", "late_1", "late_2", "postal", "counter"):
        assert page.get_by_role("link", name=d[key].code).is_visible()

    # Every row has its label in words (never colour alone) and the working time left.
    badges = page.locator("#inbox-table .badge, .handover .badge")
    assert badges.count() == 5
    assert {t.strip() for t in badges.all_inner_texts()} <= LABELS
    overdue_row = page.locator(f'tr[data-code="{d["overdue"].code}"]')
    assert overdue_row.locator(".badge").inner_text().strip() == "Quá hạn"
    assert "quá hạn" in overdue_row.inner_text() and "ngày" in overdue_row.inner_text()
    # Most urgent first.
    first_code = page.locator("#inbox-table tbody tr").first.get_attribute("data-code")
    assert first_code == d["overdue"].code

    # After-cut-off paper dossiers wait in their own group.
    group = page.locator("section.handover")
    assert group.get_by_role("heading", name="Chuyển đầu giờ ngày làm việc tiếp theo").is_visible()
    assert group.locator("input[type=checkbox]").count() == 2
    screenshot(page, "inbox")

    # The channel filter refreshes the table only (no full reload) and keeps itself in the URL.
    page.evaluate("window.__inboxMarker = 1")
    page.get_by_label("Kênh nộp").select_option("postal")
    page.wait_for_url("**kenh=postal**")
    page.locator(f'#inbox-table tr[data-code="{d["postal"].code}"]').wait_for()
    assert page.locator("#inbox-table tbody tr").count() == 1
    assert page.evaluate("window.__inboxMarker") == 1

    tablet = new_page(viewport=(800, 1280))
    tablet.goto("/dang-nhap/?next=/can-bo/hop-viec/")
    tablet.get_by_label("Tên đăng nhập").fill("tiepnhan.anxuyen")
    tablet.get_by_label("Mật khẩu").fill("MotCua@2026")
    tablet.get_by_role("button", name="Đăng nhập").click()
    tablet.wait_for_url("**/can-bo/hop-viec/**")
    screenshot(tablet, "inbox-tablet")

    # Bulk hand-over at the start of the next working day: one button, results per dossier.
    page.get_by_role("button", name="Chuyển các hồ sơ đã chọn").click()
    page.wait_for_url("**/can-bo/hop-viec/")
    messages = page.locator(".messages").inner_text()
    for key in ("late_1", "late_2"):
        assert f"{d[key].code}: đã chuyển sang bước xử lý tiếp theo" in messages
        dossier = Dossier.objects.get(pk=d[key].pk)
        assert (dossier.status, dossier.current_step) == (Status.PROCESSING, 2)
    assert page.locator("section.handover").count() == 0
