"""The official 2025–2026 civil-service schedule and the default working hours, as plain data.

Source: ``tthc-2025-update.md`` §3.2 (statutory list: Labour Code 2019 Art. 112(1); swaps and
compensatory days as cited per row). Shared by the data migration ``0002`` and
``services.worktime_load_defaults`` so both load the same rows. Weekend days inside a holiday
period are not listed: they are closed by the weekly rule already.

Tags follow the spec: [V] verified, [O] observed in secondary sources.
"""

from datetime import date, time

LABOUR_CODE = "Bộ luật Lao động 2019, Điều 112"
CV_8726 = "Công văn 8726/VPCP-KGVX (26/11/2024)"
CV_12729 = "Công văn 12729/VPCP-KGVX (25/12/2025)"
TB_9441 = "Thông báo 9441/TB-BNV (16/10/2025)"

# (date, kind, name, source)
CALENDAR_2025_2026: tuple[tuple[date, str, str, str], ...] = (
    # 2025
    (date(2025, 1, 1), "holiday", "Tết Dương lịch 2025", LABOUR_CODE),
    (date(2025, 1, 27), "holiday", "Tết Ất Tỵ", CV_8726),
    (date(2025, 1, 28), "holiday", "Tết Ất Tỵ", CV_8726),
    (date(2025, 1, 29), "holiday", "Tết Ất Tỵ (mùng 1)", CV_8726),
    (date(2025, 1, 30), "holiday", "Tết Ất Tỵ", CV_8726),
    (date(2025, 1, 31), "holiday", "Tết Ất Tỵ", CV_8726),
    (date(2025, 4, 7), "holiday", "Giỗ Tổ Hùng Vương", LABOUR_CODE + " [O]"),
    (date(2025, 4, 26), "working_day", "Làm bù cho thứ Sáu 02/5/2025", CV_8726 + " [O]"),
    (date(2025, 4, 30), "holiday", "Ngày Chiến thắng 30/4", LABOUR_CODE),
    (date(2025, 5, 1), "holiday", "Ngày Quốc tế Lao động", LABOUR_CODE),
    (date(2025, 5, 2), "day_off", "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)", CV_8726 + " [O]"),
    (date(2025, 9, 1), "holiday", "Quốc khánh (ngày liền kề)", LABOUR_CODE),
    (date(2025, 9, 2), "holiday", "Quốc khánh", LABOUR_CODE),
    # 2026
    (date(2026, 1, 1), "holiday", "Tết Dương lịch 2026", LABOUR_CODE),
    (date(2026, 1, 2), "day_off", "Nghỉ hoán đổi Tết Dương lịch (làm bù thứ Bảy 10/01/2026)", CV_12729),
    (date(2026, 1, 10), "working_day", "Làm bù cho thứ Sáu 02/01/2026", CV_12729),
    (date(2026, 2, 16), "holiday", "Tết Bính Ngọ", TB_9441),
    (date(2026, 2, 17), "holiday", "Tết Bính Ngọ (mùng 1)", TB_9441),
    (date(2026, 2, 18), "holiday", "Tết Bính Ngọ", TB_9441),
    (date(2026, 2, 19), "holiday", "Tết Bính Ngọ", TB_9441),
    (date(2026, 2, 20), "holiday", "Tết Bính Ngọ", TB_9441),
    (
        date(2026, 4, 27),
        "day_off",
        "Nghỉ bù Giỗ Tổ Hùng Vương (Chủ nhật 26/4/2026)",
        "Bộ luật Lao động 2019, Điều 111(3)",
    ),
    (date(2026, 4, 30), "holiday", "Ngày Chiến thắng 30/4", LABOUR_CODE),
    (date(2026, 5, 1), "holiday", "Ngày Quốc tế Lao động", LABOUR_CODE),
    (date(2026, 8, 22), "working_day", "Làm bù cho thứ Hai 31/8/2026", TB_9441 + " [O]"),
    (date(2026, 8, 31), "day_off", "Nghỉ hoán đổi Quốc khánh (làm bù thứ Bảy 22/8/2026)", TB_9441 + " [O]"),
    (date(2026, 9, 1), "holiday", "Quốc khánh (ngày liền kề)", LABOUR_CODE),
    (date(2026, 9, 2), "holiday", "Quốc khánh", LABOUR_CODE),
    (
        date(2026, 11, 24),
        "holiday",
        "Ngày Văn hóa Việt Nam",
        "Nghị quyết 80-NQ/TW; Nghị quyết 28/2026/QH16 [O]",
    ),
)

DEFAULT_PROFILE_NAME = "Mặc định"
DEFAULT_PROFILE = {
    "morning_start": time(7, 0),
    "morning_end": time(11, 30),
    "afternoon_start": time(13, 30),
    "afternoon_end": time(17, 0),
    "cutoff": time(15, 0),
}


def load_into(entry_model, profile_model) -> int:
    """Create the rows above that are missing; never overwrite an administrator's row.

    Takes the model classes so that the data migration can pass its historical models.
    Returns the number of calendar entries created.
    """
    created = 0
    for day, kind, name, source in CALENDAR_2025_2026:
        _, was_created = entry_model.objects.get_or_create(
            date=day, defaults={"kind": kind, "name": name, "source": source}
        )
        created += was_created
    if not profile_model.objects.filter(name=DEFAULT_PROFILE_NAME).exists():
        # Only one profile may be the default (constraint one_default_hours_profile).
        is_default = not profile_model.objects.filter(is_default=True).exists()
        profile_model.objects.create(name=DEFAULT_PROFILE_NAME, is_default=is_default, **DEFAULT_PROFILE)
    return created
