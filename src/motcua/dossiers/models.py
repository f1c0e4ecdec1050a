"""Dossiers (hồ sơ thủ tục hành chính) and what happened to them."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


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


# ---------------------------------------------------------------------------------------------
# The dossier
# ---------------------------------------------------------------------------------------------


class Status(models.TextChoices):
    """Business status of a dossier (tthc-spec §2.3); the national code is :func:`national_status`."""

    SUBMITTED = "submitted", _("Mới đăng ký (nộp trực tuyến, chờ tiếp nhận)")
    SUPPLEMENT_AT_RECEPTION = "supplement_at_reception", _("Yêu cầu bổ sung khi tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    REFUSED = "refused", _("Không được tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    CONSULTING = "consulting", _("Đang lấy ý kiến")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung (thẩm định)")
    FINANCIAL_OBLIGATION = "financial_obligation", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    APPROVED = "approved", _("Đã phê duyệt")
    REJECTED = "rejected", _("Từ chối giải quyết sau thẩm định")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")
    CLOSED_UNANSWERED = "closed_unanswered", _("Đóng hồ sơ (quá hạn bổ sung)")
    RESOLVED = "resolved", _("Đã xử lý xong")
    RETURNED = "returned", _("Đã trả kết quả")


# DVCQG TrangThaiHoSo (tthc-spec §2.3). Refusal after appraisal and the Art. 19(5) closure are
# synced as 8 "Dừng xử lý" (spec Q4 and tthc-2025-update §2.3 leave 8 vs 3 open [U]).
NATIONAL_STATUS: dict[str, int] = {
    Status.SUBMITTED: 1,
    Status.SUPPLEMENT_AT_RECEPTION: 5,
    Status.RECEIVED: 2,
    Status.REFUSED: 3,
    Status.PROCESSING: 4,
    Status.CONSULTING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.FINANCIAL_OBLIGATION: 6,
    Status.APPROVED: 4,
    Status.REJECTED: 8,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.CLOSED_UNANSWERED: 8,
    Status.RESOLVED: 9,
    Status.RETURNED: 10,
}

TERMINAL_STATUSES = frozenset(
    {
        Status.REFUSED,
        Status.REJECTED,
        Status.WITHDRAWN,
        Status.STOPPED,
        Status.CLOSED_UNANSWERED,
        Status.RETURNED,
    }
)


class Channel(models.TextChoices):
    DIRECT = "direct", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")
    AT_HOME = "at_home", _("Tại nhà")


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
    HOUSEHOLD_BUSINESS = "household_business", _("Hộ kinh doanh")


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class StopInitiator(models.TextChoices):
    APPLICANT = "applicant", _("Tổ chức, cá nhân đề nghị")
    AGENCY = "agency", _("Cơ quan giải quyết")


class LegalOutcome(models.TextChoices):
    """Circular 01/2018 Art. 13 Index 1: shorter = early, equal = on time, longer = late."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class PortalOutcome(models.TextChoices):
    """DVCQG 766 indicator 2.1 (tthc-spec §1.3): early and on time are one bucket."""

    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


class DossierSource(models.TextChoices):
    """Where a dossier's row came from; the indicators do not care (issue 6)."""

    LIVE = "", _("Tiếp nhận trên hệ thống")
    IMPORTED = "import", _("Nhập từ hệ thống khác")
    SIMULATED = "simulated", _("Dữ liệu mô phỏng")


def national_status(status: str, stop_initiator: str = "", *, applicant_stop_code: int | None = None) -> int:
    """DVCQG status code 1–10 of a business status.

    A stop at the applicant's request (Decree 118/2025 Art. 21) is synced as 7 "Công dân yêu cầu
    rút hồ sơ" by default; the mapping is unverified [U] (tthc-2025-update §2.6), hence the
    ``MOTCUA_APPLICANT_STOP_NATIONAL_STATUS`` setting.
    """
    if status == Status.STOPPED and stop_initiator == StopInitiator.APPLICANT:
        if applicant_stop_code is None:
            applicant_stop_code = getattr(settings, "MOTCUA_APPLICANT_STOP_NATIONAL_STATUS", 7)
        return applicant_stop_code
    return NATIONAL_STATUS[status]


