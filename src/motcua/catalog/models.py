"""The procedure catalog (danh mục thủ tục hành chính) the province publishes.

A procedure (thủ tục hành chính, TTHC) has a stable code and a list of versions; each version
comes from a publication decision (quyết định công bố, QĐCB, Decree 63/2010 Arts. 13–15) and
is valid on ``[valid_from, valid_to)``. A dossier keeps the version and case it was received
under, so publishing a new version never changes an old dossier.

Each case (trường hợp) carries the legal time limit (thời hạn theo quy định) and the applied,
locally cut one (thời hạn áp dụng sau cắt giảm, spec §4.5), separately for direct and online
submission, and the internal workflow (quy trình nội bộ) with per-step budgets.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.units import TimeUnit

from .limits import Limit, comparable, cut_percent, measure
from .text import fold

PROCEDURE_CODE_VALIDATOR = RegexValidator(
    r"^\d\.\d{6}$",
    "Mã thủ tục phải có dạng N.NNNNNN (một chữ số, dấu chấm, sáu chữ số), ví dụ 2.000815.",
    code="invalid_procedure_code",
)

# Decree 63/2010 Art. 15 (as amended by 92/2017): a provincial QĐCB is issued at least 05 days
# before the legal basis takes effect; Art. 24(2): published on the national database within
# 05 working days of signature. The DVCQG 766 tests count both in working days (spec §4.3).
PUBLICATION_LEAD_WORKING_DAYS = 5
PUBLICATION_UPLOAD_WORKING_DAYS = 5

_positive = [MinValueValidator(Decimal("0.01"), "Thời hạn phải lớn hơn 0.")]


def _weekdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in ``(start, end]`` under the working calendar (holidays and swapped days
    included); negative when ``end < start``."""
    from motcua.worktime.selectors import get_calendar

    one = dt.timedelta(days=1)
    return get_calendar().working_days_between(start + one, end + one)


class Field(models.Model):
    """Lĩnh vực: the field of a procedure (DVCQG shared catalogue, code ``MX1X2-LV`` where known)."""

    code = models.SlugField("mã lĩnh vực", max_length=100, unique=True, allow_unicode=False)
    name = models.CharField("tên lĩnh vực", max_length=250, unique=True)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PublicationDecision(models.Model):
    """Quyết định công bố thủ tục hành chính (QĐCB), Decree 63/2010 Arts. 13–15."""

    class Kind(models.TextChoices):
        NEW = "new", "Công bố mới"
        AMEND = "amend", "Sửa đổi, bổ sung"
        REPLACE = "replace", "Thay thế"
        ABOLISH = "abolish", "Bãi bỏ"

    number = models.CharField("số, ký hiệu", max_length=100, unique=True, help_text="Ví dụ 1234/QĐ-UBND.")
    signed_on = models.DateField("ngày ký")
    kind = models.CharField("loại công bố", max_length=10, choices=Kind.choices, default=Kind.NEW)
    issuer = models.ForeignKey(
        Agency,
        verbose_name="cơ quan ban hành",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="publication_decisions",
    )
    basis_effective_on = models.DateField(
        "ngày văn bản quy định có hiệu lực",
        null=True,
        blank=True,
        help_text="Ngày căn cứ pháp lý có hiệu lực.",
    )
    published_on = models.DateField(
        "ngày công khai",
        null=True,
        blank=True,
        help_text="Ngày công khai trên Cơ sở dữ liệu quốc gia về TTHC.",
    )
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "quyết định công bố"
        verbose_name_plural = "quyết định công bố"
        ordering = ["-signed_on", "number"]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.published_on and self.signed_on and self.published_on < self.signed_on:
            raise ValidationError({"published_on": "Ngày công khai không được trước ngày ký quyết định."})

    def signed_in_time(self, lead_working_days: int = PUBLICATION_LEAD_WORKING_DAYS) -> bool | None:
        """Signed at least ``lead_working_days`` before the legal basis takes effect (Art. 15)."""
        if not self.basis_effective_on:
            return None
        return _weekdays_between(self.signed_on, self.basis_effective_on) >= lead_working_days

    def published_in_time(self, upload_working_days: int = PUBLICATION_UPLOAD_WORKING_DAYS) -> bool | None:
        """Made public within ``upload_working_days`` of signature (Art. 24(2))."""
        if not self.published_on:
            return None
        return _weekdays_between(self.signed_on, self.published_on) <= upload_working_days

    @property
    def is_on_time(self) -> bool | None:
        """Both rules met; None when a date needed to judge is missing."""
        signed, published = self.signed_in_time(), self.published_in_time()
        if signed is None or published is None:
            return None
        return signed and published


