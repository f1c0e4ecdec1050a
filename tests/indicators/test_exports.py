"""Excel and PDF exports of the dashboard: the files hold the same figures as the report."""

import shutil
import subprocess
from io import BytesIO

import openpyxl
import pytest

from motcua.dossiers.models import Status
from motcua.org.models import StaffAssignment
from tests.dossiers.factories import UserFactory

from .conftest import at

URL = "/can-bo/chi-so/"
Q3 = {"period": "2025-Q3"}


@pytest.fixture
def leader(client, world):
    w = world
    w.dossier(finished="2025-08-06", synced=True)  # on time
    w.dossier(finished="2025-08-08")  # late
    w.dossier(due="2025-08-07", resolving_agency=w.commune, receiving_unit=w.commune_desk)  # open, overdue
    w.dossier(finished="2025-08-05", resolving_agency=w.commune)  # on time
    w.dossier(
        status=Status.SUPPLEMENT_REQUESTED, supplement_count=1, supplement_requested_at=at("2025-08-05")
    )
    w.dossier(received="2024-08-05", due="2024-08-08", finished="2024-08-12")  # a year earlier, late
    user = UserFactory(username="lanhdao.tinh")
    StaffAssignment.objects.create(user=user, agency=w.department, role=StaffAssignment.Role.PROVINCE_LEADER)
    client.force_login(user)
    return client


def _row(ws, code):
    for row in ws.iter_rows(values_only=True):
        if len(row) > 1 and row[1] == code:
            return row
    raise AssertionError(f"{code} not in sheet {ws.title}")


def test_excel_has_report_ranking_and_drilldown_sheets(leader, world):
    response = leader.get(URL + "xuat.xlsx", Q3)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="chi-so-766-province-2025-Q3.xlsx"' in response["Content-Disposition"]
    wb = openpyxl.load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["Báo cáo", "Cùng kỳ", "Xếp hạng", "Thủ tục trễ hạn", "Cải cách TTHC", "Hồ sơ"]
    report = wb["Báo cáo"]
    on_time = _row(report, "ON_TIME")
    # 5 dossiers in the denominator, 3 on time: 60% → 12 of 20 points.
    assert on_time[3:8] == (3, 5, 0.6, 12, 20)
    assert report.cell(report.max_row, 1).value  # the rows are filled to the end
    pakn = _row(report, "PETITION_PROCESSING_ON_TIME")
    assert pakn[6] == "không tính được"  # never 0
    totals = {r[0]: r[1] for r in report.iter_rows(min_row=2, max_row=4, values_only=True)}
    assert totals["Cùng kỳ 2024-Q3"] is not None
    same = wb["Cùng kỳ"]
    progress = next(r for r in same.iter_rows(values_only=True) if r[0] == "Tiến độ giải quyết")
    assert progress[1:4] == (12, 0, 12)  # this period 12, a year earlier 0 (one late dossier)
    ranking = [r for r in wb["Xếp hạng"].iter_rows(min_row=2, values_only=True)]
    assert {r[1] for r in ranking} == {world.department.ident_code, world.commune.ident_code}
    dossiers = wb["Hồ sơ"]
    assert "ON_TIME — Trễ hạn: 2 hồ sơ" in dossiers["A1"].value
    codes = [r[0] for r in dossiers.iter_rows(min_row=3, values_only=True)]
    assert len(codes) == 2 and all(codes)


def test_excel_drilldown_of_one_commune(leader, world):
    query = {**Q3, "scope": world.commune.ident_code, "indicator": "ON_TIME", "part": "denominator"}
    wb = openpyxl.load_workbook(BytesIO(leader.get(URL + "xuat.xlsx", query).content))
    assert "ON_TIME — Đã giải quyết trong kỳ và còn tồn cuối kỳ: 2 hồ sơ" in wb["Hồ sơ"]["A1"].value
    assert _row(wb["Báo cáo"], "ON_TIME")[3:5] == (1, 2)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_pdf_report_text(leader, tmp_path):
    response = leader.get(URL + "bao-cao.pdf", Q3)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "BÁO CÁO BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP" in text
    assert "Tiến độ giải quyết" in text
    assert "ON_TIME" in text and "60%" in text
    assert "không tính được" in text
    assert "Cùng kỳ (2024-Q3)" in text
    assert "Cải cách thủ tục hành chính" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    # Only the embedded font of the printed forms (never a system font).
    assert rows and all("Motcua-Serif" in r and " yes " in r for r in rows), fonts
