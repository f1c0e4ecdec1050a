"""``motcua simulate``: a realistic province history of dossiers, for demos and benchmarks.

Calibrated to the Cà Mau 2023 report (shared/domain/000_7c053848fb692dea.txt): ~78% online
(78.26%), ~99% early or on time (late ~1%), satisfaction ~91% (91.59%), sync ~91%; plus
assumptions where the report gives no figure (digitization ~82%, e-results ~70% of paper-result
procedures, online payment ~55% of online fee-bearing dossiers, ~5% one supplement, 0.3% two,
0.4% extended, 0.5% stopped). Seasonality: fewer dossiers around Tết and in the first weeks of
the year, more before the year end; Monday peaks; hours 7–17.

Dossiers are generated over the units and procedures already in the database (``motcua demo``):
province-level procedures at the province one-stop centre (resolved by the agencies the version
names), commune-level procedures at each commune's one-stop unit (resolved by the commune's
People's Committee). They carry ``source = "simulated"``, codes ``<agency>-<yymmdd>-S<n>`` and no
action log; rows go in with ``COPY`` on PostgreSQL, ``executemany`` on SQLite; the rollups are
rebuilt at the end. Deterministic for a given ``seed`` and database content.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import ProcedureCase, ProcedureVersion
from motcua.dossiers.facts import dossier_outcomes
from motcua.dossiers.models import ApplicantType, Channel, Dossier, DossierSource, Status, StopInitiator
from motcua.org.models import AdministrativeUnit, Agency
from motcua.worktime.engine import TZ

# Relative volume per month (Tết in late January / February, year-end rush).
MONTH_WEIGHT = {
    1: 0.85,
    2: 0.7,
    3: 1.05,
    4: 1.0,
    5: 1.0,
    6: 1.0,
    7: 1.05,
    8: 1.0,
    9: 0.95,
    10: 1.05,
    11: 1.1,
    12: 1.2,
}
WEEKDAY_WEIGHT = (1.35, 1.05, 1.0, 1.0, 0.95, 0.12, 0.03)  # Monday peak; Saturday desks open a little
TET = {2024: (dt.date(2024, 2, 8), dt.date(2024, 2, 14)), 2025: (dt.date(2025, 1, 25), dt.date(2025, 2, 2))}
TET.update(
    {2026: (dt.date(2026, 2, 14), dt.date(2026, 2, 22)), 2027: (dt.date(2027, 2, 4), dt.date(2027, 2, 10))}
)
CHANNELS = ((Channel.ONLINE, 0.78), (Channel.DIRECT, 0.19), (Channel.POSTAL, 0.025), (Channel.AT_HOME, 0.005))


@dataclass(frozen=True)
class Rates:
    late: float = 0.006
    one_supplement: float = 0.05
    two_supplements: float = 0.003
    extended: float = 0.004
    stopped: float = 0.005
    refused_online: float = 0.003
    synced: float = 0.91
    digitized: float = 0.82
    e_result_paper: float = 0.70
    paid_online: float = 0.55
    evaluated: float = 0.65
    satisfied: float = 0.885
    petition: float = 0.004
    reused: float = 0.35
    store_online: float = 0.25
    vneid_online: float = 0.9
    population: float = 0.45
    returned: float = 0.92


@dataclass
class Slot:
    """A (receiving unit, resolving agency, procedure case) with a volume weight."""

    receiving_id: int
    resolving_id: int
    resolving_code: str
    version: ProcedureVersion
    case: ProcedureCase
    weight: float


def _slots(rng: random.Random) -> list[Slot]:
    versions = list(
        ProcedureVersion.objects.filter(valid_to__isnull=True)
        .select_related("procedure")
        .prefetch_related("agencies")
    )
    cases = {}
    for c in ProcedureCase.objects.filter(version__in=versions).order_by("version_id", "-order"):
        cases[c.version_id] = c
    versions = [v for v in versions if v.pk in cases]
    one_stops = list(
        Agency.objects.filter(kind=Agency.Kind.ONE_STOP, valid_to__isnull=True).select_related("admin_unit")
    )
    pcs = {
        a.admin_unit_id: a
        for a in Agency.objects.filter(kind=Agency.Kind.PEOPLES_COMMITTEE, valid_to__isnull=True).order_by(
            "pk"
        )
    }
    departments = list(
        Agency.objects.filter(kind=Agency.Kind.DEPARTMENT, valid_to__isnull=True).order_by("pk")
    )
    centre = next(
        (o for o in one_stops if o.admin_unit and o.admin_unit.level == AdministrativeUnit.Level.PROVINCE),
        None,
    )
    communal = [
        o
        for o in one_stops
        if o.admin_unit and o.admin_unit.level == AdministrativeUnit.Level.COMMUNE and o.admin_unit_id in pcs
    ]
    popularity = {v.pk: rng.paretovariate(1.2) for v in versions}  # a few procedures take most dossiers
    slots: list[Slot] = []
    province_versions = [v for v in versions if v.level != ProcedureVersion.Level.COMMUNE]
    commune_versions = [v for v in versions if v.level == ProcedureVersion.Level.COMMUNE]
    if centre is not None and province_versions:
        for v in province_versions:
            named = sorted(v.agencies.all(), key=lambda a: a.pk)
            resolving = named[0] if named else (departments[v.pk % len(departments)] if departments else None)
            if resolving is None:
                continue
            slots.append(
                Slot(centre.pk, resolving.pk, resolving.ident_code, v, cases[v.pk], 0.25 * popularity[v.pk])
            )
    for o in communal:
        size = rng.lognormvariate(0, 0.6)  # commune population
        pc = pcs[o.admin_unit_id]
        for v in commune_versions:
            slots.append(Slot(o.pk, pc.pk, pc.ident_code, v, cases[v.pk], 0.75 * size * popularity[v.pk]))
    if not slots:
        raise ValueError("Chưa có đơn vị và thủ tục để mô phỏng: chạy 'motcua demo' trước.")
    # Normalise the two levels to 25% / 75% of the volume.
    centre_pk = getattr(centre, "pk", None)
    totals = {True: 0.0, False: 0.0}
    for s in slots:
        totals[s.receiving_id == centre_pk] += s.weight
    for s in slots:
        at_centre = s.receiving_id == centre_pk
        s.weight = s.weight / totals[at_centre] * (0.25 if at_centre else 0.75)
    return slots


class WorkingDays:
    """Monday–Friday working days (fast; holidays only through the Tết weights)."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first = first
        self.days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        self.working = [d for d in self.days if d.weekday() < 5]
        self.index = {}
        j = 0
        for d in self.days:
            while j < len(self.working) and self.working[j] < d:
                j += 1
            self.index[d] = j  # the first working day on or after d

    def add(self, day: dt.date, n: int) -> dt.date:
        i = self.index[day] + n
        return self.working[min(i, len(self.working) - 1)]


