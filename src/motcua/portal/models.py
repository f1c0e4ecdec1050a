"""Drafts of online applications (hồ sơ nháp) kept between the steps of the portal's form.

A draft belongs to one signed-in person and one procedure version; each step writes its part
server-side, so a reload or a visit days later continues where the person stopped. The draft's
id is the idempotency key of the submission: submitting twice makes one dossier.

Each file of a component is a :class:`DraftFile` with a ``source``: today only ``upload``; an
earlier digitized paper from the citizen's data store (Decree 118/2025 Art. 17(1)(c); Decree
45/2020 Art. 14) becomes another source with a ``reference`` and no file of its own.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationDraft(models.Model):
    """Hồ sơ nháp: an online application being filled in, step by step."""

    class Step(models.TextChoices):
        PLACE = "noi-nop", _("Trường hợp và nơi nộp")
        APPLICANT = "nguoi-nop", _("Thông tin người nộp")
        COMPONENTS = "thanh-phan", _("Thành phần hồ sơ")
        CONSENT = "cam-ket", _("Cam kết")
        REVIEW = "xem-lai", _("Xem lại và nộp")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nộp (tài khoản)",
        on_delete=models.CASCADE,
        related_name="application_drafts",
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name="phiên bản thủ tục",
        on_delete=models.CASCADE,
        related_name="+",
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase",
        verbose_name="trường hợp",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    receiving_unit = models.ForeignKey(
        "org.Agency",
        verbose_name="bộ phận một cửa",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    commune = models.ForeignKey(
        "org.AdministrativeUnit",
        verbose_name="xã, phường nơi có yêu cầu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applicant = models.JSONField("thông tin người nộp", default=dict, blank=True)
    proxy = models.JSONField("người được ủy quyền", default=dict, blank=True)
    consented_at = models.DateTimeField("thời điểm cam kết", null=True, blank=True)
    # The furthest step completed; the form resumes at the next one.
    completed = models.CharField("bước đã hoàn thành", max_length=20, blank=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name="hồ sơ đã nộp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user", "submitted_at"], name="portal_draft_user")]

    def __str__(self) -> str:
        return f"{self.procedure_version_id} · {self.id}"

    @property
    def idempotency_key(self) -> str:
        return f"portal-draft:{self.id}"

    @property
    def is_submitted(self) -> bool:
        return self.dossier_id is not None


class DraftFile(models.Model):
    """One file of one component of a draft (several per component are allowed)."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Tải lên")

    draft = models.ForeignKey(
        ApplicationDraft, verbose_name="hồ sơ nháp", on_delete=models.CASCADE, related_name="files"
    )
    component = models.ForeignKey(
        "catalog.Component", verbose_name="thành phần", on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField("nguồn", max_length=20, choices=Source.choices, default=Source.UPLOAD)
    # For sources without a file of their own (a digitized paper): its identifier there.
    reference = models.CharField("tham chiếu", max_length=200, blank=True)
    file = models.FileField("tệp", upload_to="portal/drafts/%Y/%m/", null=True, blank=True)
    name = models.CharField("tên tệp", max_length=200)
    content_type = models.CharField("loại tệp", max_length=50, blank=True)
    size = models.PositiveIntegerField("dung lượng (byte)", default=0)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tệp của hồ sơ nháp"
        verbose_name_plural = "tệp của hồ sơ nháp"
        ordering = ["draft", "component", "id"]

    def __str__(self) -> str:
        return self.name
