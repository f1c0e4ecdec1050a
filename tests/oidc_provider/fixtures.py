"""``oidc_provider``: django-oauth-toolkit's OpenID Connect provider served by the live server.

Least invasive set-up: nothing in the product settings knows about it. For one test the fixture

* adds ``oauth2_provider`` to INSTALLED_APPS and creates its tables (``migrate oauth2_provider``;
  dropped again with ``migrate oauth2_provider zero`` before the database is flushed);
* switches ROOT_URLCONF to ``tests.oidc_provider.urls`` (the product's URLs + /o/);
* generates an RS256 key, registers a confidential client whose redirect URI is the portal's
  callback, and points the portal's OIDC settings at the provider.

The provider is addressed as ``http://127.0.0.1:<port>`` and the portal as
``http://localhost:<port>`` (the same live server): two host names keep the two sessions in
separate cookies, as with a real provider. The backend fetches the token, userinfo and JWKS
endpoints over real HTTP from the live server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from . import IDENTITY_CLAIM

PROVIDER_PASSWORD = "VNeID@2026-thu-nghiem"


@dataclass
class Provider:
    base: str  # http://127.0.0.1:<port>
    issuer: str
    client_id: str
    client_secret: str
    user: object  # the person's account at the provider
    password: str


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def oidc_provider(live_server, transactional_db, django_user_model):
    port = live_server.thread.port
    base = f"http://127.0.0.1:{port}"
    issuer = f"{base}/o"
    client_id = "motcua-portal-" + secrets.token_hex(4)
    client_secret = secrets.token_urlsafe(32)
    provider_settings = override_settings(
        INSTALLED_APPS=[*settings.INSTALLED_APPS, "oauth2_provider"],
        ROOT_URLCONF="tests.oidc_provider.urls",
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": _rsa_pem(),
            "PKCE_REQUIRED": True,
            "SCOPES": {
                "openid": "Định danh (OpenID Connect)",
                "profile": "Họ tên và số định danh cá nhân",
                "email": "Địa chỉ thư điện tử",
            },
            "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.IdentityProviderValidator",
        },
        MOTCUA_OIDC_ENABLED=True,
        MOTCUA_OIDC_PROVIDER="vneid",
        MOTCUA_OIDC_ISSUER=issuer,
        MOTCUA_OIDC_IDENTITY_VERIFIED=True,
        MOTCUA_OIDC_CLAIM_IDENTITY=IDENTITY_CLAIM,
        MOTCUA_OIDC_BUTTON_LABEL="Đăng nhập bằng VNeID",
        OIDC_RP_CLIENT_ID=client_id,
        OIDC_RP_CLIENT_SECRET=client_secret,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{issuer}/authorize/",
        OIDC_OP_TOKEN_ENDPOINT=f"{issuer}/token/",
        OIDC_OP_USER_ENDPOINT=f"{issuer}/userinfo/",
        OIDC_OP_JWKS_ENDPOINT=f"{issuer}/.well-known/jwks.json",
        OIDC_RP_SIGN_ALGO="RS256",
        OIDC_RP_SCOPES="openid profile email",
        OIDC_USE_PKCE=True,
        OIDC_TIMEOUT=20,
    )
    provider_settings.enable()
    try:
        call_command("migrate", "oauth2_provider", verbosity=0)
        from oauth2_provider.models import Application  # importable only once the app is installed

        person = django_user_model.objects.create_user(
            "vneid-096185001234",
            password=PROVIDER_PASSWORD,
            full_name="Lê Thị Hoa",
            email="hoa.le@example.vn",
            id_number="096185001234",
        )
        Application.objects.create(
            name="Cổng dịch vụ công (thử nghiệm)",
            client_id=client_id,
            client_secret=client_secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=f"{live_server.url}/tai-khoan/oidc/callback/",
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=False,
        )
        yield Provider(base, issuer, client_id, client_secret, person, PROVIDER_PASSWORD)
    finally:
        call_command("migrate", "oauth2_provider", "zero", verbosity=0)
        provider_settings.disable()
