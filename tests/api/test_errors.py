"""The error format, checked on a throw-away API with the same handlers, and a sweep of every
endpoint with malformed input: a 500 is a bug."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client
from django.urls import path
from ninja import NinjaAPI, Schema
from ninja.testing import TestClient

from motcua.api.api import api as real_api
from motcua.api.auth import AUTH
from motcua.api.errors import BadRequest, Conflict, ErrorOut, Forbidden, NotFound, register_error_handlers
from tests.api.conftest import assert_error


class Payload(Schema):
    name: str
    count: int


def _make_api() -> NinjaAPI:
    api = NinjaAPI(urls_namespace="test-errors", docs_url=None, auth=AUTH)
    register_error_handlers(api)

    @api.post("/conflict", response={409: ErrorOut})
    def conflict(request):
        raise Conflict(field="version")

    @api.get("/raises/{kind}", auth=None)
    def raises(request, kind: str):
        raise {
            "bad": BadRequest("Bad.", "Sai.", field="x"),
            "forbidden": Forbidden(),
            "notfound": NotFound(),
            "denied": PermissionDenied(),
            "django": DjangoValidationError({"name": ["Tên đã có."]}),
            "bug": ZeroDivisionError(),
        }[kind]

    @api.post("/echo", auth=None)
    def echo(request, payload: Payload):
        return payload.dict()

    return api


test_api = _make_api()


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="u", password="p")


def test_conflict_is_409(user):
    client = TestClient(test_api)
    response = client.post("/conflict", user=user)
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "message": Conflict.message,
        "message_vi": Conflict.message_vi,
        "field": "version",
    }


@pytest.mark.parametrize(
    ("kind", "status", "code", "field"),
    [
        ("bad", 400, "bad_request", "x"),
        ("forbidden", 403, "forbidden", None),
        ("notfound", 404, "not_found", None),
        ("denied", 403, "forbidden", None),
        ("django", 422, "invalid", "name"),
        ("bug", 500, "server_error", None),
    ],
)
def test_each_error_class_has_the_shape(kind, status, code, field):
    response = TestClient(test_api).get(f"/raises/{kind}")
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "message_vi", "field"}
    assert (body["code"], body["field"]) == (code, field)


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"count": 1}, "name", "required"),
        ({"name": "a", "count": "many"}, "count", "invalid"),
        ("not json", None, "invalid"),
    ],
)
def test_body_validation_is_422_with_the_first_field(body, field, code):
    client = TestClient(test_api)
    if isinstance(body, str):
        response = client.post("/echo", data=body, content_type="application/json")
    else:
        response = client.post("/echo", json=body)
    assert response.status_code in (400, 422), response.content
    payload = response.json()
    assert set(payload) == {"code", "message", "message_vi", "field"}
    if response.status_code == 422:
        assert (payload["field"], payload["code"]) == (field, code)


urlpatterns = [path("t/", test_api.urls)]


@pytest.mark.urls("tests.api.test_errors")
def test_session_auth_needs_csrf_on_unsafe_methods(user):
    """Browser (session) callers must send the CSRF token; token callers need not."""
    from motcua.accounts.services import api_token_create

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    body = assert_error(browser.post("/t/conflict"), 403, code="csrf_failed")
    assert "CSRF" in body["message"]
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    browser.cookies["csrftoken"] = secret
    ok = browser.post("/t/conflict", HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    assert ok.status_code == 409

    _, token = api_token_create(user=user, name="t")
    script = Client(enforce_csrf_checks=True)
    assert script.post("/t/conflict", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 409
    assert_error(script.post("/t/conflict"), 401, code="unauthenticated")


# --- every real endpoint, malformed input, never a 500 ---------------------------------------

MALFORMED = [
    "/api/v1/catalog/procedures?limit=-1",
    "/api/v1/catalog/procedures?limit=abc&offset=xyz",
    "/api/v1/catalog/procedures?offset=99999999999999999999999",
    "/api/v1/catalog/procedures?limit=99999999999",
    "/api/v1/catalog/procedures?level=%00",
    "/api/v1/catalog/procedures?q=%25%27%22;--",
    "/api/v1/catalog/procedures?q=" + "a" * 5000,
    "/api/v1/catalog/procedures?field=%C3%28",
    "/api/v1/catalog/procedures/%00",
    "/api/v1/catalog/procedures/" + "9" * 300,
    "/api/v1/catalog/procedures/1.001193%27%20OR%201=1",
    "/api/v1/org/units?on=yesterday",
    "/api/v1/org/units?on=0000-00-00",
    "/api/v1/org/units?on=9999-12-31",
    "/api/v1/org/units?level=-5&province=999",
    "/api/v1/org/units?province=00",
    "/api/v1/org/agencies?kind=%00&q=%25",
    "/api/v1/org/agencies?q=" + "%C4%90" * 300,
    "/api/v1/worktime/due",
    "/api/v1/worktime/due?start=&limit=&unit=",
    "/api/v1/worktime/due?start=2026-03-02T25:00&limit=1&unit=days",
    "/api/v1/worktime/due?start=2026-03-02&limit=Infinity&unit=hours",
    "/api/v1/worktime/due?start=2026-03-02&limit=1e400&unit=hours",
    "/api/v1/worktime/due?start=2026-03-02&limit=0.0000001&unit=months",
    "/api/v1/worktime/due?start=2026-03-02T09:00%2B25:00&limit=1&unit=days",
    "/api/v1/worktime/due?start=0001-01-01&limit=1&unit=working_days",
    "/api/v1/worktime/due?start=2026-03-02&limit=1&unit=days&profile=" + "x" * 500,
    "/api/v1/me?x=1",
    "/api/v1/dossiers?limit=-1&offset=x",
    "/api/v1/dossiers?status=%00&channel=fax&overdue=maybe",
    "/api/v1/dossiers?due_before=yesterday&due_after=0000-00-00",
    "/api/v1/dossiers?unit=" + "9" * 300,
    "/api/v1/dossiers/%00",
    "/api/v1/dossiers/" + "%C4%90" * 300,
    "/api/v1/dossiers/%00/actions/%00",
    "/api/v1/dossiers/x/actions/" + "a" * 500,
    "/api/v1/indicators?period=%00&unit=" + "9" * 300,
    "/api/v1/indicators?period=2025-Q3&profile=x&compare=maybe&procedure=%27",
    "/api/v1/indicators/ranking?period=",
    "/api/v1/indicators/reform?period=2025&on=0000-00-00&details=maybe",
    "/api/v1/dossiers/%00/files",
    "/api/v1/dossiers/x/files/" + "9" * 300,
    "/api/v1/nope",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_input_never_gives_a_500(url):
    client = Client(raise_request_exception=True)
    # Command endpoints (…/actions/{action}) are POST only.
    send = client.post if "/actions/" in url else client.get
    response = send(url, HTTP_AUTHORIZATION="Bearer \x00garbage")
    assert response.status_code < 500, (url, response.status_code, response.content[:300])
    if response.status_code < 400 or url.startswith("/api/v1/nope"):
        return  # an odd but valid search, or Django's own 404 (no route at all)
    body = response.json()
    assert set(body) == {"code", "message", "message_vi", "field"}


@pytest.mark.django_db
def test_wrong_method_is_not_a_500():
    client = Client()
    for url in ("/api/v1/catalog/procedures", "/api/v1/org/units", "/api/v1/worktime/due", "/api/v1/me"):
        assert client.post(url, data="{", content_type="application/json").status_code == 405


def test_the_sweep_covers_every_endpoint():
    paths = {p.split("?")[0].rstrip("/") for p in MALFORMED}
    documented = real_api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    for route in documented:
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]*", re.escape(route.rstrip("/"))))
        assert any(pattern.fullmatch(p) for p in paths), route


NUL_INPUTS = [
    "/api/v1/catalog/procedures?q=a%00b",
    "/api/v1/catalog/procedures?field=%00",
    "/api/v1/org/agencies?q=%00",
    "/api/v1/worktime/due?start=2026-03-02&limit=1&unit=days&profile=%00",
    "/api/v1/worktime/due?start=2026-03-02%00&limit=1&unit=days",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_INPUTS)
def test_nul_bytes_are_refused_before_the_database(url, client):
    assert_error(client.get(url), 422)