class Procedure(models.Model):
    """Thủ tục hành chính: the stable identity of a procedure across its versions."""

    code = models.CharField("mã thủ tục", max_length=20, unique=True, validators=[PROCEDURE_CODE_VALIDATOR])
    abolished_on = models.DateField("ngày bãi bỏ", null=True, blank=True)
    abolished_by = models.ForeignKey(
        PublicationDecision,
        verbose_name="quyết định bãi bỏ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="abolished_procedures",
    )

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.current_version
        return f"{self.code} – {current.name}" if current else self.code

    @property
    def current_version(self) -> ProcedureVersion | None:
        cached = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        if cached is not None:
            return next((v for v in cached if v.valid_to is None), None)
        return self.versions.filter(valid_to__isnull=True).first()


class ProcedureVersion(models.Model):
    """Một phiên bản thủ tục hành chính theo một quyết định công bố, hiệu lực [valid_from, valid_to)."""

    class Level(models.TextChoices):
        PROVINCE = "province", "Cấp tỉnh"
        COMMUNE = "commune", "Cấp xã"

    class OnlineLevel(models.TextChoices):
        FULL = "full", "Toàn trình"
        PARTIAL = "partial", "Một phần"
        NONE = "none", "Không"

    class CompetentKind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", "UBND cấp xã"
        POLICE = "police", "Công an cấp xã"

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="versions"
    )
    decision = models.ForeignKey(
        PublicationDecision,
        verbose_name="quyết định công bố",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
    )
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField(
        "hết hiệu lực từ",
        null=True,
        blank=True,
        help_text="Ngày đầu tiên không còn hiệu lực; để trống: đang áp dụng.",
    )
    name = models.CharField("tên thủ tục", max_length=500)
    level = models.CharField("cấp thực hiện", max_length=10, choices=Level.choices)
    field = models.ForeignKey(
        Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="versions"
    )
    implementing_agency_text = models.TextField("cơ quan thực hiện (nguyên văn)", blank=True)
    agencies = models.ManyToManyField(
        Agency, verbose_name="cơ quan có thẩm quyền", blank=True, related_name="procedure_versions"
    )
    competent_at_commune = models.BooleanField(
        "thẩm quyền của cơ quan cấp xã nơi có hồ sơ",
        default=False,
        help_text="UBND (hoặc Công an) cấp xã nơi người dân yêu cầu, thay vì một cơ quan cụ thể.",
    )
    competent_agency_kind = models.CharField(
        "loại cơ quan cấp xã", max_length=20, choices=CompetentKind.choices, blank=True
    )
    target_persons = models.TextField("đối tượng thực hiện", blank=True)
    result_text = models.TextField("kết quả thực hiện", blank=True)
    result_codes = models.CharField(
        "mã kết quả", max_length=300, blank=True, help_text="Ví dụ KQ.G15.000031."
    )
    paper_result_required = models.BooleanField("bắt buộc trả kết quả bản giấy", default=False)
    online_level = models.CharField(
        "mức độ dịch vụ công trực tuyến", max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    non_boundary = models.BooleanField("phi địa giới", default=False)
    fee_bearing = models.BooleanField("có phí, lệ phí", default=False)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    conditions = models.TextField("yêu cầu, điều kiện", blank=True)
    steps_text = models.TextField("trình tự thực hiện", blank=True)
    note = models.TextField("ghi chú", blank=True, help_text="Nguồn dữ liệu, giải thích.")
    search_text = models.TextField("chuỗi tìm kiếm", blank=True, editable=False)

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        ordering = ["procedure__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(valid_to__isnull=True),
                name="catalog_one_current_version",
                violation_error_message="Thủ tục này đã có một phiên bản đang áp dụng.",
            ),
            models.UniqueConstraint(fields=["procedure", "valid_from"], name="catalog_unique_version_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="catalog_version_period",
                violation_error_message="Ngày hết hiệu lực phải sau ngày hiệu lực.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["level", "field"],
                condition=Q(valid_to__isnull=True),
                name="catalog_current_level_field",
            ),
            models.Index(fields=["procedure", "valid_to"], name="catalog_version_current"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} – {self.name} (từ {self.valid_from:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        code = self.procedure.code if self.procedure_id else ""
        self.search_text = fold(f"{code} {self.name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.competent_at_commune and self.level != self.Level.COMMUNE:
            errors["competent_at_commune"] = "Chỉ thủ tục cấp xã mới giao cho cơ quan cấp xã nơi có hồ sơ."
        if self.competent_at_commune and not self.competent_agency_kind:
            errors["competent_agency_kind"] = "Chọn UBND hay Công an cấp xã."
        if self.procedure_id and self.valid_from:
            others = ProcedureVersion.objects.filter(procedure_id=self.procedure_id).exclude(pk=self.pk)
            overlap = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.valid_from))
            if self.valid_to:
                overlap = overlap.filter(valid_from__lt=self.valid_to)
            clash = overlap.first()
            if clash:
                errors["valid_from"] = (
                    f"Thời gian hiệu lực trùng với phiên bản từ {clash.valid_from:%d/%m/%Y} của thủ tục "
                    f"{self.procedure.code}."
                )
        if errors:
            raise ValidationError(errors)


class ProcedureCase(models.Model):
    """Trường hợp thủ tục: a case with its legal and applied (cut) time limits per channel.

    Empty online limits mean "as for direct submission"; an empty applied limit means "no cut".
    """

    version = models.ForeignKey(
        ProcedureVersion, verbose_name="phiên bản thủ tục", on_delete=models.CASCADE, related_name="cases"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField("tên trường hợp", max_length=500)
    legal_direct_value = models.DecimalField(
        "thời hạn luật định (trực tiếp)", max_digits=6, decimal_places=2, validators=_positive
    )
    legal_direct_unit = models.CharField("đơn vị", max_length=20, choices=TimeUnit.choices)
    applied_direct_value = models.DecimalField(
        "thời hạn áp dụng (trực tiếp)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
    )
    applied_direct_unit = models.CharField("đơn vị", max_length=20, choices=TimeUnit.choices, blank=True)
    legal_online_value = models.DecimalField(
        "thời hạn luật định (trực tuyến)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
    )
    legal_online_unit = models.CharField("đơn vị", max_length=20, choices=TimeUnit.choices, blank=True)
    applied_online_value = models.DecimalField(
        "thời hạn áp dụng (trực tuyến)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
    )
    applied_online_unit = models.CharField("đơn vị", max_length=20, choices=TimeUnit.choices, blank=True)
    limit_note = models.TextField("ghi chú thời hạn", blank=True)

    class Meta:
        verbose_name = "trường hợp thủ tục"
        verbose_name_plural = "trường hợp thủ tục"
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="catalog_unique_case_order")]

    def __str__(self) -> str:
        return self.name

    # Limits --------------------------------------------------------------------------------
    @staticmethod
    def _limit(value, unit) -> Limit | None:
        return Limit(Decimal(value), unit) if value is not None and unit else None

    def limits(self, channel: str = "direct") -> tuple[Limit, Limit]:
        """(legal, applied) for ``channel`` ("direct" or "online"), with the fall-backs applied."""
        legal_direct = self._limit(self.legal_direct_value, self.legal_direct_unit)
        applied_direct = self._limit(self.applied_direct_value, self.applied_direct_unit) or legal_direct
        if channel == "direct":
            return legal_direct, applied_direct
        if channel != "online":
            raise ValueError(f"Kênh không hợp lệ: {channel!r}")
        legal_online = self._limit(self.legal_online_value, self.legal_online_unit)
        applied_online = self._limit(self.applied_online_value, self.applied_online_unit)
        if legal_online is None:
            return legal_direct, applied_online or applied_direct
        return legal_online, applied_online or legal_online

    @property
    def cut_percent(self) -> Decimal | None:
        """Cut of the applied direct limit against the legal one, in % (None: not comparable)."""
        legal, applied = self.limits("direct")
        return cut_percent(legal, applied)

    @property
    def is_cut(self) -> bool:
        pct = self.cut_percent
        if pct is not None and pct > 0:
            return True
        legal, applied = self.limits("online")
        pct = cut_percent(legal, applied)
        return pct is not None and pct > 0

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for prefix in ("legal_direct", "applied_direct", "legal_online", "applied_online"):
            value, unit = getattr(self, f"{prefix}_value"), getattr(self, f"{prefix}_unit")
            if (value is None) != (not unit):
                errors[f"{prefix}_unit"] = "Thời hạn và đơn vị phải cùng được nhập hoặc cùng để trống."
        if errors:
            raise ValidationError(errors)
        if self.legal_direct_value is None or not self.legal_direct_unit:
            return
        for channel, field in (("direct", "applied_direct_value"), ("online", "applied_online_value")):
            legal, applied = self.limits(channel)
            if comparable(legal, applied) and measure(applied)[1] > measure(legal)[1]:
                kenh = "trực tiếp" if channel == "direct" else "trực tuyến"
                errors[field] = (
                    f"Thời hạn áp dụng ({applied}) không được dài hơn thời hạn luật định ({legal}) "
                    f"khi nộp {kenh}."
                )
        if errors:
            raise ValidationError(errors)


class Component(models.Model):
    """Thành phần hồ sơ: one paper of a case, with the number of originals and copies."""

    case = models.ForeignKey(
        ProcedureCase, verbose_name="trường hợp", on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    group = models.TextField("nhóm", blank=True)
    name = models.TextField("tên giấy tờ")
    mandatory = models.BooleanField("bắt buộc", default=True)
    originals = models.PositiveSmallIntegerField("số bản chính", default=0)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    national_paper_code = models.CharField("mã giấy tờ (kho quốc gia)", max_length=50, blank=True)
    form_name = models.CharField("mẫu đơn, tờ khai", max_length=300, blank=True)
    form_url = models.URLField("đường dẫn mẫu", max_length=500, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["case", "order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "order"], name="catalog_unique_component_order")
        ]

    def __str__(self) -> str:
        return self.name[:80]


class Fee(models.Model):
    """Phí, lệ phí. ``amount_vnd`` empty: the amount is set elsewhere (e.g. by the provincial HĐND)."""

    version = models.ForeignKey(
        ProcedureVersion, verbose_name="phiên bản thủ tục", on_delete=models.CASCADE, related_name="fees"
    )
    case = models.ForeignKey(
        ProcedureCase,
        verbose_name="trường hợp",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fees",
        help_text="Để trống: áp dụng cho mọi trường hợp.",
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField("tên khoản thu", max_length=300)
    amount_vnd = models.PositiveBigIntegerField("số tiền (đồng)", null=True, blank=True)
    text = models.CharField("mức thu (nguyên văn)", max_length=300, blank=True)
    note = models.TextField("ghi chú", blank=True)
    channels = models.JSONField("kênh áp dụng", default=list, blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="catalog_unique_fee_order")]

    def __str__(self) -> str:
        return f"{self.name}: {self.text or self.amount_vnd}"

    def clean(self) -> None:
        if not isinstance(self.channels, list) or not all(isinstance(c, str) for c in self.channels):
            raise ValidationError({"channels": "Kênh áp dụng phải là danh sách tên kênh."})
        if self.case_id and self.version_id and self.case.version_id != self.version_id:
            raise ValidationError({"case": "Trường hợp không thuộc phiên bản thủ tục này."})


class WorkflowStep(models.Model):
    """Bước quy trình nội bộ: who does what, with a time budget inside the applied limit."""

    case = models.ForeignKey(
        ProcedureCase, verbose_name="trường hợp", on_delete=models.CASCADE, related_name="workflow_steps"
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=1)
    name = models.CharField("tên bước", max_length=300)
    role = models.CharField("vai trò", max_length=30, choices=StaffAssignment.Role.choices)
    agency_kind = models.CharField("loại cơ quan", max_length=20, choices=Agency.Kind.choices, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    budget_value = models.DecimalField("thời gian", max_digits=6, decimal_places=2, validators=_positive)
    budget_unit = models.CharField("đơn vị", max_length=20, choices=TimeUnit.choices)

    class Meta:
        verbose_name = "bước quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        ordering = ["case", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="catalog_unique_step_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def budget(self) -> Limit:
        return Limit(Decimal(self.budget_value), self.budget_unit)

    def clean(self) -> None:
        if not self.case_id or self.budget_value is None or not self.budget_unit:
            return
        siblings = [s for s in self.case.workflow_steps.exclude(pk=self.pk) if s.order != self.order]
        problem = workflow_budget_error([*siblings, self], self.case)
        if problem:
            raise ValidationError({"budget_value": problem})


def workflow_budget_error(steps, case: ProcedureCase) -> str | None:
    """Vietnamese message when the comparable step budgets exceed the applied direct limit."""
    _, applied = case.limits("direct")
    total = Decimal(0)
    for step in steps:
        if not comparable(step.budget, applied):
            continue
        total += measure(step.budget)[1]
    group, limit = measure(applied)
    if total > limit:
        unit = "giờ làm việc" if group == "work" else "giờ" if group == "calendar" else "tháng"
        return (
            f"Tổng thời gian các bước ({total.normalize():f} {unit}) vượt thời hạn áp dụng của trường hợp "
            f"({applied})."
        )
    return None
