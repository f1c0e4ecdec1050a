"""Background work for accounts: the e-mail verification message."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from motcua.accounts.models import User


@task()
def send_email_verification(*, user_id: int, base_url: str) -> bool:
    """Send the signed verification link to the user's current address.

    ``base_url`` is the site origin the person signed up on (``request.build_absolute_uri("/")``,
    the Host header being checked against ALLOWED_HOSTS). Idempotent in effect: a second message
    carries another valid link for the same address. Returns False when there is nothing to send.
    """
    from motcua.accounts.services import email_verification_token

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or user.email_verified:
        return False
    path = reverse("portal:verify_email", kwargs={"token": email_verification_token(user)})
    link = base_url.rstrip("/") + path
    with translation.override("vi"):
        context = {"user": user, "link": link, "valid_hours": settings.MOTCUA_EMAIL_VERIFY_MAX_AGE // 3600}
        subject = render_to_string("portal/account/verify_email_subject.txt", context).strip()
        body = render_to_string("portal/account/verify_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return True
