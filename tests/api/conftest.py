"""API tests: the Cà Mau demo (org + catalog) is loaded once per module inside an outer
transaction that is rolled back afterwards (as in tests/org/conftest.py)."""

import pytest
from django.db import transaction
from django.test.utils import override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    from motcua.catalog.demo import catalog_load_demo
    from motcua.org.demo import org_load_camau_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                staff = org_load_camau_demo()
            catalog_load_demo()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield staff
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_data, db):
    return demo_data


def assert_error(response, status: int, *, code: str | None = None, field: str | None = ...):
    """The response is the API's JSON error with ``status``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "message_vi", "field"}, body
    assert body["message"] and body["message_vi"]
    if code is not None:
        assert body["code"] == code, body
    if field is not ...:
        assert body["field"] == field, body
    return body
