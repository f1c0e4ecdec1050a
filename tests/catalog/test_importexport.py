import copy
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from motcua.catalog.demo import DEMO_FILE, catalog_load_demo
from motcua.catalog.excel import document_from_workbook, open_workbook
from motcua.catalog.importexport import (
    CatalogImportError,
    catalog_export,
    catalog_import,
    export_file,
    import_file,
)
from motcua.catalog.models import Component, Field, Procedure, ProcedureVersion, PublicationDecision
from motcua.org.models import Agency

pytestmark = pytest.mark.django_db


def _wipe():
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    PublicationDecision.objects.all().delete()
    Field.objects.all().delete()


def _agencies():
    Agency.objects.create(
        ident_code="000.00.00.H12",
        name="Ủy ban nhân dân tỉnh Cà Mau",
        short_name="UBND tỉnh",
        kind="peoples_committee",
    )
    Agency.objects.create(
        ident_code="000.00.01.H12", name="Sở Tư pháp tỉnh Cà Mau", short_name="Sở Tư pháp", kind="department"
    )


@pytest.fixture
def demo_doc(db):
    """A slice of the demo (every 6th procedure: both levels, several fields) to keep tests fast."""
    _agencies()
    doc = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    doc["procedures"] = doc["procedures"][::6] + [p for p in doc["procedures"] if p["code"] == "1.013859"]
    catalog_import(doc)
    return catalog_export()


def test_json_round_trip_reproduces_the_whole_demo_catalog(db):
    _agencies()
    catalog_load_demo()
    full = catalog_export()
    assert any(v["agencies"] for p in full["procedures"] for v in p["versions"])
    _wipe()
    result = catalog_import(json.loads(json.dumps(full)))
    assert result.created["procedures"] == len(full["procedures"]) == 77
    assert catalog_export() == full


def test_excel_round_trip_reproduces_the_catalog(demo_doc, tmp_path):
    path = tmp_path / "catalog.xlsx"
    export_file(path)
    sheets = load_workbook(path, read_only=True).sheetnames
    assert {"Thủ tục", "Trường hợp", "Thành phần", "Phí, lệ phí", "Quy trình", "QĐ công bố"} <= set(sheets)
    _wipe()
    import_file(path)
    assert catalog_export() == demo_doc


def test_import_is_idempotent(demo_doc):
    result = catalog_import(copy.deepcopy(demo_doc))
    assert result.created == {} and result.updated == {}


def test_bad_json_record_loads_nothing_and_names_code_and_field(demo_doc):
    _wipe()
    doc = copy.deepcopy(demo_doc)
    doc["procedures"][5]["versions"][0]["cases"][0]["applied_direct"] = {"value": 999, "unit": "working_days"}
    code = doc["procedures"][5]["code"]
    with pytest.raises(CatalogImportError) as err:
        catalog_import(doc)
    message = str(err.value)
    assert code in message and "applied_direct_value" in message and "không được dài hơn" in message
    assert not Procedure.objects.exists() and not Field.objects.exists()


def test_bad_procedure_code_is_refused(demo_doc):
    doc = copy.deepcopy(demo_doc)
    doc["procedures"][0]["code"] = "12345"
    with pytest.raises(CatalogImportError, match="Thủ tục 12345.*Mã thủ tục phải có dạng"):
        catalog_import(doc)


def test_bad_excel_row_names_sheet_and_row(demo_doc, tmp_path):
    path = tmp_path / "catalog.xlsx"
    export_file(path)
    _wipe()
    wb = load_workbook(path)
    ws = wb["Thành phần"]
    ws.cell(row=4, column=8).value = "nhiều"  # Số bản chính
    wb.save(path)
    with pytest.raises(CatalogImportError) as err:
        import_file(path)
    assert "Trang “Thành phần”, dòng 4" in str(err.value)
    assert not Component.objects.exists() and not Procedure.objects.exists()


def test_excel_headers_are_vietnamese(demo_doc, tmp_path):
    path = tmp_path / "c.xlsx"
    export_file(path)
    doc = document_from_workbook(open_workbook(path))
    assert doc["procedures"][0]["versions"][0]["cases"][0]["legal_direct"]["unit"]
    header = [c.value for c in next(load_workbook(path)["Trường hợp"].iter_rows(max_row=1))]
    assert "Thời hạn luật định – trực tiếp" in header


def test_command_exports_and_imports(demo_doc, tmp_path, capsys):
    path = tmp_path / "out.json"
    call_command("catalog", "export", str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "motcua-catalog"
    _wipe()
    call_command("catalog", "import", str(path))
    assert catalog_export() == demo_doc
    with pytest.raises(CommandError, match=r"\.json hoặc \.xlsx"):
        call_command("catalog", "import", str(tmp_path / "x.csv"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON không hợp lệ"):
        call_command("catalog", "import", str(bad))
