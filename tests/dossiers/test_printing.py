"""Printed forms (Circular 03/2025/TT-VPCP, Circular 01/2018/TT-VPCP): text with diacritics,
embedded fonts, paper size, the form set chosen by reception date, the QR code and the ledger.

PDFs are checked with poppler-utils (pdftotext, pdffonts, pdfinfo, pdfimages)."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from datetime import date, datetime

import pytest
import segno
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.dossiers import printing
from motcua.dossiers.printing import FormError, forms_available, render_form, render_ledger
from motcua.dossiers.services import dossier_perform, dossier_receive

from .factories import MONDAY, VN, AgencyFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]

APPLICANT = {
    "applicant_type": "citizen",
    "name": "Nguyễn Thị Ánh",
    "phone": "0912345678",
    "email": "anh@example.vn",
    "address": "Số 12 đường Phan Ngọc Hiển, phường An Xuyên, tỉnh Cà Mau",
}
COMPONENTS = [
    {"name": "Tờ khai đăng ký khai sinh", "originals": 1},
    {"name": "Giấy chứng sinh", "originals": 1, "copies": 1},
]
RECEIVING, SPECIALIST, LEADER = ["receiving_officer"], ["specialist"], ["unit_leader"]
A5 = (419.53, 595.28)
A4 = (595.28, 841.89)
A4_LANDSCAPE = (841.89, 595.28)


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def perform(dossier, action, when, roles=LEADER, **kwargs):
    kwargs.setdefault("reason", "Lý do")
    return dossier_perform(dossier=dossier, action=action, actor=None, roles=roles, now=when, **kwargs)


def pdf_text(pdf: bytes, tmp_path, name="out.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def pdf_flat_text(pdf: bytes, tmp_path) -> str:
    """pdftotext without layout, whitespace collapsed (long lines wrap in the PDF)."""
    path = tmp_path / "flat.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def pdf_info(pdf: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def page_size(pdf: bytes, tmp_path) -> tuple[float, float]:
    """Points, rounded to 0.01 ("419.528 x 595.276 pts (A5)" → (419.53, 595.28))."""
    width, _, height = pdf_info(pdf, tmp_path)["Page size"].split()[:3]
    return round(float(width), 2), round(float(height), 2)


def pdf_fonts(pdf: bytes, tmp_path) -> list[tuple[str, str]]:
    """(font name, emb) per font from ``pdffonts``."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    lines = out.splitlines()[2:]
    rows = []
    for line in lines:
        cols = line.split()
        # name type [encoding…] emb sub uni object ID: emb is the 5th column from the right.
        rows.append((cols[0], cols[-5]))
    return rows


@pytest.fixture
def one_stop(db):
    parent = AgencyFactory(ident_code="000.00.00.H12", name="Ủy ban nhân dân tỉnh Cà Mau")
    from .factories import OneStopFactory

    return OneStopFactory(
        ident_code="000.10.12.H12",
        name="Trung tâm Phục vụ hành chính công phường An Xuyên",
        parent=parent,
        address="Số 1 Lý Thường Kiệt, phường An Xuyên",
        phone="0290 3 123 456",
    )


@pytest.fixture
def receive(case, one_stop, resolver):
    from .factories import UserFactory

    officer = UserFactory(username="tiepnhan", full_name="Lê Văn Bình")

    def _receive(when=MONDAY, **kwargs):
        return dossier_receive(
            case=case,
            channel=kwargs.pop("channel", "direct"),
            receiving_unit=one_stop,
            resolving_agency=resolver,
            applicant=kwargs.pop("applicant", APPLICANT),
            components=kwargs.pop("components", COMPONENTS),
            actor=officer,
            roles=RECEIVING,
            received_at=when,
            **kwargs,
        )

    return _receive


def check_pdf(pdf, tmp_path, *, code, title, size=A5):
    assert pdf.startswith(b"%PDF-")
    text = pdf_flat_text(pdf, tmp_path)
    assert code in text
    assert "Nguyễn Thị Ánh" in text
    assert title in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts, "no fonts in the PDF"
    for name, emb in fonts:
        assert emb == "yes", f"{name} is not embedded"
        assert "Motcua-Serif" in name, f"{name} is not the bundled font (private family name)"
    assert page_size(pdf, tmp_path) == size
    return text


