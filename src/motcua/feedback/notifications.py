"""Notifications to applicants (thông báo cho tổ chức, cá nhân) by e-mail and SMS.

* Every new :class:`~motcua.dossiers.models.DossierAction` whose change concerns the applicant
  (:data:`NOTIFY_ACTIONS`) schedules, **after commit** (``transaction.on_commit``), one background
  task per channel; a rolled-back action sends nothing (design §3.8).
* The task (:func:`notification_deliver`) is idempotent: one :class:`Notification` row per action
  (or petition answer) per channel, guarded by a unique constraint; a run that finds it sent does
  nothing. A failed send is retried with exponential backoff up to ``MOTCUA_NOTIFY_MAX_ATTEMPTS``
  times, each attempt counted on the row (visible to operators in the admin).
* SMS goes through a provider registry (:func:`get_sms_provider`): ``log`` (default, writes a
  masked line to the log), or the dotted path of a class with ``send_sms(phone, text)``.

Personal data is never logged: logs name the notification id, not the address or the phone.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from motcua.catalog.text import fold
from motcua.dossiers.models import DossierAction
from motcua.worktime.engine import TZ

from .models import Notification, NotificationChannel, NotificationKind, NotificationStatus, Petition

logger = logging.getLogger(__name__)

# What the applicant is told, per action: (headline for the subject, plain-words status, what to do).
_MESSAGES: dict[str, tuple[str, str, str]] = {
    "receive": (
        _("đã được tiếp nhận"),
        _("Hồ sơ đã được tiếp nhận và đang được giải quyết."),
        _("Ông/bà có thể tra cứu tiến độ bằng mã hồ sơ và mã bí mật dưới đây."),
    ),
    "request_supplement": (
        _("cần bổ sung, hoàn thiện"),
        _("Hồ sơ cần được bổ sung, hoàn thiện."),
        _("Vui lòng bổ sung theo hướng dẫn dưới đây; thời hạn giải quyết được tính lại khi nhận đủ."),
    ),
    "refuse_at_reception": (
        _("không được tiếp nhận"),
        _("Hồ sơ không được tiếp nhận."),
        _("Lý do được nêu dưới đây."),
    ),
    "reject_after_appraisal": (
        _("bị từ chối giải quyết"),
        _("Cơ quan có thẩm quyền từ chối giải quyết hồ sơ."),
        _("Lý do được nêu dưới đây."),
    ),
    "request_financial_obligation": (
        _("cần thực hiện nghĩa vụ tài chính"),
        _("Hồ sơ đang chờ ông/bà thực hiện nghĩa vụ tài chính (nộp phí, lệ phí, thuế)."),
        _("Sau khi nộp, hồ sơ sẽ tiếp tục được giải quyết."),
    ),
    "apologize_and_extend": (
        _("được hẹn lại ngày trả kết quả"),
        _(
            "Hồ sơ chưa giải quyết được đúng hẹn; cơ quan giải quyết xin lỗi ông/bà và hẹn lại ngày trả kết quả."
        ),
        _("Ngày hẹn trả mới ghi dưới đây."),
    ),
    "resolve": (
        _("đã có kết quả"),
        _("Hồ sơ đã có kết quả, đang chờ trả."),
        _("Mời ông/bà nhận kết quả tại nơi đã nộp hồ sơ hoặc theo hình thức đã đăng ký."),
    ),
    "return_result": (
        _("đã trả kết quả"),
        _("Kết quả giải quyết hồ sơ đã được trả."),
        _("Mời ông/bà đánh giá việc giải quyết hồ sơ trên Cổng dịch vụ công."),
    ),
    "stop": (
        _("đã dừng xử lý"),
        _("Hồ sơ đã dừng xử lý."),
        _("Lý do được nêu dưới đây."),
    ),
    "withdraw": (
        _("đã được rút"),
        _("Hồ sơ đã được rút theo đề nghị của ông/bà."),
        "",
    ),
    "close_unanswered": (
        _("đã đóng do quá hạn bổ sung"),
        _("Hồ sơ đã đóng vì không được bổ sung trong thời hạn quy định."),
        _("Ông/bà có thể nộp lại hồ sơ mới."),
    ),
}
#: Actions whose status change concerns the applicant (an internal hand-over does not).
NOTIFY_ACTIONS = frozenset(_MESSAGES)
# Actions after which the due moment is worth repeating in the message.
_SHOW_DUE = frozenset({"receive", "apologize_and_extend", "request_financial_obligation"})
# A row left "sending" longer than this by a crashed worker may be taken again.
_STALE_SENDING = dt.timedelta(minutes=15)


# ---------------------------------------------------------------------------------------------
# SMS providers (integrations are plugins behind a registry, design §3.9)
# ---------------------------------------------------------------------------------------------


class SmsProvider(Protocol):
    def send_sms(self, phone: str, text: str) -> None: ...


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"{digits[:3]}****{digits[-3:]}" if len(digits) > 6 else "***"


class LoggingSmsProvider:
    """Development and test provider: writes the message to the log with the number masked."""

    def send_sms(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


SMS_PROVIDERS: dict[str, str] = {"log": "motcua.feedback.notifications.LoggingSmsProvider"}


def get_sms_provider() -> SmsProvider | None:
    """The provider named by ``MOTCUA_SMS_PROVIDER`` (a registered name or a dotted class path);
    None when the setting is empty (no SMS)."""
    name = str(getattr(settings, "MOTCUA_SMS_PROVIDER", "log") or "").strip()
    if not name:
        return None
    return import_string(SMS_PROVIDERS.get(name, name))()


def send_sms(phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` through the configured provider."""
    provider = get_sms_provider()
    if provider is None:
        raise RuntimeError("No SMS provider configured (MOTCUA_SMS_PROVIDER is empty).")
    provider.send_sms(phone, text)


