"""Writes for accounts: personal API tokens; citizen accounts (sign-up, e-mail verification,
profile, OpenID Connect sign-in) and the per-session sign-in record."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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


# ---------------------------------------------------------------------------------------------
# Citizen accounts (tài khoản công dân): local sign-up, e-mail verification, profile, OIDC.
# ---------------------------------------------------------------------------------------------

EMAIL_VERIFY_SALT = "motcua.accounts.email-verify"
SESSION_SIGN_IN_KEY = "motcua_sign_in"
OIDC_BACKEND = "motcua.accounts.backends.CitizenOIDCBackend"


def normalise_email(email: str) -> str:
    """Citizens sign in with their e-mail address, compared case-insensitively."""
    return (email or "").strip().lower()


def citizen_email_taken(email: str) -> bool:
    email = normalise_email(email)
    return User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()


@transaction.atomic
def citizen_sign_up(*, email: str, password: str, full_name: str = "", phone: str = "") -> User:
    """Create a local citizen account whose username is the e-mail address (not yet verified).

    The verification e-mail is queued after commit by the caller's ``base_url`` through
    :func:`email_verification_send`. Raises ``ValidationError`` for a taken address, a password
    the validators refuse, or invalid fields.
    """
    email = normalise_email(email)
    if citizen_email_taken(email):
        raise ValidationError(
            {"email": ValidationError("Địa chỉ thư điện tử này đã có tài khoản.", code="email_taken")}
        )
    user = User(username=email, email=email, full_name=full_name.strip(), phone=phone.strip())
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def email_verification_token(user: User) -> str:
    """A signed, timestamped token naming the user and the address it verifies: changing the
    address invalidates it; it expires after ``MOTCUA_EMAIL_VERIFY_MAX_AGE`` seconds."""
    return signing.dumps({"u": user.pk, "e": normalise_email(user.email)}, salt=EMAIL_VERIFY_SALT)


def email_verification_send(*, user: User, base_url: str) -> None:
    """Queue the verification e-mail after the current transaction commits."""
    from motcua.accounts.tasks import send_email_verification

    user_id = user.pk
    transaction.on_commit(lambda: send_email_verification.enqueue(user_id=user_id, base_url=base_url))


class EmailVerificationError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "expired" | "invalid"


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Mark the address in ``token`` verified (idempotent). Raises :class:`EmailVerificationError`."""
    try:
        data = signing.loads(token, salt=EMAIL_VERIFY_SALT, max_age=settings.MOTCUA_EMAIL_VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise EmailVerificationError("expired") from None
    except signing.BadSignature:
        raise EmailVerificationError("invalid") from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or normalise_email(user.email) != data.get("e"):
        raise EmailVerificationError("invalid")
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user


@transaction.atomic
def citizen_profile_update(
    *,
    user: User,
    full_name: str,
    phone: str = "",
    id_kind: str = "",
    id_number: str = "",
    birth_date: dt.date | None = None,
    sex: str = "",
    address: str = "",
) -> User:
    """Save the applicant data the apply-online form pre-fills.

    The identity number is checked like everywhere else (``dossiers.identity``: shape, and for a
    CCCD the century/sex digit and birth year). A number the identity provider supplied to an
    identity-verified account cannot be changed here.
    """
    # dossiers.identity is a pure module (no models): importing it here adds no cycle.
    from motcua.dossiers.identity import normalise_number, validate_identity

    user = User.objects.select_for_update().get(pk=user.pk)
    locked = user.identity_verified and bool(user.id_number)
    if locked:
        id_kind, id_number = user.id_kind, user.id_number
    id_number = normalise_number(id_number or "")
    if id_number:
        validate_identity(
            kind=id_kind or "cccd",
            number=id_number,
            birth_date=birth_date,
            sex=sex or None,
            applicant_type="citizen",
        )
    user.full_name = full_name.strip()
    user.phone = phone.strip()
    user.id_kind = (id_kind or "cccd") if id_number else user.id_kind
    user.id_number = id_number
    user.birth_date = birth_date
    user.sex = sex or ""
    user.address = address.strip()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def citizen_oidc_sign_in(
    *,
    issuer: str,
    sub: str,
    full_name: str = "",
    email: str = "",
    email_verified: bool = False,
    id_number: str = "",
    identity_verified: bool = False,
) -> User:
    """Find or create the citizen behind an OpenID Connect identity (``issuer`` + ``sub``; never
    by e-mail alone) and refresh the data the provider vouches for. Returns the user."""
    from motcua.dossiers.identity import normalise_number, validate_identity

    if not sub or not issuer:
        raise ValidationError("Thiếu mã định danh (sub) hoặc nhà cung cấp (iss).", code="oidc_sub")
    user = User.objects.select_for_update().filter(oidc_issuer=issuer, oidc_sub=sub).first()
    if user is None:
        digest = hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:24]
        user = User(username=f"oidc-{digest}", oidc_issuer=issuer, oidc_sub=sub)
        user.set_unusable_password()
    if full_name.strip():
        user.full_name = full_name.strip()[:200]
    email = normalise_email(email)
    if email and len(email) <= 254:
        if email != normalise_email(user.email):
            user.email_verified = False
        user.email = email
        user.email_verified = user.email_verified or bool(email_verified)
    number = normalise_number(id_number or "")
    if number and not (user.identity_verified and user.id_number and not identity_verified):
        try:
            validate_identity(kind="cccd", number=number, applicant_type="citizen")
        except ValidationError:
            pass  # a malformed claim is ignored, never stored
        else:
            user.id_kind, user.id_number = "cccd", number
    if identity_verified:
        user.identity_verified = True
    user.full_clean()
    user.save()
    return user


def sign_in_record(*, request, user: User) -> dict:
    """Remember in the session how this sign-in happened (called on ``user_logged_in``)."""
    if getattr(user, "backend", "") == OIDC_BACKEND:
        info = {
            "method": f"oidc:{settings.MOTCUA_OIDC_PROVIDER}",
            "identity_verified": bool(settings.MOTCUA_OIDC_IDENTITY_VERIFIED),
        }
    else:
        info = {"method": "local", "identity_verified": False}
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SIGN_IN_KEY] = info
    return info


def sign_in_info(request) -> dict:
    """How the current user signed in, for ``dossier_submit_online(sign_in=...)``:
    ``{"method": "local" | "oidc:<provider>", "identity_verified": bool}``; ``{}`` when nobody is
    signed in. Read from the session only (never from the request body)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    info = request.session.get(SESSION_SIGN_IN_KEY) or {}
    method = str(info.get("method") or "local")[:60]
    return {"method": method, "identity_verified": bool(info.get("identity_verified"))}
