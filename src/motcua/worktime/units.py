"""The units a time limit is expressed in (đơn vị tính thời hạn giải quyết)."""

from django.db import models


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "ngày làm việc"
    DAYS = "days", "ngày"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    HOURS = "hours", "giờ"
    MONTHS = "months", "tháng"
    SAME_DAY = "same_day", "trong ngày"