# ---------------------------------------------------------------------------------------------
# Scheduling
# ---------------------------------------------------------------------------------------------


def _enabled() -> bool:
    return bool(getattr(settings, "MOTCUA_NOTIFICATIONS_ENABLED", True))


def enqueue_delivery(kind: str, ref_id: int, channel: str, *, delay: dt.timedelta | None = None) -> None:
    """Queue :func:`motcua.feedback.tasks.deliver_notification`; deferred by ``delay`` when the
    task backend supports it (the database backend does; the immediate one runs it now)."""
    from .tasks import deliver_notification

    task = deliver_notification
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(kind, ref_id, channel)


def _schedule(kind: str, ref_id: int, channels: list[str]) -> None:
    for channel in channels:
        # robust: a queue failure is logged and never breaks the request that committed.
        transaction.on_commit(functools.partial(enqueue_delivery, kind, ref_id, channel), robust=True)


@receiver(post_save, sender=DossierAction, dispatch_uid="motcua_feedback_dossier_action_notify")
def on_dossier_action(sender, instance: DossierAction, created: bool, raw: bool = False, **kwargs) -> None:
    """A new action that concerns the applicant: schedule its notifications after commit."""
    if not created or raw or instance.action not in NOTIFY_ACTIONS or not _enabled():
        return
    dossier = instance.dossier  # the instance the service just wrote: no query
    channels = []
    if dossier.email or dossier.applicant_user_id:
        channels.append(NotificationChannel.EMAIL.value)
    if dossier.phone and getattr(settings, "MOTCUA_SMS_PROVIDER", "log"):
        channels.append(NotificationChannel.SMS.value)
    _schedule(NotificationKind.DOSSIER_ACTION.value, instance.pk, channels)


def schedule_petition_answer(petition: Petition) -> None:
    """Called by the petition service inside its transaction: e-mail (and SMS) the answer after commit."""
    if not _enabled():
        return
    channels = []
    if petition.email or petition.user_id:
        channels.append(NotificationChannel.EMAIL.value)
    if petition.phone and getattr(settings, "MOTCUA_SMS_PROVIDER", "log"):
        channels.append(NotificationChannel.SMS.value)
    _schedule(NotificationKind.PETITION_ANSWER.value, petition.pk, channels)


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


