"""Load Cà Mau once per test module inside an outer transaction that is rolled back afterwards.

Each test still runs in its own savepoint (pytest-django's ``db``), so tests cannot see each
other's writes, and nothing is left in the database for other apps' tests.
"""

import pytest
from django.db import transaction
from django.test.utils import override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def camau(django_db_setup, django_db_blocker):
    """The full demo (2025 units, 2023 history, agencies, staff); yields the staff list."""
    from motcua.org.demo import org_load_camau_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                staff = org_load_camau_demo()
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
def demo(camau, db):
    return camau
