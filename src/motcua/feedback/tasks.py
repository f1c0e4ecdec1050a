"""Background tasks of the feedback app (Django Tasks API; the database queue by default, run by
the worker that ``motcua serve`` starts)."""

from __future__ import annotations

from django_tasks import task

from .notifications import notification_deliver


@task()
def deliver_notification(kind: str, ref_id: int, channel: str) -> str:
    """Send one notification (idempotent; retries itself with backoff on failure)."""
    return notification_deliver(kind=kind, ref_id=ref_id, channel=channel)
