"""The leaders' 766 dashboard in a real browser (issue 6 point 4): the province leader picks a
quarter, opens the on-time group, reaches the late dossiers of one commune and downloads the
Excel file, which the test opens. Dossiers are made with factories on the Cà Mau demo."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from motcua.catalog.models import ProcedureCase
from motcua.dossiers.facts import dossier_outcomes
from motcua.dossiers.models import Channel, Status
from motcua.org.models import StaffAssignment
from motcua.worktime.engine import TZ
from tests.dossiers.factories import DossierFactory
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

FAST = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


@pytest.fixture
def history(settings):
    """Q3 2025 (and Q3 2024) at An Xuyên and Đất Mũi: An Xuyên has 3 late dossiers of 6."""
    from motcua.catalog.demo import catalog_load_demo
    from motcua.org.demo import org_load_camau_demo
    from motcua.worktime.selectors import clear_calendar_cache

    settings.PASSWORD_HASHERS = FAST
    org_load_camau_demo()
    catalog_load_demo()
    clear_calendar_cache()
    case = (
        ProcedureCase.objects.filter(version__level="commune", version__valid_to__isnull=True)
        .order_by("pk")
        .first()
    )

    def unit(username, role):
        return StaffAssignment.objects.get(user__username=username, role=role).agency

    units = {
        slug: (unit(f"tiepnhan.{slug}", "receiving_officer"), unit(f"lanhdao.{slug}", "unit_leader"))
        for slug in ("anxuyen", "datmui")
    }

    def dossier(slug, received, due, finished=None, **kw):
        desk, pc = units[slug]
        d = DossierFactory.build(
            case=case,
            procedure_version=case.version,
            receiving_unit=desk,
            resolving_agency=pc,
            status=Status.RETURNED if finished else Status.PROCESSING,
            submitted_at=at(received),
            received_at=at(received),
            due_at=at(due),
            original_due_at=at(due),
            finished_at=at(finished) if finished else None,
            limit_value=Decimal(3),
            **kw,
        )
        for k, v in dossier_outcomes(d).items():
            setattr(d, k, v)
        d.save()
        return d

    late = [
        dossier("anxuyen", "2025-07-07", "2025-07-10", "2025-07-15"),
        dossier("anxuyen", "2025-08-04", "2025-08-07", "2025-08-12", channel=Channel.ONLINE),
        dossier("anxuyen", "2025-09-08", "2025-09-11"),  # still open and overdue at the period end
    ]
    dossier("anxuyen", "2025-07-14", "2025-07-17", "2025-07-16", synced=True)
    dossier("anxuyen", "2025-08-11", "2025-08-14", "2025-08-13")
    dossier("anxuyen", "2025-09-15", "2025-09-18", "2025-09-17")
    dossier("datmui", "2025-08-04", "2025-08-07", "2025-08-06")
    dossier("datmui", "2025-08-18", "2025-08-21", "2025-08-25")
    dossier("anxuyen", "2024-08-05", "2024-08-08", "2024-08-07")  # cùng kỳ 2024
    return {"late": late, "anxuyen": units["anxuyen"][1]}


def test_leader_drills_down_to_late_dossiers_and_downloads_excel(history, login, page, new_page, tmp_path):
    login("lanhdao.tinh")
    page.get_by_role("link", name="Chỉ số 766").click()
    page.wait_for_url("**/can-bo/chi-so/**")
    # Period picker: the third quarter of 2025, refreshed in place (HTMX).
    page.get_by_label("Loại kỳ").select_option("quarter")
    page.get_by_label("Quý").select_option("3")
    page.get_by_label("Năm").fill("2025")
    page.get_by_role("button", name="Xem chỉ số").click()
    page.wait_for_url("**period=2025-Q3**")
    page.get_by_text("kỳ 2025-Q3").first.wait_for()
    assert page.locator('[data-testid="total"]').inner_text().strip() != ""
    assert page.get_by_text("không tính được").first.is_visible()
    # Charts come from the vendored Chart.js and are drawn.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart=trend]'))"
    )
    assert page.locator("canvas[data-chart=trend]").is_visible()
    on_time = page.locator('tr[data-indicator="ON_TIME"]')
    text = on_time.inner_text()  # province-wide: 4 on time of 8, 4 late → 10 of 20 points
    assert "trễ hạn: 4" in text and "\t8\t" in text and "50%" in text and "\t10\t20" in text
    screenshot(page, "indicators-dashboard")

    # The on-time group → the communes → the late dossiers of An Xuyên.
    page.locator('a.gauge-group[data-group="PROGRESS"]').click()
    page.wait_for_url("**/chi-so/nhom/PROGRESS/**")
    row = page.locator(f'tr[data-unit="{history["anxuyen"].ident_code}"]')
    row.locator('a[data-part="late"]').click()
    page.wait_for_url("**/chi-so/ho-so/**part=late**")
    assert page.locator('[data-testid="drill-count"]').inner_text().strip() == "3 hồ sơ"
    for d in history["late"]:
        assert page.get_by_role("link", name=d.code).is_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải danh sách (Excel)").click()
    path = tmp_path / "chi-so.xlsx"
    info.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    report = wb["Báo cáo"]
    on_time = next(r for r in report.iter_rows(values_only=True) if len(r) > 1 and r[1] == "ON_TIME")
    assert on_time[3:5] == (3, 6)  # An Xuyên: 3 on time of 6
    sheet = wb["Hồ sơ"]
    assert sheet["A1"].value.startswith("ON_TIME — Trễ hạn: 3 hồ sơ")
    assert {r[0] for r in sheet.iter_rows(min_row=3, values_only=True)} == {d.code for d in history["late"]}

    tablet = new_page(viewport=(800, 1280))
    tablet.goto("/dang-nhap/?next=/can-bo/chi-so/%3Fperiod%3D2025-Q3")
    tablet.get_by_label("Tên đăng nhập").fill("lanhdao.tinh")
    tablet.get_by_label("Mật khẩu").fill("MotCua@2026")
    tablet.get_by_role("button", name="Đăng nhập").click()
    tablet.wait_for_url("**/can-bo/chi-so/**")
    tablet.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart=trend]'))"
    )
    screenshot(tablet, "indicators-dashboard-tablet")


def test_officer_without_a_leader_role_is_refused(history, login, page):
    login("tiepnhan.anxuyen")
    assert page.get_by_role("link", name="Chỉ số 766").count() == 0
    response = page.goto("/can-bo/chi-so/")
    assert response.status == 403
