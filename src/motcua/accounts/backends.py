"""OpenID Connect sign-in for citizens (VNeID or any provider), on mozilla-django-oidc.

The library does the authorization-code flow (state, nonce, PKCE, the token request, the ID
token's signature against the provider's JWKS). This subclass adds what a government portal
needs on top:

* the ID token's ``iss`` must equal ``MOTCUA_OIDC_ISSUER`` (when set) and its ``aud`` must
  contain our client id (the library does not check the audience);
* the userinfo ``sub`` must equal the ID token's ``sub`` (OpenID Connect Core §5.3.2);
* the account is matched by issuer + ``sub`` (``User.oidc_issuer``/``oidc_sub``), never by e-mail
  alone, and created or refreshed by ``services.citizen_oidc_sign_in`` (name, e-mail, identity
  number from the configured claims; ``identity_verified`` per ``MOTCUA_OIDC_IDENTITY_VERIFIED``);
* with OIDC unconfigured the backend is inert, so it can stay in AUTHENTICATION_BACKENDS.

The session's sign-in record (``oidc:<provider>``) is written by the ``user_logged_in`` receiver.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation, ValidationError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from motcua.accounts.services import citizen_oidc_sign_in

logger = logging.getLogger(__name__)


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        self.enabled = bool(getattr(settings, "MOTCUA_OIDC_ENABLED", False))
        self._id_token_claims: dict = {}
        if self.enabled:
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not self.enabled:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as exc:
            # A forged or stale response, or the provider unreachable: the sign-in fails with a
            # message on the portal instead of an error page. The text names no personal data.
            logger.warning("OIDC sign-in failed: %s: %s", type(exc).__name__, str(exc)[:300])
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        expected_issuer = settings.MOTCUA_OIDC_ISSUER
        if expected_issuer and payload.get("iss") != expected_issuer:
            raise SuspiciousOperation("ID token issuer does not match MOTCUA_OIDC_ISSUER.")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience does not contain our client id.")
        if "sub" in payload and "iss" in payload:
            self._id_token_claims = payload
        return payload

    def verify_claims(self, claims) -> bool:
        sub = claims.get("sub")
        return bool(sub) and sub == self._id_token_claims.get("sub")

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(oidc_issuer=self._issuer(), oidc_sub=str(claims.get("sub")))

    def describe_user_by_claims(self, claims) -> str:
        return f"sub {claims.get('sub')}"

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(user_info):
            raise SuspiciousOperation("Claims verification failed")
        claims = {**payload, **user_info}

        def claim(setting_name: str) -> str:
            name = getattr(settings, setting_name, "")
            value = claims.get(name) if name else None
            return str(value).strip() if value not in (None, "") else ""

        try:
            return citizen_oidc_sign_in(
                issuer=self._issuer(),
                sub=str(user_info["sub"]),
                full_name=claim("MOTCUA_OIDC_CLAIM_NAME"),
                email=claim("MOTCUA_OIDC_CLAIM_EMAIL"),
                email_verified=claims.get("email_verified") is True,
                id_number=claim("MOTCUA_OIDC_CLAIM_IDENTITY"),
                identity_verified=bool(settings.MOTCUA_OIDC_IDENTITY_VERIFIED),
            )
        except ValidationError as exc:
            # Claims that do not fit the model (e.g. an over-long name) refuse the sign-in;
            # the messages name fields, never personal data.
            fields = "; ".join(exc.message_dict) if hasattr(exc, "error_dict") else str(exc.code)
            logger.warning("OIDC sign-in refused: invalid %s", fields)
            return None

    def _issuer(self) -> str:
        return str(self._id_token_claims.get("iss") or settings.MOTCUA_OIDC_ISSUER)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
