"""The dashboard's grouped reports (:mod:`motcua.indicators.grouped`) equal one
:func:`indicator_report` per unit and per month, on a simulated Cà Mau province (the demo units
and catalogue, two simulated years), with a fixed number of queries however many units or months.

The province is loaded once per module inside an outer transaction rolled back afterwards (as in
tests/api/conftest.py)."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from motcua.dossiers.models import Dossier
from motcua.indicators import dashboard
from motcua.indicators.access import IndicatorAccess, ranking_scopes, resolve_scope_for, scope_agencies
from motcua.indicators.dashboard import trend, trend_months
from motcua.indicators.grouped import grouped_reports, scope_reports, trend_reports
from motcua.indicators.periods import TZ, parse_period
from motcua.indicators.profiles import AGENCY, COMMUNE, ONE_STOP, get_profile
from motcua.indicators.rollups import clear_version_cache, rollup_rebuild, use_source
from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_report, rank_units, ranking_rows
from motcua.org.models import Agency

NOW = dt.datetime(2025, 11, 20, 12, tzinfo=TZ)  # dossiers of November 2025 are still open
PROVINCE_ACCESS = IndicatorAccess(province=True)
PERIODS = ["2025-09", "2025-Q3", "2025", "2025-11", "2024-Q3", "2025-02-10..2025-04-20"]
PROFILES = [
    ("dvcqg-2026", "current"),
    ("dvcqg-2026", "original"),
    ("qd766-2022", "current"),
    ("qd766-2022", "original"),
]


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """The demo org and catalogue, 2024 and 2025 (to 20/11) simulated, and some dossiers moved so
    that rows belong to several scopes: received at a commune desk and resolved by a department,
    received at the province centre and resolved by a commune, received in one commune and
    resolved by another one."""
    from motcua.catalog.demo import catalog_load_demo
    from motcua.indicators.simulate import simulate
    from motcua.org.demo import org_load_camau_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            clear_version_cache()
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                org_load_camau_demo()
            catalog_load_demo()
            simulate(year=2024, dossiers=1500, seed=3, rebuild=False, now=NOW)
            simulate(year=2025, dossiers=2500, seed=4, rebuild=False, now=NOW)
            moved = _cross_scopes()
            rollup_rebuild()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield moved
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            clear_version_cache()


def _cross_scopes() -> set[int]:
    """Move every 40th dossier of some buckets; the agencies involved (to test their scopes)."""
    department = Agency.objects.filter(kind=Agency.Kind.DEPARTMENT, valid_to__isnull=True).order_by("pk")[0]
    qs = Dossier.objects.order_by("pk")
    centre = qs.filter(receiving_unit__admin_unit__level=1).values_list("receiving_unit_id", flat=True)[0]
    at_desks = list(
        qs.exclude(receiving_unit_id=centre).values_list("pk", "receiving_unit_id", "resolving_agency_id")
    )
    at_centre = list(qs.filter(receiving_unit_id=centre).values_list("pk", flat=True))
    communes = sorted({ra for _, _, ra in at_desks})
    Dossier.objects.filter(pk__in=[pk for pk, _, _ in at_desks[::40]]).update(
        resolving_agency_id=department.pk
    )
    Dossier.objects.filter(pk__in=at_centre[::40]).update(resolving_agency_id=communes[0])
    Dossier.objects.filter(pk__in=[pk for pk, _, _ in at_desks[7::40]]).update(
        resolving_agency_id=communes[-1]
    )
    return {department.pk, communes[0], communes[-1], *sorted({ru for _, ru, _ in at_desks[7::40]})[:3]}


@pytest.fixture
def scopes(province, db):
    """The province and every unit of the scope picker (departments, communes, one-stop units)."""
    return [PROVINCE_SCOPE] + [resolve_scope_for(a) for a in scope_agencies(PROVINCE_ACCESS, on=NOW.date())]


def sample(scopes, moved):
    """The province, a few units of each kind and the units the moved dossiers touch."""
    kept = [s for s in scopes if s.agency is None or s.agency.pk in moved]
    for kind in (AGENCY, COMMUNE, ONE_STOP):
        kept += [s for s in scopes if s.kind == kind and s not in kept][:4]
    return kept


@pytest.mark.parametrize("code,extension", PROFILES)
@pytest.mark.parametrize("label", PERIODS)
def test_scope_reports_equal_one_report_per_scope(province, scopes, label, code, extension):
    profile = get_profile(code, extension_due=extension)
    period = parse_period(label)
    grouped = dict(zip([s.label for s in scopes], scope_reports(scopes, period, profile), strict=True))
    checked = sample(scopes, province)
    assert {s.kind for s in checked} == {"province", AGENCY, COMMUNE, ONE_STOP}
    for scope in checked:
        assert grouped[scope.label] == indicator_report(scope, period, profile), scope.label
    # Not vacuous: dossiers counted.
    on_time = next(
        i for g in grouped["province"]["groups"] for i in g["indicators"] if i["code"] == "ON_TIME"
    )
    assert on_time["denominator"] > 0


def test_rank_units_equals_the_per_unit_ranking(province, scopes):
    profile = get_profile("qd766-2022", extension_due="original")
    units = ranking_scopes(PROVINCE_SCOPE, PROVINCE_ACCESS, on=NOW.date())
    assert len(units) > 50
    period = parse_period("2025-Q4")
    rows = rank_units(units, period, profile)
    assert rows == ranking_rows(units, [indicator_report(s, period, profile) for s in units])
    assert sum(r["rank"] is not None for r in rows) > 40
    assert Dossier.objects.filter(received_at__isnull=False, finished_at__isnull=True).count() > 50  # open
    # Under a unit: the units of its subtree.
    below = max((ranking_scopes(s, PROVINCE_ACCESS, on=NOW.date()) for s in scopes[1:]), key=len)
    assert below
    assert rank_units(below, period, profile) == ranking_rows(
        below, [indicator_report(s, period, profile) for s in below]
    )


def test_rank_units_from_the_facts_falls_back_to_one_report_per_unit(province, scopes):
    units = sample(scopes, province)[:6]
    with use_source("facts"):
        rows = rank_units(units, "2025-Q3")
        assert rows == ranking_rows(units, [indicator_report(s, parse_period("2025-Q3")) for s in units])
    assert rows == rank_units(units, "2025-Q3")  # the rollups agree with the facts


@pytest.mark.parametrize("code,extension", [("dvcqg-2026", "current"), ("qd766-2022", "original")])
@pytest.mark.parametrize("label", ["2025-11", "2025", "2024-Q3"])
def test_trend_reports_equal_one_report_per_month(province, scopes, label, code, extension):
    profile = get_profile(code, extension_due=extension)
    months = trend_months(parse_period(label))
    for scope in sample(scopes, province)[:: 3 if label != "2025-11" else 2]:
        got = trend_reports(scope, months, profile)
        assert got == [indicator_report(scope, m, profile) for m in months], scope.label


def test_trend_of_one_procedure(province, scopes):
    profile = get_profile()
    code = Dossier.objects.values_list("procedure_version__procedure__code", flat=True).order_by("pk")[0]
    months = trend_months(parse_period("2025-10"))
    for scope in (PROVINCE_SCOPE, next(s for s in scopes if s.kind == COMMUNE)):
        got = trend_reports(scope, months, profile, procedure=code)
        assert got == [indicator_report(scope, m, profile, procedure=code) for m in months]
        assert any(r["total"] is not None for r in got)


def test_trend_rejects_partial_or_unordered_months(province, db):
    with pytest.raises(ValueError):
        trend_reports(PROVINCE_SCOPE, [parse_period("2025-02-10..2025-04-20")], get_profile())
    with pytest.raises(ValueError):
        trend_reports(PROVINCE_SCOPE, [parse_period("2025-03"), parse_period("2025-02")], get_profile())


def count_queries(fn, *args, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn(*args, **kwargs)
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_units_or_months(province, scopes):
    profile = get_profile()
    few, many = scopes[:3], scopes  # both hold the province and several agency kinds
    assert len(many) > 100
    n_few = count_queries(rank_units, few, "2025-Q3", profile)
    n_many = count_queries(rank_units, many, "2025-Q3", profile)
    # With the working calendar (cached by a running server) and the "open at the end" history
    # apart (selectors.before_sums, one more query for whole-month periods).
    assert n_few == n_many <= 9
    commune = next(s for s in scopes if s.kind == COMMUNE)
    for scope in (PROVINCE_SCOPE, commune):
        three = count_queries(trend, scope, parse_period("2025-Q1"), profile)  # 3 months
        twelve = count_queries(trend, scope, parse_period("2025-09"), profile)  # 12 months
        assert three == twelve <= 7  # +1: the "open at the end" history apart


def test_grouped_reports_mix_periods(province, scopes):
    """The dashboard's single scan: the scope, the same period a year earlier and the units."""
    profile = get_profile("dvcqg-2026", extension_due="original")
    period = parse_period("2025-07-14..2025-11-30")
    some = sample(scopes, province)
    wanted = [(PROVINCE_SCOPE, period), (PROVINCE_SCOPE, period.previous_year())]
    wanted += [(s, p) for s in some[1:] for p in (period, parse_period("2025-11"))]
    assert grouped_reports(wanted, profile) == [indicator_report(s, p, profile) for s, p in wanted]


