"""Citizen evaluations (đánh giá việc giải quyết TTHC), petitions (phản ánh, kiến nghị — PAKN)
and the notifications sent to applicants (thông báo).

Evaluation criteria: Decree 61/2018 Art. 31 (a–i), kept by Decree 118/2025 Art. 33(1); each is
scored 2 / 1 / 0 as in Circular 01/2018 Art. 13 (tthc-spec §2.7). The 766 index reads only the
like/dislike (``satisfied``) and the PAKN linked to a dossier (tthc-spec §1.3, 5.4).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One item of Decree 61/2018 Art. 31 with the meaning of 2, 1 and 0 points for it."""

    field: str
    letter: str
    label: str
    choices: tuple[tuple[int, str], ...]
    optional: bool = False  # "Không áp dụng" allowed (no PAKN filed, not an online dossier)


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "time_score",
        "a",
        _("Thời gian trả kết quả so với thời hạn quy định"),
        ((2, _("Sớm hơn hẹn")), (1, _("Đúng hẹn")), (0, _("Trễ hẹn"))),
    ),
    Criterion(
        "agencies_score",
        "b",
        _("Số cơ quan, đơn vị phải liên hệ để hoàn thành hồ sơ"),
        (
            (2, _("Không phải liên hệ thêm cơ quan nào")),
            (1, _("Chỉ liên hệ Bộ phận Một cửa")),
            (0, _("Phải liên hệ nhiều hơn một cơ quan")),
        ),
    ),
    Criterion(
        "contacts_score",
        "c",
        _("Số lần phải liên hệ để hoàn thiện hồ sơ"),
        ((2, _("Không lần nào")), (1, _("Một lần")), (0, _("Nhiều hơn một lần"))),
    ),
    Criterion(
        "publicity_score",
        "d",
        _("Thông tin thủ tục hành chính được công khai"),
        (
            (2, _("Chính xác, đầy đủ, kịp thời")),
            (1, _("Chưa đầy đủ hoặc chưa kịp thời")),
            (0, _("Không chính xác hoặc không được công khai")),
        ),
    ),
    Criterion(
        "conduct_score",
        "đ",
        _("Thái độ, hành vi của cán bộ, công chức"),
        (
            (2, _("Lịch sự, tận tình, chu đáo")),
            (1, _("Bình thường")),
            (0, _("Gây phiền hà, sách nhiễu")),
        ),
    ),
    Criterion(
        "lawfulness_score",
        "e",
        _("Kết quả và chi phí đúng quy định"),
        (
            (2, _("Đúng quy định, không có chi phí ngoài quy định")),
            (1, _("Đúng quy định nhưng phải sửa sai sót")),
            (0, _("Sai quy định hoặc có chi phí ngoài quy định")),
        ),
    ),
    Criterion(
        "explanation_score",
        "g",
        _("Thời gian, chất lượng giải thích, trả lời phản ánh, kiến nghị, khiếu nại"),
        (
            (2, _("Kịp thời, rõ ràng")),
            (1, _("Chậm hoặc chưa rõ ràng")),
            (0, _("Không được giải thích, trả lời")),
        ),
        optional=True,
    ),
    Criterion(
        "online_score",
        "h",
        _("Tiến độ, chất lượng dịch vụ công trực tuyến"),
        ((2, _("Tốt")), (1, _("Bình thường")), (0, _("Chưa tốt"))),
        optional=True,
    ),
)
CRITERIA_FIELDS = tuple(c.field for c in CRITERIA)


def _score_field(criterion: Criterion) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        f"{criterion.letter}) {criterion.label}",
        choices=criterion.choices,
        null=criterion.optional,
        blank=criterion.optional,
    )


class EvaluationChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến (người nộp hồ sơ)")
    PAPER = "paper", _("Phiếu đánh giá giấy (cán bộ một cửa ghi nhận)")


