import pytest
from django.contrib.auth import get_user_model

from motcua.accounts.services import api_token_create, api_token_revoke

from .conftest import assert_error

ME = "/api/v1/me"


@pytest.fixture
def officer(demo):
    return get_user_model().objects.get(username="chuyenvien.tuphap")


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_me_with_a_token_lists_the_roles(officer, client, django_assert_max_num_queries):
    _, secret = api_token_create(user=officer, name="test")
    with django_assert_max_num_queries(3):  # token + last_used_at + roles
        response = client.get(ME, **bearer(secret))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["username"] == "chuyenvien.tuphap"
    assert body["full_name"] == "Trần Văn Minh"
    assert body["auth_method"] == "token"
    assert [r["role"] for r in body["roles"]] == ["specialist"]
    assert body["roles"][0]["role_label"] == "Chuyên viên xử lý"
    assert "Tư pháp" in body["roles"][0]["agency_name"]


def test_me_with_the_session(officer, client):
    client.force_login(officer)
    body = client.get(ME).json()
    assert body["username"] == "chuyenvien.tuphap" and body["auth_method"] == "session"


@pytest.mark.django_db
def test_me_without_credentials_is_a_json_401(client):
    body = assert_error(client.get(ME), 401, code="unauthenticated", field=None)
    assert "Bearer" in body["message"]


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000]
)
@pytest.mark.django_db
def test_bad_credentials_are_401(client, header):
    assert_error(client.get(ME, HTTP_AUTHORIZATION=header), 401, code="unauthenticated")


def test_revoked_token_is_401(officer, client):
    token, secret = api_token_create(user=officer, name="test")
    assert client.get(ME, **bearer(secret)).status_code == 200
    api_token_revoke(token=token)
    assert_error(client.get(ME, **bearer(secret)), 401, code="unauthenticated")


def test_inactive_user_token_is_401(officer, client):
    _, secret = api_token_create(user=officer, name="test")
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert_error(client.get(ME, **bearer(secret)), 401)


def test_token_use_is_recorded(officer, client):
    token, secret = api_token_create(user=officer, name="test")
    assert token.last_used_at is None
    client.get(ME, **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_public_endpoints_need_no_credentials(client):
    assert client.get("/api/v1/catalog/procedures").status_code == 200
    assert client.get("/api/v1/org/units").status_code == 200
    assert client.get("/api/v1/org/agencies").status_code == 200
    due = client.get("/api/v1/worktime/due", {"start": "2026-03-02T09:00", "limit": "1", "unit": "days"})
    assert due.status_code == 200