def old_dashboard_data(*args, **kwargs):
    """The dashboard as it was built before: one report per unit and per month."""

    def per_report(wanted, profile):
        return [indicator_report(s, p, profile) for s, p in wanted]

    def per_month(scope, months, profile, *, procedure=None):
        return [indicator_report(scope, m, profile, procedure=procedure) for m in months]

    with (
        mock.patch.object(dashboard, "grouped_reports", per_report),
        mock.patch.object(dashboard, "trend_reports", per_month),
    ):
        return dashboard.dashboard_data(*args, **kwargs)


@pytest.mark.parametrize("label", ["2025-Q3", "2025-11"])
def test_dashboard_data_equals_the_per_unit_dashboard(province, scopes, label):
    period = parse_period(label)
    units_below = max(scopes[1:], key=lambda s: len(ranking_scopes(s, PROVINCE_ACCESS)))
    for scope, profile in (
        (PROVINCE_SCOPE, get_profile()),
        (units_below, get_profile("qd766-2022", extension_due="original")),
    ):
        with CaptureQueriesContext(connection) as ctx:
            data = dashboard.dashboard_data(scope, period, profile, PROVINCE_ACCESS)
        assert data["ranking"] and data["trend"]
        assert data == old_dashboard_data(scope, period, profile, PROVINCE_ACCESS)
        # Not one report per unit (about a hundred for the province) or per month.
        assert len(ctx.captured_queries) < 40
    code = Dossier.objects.values_list("procedure_version__procedure__code", flat=True).order_by("pk")[0]
    data = dashboard.dashboard_data(PROVINCE_SCOPE, period, get_profile(), PROVINCE_ACCESS, procedure=code)
    assert data == old_dashboard_data(PROVINCE_SCOPE, period, get_profile(), PROVINCE_ACCESS, procedure=code)