class Evaluation(models.Model):
    """Đánh giá việc giải quyết hồ sơ: one per dossier, by its applicant or recorded from a paper
    form at the counter (Circular 01/2018 Art. 12, 14). Sets ``Dossier.evaluated``."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="evaluation"
    )
    channel = models.CharField("hình thức", max_length=10, choices=EvaluationChannel.choices)
    time_score = _score_field(CRITERIA[0])
    agencies_score = _score_field(CRITERIA[1])
    contacts_score = _score_field(CRITERIA[2])
    publicity_score = _score_field(CRITERIA[3])
    conduct_score = _score_field(CRITERIA[4])
    lawfulness_score = _score_field(CRITERIA[5])
    explanation_score = _score_field(CRITERIA[6])
    online_score = _score_field(CRITERIA[7])
    # The like / dislike of the DVCQG real-time index (766 indicator 5.4).
    satisfied = models.BooleanField("hài lòng")
    comment = models.TextField("ý kiến khác (điểm i)", blank=True, max_length=2000)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đánh giá (tài khoản)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ ghi nhận phiếu giấy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("thời điểm đánh giá")

    class Meta:
        verbose_name = "đánh giá"
        verbose_name_plural = "đánh giá"
        indexes = [models.Index(fields=["at"], name="evaluation_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    *[
                        models.Q(**{f"{f}__lte": 2}) | models.Q(**{f"{f}__isnull": True})
                        for f in CRITERIA_FIELDS
                    ]
                ),
                name="evaluation_scores_0_to_2",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'hài lòng' if self.satisfied else 'không hài lòng'}"

    @property
    def total(self) -> int:
        return sum(getattr(self, f) or 0 for f in CRITERIA_FIELDS)

    def scored(self) -> list[tuple[Criterion, int | None, str]]:
        """(criterion, points, label of the chosen answer) in the order of Art. 31."""
        rows = []
        for c in CRITERIA:
            value = getattr(self, c.field)
            label = (
                dict(c.choices).get(value, _("Không áp dụng")) if value is not None else _("Không áp dụng")
            )
            rows.append((c, value, label))
        return rows


# ---------------------------------------------------------------------------------------------
# Petitions (PAKN)
# ---------------------------------------------------------------------------------------------


class PetitionCategory(models.TextChoices):
    """What the petition is about; 766 indicator 5.1 splits regulations/TTHC from staff."""

    PROCEDURE = "procedure", _("Quy định, thủ tục hành chính")
    HANDLING = "handling", _("Việc giải quyết hồ sơ (tiến độ, kết quả)")
    CONDUCT = "conduct", _("Thái độ, hành vi của cán bộ, công chức")
    ONLINE = "online", _("Dịch vụ công trực tuyến, hệ thống")
    OTHER = "other", _("Nội dung khác")


#: 766 indicator 5.1 classification (tracked only): regulations/TTHC vs staff behaviour.
CATEGORY_CLASSIFICATION = {
    PetitionCategory.PROCEDURE: "tthc",
    PetitionCategory.HANDLING: "tthc",
    PetitionCategory.ONLINE: "tthc",
    PetitionCategory.CONDUCT: "staff",
    PetitionCategory.OTHER: "tthc",
}


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng")


OPEN_PETITION_STATUSES = (PetitionStatus.RECEIVED, PetitionStatus.PROCESSING)


class Petition(models.Model):
    """Phản ánh, kiến nghị (PAKN) about a dossier or a procedure, with its own deadline in working
    days (``MOTCUA_PETITION_DEADLINE_WORKING_DAYS``), visible to the responsible unit's subtree."""

    code = models.CharField("mã phản ánh", max_length=30, unique=True)
    category = models.CharField("nhóm nội dung", max_length=20, choices=PetitionCategory.choices)
    content = models.TextField("nội dung", max_length=4000)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ liên quan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name="thủ tục liên quan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Agency", verbose_name="đơn vị chịu trách nhiệm", on_delete=models.PROTECT, related_name="+"
    )
    # Who filed it: an account, or contact data given without signing in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản người phản ánh",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    name = models.CharField("họ tên người phản ánh", max_length=200)
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)

    status = models.CharField(
        "trạng thái", max_length=12, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED
    )
    received_at = models.DateTimeField("thời điểm tiếp nhận")
    due_at = models.DateTimeField("hạn trả lời")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField("nội dung trả lời", blank=True, max_length=8000)
    answered_at = models.DateTimeField("thời điểm trả lời", null=True, blank=True)
    # Fact for 766 indicator 5.2, written with the answer (answered_at ≤ due_at).
    answered_on_time = models.BooleanField("trả lời đúng hạn", null=True, blank=True)
    # Like / dislike of the answer by the petitioner (766 indicator 5.3).
    answer_satisfied = models.BooleanField("hài lòng với câu trả lời", null=True, blank=True)
    closed_at = models.DateTimeField("thời điểm đóng", null=True, blank=True)
    close_note = models.CharField("ghi chú khi đóng", max_length=500, blank=True)
    idempotency_key = models.CharField("khóa chống lặp", max_length=64, unique=True)

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="petition_unit_status"),
            models.Index(fields=["received_at"], name="petition_received"),
            models.Index(fields=["due_at"], name="petition_due"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PETITION_STATUSES

    def is_overdue(self, now) -> bool:
        """Open past its deadline, or answered after it."""
        if self.answered_at is not None:
            return self.answered_at > self.due_at
        return self.is_open and now > self.due_at


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class NotificationKind(models.TextChoices):
    DOSSIER_ACTION = "dossier_action", _("Thay đổi trạng thái hồ sơ")
    PETITION_ANSWER = "petition_answer", _("Trả lời phản ánh, kiến nghị")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    RETRYING = "retrying", _("Gửi lỗi, sẽ thử lại")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")
    SKIPPED = "skipped", _("Không có địa chỉ nhận")


class Notification(models.Model):
    """One message on one channel about one dossier action or one petition answer. The unique
    constraints make delivery idempotent: a task run twice finds the row and sends nothing more."""

    kind = models.CharField("loại", max_length=20, choices=NotificationKind.choices)
    channel = models.CharField("kênh", max_length=10, choices=NotificationChannel.choices)
    action = models.ForeignKey(
        "dossiers.DossierAction",
        verbose_name="thao tác hồ sơ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    petition = models.ForeignKey(
        Petition,
        verbose_name="phản ánh, kiến nghị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    recipient = models.CharField("người nhận", max_length=254, blank=True)
    subject = models.CharField("tiêu đề", max_length=250, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    last_error = models.CharField("lỗi gần nhất", max_length=500, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_attempt_at = models.DateTimeField("lần gửi gần nhất", null=True, blank=True)
    next_attempt_at = models.DateTimeField("thử lại lúc", null=True, blank=True)
    sent_at = models.DateTimeField("đã gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        constraints = [
            models.UniqueConstraint(
                fields=["action", "channel"],
                condition=models.Q(action__isnull=False),
                name="notification_once_per_action_channel",
            ),
            models.UniqueConstraint(
                fields=["petition", "kind", "channel"],
                condition=models.Q(petition__isnull=False),
                name="notification_once_per_petition_kind_channel",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="notification_status")]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.status}"
