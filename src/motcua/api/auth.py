"""Who is calling: a personal API token (``Authorization: Bearer <secret>``) or the Django session.

``AUTH`` is the API's default: an endpoint without ``auth=`` requires one of the two. Session
authentication (for the HTMX pages) enforces Django's CSRF check on unsafe methods; a bearer
token needs no CSRF token because browsers never send it on their own.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from motcua.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    """Personal API token, made with ``motcua token create USERNAME``."""

    openapi_description = "Personal API token: `motcua token create USERNAME` prints one."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(secret=token.strip())
        if user is not None:
            request.user = user  # endpoints read request.user whatever the method
            request.auth_method = "token"
        return user


class SessionCookieAuth(SessionAuth):
    """Django session (signed-in browser), CSRF-checked on POST/PUT/PATCH/DELETE."""

    def __call__(self, request: HttpRequest) -> Any:
        # CSRF protects a signed-in session; a caller with no session is simply unauthenticated
        # (401), not a forgery (ninja would answer 403 before knowing).
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.auth_method = "session"
        return user


token_auth = ApiTokenAuth()
session_auth = SessionCookieAuth()
AUTH = [token_auth, session_auth]