# --- Forms of one dossier --------------------------------------------------------------------


def test_receipt_2025_has_code_applicant_qr_limits_and_return(receive, tmp_path):
    d = receive()
    assert forms_available(d) == ["receipt", "control_slip"]
    pdf = render_form(dossier=d, form="receipt")
    text = check_pdf(pdf, tmp_path, code=d.code, title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    assert "Mẫu số 01 (Thông tư số 03/2025/TT-VPCP)" in text
    assert "Trung tâm Phục vụ hành chính công phường An Xuyên tiếp nhận hồ sơ của: Nguyễn Thị Ánh" in text
    assert "Ủy ban nhân dân tỉnh Cà Mau".upper() in text  # issuing body's parent
    assert "Số 12 đường Phan Ngọc Hiển" in text and "0912345678" in text and "anh@example.vn" in text
    assert "Đăng ký khai sinh" in text  # the request (procedure name)
    assert "Tờ khai đăng ký khai sinh — bản chính: 1" in text
    assert "Giấy chứng sinh — bản chính: 1, bản sao: 1" in text
    assert "theo quy định là: 3 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 02 tháng 03 năm 2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 05 tháng 03 năm 2026" in text
    assert "Trực tiếp tại Bộ phận Một cửa" in text and "Số 1 Lý Thường Kiệt" in text
    assert "Quyển số: 2026, Số thứ tự: 1" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Lê Văn Bình" in text
    assert "Cà Mau, ngày 02 tháng 03 năm 2026" in text
    assert f"http://127.0.0.1:8000/tra-cuu/?ma={d.code}" in text


def test_receipt_qr_code_encodes_the_lookup_url(receive, tmp_path, settings):
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.camau.gov.vn/"
    d = receive()
    url = f"https://dichvucong.camau.gov.vn/tra-cuu/?ma={d.code}"
    ctx = printing.form_context(dossier=d, form="receipt")
    assert ctx["lookup_url"] == url
    pdf = render_form(dossier=d, form="receipt")
    (tmp_path / "r.pdf").write_bytes(pdf)
    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages not installed")
    subprocess.run(["pdfimages", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "img")], check=True)
    images = sorted(tmp_path.glob("img-*.png"))
    assert len(images) == 1
    from PIL import Image

    # Read the modules back from the embedded image and compare with the symbol of the URL.
    img = Image.open(images[0]).convert("L")
    expected = segno.make(url, error="m", micro=False)
    modules = expected.symbol_size(scale=1, border=0)[0]
    step = printing.QR_SCALE
    offset = printing.QR_BORDER * step + step // 2
    read = [
        tuple(img.getpixel((offset + x * step, offset + y * step)) < 128 for x in range(modules))
        for y in range(modules)
    ]
    assert read == [tuple(bool(v) for v in row) for row in expected.matrix]


