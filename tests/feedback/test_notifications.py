"""Notifications of status changes that concern the applicant: sent after commit (nothing on a
rollback), one per action and channel, retried with backoff on SMTP failure, SMS through the
provider registry with the number masked in the log."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import transaction

from motcua.dossiers.services import dossier_perform
from motcua.feedback.models import Notification, NotificationStatus
from motcua.feedback.notifications import NOTIFY_ACTIONS, enqueue_delivery, notification_deliver, retry_delay
from motcua.feedback.tasks import deliver_notification

from . import backends
from .conftest import receive

pytestmark = pytest.mark.django_db

FLAKY = "tests.feedback.backends.FlakyBackend"


def deliveries(callbacks) -> list:
    """The after-commit callbacks that queue a notification (other apps register their own)."""
    return [c for c in callbacks if getattr(c, "func", None) is enqueue_delivery]


@pytest.fixture(autouse=True)
def _sms_off_unless_asked(settings):
    settings.MOTCUA_SMS_PROVIDER = "log"


def test_reception_mails_the_applicant_after_commit_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        d = receive(world)
        assert mail.outbox == []  # the transaction has not committed yet
    assert len(deliveries(callbacks)) == 1  # e-mail only: no phone number
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["congdan@example.vn"]
    assert message.subject == f"Hồ sơ {d.code} đã được tiếp nhận"
    body = message.body
    assert "Kính gửi Trần Thị Lan" in body
    assert "Hồ sơ đã được tiếp nhận và đang được giải quyết." in body
    assert f"Hẹn trả kết quả: {d.due_at.astimezone(dt.UTC).astimezone(d.due_at.tzinfo):%H:%M}" in body
    assert f"Mã bí mật tra cứu: {d.lookup_secret}" in body
    assert f"/tra-cuu/?ma={d.code}" in body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and d.code in html and 'lang="vi"' in html
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.channel) == (NotificationStatus.SENT, 1, "email")


def test_nothing_is_sent_when_the_action_rolls_back(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            receive(world)
            raise RuntimeError("the caller's transaction fails after the action")
    assert deliveries(callbacks) == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_only_changes_that_concern_the_applicant_are_notified(world, django_capture_on_commit_callbacks):
    d = receive(world)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_perform(dossier=d, action="forward", actor=None, roles=["receiving_officer"])  # internal
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        for action, role in [
            ("forward", "specialist"),
            ("approve", "unit_leader"),
            ("resolve", "unit_leader"),
            ("return_result", "receiving_officer"),
        ]:
            dossier_perform(dossier=d, action=action, actor=None, roles=[role])
    assert [m.subject.split(" ", 2)[2].split(" ", 1)[1] for m in mail.outbox] == [
        "đã có kết quả",
        "đã trả kết quả",
    ]
    assert f"/danh-gia/{d.code}/" in mail.outbox[1].body
    assert {
        "receive",
        "request_supplement",
        "refuse_at_reception",
        "apologize_and_extend",
        "resolve",
        "return_result",
        "stop",
        "withdraw",
        "close_unanswered",
        "reject_after_appraisal",
    } <= NOTIFY_ACTIONS
    assert "forward" not in NOTIFY_ACTIONS and "approve" not in NOTIFY_ACTIONS


def test_a_supplement_request_says_what_is_missing(world, django_capture_on_commit_callbacks):
    d = receive(world)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_perform(
            dossier=d,
            action="request_supplement",
            actor=None,
            roles=["receiving_officer"],
            reason="Thiếu bản sao giấy chứng nhận kết hôn.",
        )
    assert "cần bổ sung, hoàn thiện" in mail.outbox[0].subject
    assert "Thiếu bản sao giấy chứng nhận kết hôn." in mail.outbox[0].body


def test_one_email_per_action_however_often_the_task_runs(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(world)
    row = Notification.objects.get()
    assert notification_deliver(kind=row.kind, ref_id=row.action_id, channel="email") == "sent"
    deliver_notification.enqueue(row.kind, row.action_id, "email")
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1 and Notification.objects.get().attempts == 1


def test_an_smtp_failure_is_retried_until_it_goes_through(
    world, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FLAKY
    backends.reset(failures=2)
    with django_capture_on_commit_callbacks(execute=True):
        receive(world)
    # The immediate task backend runs each retry at once; the database one defers it (below).
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 3)
    assert "SMTPServerDisconnected" in row.last_error
    assert len(mail.outbox) == 1


def test_retries_stop_after_the_configured_attempts(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FLAKY
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 3
    backends.reset(failures=99)
    with django_capture_on_commit_callbacks(execute=True):
        receive(world)
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (NotificationStatus.FAILED, 3)
    assert backends.FlakyBackend.calls == 3
    assert mail.outbox == []
    # A failed notification is not sent again by a stray run.
    assert notification_deliver(kind=row.kind, ref_id=row.action_id, channel="email") == "failed"
    assert backends.FlakyBackend.calls == 3


def test_with_the_database_queue_a_retry_is_deferred_with_backoff(world, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "motcua.taskqueue.DatabaseBackend", "QUEUES": ["default"]}}
    settings.EMAIL_BACKEND = FLAKY
    settings.MOTCUA_NOTIFY_RETRY_SECONDS = 60
    backends.reset(failures=1)
    d = receive(world)
    action = d.actions.get()
    status = notification_deliver(kind="dossier_action", ref_id=action.pk, channel="email")
    assert status == NotificationStatus.RETRYING
    queued = DBTaskResult.objects.get()
    row = Notification.objects.get()
    assert row.next_attempt_at == row.last_attempt_at + dt.timedelta(seconds=60)
    assert abs((queued.run_after - row.next_attempt_at).total_seconds()) < 5
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]


def test_sms_goes_through_the_logging_provider_with_the_number_masked(
    world, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="motcua.feedback.notifications")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        d = receive(world, email="", phone="0918000111")
    assert len(deliveries(callbacks)) == 1
    sms = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to")]
    assert len(sms) == 1
    assert "091****111" in sms[0] and "0918000111" not in sms[0]
    assert f"Ho so {d.code} da duoc tiep nhan." in sms[0]
    assert Notification.objects.get().channel == "sms"


def test_an_sms_provider_is_chosen_by_setting(world, settings, django_capture_on_commit_callbacks):
    settings.MOTCUA_SMS_PROVIDER = "tests.feedback.backends.RecordingSms"
    backends.RecordingSms.sent = []
    with django_capture_on_commit_callbacks(execute=True):
        receive(world, phone="0918000111")
    assert [phone for phone, _ in backends.RecordingSms.sent] == ["0918000111"]
    assert len(mail.outbox) == 1
    assert set(Notification.objects.values_list("channel", flat=True)) == {"email", "sms"}


def test_no_address_no_task(world, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receive(world, email="")
    assert deliveries(callbacks) == []
    settings.MOTCUA_NOTIFICATIONS_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        receive(world)
    assert deliveries(callbacks) == [] and mail.outbox == []


def test_the_account_address_is_used_when_the_dossier_has_none(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(world, user=world["citizen"], email="")
    assert mail.outbox[0].to == ["congdan@example.vn"]
