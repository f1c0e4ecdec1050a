"""Rollups (issue 6 point 5): the report read from the rollup rows equals the report recomputed
from the dossier facts, for random histories of real actions (the services, whose writes the
post_save receivers follow) and for random fact states changed after the fact (bucket moves)."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.facts import dossier_outcomes
from motcua.dossiers.lifecycle import LifecycleError
from motcua.dossiers.models import Channel, Dossier, Status
from motcua.dossiers.services import dossier_perform, dossier_receive, dossier_submit_online
from motcua.indicators.models import COUNTERS, DossierRollupState, Grain, Rollup
from motcua.indicators.periods import parse_period
from motcua.indicators.profiles import get_profile
from motcua.indicators.rollups import days_q, rollup_rebuild, use_source
from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_counts, indicator_report, resolve_scope
from tests.dossiers.factories import DossierFactory

from .conftest import TZ

PERIODS = [
    parse_period(p)
    for p in (
        "2025-06",
        "2025-07",
        "2025-08",
        "2025-Q3",
        "2025",
        "2025-06-10..2025-08-20",
        "2025-07-15..2025-07-15",
    )
]
PROFILES = [get_profile(), get_profile(extension_due="original", online_requires_e_result=False)]
ALL_ROLES = ["receiving_officer", "specialist", "unit_leader", "applicant", "system"]
BASE = dt.datetime(2025, 6, 2, 8, tzinfo=TZ)  # a Monday


def scopes(world):
    return [PROVINCE_SCOPE] + [
        resolve_scope(code) for code in ("000.00.01.H12", "000.00.10.H12", "000.00.32.H12", "000.01.32.H12")
    ]


def assert_same_counts(world):
    """Every period and both profiles for the province; three periods for each unit."""
    pairs = [(PROVINCE_SCOPE, period, profile) for period in PERIODS for profile in PROFILES]
    pairs += [
        (scope, period, PROFILES[i % 2])
        for scope in scopes(world)[1:]
        for i, period in enumerate(PERIODS[2:5])
    ]
    for scope, period, profile in pairs:
        with use_source("facts"):
            facts = indicator_counts(scope, period, profile)
        with use_source("rollups"):
            rolled = indicator_counts(scope, period, profile)
        assert rolled == facts, (scope.label, period.label, profile.params)


def rollup_rows() -> dict:
    rows = {}
    for r in Rollup.objects.values():
        counts = tuple(r[c] for c in COUNTERS)
        if any(counts):
            key = (
                r["grain"],
                r["day"],
                r["receiving_unit_id"],
                r["resolving_agency_id"],
                r["procedure_version_id"],
            )
            rows[(*key, r["channel"])] = counts
    return rows


def assert_rebuild_equals_incremental():
    incremental = rollup_rows()
    rollup_rebuild()
    assert rollup_rows() == incremental


# --- Random histories of real actions --------------------------------------------------------

ACTIONS = [
    "forward",
    "request_supplement",
    "supplement_received",
    "apologize_and_extend",
    "approve",
    "resolve",
    "return_result",
    "stop",
    "close_unanswered",
    "reject_after_appraisal",
    "sync",  # the sync job sets the fact (a plain save)
]

history_st = st.fixed_dictionaries(
    {
        "start": st.integers(0, 100),
        "hour": st.integers(7, 16),
        "online": st.booleans(),
        "paper": st.booleans(),
        "desk": st.booleans(),
        "commune": st.booleans(),
        "receive": st.sampled_from(["receive", "submit", "submit_receive", "submit_withdraw"]),
        "steps": st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(1, 400)), max_size=9),
    }
)


def run_history(world, h):
    t = BASE + dt.timedelta(days=h["start"], hours=h["hour"] - 8)
    case = world.c_paper if h["paper"] else world.c_plain
    unit = world.commune_desk if h["desk"] else world.centre
    resolving = world.commune if h["commune"] else world.department
    applicant = {"applicant_type": "citizen", "name": "Nguyễn Văn A", "phone": "0912345678"}
    if h["receive"] == "receive":
        d = dossier_receive(
            case=case,
            channel=Channel.ONLINE if h["online"] else Channel.DIRECT,
            receiving_unit=unit,
            resolving_agency=resolving,
            applicant=applicant,
            actor=None,
            roles=["receiving_officer"],
            received_at=t,
        )
    else:
        d = dossier_submit_online(
            case=case,
            receiving_unit=unit,
            resolving_agency=resolving,
            applicant=applicant,
            actor=None,
            submitted_at=t,
        )
        t += dt.timedelta(hours=3)
        if h["receive"] != "submit":
            action = "withdraw" if h["receive"] == "submit_withdraw" else "receive"
            dossier_perform(dossier=d, action=action, actor=None, roles=ALL_ROLES, now=t, reason="Lý do")
    for action, gap in h["steps"]:
        t += dt.timedelta(hours=gap)
        if action == "sync":
            d.refresh_from_db()
            d.synced = not d.synced
            d.save()
            continue
        payload = (
            {"extend_value": 2, "extend_unit": "working_days"} if action == "apologize_and_extend" else {}
        )
        try:
            dossier_perform(
                dossier=d, action=action, actor=None, roles=ALL_ROLES, now=t, reason="Lý do", payload=payload
            )
        except LifecycleError:
            pass  # the transition table refused: a history only of what is allowed


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(history_st, min_size=1, max_size=5))
def test_rollups_equal_facts_for_random_action_histories(world, histories):
    with transaction.atomic():
        for h in histories:
            run_history(world, h)
        assert Dossier.objects.count() == len(histories)
        assert_same_counts(world)
        assert_rebuild_equals_incremental()
        assert_same_counts(world)
        transaction.set_rollback(True)


# --- Random fact states, then changed (moves between buckets) ---------------------------------

opt_bool = st.one_of(st.none(), st.booleans())
facts_st = st.fixed_dictionaries(
    {
        "received": st.one_of(st.none(), st.integers(-40, 120)),
        "hour": st.integers(0, 23),
        "limit": st.integers(-3, 30),
        "extended_by": st.one_of(st.none(), st.integers(1, 10)),
        "took": st.one_of(st.none(), st.integers(-1, 60)),
        "supplements": st.integers(0, 2),
        "waiting": st.booleans(),
        "ending": st.sampled_from(
            [Status.RETURNED, Status.WITHDRAWN, Status.CLOSED_UNANSWERED, Status.STOPPED]
        ),
        "online": st.booleans(),
        "paper": st.booleans(),
        "where": st.integers(0, 3),
        "flags": st.tuples(*[st.booleans()] * 6),
        "paper_fact": opt_bool,
        "fee_fact": opt_bool,
        "reused": st.one_of(st.none(), st.integers(0, 2)),
        "store": st.one_of(st.none(), st.integers(0, 2)),
        "vneid": opt_bool,
        "population": opt_bool,
        "satisfied": opt_bool,
        "petition": st.booleans(),
    }
)


def make_facts(world, s, dossier=None):
    where = [
        (world.centre, world.department),
        (world.centre, world.section),
        (world.commune_desk, world.commune),
        (world.centre, world.commune),
    ][s["where"]]
    case = world.c_paper if s["paper"] else world.c_plain
    received = None if s["received"] is None else BASE + dt.timedelta(days=s["received"], hours=s["hour"])
    synced, digitized, e_result, paid, _, _ = s["flags"]
    values = {
        "case": case,
        "procedure_version": case.version,
        "receiving_unit": where[0],
        "resolving_agency": where[1],
        "channel": Channel.ONLINE if s["online"] else Channel.DIRECT,
        "received_at": received,
        "submitted_at": received or BASE,
        "code": None,
        "status": Status.PROCESSING if received else Status.SUBMITTED,
        "synced": synced,
        "digitized": digitized,
        "e_result": e_result,
        "paid_online": paid,
        "paper_result_required": s["paper_fact"],
        "fee_bearing": s["fee_fact"],
        "reused_components": s["reused"],
        "store_components": s["store"],
        "vneid_verified": s["vneid"],
        "population_data": s["population"],
        "satisfied": s["satisfied"],
        "petition": s["petition"],
        "supplement_count": s["supplements"],
        "supplement_requested_at": None,
        "paused_minutes": 0,
        "due_at": None,
        "original_due_at": None,
        "extended": False,
        "finished_at": None,
    }
    if received is not None:
        original = received + dt.timedelta(days=s["limit"])
        values["original_due_at"] = original
        values["due_at"] = original + dt.timedelta(days=s["extended_by"] or 0)
        values["extended"] = bool(s["extended_by"])
        if s["supplements"]:
            values["supplement_requested_at"] = received + dt.timedelta(hours=5)
            values["paused_minutes"] = 24 * 60
        if s["took"] is not None:
            values["finished_at"] = received + dt.timedelta(days=s["took"], hours=3)
            values["status"] = s["ending"]
        elif s["waiting"] and s["supplements"]:
            values["status"] = Status.SUPPLEMENT_REQUESTED
    if dossier is None:
        d = DossierFactory.build(**values)
    else:
        d = dossier
        for k, v in values.items():
            setattr(d, k, v)
    d.applicant_sign_in = ""
    for k, v in dossier_outcomes(d).items():
        setattr(d, k, v)
    d.save()
    return d


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(facts_st, st.one_of(st.none(), facts_st)), min_size=1, max_size=8))
def test_rollups_equal_facts_for_random_fact_states_and_moves(world, specs):
    with transaction.atomic():
        for first, then in specs:
            d = make_facts(world, first)
            if then is not None:  # the same dossier changes bucket, days and flags
                make_facts(world, then, dossier=d)
        assert_same_counts(world)
        assert DossierRollupState.objects.count() == Dossier.objects.filter(received_at__isnull=False).count()
        assert_rebuild_equals_incremental()
        transaction.set_rollback(True)


# --- Hand-checked cases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "end", "expected"),
    [
        # Whole months only.
        ("2025-07-01", "2025-10-01", {("M", "2025-07-01"), ("M", "2025-08-01"), ("M", "2025-09-01")}),
        # Partial month on both sides.
        ("2025-06-30", "2025-08-02", {("D", "2025-06-30"), ("M", "2025-07-01"), ("D", "2025-08-01")}),
        # Inside one month.
        ("2025-07-10", "2025-07-12", {("D", "2025-07-10"), ("D", "2025-07-11")}),
    ],
)
def test_days_q_covers_each_day_once(db, first, end, expected):
    first, end = dt.date.fromisoformat(first), dt.date.fromisoformat(end)
    days = [dt.date(2025, 6, 1) + dt.timedelta(days=i) for i in range(120)]
    rows = [(g, d.replace(day=1) if g == "M" else d) for d in days for g in "DM"]
    Rollup.objects.bulk_create(
        [
            Rollup(
                grain=g,
                day=d,
                receiving_unit_id=1,
                resolving_agency_id=1,
                procedure_version_id=1,
                channel="x",
            )
            for g, d in set(rows)
        ]
    )
    got = {(r.grain, r.day.isoformat()) for r in Rollup.objects.filter(days_q(first, end))}
    assert got == expected


def test_an_action_updates_the_rollups_in_its_transaction(world):
    d = world.dossier(received="2025-08-04", due="2025-08-07", status=Status.PROCESSING)
    row = Rollup.objects.get(grain=Grain.DAY, day=dt.date(2025, 8, 4))
    assert (row.received, row.oot_start, row.finished) == (1, 1, 0)
    # Resolved late, then moved to the commune: the department's bucket empties.
    d.finished_at = dt.datetime(2025, 8, 8, 10, tzinfo=TZ)
    d.status = Status.RETURNED
    d.resolving_agency = world.commune
    for k, v in dossier_outcomes(d).items():
        setattr(d, k, v)
    d.save()
    dept = Rollup.objects.filter(resolving_agency=world.department).aggregate(n=Sum("received"))
    assert dept["n"] == 0
    month = Rollup.objects.get(grain=Grain.MONTH, day=dt.date(2025, 8, 1), resolving_agency=world.commune)
    assert (month.received, month.finished, month.fin_on_time) == (1, 1, 0)
    r = indicator_report(resolve_scope("000.00.32.H12"), "2025-08")
    on_time = next(i for g in r["groups"] for i in g["indicators"] if i["code"] == "ON_TIME")
    assert (on_time["numerator"], on_time["denominator"]) == (0, 1)
    d.delete()
    assert not Rollup.objects.filter(received__gt=0).exists()
    assert not DossierRollupState.objects.exists()


def test_new_facts_make_indicators_computable(world):
    plain = world.dossier(received="2025-08-04", finished="2025-08-05")
    counts = indicator_counts(PROVINCE_SCOPE, parse_period("2025-08"))
    for code in ("REUSED_DIGITIZED_DATA", "CITIZEN_DATA_CONNECTED_DOSSIER", "DOSSIER_RECEIVING_SATISFACTION"):
        assert counts[code]["numerator"] is None, code  # no dossier records the fact
    plain.reused_components, plain.vneid_verified, plain.satisfied = 1, True, False
    plain.save()
    world.dossier(received="2025-08-06", finished="2025-08-07", satisfied=True, store_components=0)
    counts = indicator_counts(PROVINCE_SCOPE, parse_period("2025-08"))
    assert counts["REUSED_DIGITIZED_DATA"] == {"numerator": 1, "denominator": 2}
    assert counts["CITIZEN_DATA_CONNECTED_DOSSIER"] == {"numerator": 1, "denominator": 2}
    assert counts["SYNCED_WITH_DVCQG_PERSONAL_STORAGE"] == {"numerator": 0, "denominator": 2}
    # Dissatisfied (and on time) → out; the other is on time and satisfied.
    assert counts["DOSSIER_RECEIVING_SATISFACTION"] == {"numerator": 1, "denominator": 2}
    with use_source("facts"):
        assert indicator_counts(PROVINCE_SCOPE, parse_period("2025-08")) == counts


def test_a_full_history_through_the_services_stays_equal(world):
    h = {
        "start": 30,
        "hour": 9,
        "online": True,
        "paper": True,
        "desk": False,
        "commune": False,
        "receive": "receive",
        "steps": [
            ("forward", 2),
            ("apologize_and_extend", 3),
            ("request_supplement", 2),
            ("supplement_received", 30),
            ("forward", 2),
            ("approve", 3),
            ("resolve", 3),
            ("sync", 1),
            ("return_result", 20),
        ],
    }
    run_history(world, h)
    d = Dossier.objects.get()
    done = list(d.actions.values_list("action", flat=True))
    assert done == [
        "receive",
        "forward",
        "apologize_and_extend",
        "request_supplement",
        "supplement_received",
        "forward",
        "approve",
        "resolve",
        "return_result",
    ]
    assert d.status == Status.RETURNED and d.extended and d.synced and d.supplement_count == 1
    assert_same_counts(world)
    state = DossierRollupState.objects.get()
    assert state.finished_day == d.finished_at.astimezone(TZ).date()


# --- "Open at the period end" apart (selectors.before_sums) ----------------------------------

BEFORE_COLUMNS = ("received", "open_stop", "oot_start", "oot_stop", "oot_orig_start", "oot_orig_stop")


def _random_rollups(seed: int) -> None:
    """Day and month rows over eight months for a few buckets, with random counters (the month
    rows need not be the sums of the day rows: before_sums must read each row exactly where
    ``days_q`` says)."""
    import random

    rnd = random.Random(seed)
    rows = {}
    for day in (dt.date(2024, 11, 1) + dt.timedelta(days=i) for i in range(0, 240, 3)):
        for grain, d in (("D", day), ("M", day.replace(day=1))):
            for _ in range(2):
                bucket = (grain, d, rnd.randint(1, 3), rnd.randint(1, 3), rnd.randint(1, 4))
                rows[bucket] = {c: rnd.randint(-5, 20) for c in BEFORE_COLUMNS}
    Rollup.objects.bulk_create(
        Rollup(
            grain=g,
            day=d,
            receiving_unit_id=ru,
            resolving_agency_id=ra,
            procedure_version_id=v,
            channel="x",
            **c,
        )
        for (g, d, ru, ra, v), c in rows.items()
    )


def _nonzero(sums: dict) -> dict:
    return {key: s for key, s in sums.items() if any(s.values())}


@pytest.mark.parametrize(
    "ends",
    [
        ["2025-04-01"],  # one whole-month end
        ["2025-03-17"],  # inside a month: the month rows before it and its day rows
        ["2025-01-01", "2025-02-11", "2025-06-01", "2025-06-30"],  # a filtered sum per end month
        [f"2025-{m:02d}-01" for m in range(1, 7)] + ["2025-05-09", "2024-12-02"],  # cumulated by month
    ],
)
@pytest.mark.parametrize("group_by", [(), ("receiving_unit", "resolving_agency"), ("procedure_version_id",)])
def test_before_sums_equal_the_rows_before_each_end(db, ends, group_by):
    from motcua.indicators.selectors import before_sums, rollup_columns

    _random_rollups(len(ends) + len(group_by))
    ends = [dt.date.fromisoformat(e) for e in ends]
    rows = Rollup.objects.filter(receiving_unit_id__in=[1, 2]) if group_by else Rollup.objects.all()
    for profile in PROFILES:
        columns = rollup_columns(profile)[1]
        got = before_sums(rows, ends, profile, group_by=group_by)
        assert set(got) == set(ends)
        for end in ends:
            expected: dict = {}
            for r in rows.filter(days_q(None, end)).values():
                key = tuple(r[g if g.endswith("_id") else f"{g}_id"] for g in group_by)
                sums = expected.setdefault(key, dict.fromkeys(columns, 0))
                for k, col in columns.items():
                    sums[k] += r[col]
            assert expected, "the data must reach every end"
            assert _nonzero(got[end]) == _nonzero(expected)
            if not group_by:
                assert got[end][()] == expected[()]


def test_month_open_index_on_postgresql(db):
    """Migration 0004 creates the partial covering index that makes "open at the end" an
    index-only scan, with every column before_sums reads for either profile."""
    from django.db import connection

    from motcua.indicators.selectors import rollup_columns

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite has no INCLUDE)")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'indicators_rollup'"
            " AND indexname = 'indicators_rollup_month_open'"
        )
        found = cur.fetchall()
    assert len(found) == 1
    definition = found[0][0]
    assert "(day) INCLUDE (" in definition and "WHERE ((grain)::text = 'M'::text)" in definition
    included = definition.split("INCLUDE (")[1].split(")")[0].split(", ")
    read = {"receiving_unit_id", "resolving_agency_id", "procedure_version_id"}
    for profile in PROFILES:
        read |= set(rollup_columns(profile)[1].values())
    assert read <= set(included)