def test_supplement_request_lists_numbered_items_with_reasons(receive, tmp_path):
    d = receive()
    perform(
        d,
        "request_supplement",
        at(3, 9),
        roles=SPECIALIST,
        reason="Hồ sơ thiếu giấy tờ",
        payload={
            "items": [
                {"name": "Bản sao Giấy chứng nhận kết hôn", "reason": "Chưa có trong hồ sơ"},
                "Tờ khai ký đủ chữ ký của người yêu cầu",
            ]
        },
    )
    assert "supplement_request" in forms_available(d)
    pdf = render_form(dossier=d, form="supplement_request")
    text = check_pdf(pdf, tmp_path, code=d.code, title="PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
    assert "1. Bản sao Giấy chứng nhận kết hôn. Lý do: Chưa có trong hồ sơ" in text
    assert "2. Tờ khai ký đủ chữ ký của người yêu cầu" in text
    assert "Cà Mau, ngày 03 tháng 03 năm 2026" in text


def test_refusal_lists_reasons(case, one_stop, resolver, tmp_path):
    from motcua.dossiers.services import dossier_submit_online

    d = dossier_submit_online(
        case=case,
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant=APPLICANT,
        submitted_at=MONDAY,
    )
    assert forms_available(d) == []
    perform(
        d,
        "refuse_at_reception",
        at(2, 10),
        roles=RECEIVING,
        reason="Không thuộc thẩm quyền giải quyết\nNgười nộp không phải người yêu cầu",
    )
    d.refresh_from_db()
    assert forms_available(d) == ["refusal"]
    pdf = render_form(dossier=d, form="refusal")
    text = check_pdf(pdf, tmp_path, code=d.temp_reference, title="PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    assert "1. Không thuộc thẩm quyền giải quyết" in text
    assert "2. Người nộp không phải người yêu cầu" in text
    with pytest.raises(FormError):
        render_form(dossier=d, form="receipt")


def test_supplement_request_answered_at_the_counter_without_a_code(case, one_stop, resolver, tmp_path):
    from motcua.dossiers import services

    answer = getattr(services, "dossier_answer_at_reception", None)
    if answer is None:
        pytest.skip("counter answers are not in this version of the services")
    d = answer(
        action="request_supplement",
        case=case,
        channel="direct",
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant=APPLICANT,
        actor=None,
        roles=RECEIVING,
        reason="Thiếu giấy tờ bắt buộc",
        at=at(2, 9),
        payload={"items": [{"name": "Giấy chứng sinh (bản chính)", "reason": "Thành phần bắt buộc"}]},
    )
    assert d.code is None and forms_available(d) == ["supplement_request"]
    text = check_pdf(
        render_form(dossier=d, form="supplement_request"),
        tmp_path,
        code=d.temp_reference,
        title="PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    )
    assert "1. Giấy chứng sinh (bản chính). Lý do: Thành phần bắt buộc" in text
    assert "Lý do: Thiếu giấy tờ bắt buộc" in text


def test_apology_extension_only_after_an_extension_with_both_due_moments(receive, tmp_path):
    d = receive()
    assert "apology_extension" not in forms_available(d)
    with pytest.raises(FormError):
        render_form(dossier=d, form="apology_extension")
    perform(
        d,
        "apologize_and_extend",
        at(4, 9),
        reason="Cần xác minh thông tin hộ tịch tại nơi đăng ký cư trú",
        payload={"extend_value": 2, "extend_unit": "working_days"},
    )
    assert "apology_extension" in forms_available(d)
    pdf = render_form(dossier=d, form="apology_extension")
    text = check_pdf(
        pdf, tmp_path, code=d.code, title="VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
    )
    assert "09 giờ 00 phút, ngày 05 tháng 03 năm 2026" in text  # original appointment
    assert "09 giờ 00 phút, ngày 09 tháng 03 năm 2026" in text  # new appointment
    assert "Cần xác minh thông tin hộ tịch" in text


def test_stop_notice(receive, tmp_path):
    d = receive()
    perform(d, "stop", at(3, 9), roles=["applicant"], reason="Người yêu cầu đề nghị dừng để bổ sung giấy tờ")
    pdf = render_form(dossier=d, form="stop_notice")
    text = check_pdf(pdf, tmp_path, code=d.code, title="THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ")
    assert "Mẫu số 05 (Thông tư số 03/2025/TT-VPCP)" in text
    assert "Người yêu cầu đề nghị dừng" in text and "Điều 21" in text


def test_control_slip_has_one_row_per_handover_with_outcomes(receive, tmp_path):
    d = receive()
    perform(d, "forward", at(2, 10), roles=RECEIVING)  # step 1 (0.5 d) due Mon 15:00: same day, on time
    perform(d, "forward", at(4, 10), roles=SPECIALIST)  # step 2 (1.5 d) due Tue 16:00: late
    perform(d, "approve", at(4, 11))
    perform(d, "resolve", at(4, 14))
    perform(d, "return_result", at(4, 15), roles=RECEIVING)
    d.refresh_from_db()
    rows = printing.handovers(d)
    assert [r.outcome for r in rows] == ["Đúng hạn", "Quá hạn", "Trước hạn", "Trước hạn"]
    assert [r.due for r in rows] == [at(2, 15), at(3, 16), at(5, 10), at(5, 9)]
    assert rows[1].note == "trễ 4 giờ làm việc"  # Tue 16:00 → Wed 10:00 in working time
    assert rows[2].note == "Có kết quả giải quyết; sớm 6 giờ làm việc"  # Wed 14:00 → Thu 10:00
    assert rows[-1].receiver.startswith("Tổ chức, cá nhân: Nguyễn Thị Ánh")
    pdf = render_form(dossier=d, form="control_slip")
    text = check_pdf(pdf, tmp_path, code=d.code, title="PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", size=A4)
    assert "Mẫu số 06 (Thông tư số 03/2025/TT-VPCP)" in text
    for word in ("Giao:", "Nhận:", "Đúng hạn", "Quá hạn", "Trước hạn", "Thẩm định"):
        assert word in text
    assert "10 giờ 00 phút, ngày 02 tháng 03 năm 2026" in text


def test_control_slip_moves_the_step_due_by_the_supplement_wait(receive):
    d = receive()
    perform(d, "request_supplement", at(2, 10), roles=RECEIVING, reason="Thiếu giấy chứng sinh")
    perform(d, "supplement_received", at(3, 10), roles=["applicant"])  # 8 working hours later
    perform(d, "forward", at(3, 14), roles=RECEIVING)
    d.refresh_from_db()
    rows = printing.handovers(d)
    assert [r.outcome for r in rows] == ["", "", "Đúng hạn"]
    assert rows[0].receiver == "Tổ chức, cá nhân: Nguyễn Thị Ánh" and rows[1].giver.startswith(
        "Tổ chức, cá nhân"
    )
    assert rows[2].due == at(3, 15)  # Mon 15:00 + the 8 working hours waited


# --- The form set by reception date ----------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "framework", "apology_title", "slip_number"),
    [
        (datetime(2025, 9, 12, 9, 0, tzinfo=VN), "2018", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "05"),
        (datetime(2025, 9, 15, 9, 0, tzinfo=VN), "2025", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN", "06"),
    ],
)
def test_form_set_follows_the_reception_date(
    receive, tmp_path, received, framework, apology_title, slip_number
):
    # 12/9/2025 is a Friday (14/9 is a Sunday): the day before Circular 03/2025 counts as 2018.
    d = receive(when=received)
    assert printing.form_framework(d) == framework
    perform(
        d,
        "apologize_and_extend",
        received.replace(hour=10),
        reason="Chờ kết quả xác minh",
        payload={"extend_value": 2, "extend_unit": "working_days"},
    )
    d.refresh_from_db()
    text = pdf_flat_text(render_form(dossier=d, form="apology_extension"), tmp_path)
    assert apology_title in text and "Nguyễn Thị Ánh" in text
    circular = "01/2018/TT-VPCP" if framework == "2018" else "03/2025/TT-VPCP"
    slip = pdf_flat_text(render_form(dossier=d, form="control_slip"), tmp_path)
    assert f"Mẫu số {slip_number} (Thông tư số {circular})" in slip


def test_received_on_sunday_14_9_2025_gets_the_2018_set(case, one_stop, resolver):
    from .factories import DossierFactory

    d = DossierFactory(
        case=case, receiving_unit=one_stop, received_at=datetime(2025, 9, 14, 23, 59, tzinfo=VN)
    )
    assert printing.form_framework(d) == "2018"
    d.received_at = datetime(2025, 9, 15, 0, 0, tzinfo=VN)
    assert printing.form_framework(d) == "2025"


def test_framework_can_be_forced_and_the_2018_set_has_no_stop_notice(receive, tmp_path):
    d = receive()
    text = pdf_flat_text(render_form(dossier=d, form="control_slip", framework="2018"), tmp_path)
    assert "Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)" in text
    perform(d, "stop", at(3, 9), reason="Cơ quan dừng giải quyết theo yêu cầu của cơ quan điều tra")
    d.refresh_from_db()
    assert forms_available(d) == ["receipt", "stop_notice", "control_slip"]
    # The 2018 set has no stop notice: a stop (Decree 118/2025 Art. 21) is printed on Mẫu 05/2025.
    text = pdf_flat_text(render_form(dossier=d, form="stop_notice", framework="2018"), tmp_path)
    assert "Mẫu số 05 (Thông tư số 03/2025/TT-VPCP)" in text and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    with pytest.raises(FormError):
        render_form(dossier=d, form="nonsense")
    with pytest.raises(FormError):
        render_form(dossier=d, form="receipt", framework="2030")


# --- Settings ----------------------------------------------------------------------------------


def test_paper_size_is_a_setting(receive, tmp_path, settings):
    settings.MOTCUA_FORM_PAPER_SIZES = {"receipt": "A4"}
    d = receive()
    assert page_size(render_form(dossier=d, form="receipt"), tmp_path) == A4
    settings.MOTCUA_FORM_PAPER_SIZES = "receipt=A5 landscape"
    assert page_size(render_form(dossier=d, form="receipt"), tmp_path) == (595.28, 419.53)
    settings.MOTCUA_FORM_PAPER_SIZES = {"receipt": "A3; color: red"}
    with pytest.raises(FormError):
        render_form(dossier=d, form="receipt")


# --- Ledger ------------------------------------------------------------------------------------


def test_ledger_lists_the_units_dossiers_in_the_date_range(receive, one_stop, tmp_path):
    first = receive()
    perform(first, "forward", at(2, 10), roles=RECEIVING)
    perform(first, "forward", at(3, 10), roles=SPECIALIST)
    perform(first, "approve", at(3, 11))
    perform(first, "resolve", at(3, 14))
    perform(first, "return_result", at(4, 9), roles=RECEIVING)
    second = receive(when=at(3, 14), applicant={**APPLICANT, "name": "Trần Văn Đức"})
    outside = receive(when=at(10, 9))
    rows = printing.ledger_context(unit=one_stop, date_from=date(2026, 3, 2), date_to=date(2026, 3, 6))[
        "rows"
    ]
    assert [r["code"] for r in rows] == [first.code, second.code]
    assert rows[0]["transferred"] == "10:00 02/03/2026" and rows[0]["returned"] == "09:00 04/03/2026"
    pdf = render_ledger(unit=one_stop, date_from=date(2026, 3, 2), date_to=date(2026, 3, 6))
    text = pdf_flat_text(pdf, tmp_path)
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu số 07" in text
    assert first.code in text and second.code in text and outside.code not in text
    assert "Nguyễn Thị Ánh" in text and "Trần Văn Đức" in text
    assert page_size(pdf, tmp_path) == A4_LANDSCAPE
    assert all(emb == "yes" for _, emb in pdf_fonts(pdf, tmp_path))
    old = printing.ledger_context(unit=one_stop, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert old["rows"] == [] and old["form_number"] == "06"


# --- Command -----------------------------------------------------------------------------------


def test_printform_command_writes_forms_and_the_ledger(receive, one_stop, tmp_path):
    d = receive()
    out = tmp_path / "receipt.pdf"
    call_command("printform", d.code, "receipt", "-o", str(out), stdout=io.StringIO())
    assert "Nguyễn Thị Ánh" in pdf_text(out.read_bytes(), tmp_path)
    ledger = tmp_path / "ledger.pdf"
    call_command(
        "printform",
        "--ledger",
        one_stop.ident_code,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "-o",
        str(ledger),
        stdout=io.StringIO(),
    )
    assert d.code in pdf_flat_text(ledger.read_bytes(), tmp_path)
    with pytest.raises(CommandError):
        call_command("printform", d.code, "apology_extension", "-o", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command(
            "printform", "000.00.00.H99-000000-0000", "receipt", "-o", str(out), stdout=io.StringIO()
        )


# --- Speed -------------------------------------------------------------------------------------


def test_one_page_form_renders_quickly(receive):
    d = receive()
    render_form(dossier=d, form="receipt")  # warm-up: fonts, templates
    start = time.perf_counter()
    for _ in range(3):
        render_form(dossier=d, form="receipt")
    assert (time.perf_counter() - start) / 3 < 1.0  # budget ~0.2 s; generous for slow CI machines


def test_only_package_files_and_data_uris_are_fetched(receive, tmp_path):
    fetch = printing._fetcher()
    with pytest.raises(ValueError):
        fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetch("http://127.0.0.1:1/x.css")
    assert fetch((printing.FONT_DIR / "LiberationSerif-Regular.ttf").as_uri()).read(4) == b"\x00\x01\x00\x00"
    # Applicant data is escaped text, never markup.
    d = receive(applicant={**APPLICANT, "address": '<img src="file:///etc/passwd">'})
    text = pdf_flat_text(render_form(dossier=d, form="receipt"), tmp_path)
    assert '<img src="file:///etc/passwd">' in text
