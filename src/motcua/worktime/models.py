"""Working-time data maintained by administrators: calendar entries and working-hours profiles.

The deadline engine (``motcua.worktime.engine``) is pure; these rows are loaded into it once
and cached (``motcua.worktime.selectors``).
"""

from django.core.exceptions import ValidationError
from django.db import models


class CalendarEntry(models.Model):
    """A dated override of the working calendar (ngày nghỉ / ngày làm bù).

    An entry wins over the weekly rule and over the ``holidays`` package: ``holiday`` and
    ``day_off`` close a date, ``working_day`` opens a weekend date (ngày làm bù).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Ngày lễ, Tết"
        DAY_OFF = "day_off", "Ngày nghỉ (hoán đổi, nghỉ bù)"
        WORKING_DAY = "working_day", "Ngày làm việc (làm bù)"

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    name = models.CharField("tên / lý do", max_length=200)
    source = models.CharField("văn bản căn cứ", max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "ngày đặc biệt trong lịch làm việc"
        verbose_name_plural = "lịch nghỉ lễ và ngày làm bù"

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.get_kind_display()}: {self.name}"


class WorkingHoursProfile(models.Model):
    """Daily working windows of a unit (giờ làm việc), set by each province.

    Default 07:00–11:30 and 13:30–17:00 (8 hours). The afternoon window may be left empty for
    a single-window day. ``cutoff`` is the time after which paper dossiers move to the next
    working day (Decree 61/2018 Art. 20; Decree 118/2025 Art. 18(2)) and same-day procedures are
    due at the end of the next working day.
    """

    name = models.CharField("tên", max_length=100, unique=True)
    morning_start = models.TimeField("sáng bắt đầu", default="07:00")
    morning_end = models.TimeField("sáng kết thúc", default="11:30")
    afternoon_start = models.TimeField("chiều bắt đầu", default="13:30", null=True, blank=True)
    afternoon_end = models.TimeField("chiều kết thúc", default="17:00", null=True, blank=True)
    cutoff = models.TimeField("giờ chuyển sang ngày làm việc sau", default="15:00")
    is_default = models.BooleanField("mặc định", default=False)

    class Meta:
        verbose_name = "khung giờ làm việc"
        verbose_name_plural = "khung giờ làm việc"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_hours_profile"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.morning_start >= self.morning_end:
            raise ValidationError("Giờ bắt đầu buổi sáng phải trước giờ kết thúc.")
        if (self.afternoon_start is None) != (self.afternoon_end is None):
            raise ValidationError("Buổi chiều cần cả giờ bắt đầu và giờ kết thúc, hoặc để trống cả hai.")
        if self.afternoon_start is not None and not (
            self.morning_end <= self.afternoon_start < self.afternoon_end
        ):
            raise ValidationError("Buổi chiều phải bắt đầu sau buổi sáng và kết thúc sau khi bắt đầu.")
