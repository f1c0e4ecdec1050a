"""Reform statistics by hand: cut time limits of the TTHC in force, publication decisions."""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog.models import Procedure, ProcedureVersion, PublicationDecision
from motcua.indicators.periods import parse_period
from motcua.indicators.reform import case_cut, procedure_cut_rows, procedure_cut_stats, publication_stats
from motcua.indicators.selectors import PROVINCE_SCOPE, Scope
from motcua.org.models import AdministrativeUnit
from tests.dossiers.factories import AgencyFactory, ProcedureCaseFactory, ProcedureVersionFactory

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 9, 30)
WD = "working_days"


def _version(level=ProcedureVersion.Level.PROVINCE, **kw):
    return ProcedureVersionFactory(level=level, valid_from=dt.date(2024, 1, 1), **kw)


def _case(version, order=1, legal=(10, WD), applied=None, online=None, applied_online=None):
    kw = {"legal_direct_value": Decimal(legal[0]), "legal_direct_unit": legal[1]}
    if applied:
        kw.update(applied_direct_value=Decimal(applied[0]), applied_direct_unit=applied[1])
    if online:
        kw.update(legal_online_value=Decimal(online[0]), legal_online_unit=online[1])
    if applied_online:
        kw.update(applied_online_value=Decimal(applied_online[0]), applied_online_unit=applied_online[1])
    return ProcedureCaseFactory(version=version, order=order, steps=[], **kw)


@pytest.fixture
def catalog(db):
    p = {}
    p[1] = _version()
    _case(p[1], applied=(8, WD))  # 20%
    p[2] = _version()
    _case(p[2])  # not cut
    p[3] = _version()
    _case(p[3], legal=(20, WD), applied=(19, WD))  # 5%
    _case(p[3], order=2, legal=(5, WD), applied=(1, WD))  # 80%: the TTHC's cut
    p[4] = _version()
    _case(p[4], legal=(15, "days"), applied=(10, WD))  # not comparable
    p[5] = _version()
    _case(p[5], online=(10, WD), applied_online=(1, WD))  # 90% online only
    p[6] = _version()
    _case(p[6], legal=(4, "working_hours"), applied=(2, "working_hours"))  # 50%
    old = _version()
    old.valid_to = dt.date(2025, 1, 1)
    old.save()
    _case(old, applied=(1, WD))  # no longer in force
    p[8] = _version(level=ProcedureVersion.Level.COMMUNE)
    _case(p[8], legal=(5, WD), applied=(4, WD))  # 20%, commune level
    return p


def test_case_cut_takes_the_largest_channel(catalog):
    case = catalog[5].cases.get()
    assert case_cut(case) == (Decimal("90.0"), False)
    assert case_cut(catalog[4].cases.get()) == (None, True)
    assert case_cut(catalog[2].cases.get()) == (None, False)


def test_cut_statistics_by_hand(catalog):
    stats = procedure_cut_stats(PROVINCE_SCOPE, on=ON)
    assert stats["tthc"] == 7
    assert stats["cut"] == 5  # 1, 3, 5, 6, 8
    assert stats["share"] == round(5 / 7, 4)
    assert stats["not_comparable"] == 1
    assert stats["cut_20_80"] == 4  # 20%, 80%, 50%, 20%
    assert {b["code"]: b["count"] for b in stats["bands"]} == {"lt20": 0, "20_50": 2, "50_80": 2, "gt80": 1}
    assert stats["max_cut_percent"] == 90.0
    rows = {r["procedure"]: r for r in procedure_cut_rows(PROVINCE_SCOPE, on=ON)}
    r3 = rows[catalog[3].procedure.code]
    assert (r3["cut_percent"], r3["legal"], r3["applied"]) == (
        Decimal("80.0"),
        "5 ngày làm việc",
        "1 ngày làm việc",
    )


def test_cut_statistics_of_a_commune_and_an_empty_catalogue(catalog):
    unit = AdministrativeUnit.objects.create(code="32002", name="Xã A", kind="commune", level=3)
    commune = AgencyFactory(ident_code="000.00.32.H12", admin_unit=unit)
    stats = procedure_cut_stats(Scope("commune", commune.ident_code, commune), on=ON)
    assert (stats["tthc"], stats["cut"], stats["share"]) == (1, 1, 1.0)
    empty = procedure_cut_stats(PROVINCE_SCOPE, on=dt.date(2020, 1, 1))
    assert (empty["tthc"], empty["cut"], empty["share"]) == (0, 0, None)  # None, never 0


def test_publication_rates_by_hand(catalog):
    issuer = AgencyFactory(ident_code="000.00.20.H12")

    def decision(number, basis, published, signed=dt.date(2025, 8, 4), **kw):
        return PublicationDecision.objects.create(
            number=number, signed_on=signed, basis_effective_on=basis, published_on=published, **kw
        )

    d1 = decision("1/QĐ-UBND", dt.date(2025, 8, 11), dt.date(2025, 8, 8), issuer=issuer)  # both on time
    decision("2/QĐ-UBND", dt.date(2025, 8, 8), dt.date(2025, 8, 5), kind="abolish")  # signed late
    decision("3/QĐ-UBND", dt.date(2025, 8, 18), dt.date(2025, 8, 12))  # published after 6 working days
    decision("4/QĐ-UBND", None, dt.date(2025, 8, 5))  # basis date unknown
    decision("5/QĐ-UBND", dt.date(2025, 8, 18), None)  # not yet public
    decision("6/QĐ-UBND", dt.date(2025, 7, 20), dt.date(2025, 7, 2), signed=dt.date(2025, 7, 1))  # July
    catalog[1].decision = d1
    catalog[1].save()
    abolished = Procedure.objects.create(
        code="2.000999", abolished_by=PublicationDecision.objects.get(number="2/QĐ-UBND")
    )
    assert abolished.pk

    stats = publication_stats(parse_period("2025-08"))
    assert stats["decisions"] == 5
    assert stats["tthc"] == 2
    assert (stats["signed_in_time"], stats["signed_judged"]) == (3, 4)
    assert (stats["published_in_time"], stats["published_judged"]) == (3, 4)
    assert (stats["on_time"], stats["on_time_judged"]) == (1, 3)
    assert stats["on_time_rate"] == round(1 / 3, 4)
    assert stats["not_yet_published"] == 1
    assert stats["by_kind"]["abolish"] == 1
    unit = publication_stats(parse_period("2025-08"), Scope("agency", issuer.ident_code, issuer))
    assert (unit["decisions"], unit["on_time"], unit["on_time_rate"]) == (1, 1, 1.0)
    none = publication_stats(parse_period("2024-08"))
    assert (none["decisions"], none["on_time_rate"]) == (0, None)
