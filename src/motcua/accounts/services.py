"""Writes for accounts: personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import ApiToken, User

PREFIX_LENGTH = 8
# How stale ``last_used_at`` may get before an authenticated request writes it again: one UPDATE
# per token per minute instead of one per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token for ``user``; returns the token and its secret (shown once)."""
    secret = secrets.token_urlsafe(32)  # 256 bits, 43 URL-safe characters
    token = ApiToken(
        user=user, name=name.strip(), key_hash=api_token_hash(secret), prefix=secret[:PREFIX_LENGTH]
    )
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (idempotent: a revoked token keeps its first revocation moment)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, secret: str) -> User | None:
    """The active user owning the unrevoked token ``secret``, else None; records the use.

    One SELECT, plus one UPDATE at most once a minute per token.
    """
    if not secret or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
