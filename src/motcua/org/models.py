"""Who the province is: administrative units, agencies with their electronic identifier codes,
one-stop units and the staff assigned to them.

Units and agencies are versioned (validity dates, predecessor/successor links), so that the
2023 three-level structure (districts; Bạc Liêu as a province) stays for history and maps to the
2025 two-level units (Law 72/2025/QH15; Resolutions 202/2025/QH15 and 1655/NQ-UBTVQH15).
"""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Decision 20/2020/QĐ-TTg Art. 4: groups V1V2V3.Z1Z2.Y1Y2.M1X1X2 of digits 0–9 and letters A–Z; the
# level-1 group starts with the letter of its group (H = provincial People's Committee).
IDENT_CODE_RE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")
IDENT_CODE_MAX_LENGTH = 35


def is_valid_ident_code(code: str) -> bool:
    return len(code) <= IDENT_CODE_MAX_LENGTH and IDENT_CODE_RE.fullmatch(code) is not None


class ValidityQuerySet(models.QuerySet):
    """Rows valid on a date: ``valid_from`` ≤ date < ``valid_to`` (an empty bound is open)."""

    def valid_on(self, on: dt.date):
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=on),
        )

    def current(self):
        return self.valid_on(timezone.localdate())


def _is_valid_on(obj, on: dt.date) -> bool:
    return (obj.valid_from is None or obj.valid_from <= on) and (obj.valid_to is None or on < obj.valid_to)


def _clean_validity(obj) -> None:
    if obj.valid_from and obj.valid_to and obj.valid_to <= obj.valid_from:
        raise ValidationError({"valid_to": "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."})


