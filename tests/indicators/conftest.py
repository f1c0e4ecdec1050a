import datetime as dt

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.facts import dossier_outcomes
from motcua.dossiers.models import Channel, Status
from motcua.indicators.periods import TZ
from motcua.org.models import AdministrativeUnit, Agency
from tests.dossiers.factories import (
    AgencyFactory,
    DossierFactory,
    OneStopFactory,
    ProcedureCaseFactory,
    ProcedureVersionFactory,
)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.worktime.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


class World:
    """A province one-stop centre, a department, a commune (unit, UBND, one-stop) and two procedures."""

    def __init__(self):
        province = AdministrativeUnit.objects.create(
            code="96", name="Cà Mau", kind="province", level=AdministrativeUnit.Level.PROVINCE
        )
        self.commune_unit = AdministrativeUnit.objects.create(
            code="32002", name="Xã A", kind="commune", level=AdministrativeUnit.Level.COMMUNE, parent=province
        )
        self.centre = OneStopFactory(ident_code="000.00.01.H12", admin_unit=province)
        self.department = AgencyFactory(ident_code="000.00.10.H12", kind=Agency.Kind.DEPARTMENT)
        self.section = AgencyFactory(
            ident_code="000.01.10.H12", kind=Agency.Kind.OTHER, parent=self.department
        )
        self.commune = AgencyFactory(ident_code="000.00.32.H12", admin_unit=self.commune_unit)
        self.commune_desk = OneStopFactory(ident_code="000.01.32.H12", admin_unit=self.commune_unit)
        self.v_paper = ProcedureVersionFactory(
            level=ProcedureVersion.Level.PROVINCE,
            paper_result_required=True,
            fee_bearing=True,
            online_level=ProcedureVersion.OnlineLevel.FULL,
        )
        self.v_plain = ProcedureVersionFactory(level=ProcedureVersion.Level.COMMUNE)
        self.c_paper = ProcedureCaseFactory(version=self.v_paper, steps=[])
        self.c_plain = ProcedureCaseFactory(version=self.v_plain, steps=[])

    def dossier(self, *, received="2025-08-04", due="2025-08-07", finished=None, paper=False, **kw):
        """A dossier with its 766 outcome facts computed as the services compute them."""
        case = self.c_paper if paper else self.c_plain
        kw.setdefault("status", Status.RETURNED if finished else Status.PROCESSING)
        kw.setdefault("receiving_unit", self.centre)
        kw.setdefault("resolving_agency", self.department)
        due_at = at(due) if due else None
        kw.setdefault("original_due_at", due_at)
        d = DossierFactory.build(
            case=case,
            received_at=at(received) if received else None,
            submitted_at=at(received) if received else at("2025-08-04"),
            due_at=due_at,
            finished_at=at(finished) if finished else None,
            is_online=kw.get("channel") == Channel.ONLINE,
            **kw,
        )
        for k, v in dossier_outcomes(d).items():
            setattr(d, k, v)
        d.save()
        return d


@pytest.fixture
def world(db):
    return World()