def _limit_days(case: ProcedureCase) -> tuple[int, bool]:
    """(number, working?) of the case's applied (else legal) limit for a direct dossier."""
    value = case.applied_direct_value if case.applied_direct_unit else case.legal_direct_value
    unit = case.applied_direct_unit or case.legal_direct_unit
    if unit == "same_day":
        return 0, True
    if value is None:
        return 5, True
    return max(0, math.ceil(float(value))), unit == "working_days"


def _at(day: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ) + dt.timedelta(hours=hour)


# ------------------------------------------------------------------------------------------------


_COLUMNS = [f for f in Dossier._meta.concrete_fields if not f.primary_key]


def _template() -> dict:
    t = {f.attname: f.get_default() for f in _COLUMNS}
    t.update(applicant_name="Người nộp (mô phỏng)", source=DossierSource.SIMULATED, law_framework="2025")
    return t


def simulate(
    *,
    year: int,
    dossiers: int,
    seed: int = 2025,
    until: dt.date | None = None,
    rates: Rates = Rates(),  # noqa: B008 - frozen dataclass
    progress: Callable[[int, int], None] | None = None,
    rebuild: bool = True,
    now: dt.datetime | None = None,
    batch: int = 20000,
) -> dict:
    """Insert ``dossiers`` simulated dossiers received in ``year`` (up to ``until``, default the
    year end or today, whichever is first). Returns a summary."""
    rng = random.Random(seed * 1_000_003 + year)
    now = now or timezone.now()
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), until or dt.date(year, 12, 31), now.astimezone(TZ).date())
    if last < first:
        raise ValueError(f"Năm {year} chưa bắt đầu.")
    slots = _slots(rng)
    cum_slots = list(_accumulate(s.weight for s in slots))
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    tet = TET.get(year)

    def day_weight(d: dt.date) -> float:
        w = MONTH_WEIGHT[d.month] * WEEKDAY_WEIGHT[d.weekday()]
        if tet and tet[0] <= d <= tet[1]:
            w *= 0.03
        return w

    cum_days = list(_accumulate(day_weight(d) for d in days))
    wd = WorkingDays(first, last + dt.timedelta(days=400))
    limits = {s.case.pk: _limit_days(s.case) for s in slots}
    template = _template()
    channels = [c for c, _ in CHANNELS]
    cum_channels = list(_accumulate(w for _, w in CHANNELS))
    per_day_codes: dict[tuple[int, dt.date], int] = {}
    r = rates
    summary = {"dossiers": 0, "online": 0, "late": 0, "open": 0}
    rows: list[dict] = []

    # Chronological order (ids grow with time, as on a live system).
    picks = sorted(rng.choices(range(len(days)), cum_weights=cum_days, k=dossiers))
    with transaction.atomic():
        for n, day_i in enumerate(picks, start=1):
            day = days[day_i]
            slot = slots[_bisect(cum_slots, rng.random() * cum_slots[-1])]
            channel = channels[_bisect(cum_channels, rng.random() * cum_channels[-1])]
            hour = 7 + rng.random() * 10 if channel != Channel.ONLINE else rng.random() * 24
            submitted = _at(day, hour)
            v = slot.version
            d = dict(template)
            d.update(
                procedure_version_id=v.pk,
                case_id=slot.case.pk,
                receiving_unit_id=slot.receiving_id,
                resolving_agency_id=slot.resolving_id,
                channel=channel,
                is_online=channel == Channel.ONLINE,
                applicant_type=(
                    ApplicantType.CITIZEN
                    if rng.random() < 0.85
                    else (
                        ApplicantType.ORGANISATION
                        if rng.random() < 0.67
                        else ApplicantType.HOUSEHOLD_BUSINESS
                    )
                ),
                submitted_at=submitted,
                paper_result_required=v.paper_result_required,
                fee_bearing=v.fee_bearing,
                created_at=submitted,
                updated_at=submitted,
            )
            if channel == Channel.ONLINE and rng.random() < r.refused_online:
                d.update(status=Status.REFUSED, temp_reference=f"S{year}{n:07d}")
                rows.append(d)
                continue
            # Reception: at the counter at once; online within the next working hours.
            received = submitted
            if channel == Channel.ONLINE:  # accepted within working hours (8 working hours at most)
                received = submitted + dt.timedelta(hours=rng.uniform(0.3, 6))
                local = received.astimezone(TZ)
                if local.weekday() >= 5 or not 7 <= local.hour < 17:
                    nxt = wd.add(local.date() + dt.timedelta(days=int(local.hour >= 17)), 0)
                    received = _at(nxt, 7.5 + rng.uniform(0, 3))
            rday = received.astimezone(TZ).date()
            if rday > last:
                received, rday = submitted, day
            seq = per_day_codes.get((slot.resolving_id, rday), 0) + 1
            per_day_codes[(slot.resolving_id, rday)] = seq
            value, working = limits[slot.case.pk]
            due_day = wd.add(rday, value) if working else rday + dt.timedelta(days=value)
            if _at(due_day, 17) <= received + dt.timedelta(hours=1):  # same-day limit, late arrival
                due_day = wd.add(rday + dt.timedelta(days=1), 0)
            due = _at(due_day, 17)
            d.update(
                code=f"{slot.resolving_code}-{rday:%y%m%d}-S{seq:05d}",
                received_at=received,
                original_due_at=due,
                due_at=due,
                limit_value=value,
                limit_unit="working_days" if working else "days",
                law_framework="2025" if rday >= dt.date(2025, 7, 1) else "2018",
            )
            span = max(due - received, dt.timedelta(hours=2))
            # Supplements: the clock restarts after the applicant answers (paused time added).
            u = rng.random()
            supplements = (
                2 if u < r.two_supplements else (1 if u < r.two_supplements + r.one_supplement else 0)
            )
            paused = dt.timedelta(0)
            if supplements:
                requested = received + span * rng.uniform(0.05, 0.4)
                paused = dt.timedelta(days=rng.uniform(1, 8))
                d.update(
                    supplement_count=supplements,
                    supplement_requested_at=requested,
                    paused_minutes=int(paused.total_seconds() // 60),
                    due_at=due + paused,
                    original_due_at=due + paused,
                )
            due_now = d["due_at"]
            late = rng.random() < r.late
            extended = not late and rng.random() < r.extended
            if extended:
                d.update(extended=True, due_at=_at(wd.add(due_now.astimezone(TZ).date(), 3), 17))
                finish = due_now + (d["due_at"] - due_now) * rng.uniform(0.2, 0.95)
            elif late:
                finish = due_now + dt.timedelta(hours=rng.uniform(2, 240))
            else:
                finish = received + paused + span * (rng.random() ** 0.6) * 0.98
            stopped = rng.random() < r.stopped
            if finish > now:  # still open today
                d["status"] = Status.PROCESSING
                if supplements and rng.random() < 0.5 and d["supplement_requested_at"] <= now:
                    d["status"] = Status.SUPPLEMENT_REQUESTED
                summary["open"] += 1
            elif stopped:
                d.update(status=Status.STOPPED, stop_initiator=StopInitiator.APPLICANT, finished_at=finish)
            else:
                d["finished_at"] = finish
                returned = finish + dt.timedelta(hours=rng.uniform(0.5, 72))
                if returned <= now and rng.random() < r.returned:
                    d.update(status=Status.RETURNED, returned_at=returned)
                else:
                    d["status"] = Status.RESOLVED
            # Facts.
            online = channel == Channel.ONLINE
            d["synced"] = rng.random() < r.synced
            if d["synced"]:
                d["synced_at"] = received + dt.timedelta(minutes=rng.uniform(1, 600))
            d["digitized"] = rng.random() < r.digitized
            if v.paper_result_required and d["finished_at"] and rng.random() < r.e_result_paper:
                d.update(e_result=True, e_result_code=f"KQ-{d['code']}")
            elif not v.paper_result_required and d["finished_at"] and rng.random() < 0.5:
                d.update(e_result=True, e_result_code=f"KQ-{d['code']}")
            if v.fee_bearing:
                amount = rng.choice((20000, 50000, 100000, 200000))
                d["fee_amount"] = amount
                if online and rng.random() < r.paid_online:
                    d.update(paid_online=True, paid_online_amount=amount)
                else:
                    d["paid_online_amount"] = 0
            d["reused_components"] = int(rng.random() < r.reused) + int(rng.random() < r.reused / 3)
            d["store_components"] = int(online and rng.random() < r.store_online)
            d["vneid_verified"] = (rng.random() < r.vneid_online) if online else None
            d["population_data"] = rng.random() < r.population
            if d["finished_at"] and rng.random() < r.evaluated:
                d.update(
                    evaluated=True, satisfied=rng.random() < r.satisfied, petition=rng.random() < r.petition
                )
            outcome = dossier_outcomes(_Row(d))
            d.update(outcome)
            summary["dossiers"] += 1
            summary["online"] += online
            summary["late"] += outcome["outcome_portal"] == "late"
            rows.append(d)
            if len(rows) >= batch:
                _write(rows)
                rows = []
                if progress:
                    progress(n, dossiers)
        _write(rows)
        if progress:
            progress(dossiers, dossiers)
        if rebuild:
            from .rollups import rollup_rebuild

            summary["rollups"] = rollup_rebuild()
    summary["first"], summary["last"] = first.isoformat(), last.isoformat()
    return summary


class _Row:
    """Attribute access over a row dict (for dossiers.facts.dossier_outcomes)."""

    __slots__ = ("_d",)

    def __init__(self, d: dict):
        self._d = d

    def __getattr__(self, name):
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _write(rows: list[dict]) -> None:
    if not rows:
        return
    table = Dossier._meta.db_table
    cols = [f.column for f in _COLUMNS]
    if connection.vendor == "postgresql":
        import json

        json_cols = {f.attname for f in _COLUMNS if f.get_internal_type() == "JSONField"}
        names = [f.attname for f in _COLUMNS]
        with connection.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(row[a]) if a in json_cols else row[a] for a in names])
    else:
        names = [f.attname for f in _COLUMNS]
        placeholders = ", ".join(["%s"] * len(cols))
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})"
        with connection.cursor() as cur:
            cur.executemany(sql, [[sqlite_value(row[a]) for a in names] for row in rows])