@pytest.mark.parametrize("code,extension", PROFILES[:2])
@pytest.mark.parametrize("label", ["2025-Q3", "2025-11", "2025"])
def test_worst_procedures_from_rollups_equal_the_dossier_query(province, scopes, label, code, extension):
    from motcua.indicators.drilldown import _ROLLUP_WORST, worst_procedures

    profile = get_profile(code, extension_due=extension)
    period = parse_period(label)
    seen = 0
    for scope in sample(scopes, province):
        for indicator in sorted(_ROLLUP_WORST):
            rolled = worst_procedures(scope, period, profile, indicator=indicator, limit=50)
            with use_source("facts"):
                facts = worst_procedures(scope, period, profile, indicator=indicator, limit=50)
            assert rolled == facts, (scope.label, indicator)
            seen += len(rolled)
    assert seen > 0  # not vacuous: some procedures have dossiers left out


@pytest.mark.parametrize("label", ["2025-Q3", "2025-11"])
def test_grouped_counts_equal_the_counts_of_each_scope(province, scopes, label):
    from motcua.indicators.grouped import grouped_counts
    from motcua.indicators.selectors import indicator_counts

    profile = get_profile("dvcqg-2026", extension_due="original")
    period = parse_period(label)
    checked = sample(scopes, province)
    got = grouped_counts([(s, period) for s in checked], profile)
    assert got == [indicator_counts(s, period, profile) for s in checked]
    assert any((c.get("ON_TIME") or {}).get("denominator") for c in got)
