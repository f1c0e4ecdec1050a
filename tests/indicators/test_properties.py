"""The aggregate queries equal a recomputation, dossier by dossier, with the pure 766 rules of
``dossiers.facts`` (random small histories around 2025-Q3)."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.facts import dossier_outcomes, portal_outcome
from motcua.dossiers.models import Channel, Dossier, Status
from motcua.indicators.periods import parse_period
from motcua.indicators.profiles import get_profile
from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_counts

from .conftest import TZ

Q3 = parse_period("2025-Q3")
BASE = dt.datetime(2025, 7, 1, 9, tzinfo=TZ)


def moment(days: int, hours: int = 0) -> dt.datetime:
    return BASE + dt.timedelta(days=days, hours=hours)


dossier_st = st.fixed_dictionaries(
    {
        "received": st.one_of(st.none(), st.integers(-40, 100)),
        "limit": st.integers(0, 20),
        "took": st.one_of(st.none(), st.integers(0, 40)),
        "hours": st.integers(0, 23),
        "supplements": st.integers(0, 2),
        "paused_days": st.integers(0, 5),
        "extended_by": st.one_of(st.none(), st.integers(1, 10)),
        "ending": st.sampled_from([Status.RETURNED, Status.WITHDRAWN, Status.CLOSED_UNANSWERED]),
        "waiting": st.booleans(),
        "online": st.booleans(),
        "synced": st.booleans(),
    }
)


def reference(rows: list[dict], policy: str) -> tuple[int, int]:
    start, end = Q3.start, Q3.end
    num = den = 0
    for r in rows:
        if r["received_at"] is None:
            continue
        due = r["due_at"] if policy == "current" else r["original_due_at"]
        fin = r["finished_at"]
        if fin is not None and start <= fin < end:
            den += 1
            pending = r["supplement_requested_at"] if r["status"] == Status.CLOSED_UNANSWERED else None
            out = portal_outcome(
                finished=fin,
                due=due,
                paused=dt.timedelta(minutes=r["paused_minutes"]),
                supplement_count=r["supplement_count"],
                pending_supplement_at=pending,
            )
            num += out == "on_time"
        elif r["received_at"] < end and (fin is None or fin >= end):
            den += 1
            if r["supplement_count"] > 1:
                continue
            if due is None:
                num += 1
            elif r["status"] == Status.SUPPLEMENT_REQUESTED and fin is None:
                num += r["supplement_requested_at"] <= due
            else:
                num += due >= end
    return num, den


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(dossier_st, max_size=8))
def test_counts_equal_a_recomputation(world, specs):
    Dossier.objects.all().delete()
    for s in specs:
        received = None if s["received"] is None else moment(s["received"], s["hours"])
        kw = {
            "channel": Channel.ONLINE if s["online"] else Channel.DIRECT,
            "synced": s["synced"],
            "supplement_count": s["supplements"],
            "paused_minutes": s["paused_days"] * 24 * 60 if s["supplements"] else 0,
        }
        if received is None:
            world.dossier(received=None, due=None, status=Status.SUBMITTED, code=None, **kw)
            continue
        original = received + dt.timedelta(days=s["limit"])
        due = original + dt.timedelta(days=s["extended_by"]) if s["extended_by"] else original
        if s["supplements"]:
            kw["supplement_requested_at"] = received + dt.timedelta(hours=1)
        d = world.dossier(
            received=received.date().isoformat(),
            due=None,
            original_due_at=original,
            extended=bool(s["extended_by"]),
            **kw,
        )
        # Exact moments (the helper takes dates at 09:00).
        d.received_at, d.due_at = received, due
        if s["took"] is not None:
            d.finished_at = received + dt.timedelta(days=s["took"], hours=s["hours"])
            d.status = (
                s["ending"]
                if s["supplements"] or s["ending"] != Status.CLOSED_UNANSWERED
                else Status.RETURNED
            )
        elif s["waiting"] and s["supplements"]:
            d.status = Status.SUPPLEMENT_REQUESTED
        for k, v in dossier_outcomes(d).items():
            setattr(d, k, v)
        d.save()
    rows = list(Dossier.objects.values())
    for policy in ("current", "original"):
        got = indicator_counts(PROVINCE_SCOPE, Q3, get_profile(extension_due=policy))["ON_TIME"]
        num, den = reference(rows, policy)
        assert got == {"numerator": num, "denominator": den}, policy
    received = [r for r in rows if r["received_at"] and Q3.start <= r["received_at"] < Q3.end]
    counts = indicator_counts(PROVINCE_SCOPE, Q3)
    assert counts["DOSSIER_SYNC"] == {
        "numerator": sum(r["synced"] for r in received),
        "denominator": len(received),
    }
    online = sum(r["channel"] == Channel.ONLINE for r in received)  # plain procedure: no paper result
    assert counts["ONLINE_DOSSIER"] == {"numerator": online, "denominator": len(received)}
