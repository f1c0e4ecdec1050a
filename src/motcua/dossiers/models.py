"""Dossiers (hồ sơ thủ tục hành chính) and what happened to them."""

from django.db import models


class DossierCodeCounter(models.Model):
    """The running number of dossier codes per prefix per reception day (Decree 118/2025 Art. 28).

    One row per (prefix, day); the number is taken under a row lock in the reception transaction,
    so codes are unique and gap-free (a rolled-back reception gives its number back).
    """

    prefix = models.CharField("tiền tố (mã cơ quan)", max_length=35)
    day = models.DateField("ngày tiếp nhận")
    last_number = models.PositiveIntegerField("số cuối cùng đã cấp", default=0)

    class Meta:
        verbose_name = "bộ đếm mã hồ sơ"
        verbose_name_plural = "bộ đếm mã hồ sơ"
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="unique_code_counter")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.day:%y%m%d}: {self.last_number}"