class Dossier(models.Model):
    """Hồ sơ thủ tục hành chính: a case of a procedure, its rules snapshot, clock and facts.

    Status, due moments and facts are a cache of the action log (:class:`DossierAction`), written
    in the same transaction by ``motcua.dossiers.services`` only.
    """

    code = models.CharField("mã số hồ sơ", max_length=60, unique=True, null=True, blank=True)
    temp_reference = models.CharField("mã tạm", max_length=60, blank=True, db_index=True)
    lookup_secret = models.CharField(
        "mã bí mật tra cứu",
        max_length=16,
        blank=True,
        editable=False,
        help_text="In trên giấy tiếp nhận; cùng mã hồ sơ cho phép tra cứu công khai.",
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        verbose_name="phiên bản thủ tục",
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase", verbose_name="trường hợp thủ tục", on_delete=models.PROTECT, related_name="+"
    )

    # Rules snapshot (design §3.7): what the dossier was received under, never rewritten.
    limit_value = models.DecimalField(
        "thời hạn áp dụng", max_digits=6, decimal_places=2, null=True, blank=True
    )
    limit_unit = models.CharField("đơn vị thời hạn", max_length=20, blank=True)
    hours_profile = models.CharField("khung giờ làm việc", max_length=100, blank=True)
    hours_windows = models.JSONField("các khung giờ", default=dict, blank=True)
    supplement_policy = models.CharField(
        "chính sách tính lại thời hạn khi bổ sung", max_length=20, default="restart"
    )
    law_framework = models.CharField("khung pháp lý", max_length=4, default="2025")

    # Applicant (người nộp) and optional proxy (người được ủy quyền).
    applicant_type = models.CharField("loại chủ hồ sơ", max_length=20, choices=ApplicantType.choices)
    applicant_name = models.CharField("họ tên / tên tổ chức", max_length=250)
    id_kind = models.CharField("loại giấy tờ định danh", max_length=20, blank=True)
    id_number = models.CharField("số định danh", max_length=20, blank=True)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    sex = models.CharField("giới tính", max_length=10, choices=Sex.choices, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    address_unit = models.ForeignKey(
        "org.AdministrativeUnit",
        verbose_name="đơn vị hành chính (địa chỉ)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proxy_name = models.CharField("người được ủy quyền", max_length=250, blank=True)
    proxy_id_number = models.CharField("số định danh người được ủy quyền", max_length=20, blank=True)
    proxy_phone = models.CharField("điện thoại người được ủy quyền", max_length=30, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản chủ hồ sơ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="own_dossiers",
    )
    # How the applicant signed in when filing online (Decree 118/2025 Art. 17; Decree 69/2024 on
    # electronic identification): "" at the counter, "local" (e-mail + password) or "oidc:<provider>".
    applicant_sign_in = models.CharField("phương thức đăng nhập khi nộp", max_length=60, blank=True)
    applicant_identity_verified = models.BooleanField(
        "tài khoản đã xác thực định danh", default=False, help_text="Nộp bằng tài khoản định danh điện tử."
    )

    channel = models.CharField("kênh nộp", max_length=10, choices=Channel.choices)
    receiving_unit = models.ForeignKey(
        "org.Agency", verbose_name="bộ phận một cửa tiếp nhận", on_delete=models.PROTECT, related_name="+"
    )
    resolving_agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan giải quyết", on_delete=models.PROTECT, related_name="+"
    )
    is_group = models.BooleanField("hồ sơ liên thông", default=False)
    status = models.CharField("trạng thái", max_length=30, choices=Status.choices)

    # Clock.
    submitted_at = models.DateTimeField("thời điểm nộp", null=True, blank=True)
    acceptance_due_at = models.DateTimeField("hạn tiếp nhận (8 giờ làm việc)", null=True, blank=True)
    received_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    due_at = models.DateTimeField("ngày hẹn trả (hiện hành)", null=True, blank=True)
    original_due_at = models.DateTimeField("ngày hẹn trả ban đầu", null=True, blank=True)
    extended = models.BooleanField("đã gia hạn", default=False)
    finished_at = models.DateTimeField("thời điểm kết thúc xử lý", null=True, blank=True)
    returned_at = models.DateTimeField("thời điểm trả kết quả", null=True, blank=True)
    current_step = models.PositiveSmallIntegerField("bước hiện tại", default=0)
    step_due_at = models.DateTimeField("hạn của bước", null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xử lý",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
    )
    supplement_count = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    supplement_requested_at = models.DateTimeField("thời điểm yêu cầu bổ sung", null=True, blank=True)
    paused_working_minutes = models.PositiveIntegerField("thời gian chờ bổ sung (phút làm việc)", default=0)
    paused_minutes = models.PositiveIntegerField("thời gian chờ bổ sung (phút)", default=0)
    stop_initiator = models.CharField(
        "bên đề nghị dừng", max_length=10, choices=StopInitiator.choices, blank=True
    )
    version = models.PositiveIntegerField("phiên bản", default=1)

    # Indicator facts (design §3.12).
    is_online = models.BooleanField("trực tuyến", default=False)
    digitized = models.BooleanField("đã số hóa", default=False)
    e_result = models.BooleanField("trả kết quả điện tử", default=False)
    paid_online = models.BooleanField("thanh toán trực tuyến", default=False)
    synced = models.BooleanField("đã đồng bộ DVCQG", default=False)
    evaluated = models.BooleanField("đã được đánh giá", default=False)
    outcome_legal = models.CharField(
        "kết quả (quy tắc pháp lý)", max_length=10, choices=LegalOutcome.choices, blank=True
    )
    outcome_portal = models.CharField(
        "kết quả (quy tắc 766)", max_length=10, choices=PortalOutcome.choices, blank=True
    )
    outcome_vs_original = models.CharField(
        "kết quả so với hẹn ban đầu", max_length=10, choices=LegalOutcome.choices, blank=True
    )
    outcome_portal_vs_original = models.CharField(
        "kết quả (quy tắc 766) so với hẹn ban đầu", max_length=10, choices=PortalOutcome.choices, blank=True
    )
    # Facts that no screen records yet: the import (docs/import-format.md) and the simulator fill
    # them. NULL means "not recorded" (the indicator is then not computable), never "no".
    source = models.CharField(
        "nguồn dữ liệu", max_length=10, choices=DossierSource.choices, blank=True, default=""
    )
    e_result_code = models.CharField("mã kết quả điện tử", max_length=100, blank=True)
    paper_result_required = models.BooleanField(
        "thủ tục yêu cầu trả kết quả bản giấy",
        null=True,
        blank=True,
        help_text="Trống: theo phiên bản thủ tục.",
    )
    fee_bearing = models.BooleanField(
        "có phí, lệ phí", null=True, blank=True, help_text="Trống: theo phiên bản thủ tục."
    )
    fee_amount = models.PositiveBigIntegerField("phí, lệ phí phải nộp (đồng)", null=True, blank=True)
    paid_online_amount = models.PositiveBigIntegerField(
        "đã thanh toán trực tuyến (đồng)", null=True, blank=True
    )
    reused_components = models.PositiveSmallIntegerField(
        "số thành phần tái sử dụng dữ liệu số hóa", null=True, blank=True
    )
    store_components = models.PositiveSmallIntegerField(
        "số thành phần lấy từ kho dữ liệu cá nhân", null=True, blank=True
    )
    vneid_verified = models.BooleanField("xác thực VNeID", null=True, blank=True)
    population_data = models.BooleanField("khai thác CSDL quốc gia về dân cư", null=True, blank=True)
    synced_at = models.DateTimeField("thời điểm đồng bộ DVCQG", null=True, blank=True)
    satisfied = models.BooleanField("hài lòng (đánh giá)", null=True, blank=True)
    petition = models.BooleanField("có phản ánh, kiến nghị", default=False)

    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes = [
            models.Index(fields=["status"], name="dossier_status"),
            models.Index(fields=["receiving_unit", "status"], name="dossier_receiving_status"),
            models.Index(fields=["resolving_agency", "status"], name="dossier_resolving_status"),
            models.Index(fields=["due_at"], name="dossier_due"),
            models.Index(fields=["received_at"], name="dossier_received"),
            models.Index(fields=["applicant_user"], name="dossier_applicant_user"),
        ]

    def __str__(self) -> str:
        return self.code or self.temp_reference or f"#{self.pk}"

    @property
    def national_status(self) -> int:
        return national_status(self.status, self.stop_initiator)


class DossierComponent(models.Model):
    """Thành phần hồ sơ: a paper of the dossier, with its scanned file (Decree 118/2025 Art. 17(1)(c))."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="components"
    )
    component = models.ForeignKey(
        "catalog.Component",
        verbose_name="thành phần (danh mục)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.TextField("tên giấy tờ")
    originals = models.PositiveSmallIntegerField("số bản chính", default=0)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    file = models.FileField("tệp", upload_to="dossiers/%Y/%m/", null=True, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"

    def __str__(self) -> str:
        return self.name


class ImmutableError(Exception):
    """An attempt to change or delete an action-log row (design §3.3)."""


class DossierActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("Nhật ký xử lý hồ sơ không được sửa.")

    def delete(self):
        raise ImmutableError("Nhật ký xử lý hồ sơ không được xóa.")


class DossierAction(models.Model):
    """Nhật ký xử lý hồ sơ: one immutable row per action (design §3.3; Decree 118/2025 Art. 21(3)
    requires the full status history to be kept)."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="actions"
    )
    action = models.CharField("thao tác", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField("vai trò", max_length=30)
    unit = models.ForeignKey(
        "org.Agency", verbose_name="đơn vị", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("thời điểm")
    from_status = models.CharField("từ trạng thái", max_length=30, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=30)
    step = models.PositiveSmallIntegerField("bước", default=0)
    reason = models.TextField("lý do", blank=True)
    payload = models.JSONField("dữ liệu", default=dict, blank=True, encoder=DjangoJSONEncoder)
    # NULL = no key; uniqueness per actor applies to keys only (constraints below).
    idempotency_key = models.CharField("khóa chống lặp", max_length=100, null=True, blank=True)  # noqa: DJ001

    objects = DossierActionQuerySet.as_manager()

    class Meta:
        verbose_name = "nhật ký xử lý"
        verbose_name_plural = "nhật ký xử lý"
        ordering = ["dossier", "at", "id"]
        # An idempotency key is the client's: it is unique per actor (NULL actor: per system), on
        # a dossier for its actions and across dossiers for creations, so two clients that pick
        # the same key never see or block each other's request (the API's tokens map to actors).
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "actor", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False, actor__isnull=False),
                name="dossier_action_unique_key_per_actor",
            ),
            models.UniqueConstraint(
                fields=["dossier", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False, actor__isnull=True),
                name="dossier_action_unique_key_no_actor",
            ),
            # A creation (reception, counter answer, online submission) retried with the same key
            # never makes a second dossier, even when both attempts run at once.
            models.UniqueConstraint(
                fields=["actor", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False, from_status="", actor__isnull=False),
                name="dossier_action_unique_creation_key_per_actor",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False, from_status="", actor__isnull=True),
                name="dossier_action_unique_creation_key_no_actor",
            ),
        ]
        indexes = [models.Index(fields=["idempotency_key"], name="dossier_action_idem")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("Nhật ký xử lý hồ sơ không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Nhật ký xử lý hồ sơ không được xóa.")


class PersonalDataAccess(models.Model):
    """A staff member read a dossier's personal data (design §3.11; Decree 13/2023 on personal
    data protection requires such processing to be traceable). Append-only."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người xem", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("thời điểm")
    purpose = models.CharField("mục đích", max_length=50, default="view")

    class Meta:
        verbose_name = "truy cập dữ liệu cá nhân"
        verbose_name_plural = "truy cập dữ liệu cá nhân"
        indexes = [models.Index(fields=["dossier", "at"], name="dossier_pd_access")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.dossier_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError("Nhật ký truy cập dữ liệu cá nhân không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Nhật ký truy cập dữ liệu cá nhân không được xóa.")
