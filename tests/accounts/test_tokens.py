import hashlib
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from motcua.accounts.models import ApiToken
from motcua.accounts.services import api_token_authenticate, api_token_create, api_token_revoke


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="canbo", password="x", full_name="Cán Bộ")


def run(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_create_stores_only_the_hash(user):
    token, secret = api_token_create(user=user, name="  đồng bộ  ")
    assert len(secret) >= 40
    assert token.name == "đồng bộ"
    assert token.prefix == secret[:8]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.key_hash, token.prefix, str(token)}
    assert token.is_active and token.revoked_at is None


def test_secrets_are_unique(user):
    secrets = {api_token_create(user=user, name=str(i))[1] for i in range(5)}
    assert len(secrets) == 5


def test_authenticate_and_revoke(user):
    token, secret = api_token_create(user=user, name="t")
    assert api_token_authenticate(secret=secret) == user
    assert api_token_authenticate(secret=secret + "x") is None
    assert api_token_authenticate(secret="") is None
    revoked = api_token_revoke(token=token)
    first = revoked.revoked_at
    assert first is not None
    assert api_token_authenticate(secret=secret) is None
    assert api_token_revoke(token=token).revoked_at == first  # idempotent


def test_command_create_prints_only_the_secret(user):
    out = run("create", "canbo", "--name", "kịch bản")
    secret = out.strip()
    assert out == secret + "\n" and " " not in secret
    token = ApiToken.objects.get()
    assert token.name == "kịch bản" and token.prefix == secret[:8]
    assert api_token_authenticate(secret=secret) == user


def test_command_revoke_by_prefix(user):
    secret = run("create", "canbo").strip()
    out = run("revoke", secret[:8])
    assert out.startswith(f"{secret[:8]} revoked")
    assert api_token_authenticate(secret=secret) is None
    with pytest.raises(CommandError, match="no active token"):
        run("revoke", secret[:8])


def test_command_list(user):
    secret = run("create", "canbo", "--name", "a").strip()
    out = run("list")
    assert secret[:8] in out and "active" in out and secret not in out


@pytest.mark.django_db
def test_command_errors():
    with pytest.raises(CommandError, match="no user named"):
        run("create", "khongco")
    with pytest.raises(CommandError, match="no active token"):
        run("revoke", "abcdefgh")
    get_user_model().objects.create_user(username="khoa", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        run("create", "khoa")


def test_admin_lists_and_revokes(user, admin_client):
    token, secret = api_token_create(user=user, name="t")
    page = admin_client.get("/admin/accounts/apitoken/")
    assert page.status_code == 200 and token.prefix in page.content.decode()
    assert secret not in page.content.decode()
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = admin_client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