def public_url() -> str:
    return str(getattr(settings, "MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y") if moment else ""


class Message:
    def __init__(self, *, recipient: str, subject: str, text: str, html: str = "", sms: str = "") -> None:
        self.recipient, self.subject, self.text, self.html, self.sms = recipient, subject, text, html, sms


def _dossier_message(action: DossierAction, channel: str) -> Message:
    from motcua.dossiers.printing import lookup_url

    dossier = action.dossier
    code = dossier.code or dossier.temp_reference
    headline, status_words, next_step = _MESSAGES[action.action]
    due = dossier.due_at if action.action in _SHOW_DUE and dossier.finished_at is None else None
    if action.action == "apologize_and_extend":
        # The new appointment as recorded by the action, whatever happened since.
        due = parse_datetime(str(action.payload.get("due_at") or "")) or due
    context = {
        "name": dossier.applicant_name,
        "code": code,
        "procedure": dossier.procedure_version.name,
        "status_words": status_words,
        "next_step": next_step,
        "reason": action.reason,
        "due": _local(due),
        "secret": dossier.lookup_secret if action.action == "receive" else "",
        "link": lookup_url(code) if dossier.code else "",
        "unit": dossier.receiving_unit.name,
        "evaluate_link": f"{public_url()}/danh-gia/{code}/" if action.action == "return_result" else "",
    }
    subject = str(_("Hồ sơ %(code)s %(headline)s") % {"code": code, "headline": headline})
    if channel == NotificationChannel.SMS:
        parts = [f"Ho so {code} {fold(str(headline))}."]
        if context["due"]:
            parts.append(f"Hen tra: {due.astimezone(TZ):%H:%M %d/%m/%Y}.")
        if context["link"]:
            parts.append(f"Tra cuu: {context['link']}")
        return Message(recipient=dossier.phone, subject=subject, text="", sms=" ".join(parts))
    recipient = dossier.email or (dossier.applicant_user.email if dossier.applicant_user_id else "")
    return Message(
        recipient=recipient,
        subject=subject,
        text=render_to_string("feedback/email/dossier_action.txt", context),
        html=render_to_string("feedback/email/dossier_action.html", context),
    )


def _petition_message(petition: Petition, channel: str) -> Message:
    link = f"{public_url()}/phan-anh/tra-cuu/?ma={petition.code}"
    subject = str(_("Trả lời phản ánh, kiến nghị %(code)s") % {"code": petition.code})
    if channel == NotificationChannel.SMS:
        return Message(
            recipient=petition.phone,
            subject=subject,
            text="",
            sms=f"PAKN {petition.code} da duoc tra loi. Xem: {link}",
        )
    context = {
        "name": petition.name,
        "code": petition.code,
        "received": _local(petition.received_at),
        "answered": _local(petition.answered_at),
        "answer": petition.answer,
        "unit": petition.unit.name,
        "link": link,
        "dossier": (petition.dossier.code if petition.dossier_id else ""),
    }
    recipient = petition.email or (petition.user.email if petition.user_id else "")
    return Message(
        recipient=recipient,
        subject=subject,
        text=render_to_string("feedback/email/petition_answer.txt", context),
        html=render_to_string("feedback/email/petition_answer.html", context),
    )


def build_message(kind: str, ref_id: int, channel: str) -> Message:
    with translation.override("vi"):
        if kind == NotificationKind.DOSSIER_ACTION:
            action = DossierAction.objects.select_related(
                "dossier__procedure_version", "dossier__receiving_unit", "dossier__applicant_user"
            ).get(pk=ref_id)
            return _dossier_message(action, channel)
        petition = Petition.objects.select_related("unit", "dossier", "user").get(pk=ref_id)
        return _petition_message(petition, channel)


# ---------------------------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------------------------


def _max_attempts() -> int:
    return max(1, int(getattr(settings, "MOTCUA_NOTIFY_MAX_ATTEMPTS", 5)))


def retry_delay(attempt: int) -> dt.timedelta:
    """Backoff after failed attempt number ``attempt`` (1-based): base × 2^(attempt−1)."""
    base = int(getattr(settings, "MOTCUA_NOTIFY_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=base * 2 ** (attempt - 1))


def _row(kind: str, ref_id: int, channel: str) -> Notification:
    key = {"action_id": ref_id} if kind == NotificationKind.DOSSIER_ACTION else {"petition_id": ref_id}
    try:
        with transaction.atomic():
            row, _created = Notification.objects.get_or_create(kind=kind, channel=channel, **key)
    except IntegrityError:  # a concurrent run created it first
        row = Notification.objects.get(kind=kind, channel=channel, **key)
    return row


def _claim(kind: str, ref_id: int, channel: str, now: dt.datetime) -> tuple[Notification, Message | None]:
    """Lock the row and take one attempt; (row, None) when there is nothing to send."""
    pk = _row(kind, ref_id, channel).pk
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=pk)
        if row.status in (NotificationStatus.SENT, NotificationStatus.SKIPPED, NotificationStatus.FAILED):
            return row, None
        if (
            row.status == NotificationStatus.SENDING
            and row.last_attempt_at
            and now - row.last_attempt_at < _STALE_SENDING
        ):
            return row, None
        message = build_message(kind, ref_id, channel)
        row.recipient, row.subject = message.recipient[:254], message.subject[:250]
        if not message.recipient:
            row.status = NotificationStatus.SKIPPED
            row.save()
            return row, None
        row.attempts += 1
        row.status = NotificationStatus.SENDING
        row.last_attempt_at = now
        row.next_attempt_at = None
        row.save()
        return row, message


def _send(channel: str, message: Message) -> None:
    if channel == NotificationChannel.SMS:
        send_sms(message.recipient, message.sms)
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    email.send(fail_silently=False)


def notification_deliver(*, kind: str, ref_id: int, channel: str, now: dt.datetime | None = None) -> str:
    """Send one notification (at most once), record the attempt, and schedule a retry with
    backoff on failure. Returns the row's status afterwards."""
    now = now or timezone.now()
    row, message = _claim(kind, ref_id, channel, now)
    if message is None:
        return row.status
    try:
        _send(channel, message)
    except Exception as exc:  # any transport error (SMTP, socket, provider) is retried
        error = f"{type(exc).__name__}: {exc}"[:500]
        retry = row.attempts < _max_attempts()
        Notification.objects.filter(pk=row.pk).update(
            status=NotificationStatus.RETRYING if retry else NotificationStatus.FAILED,
            last_error=error,
            next_attempt_at=now + retry_delay(row.attempts) if retry else None,
        )
        logger.warning(
            "Notification %s attempt %s failed (%s)%s",
            row.pk,
            row.attempts,
            type(exc).__name__,
            "; retrying" if retry else "; giving up",
        )
        if retry:
            enqueue_delivery(kind, ref_id, channel, delay=retry_delay(row.attempts))
        row.refresh_from_db()
        return row.status
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENT, sent_at=timezone.now())
    return NotificationStatus.SENT.value