def sqlite_value(v):
    """A value as Django's SQLite backend stores it (UTC datetimes without offset, ISO dates)."""
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict | list):
        import json

        return json.dumps(v)
    if isinstance(v, Decimal):
        return str(v)
    return v


def delete_simulated(year: int | None = None) -> int:
    """Remove simulated dossiers (of one year of submission); rebuild the rollups afterwards.
    Simulated dossiers have no action log, components or access log."""
    qs = Dossier.objects.filter(source=DossierSource.SIMULATED)
    if year is not None:
        qs = qs.filter(
            submitted_at__gte=dt.datetime(year, 1, 1, tzinfo=TZ),
            submitted_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=TZ),
        )
    return qs._raw_delete(qs.db)


def simulated_count(year: int) -> int:
    return Dossier.objects.filter(
        source=DossierSource.SIMULATED,
        submitted_at__gte=dt.datetime(year, 1, 1, tzinfo=TZ),
        submitted_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=TZ),
    ).count()


DEMO_DOSSIERS_PER_YEAR = 16_000


def demo_history(
    *, per_year: int = DEMO_DOSSIERS_PER_YEAR, seed: int = 766, now: dt.datetime | None = None
) -> dict:
    """``motcua demo``: last year and this year to date, so the dashboard has a year of history and
    a same-period comparison. A year that already has simulated dossiers is left as it is."""
    now = now or timezone.now()
    today = now.astimezone(TZ).date()
    added = {}
    for year in (today.year - 1, today.year):
        if simulated_count(year):
            continue
        share = 1.0 if year < today.year else (today - dt.date(year, 1, 1)).days / 365
        n = int(per_year * share * (1.08 if year == today.year else 1.0))
        if n <= 0:
            continue
        added[year] = simulate(year=year, dossiers=n, seed=seed, rebuild=False, now=now)["dossiers"]
    if added:
        from .rollups import rollup_rebuild

        rollup_rebuild()
    return added