class AdministrativeUnit(models.Model):
    """Đơn vị hành chính: a province, a district (before 1/7/2025) or a commune-level unit."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "Tỉnh"
        CITY = "city", "Thành phố trực thuộc trung ương"
        DISTRICT = "district", "Huyện"
        DISTRICT_CITY = "district_city", "Thành phố thuộc tỉnh"
        TOWN = "town", "Thị xã"
        COMMUNE = "commune", "Xã"
        WARD = "ward", "Phường"
        TOWNSHIP = "township", "Thị trấn"
        SPECIAL_ZONE = "special_zone", "Đặc khu"

    class Level(models.IntegerChoices):
        PROVINCE = 1, "Cấp tỉnh"
        DISTRICT = 2, "Cấp huyện"
        COMMUNE = 3, "Cấp xã"

    code = models.CharField("mã đơn vị hành chính", max_length=10)
    name = models.CharField("tên", max_length=150)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField("cấp", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="trực thuộc",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField(
        "hết hiệu lực từ", null=True, blank=True, help_text="Ngày đầu tiên không còn hiệu lực."
    )
    successors = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
        blank=True,
    )

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unique_unit_code_version"),
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def is_valid_on(self, on: dt.date) -> bool:
        return _is_valid_on(self, on)

    def clean(self) -> None:
        _clean_validity(self)
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "Đơn vị hành chính không thể trực thuộc chính nó."})


class UnitSuccession(models.Model):
    """One predecessor → successor link (sáp nhập, chia tách) at a date, with its legal basis."""

    predecessor = models.ForeignKey(
        AdministrativeUnit, verbose_name="đơn vị cũ", on_delete=models.CASCADE, related_name="succession_out"
    )
    successor = models.ForeignKey(
        AdministrativeUnit, verbose_name="đơn vị mới", on_delete=models.CASCADE, related_name="succession_in"
    )
    effective_date = models.DateField("ngày có hiệu lực")
    legal_basis = models.CharField("căn cứ", max_length=200, blank=True)
    is_partial = models.BooleanField(
        "nhập một phần",
        default=False,
        help_text="Chỉ một phần diện tích/dân số của đơn vị cũ nhập vào đơn vị mới (đơn vị cũ bị chia).",
    )
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "kế thừa đơn vị hành chính"
        verbose_name_plural = "kế thừa đơn vị hành chính"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_unit_succession"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Agency(models.Model):
    """Cơ quan, đơn vị: a body with an electronic identifier code (Decision 20/2020/QĐ-TTg).

    One-stop units (the provincial Trung tâm Phục vụ hành chính công and one centre per commune)
    are agencies of their own kind (``ONE_STOP``).
    """

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        SPECIALIZED = "specialized", _("Cơ quan chuyên môn cấp xã")
        ONE_STOP = "one_stop", _("Bộ phận Một cửa / Trung tâm Phục vụ hành chính công")
        VERTICAL = "vertical", _("Cơ quan ngành dọc (công an, thuế…)")
        OTHER = "other", _("Khác")

    ident_code = models.CharField(
        "mã định danh điện tử",
        max_length=35,
        help_text="Theo Quyết định 20/2020/QĐ-TTg, dạng V1V2V3.Z1Z2.Y1Y2.M1X1X2, ví dụ 000.00.00.H12.",
    )
    name = models.CharField("tên", max_length=250)
    short_name = models.CharField("tên ngắn", max_length=120, blank=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    admin_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="địa bàn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    working_hours = models.ForeignKey(
        "worktime.WorkingHoursProfile",
        verbose_name="khung giờ làm việc",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Để trống: dùng khung giờ mặc định.",
    )
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=50, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    opens_saturday = models.BooleanField(
        "tiếp nhận sáng thứ Bảy",
        default=False,
        help_text="Chỉ là giờ mở cửa: thời hạn vẫn tính từ ngày làm việc kế tiếp, trừ khi lịch làm việc mở ngày đó.",
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hết hiệu lực từ", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="cơ quan kế thừa",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        ordering = ["ident_code"]
        constraints = [
            models.UniqueConstraint(fields=["ident_code", "valid_from"], name="unique_agency_code_version"),
        ]
        indexes = [models.Index(fields=["ident_code"]), models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, on: dt.date) -> bool:
        return _is_valid_on(self, on)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.ident_code and not is_valid_ident_code(self.ident_code):
            errors["ident_code"] = (
                "Mã định danh điện tử không đúng cấu trúc V1V2V3.Z1Z2.Y1Y2.M1X1X2 của Quyết định 20/2020/QĐ-TTg "
                "(chữ số 0–9, chữ in hoa A–Z, ví dụ 000.00.00.H12)."
            )
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = "Cơ quan không thể trực thuộc chính nó."
        if self.successor_id and self.successor_id == self.pk:
            errors["successor"] = "Cơ quan không thể kế thừa chính nó."
        if errors:
            raise ValidationError(errors)
        _clean_validity(self)


class StaffAssignment(models.Model):
    """A person's role at a unit for a period (phân công; Circular 03/2025: official or reserve)."""

    class Role(models.TextChoices):
        RECEIVING_OFFICER = "receiving_officer", _("Cán bộ tiếp nhận")
        SPECIALIST = "specialist", _("Chuyên viên xử lý")
        UNIT_LEADER = "unit_leader", _("Lãnh đạo đơn vị")
        TTHC_CONTROL = "tthc_control", _("Cán bộ kiểm soát TTHC")
        PROVINCE_LEADER = "province_leader", _("Lãnh đạo tỉnh")
        ADMINISTRATOR = "administrator", _("Quản trị hệ thống")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField("vai trò", max_length=30, choices=Role.choices)
    is_reserve = models.BooleanField("dự phòng", default=False)
    sending_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan cử",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seconded_assignments",
        help_text="Cơ quan cử cán bộ đến làm việc tại Bộ phận Một cửa (nếu có).",
    )
    tasks = models.CharField("nhiệm vụ", max_length=300, blank=True)
    valid_from = models.DateField("từ ngày", null=True, blank=True)
    valid_to = models.DateField("đến ngày", null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "phân công cán bộ"
        verbose_name_plural = "phân công cán bộ"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role", "valid_from"], name="unique_staff_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"

    def clean(self) -> None:
        _clean_validity(self)
