import pytest

from motcua.org.models import StaffAssignment

from .factories import AgencyFactory, OneStopFactory, ProcedureCaseFactory, UserFactory

ALL_STAFF_ROLES = [r.value for r in StaffAssignment.Role]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.worktime.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def officer(db):
    return UserFactory(username="officer")


@pytest.fixture
def one_stop(db):
    return OneStopFactory(ident_code="000.10.12.H12")


@pytest.fixture
def resolver(db):
    return AgencyFactory(ident_code="000.02.12.H12")


@pytest.fixture
def case(db):
    return ProcedureCaseFactory()
