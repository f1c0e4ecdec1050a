"""Benchmark of dossier submission and look-up by code on PostgreSQL, against bare psycopg SQL.

Set-up (idempotent, resumable): ``migrate``, the Cà Mau demo, then N realistic dossiers (default
1,000,000) bulk-loaded with COPY in chunks of 100,000, one transaction per chunk (a killed load
resumes at the next chunk), with their action rows, codes and code counters; then ANALYZE.

Measured, in the same run, with N workers that each hold their own connection — forked processes
by default, as a WSGI server's worker processes (``--mode thread``: threads of one process):

1. submission, open loop: ``dossier_receive(...)`` at a fixed arrival rate (default 50/s);
   latency from the scheduled arrival to the commit;
2. submission, closed loop: the service as fast as N workers go (with two components); the
   same with other apps' ``pre_save``/``post_save`` receivers on ``Dossier``/``DossierAction``
   off (:class:`OtherAppsReceiversOff`); then bare psycopg writing the rows the service writes
   (code-counter upsert, dossier, component rows, action row; one transaction), same workers;
3. look-up by code, closed loop: ``dossier_by_code(code)`` and ``dossier_by_code`` + the action
   history (``dossier_history_list(d)``, as ``GET /api/v1/dossiers/{code}``), against bare
   ``SELECT * … WHERE code = %s``, against the very SQL ``dossier_by_code`` sends (same rows and
   joins), and (+ ``SELECT … FROM dossiers_dossieraction WHERE dossier_id = %s ORDER BY at, id``).

``--prepared`` sets ``MOTCUA_DB_PREPARE_THRESHOLD=5`` (the product's option) for the run.

Only for a database whose name contains "bench" (it deletes the bare rows it wrote). Not part
of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench \\
        .venv/bin/python bench/bench_dossiers.py [--dossiers 1000000] [--seconds 20] [--rate 50]
        [--workers 4] [--mode process|thread] [--variants] [--prepared] [--load-only] [--profile receive|lookup]

Smoke check (a few seconds of load, ~1 minute in all), on its own database:

    createdb -h 127.0.0.1 -U postgres motcua_bench_small
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_small \
        .venv/bin/python bench/bench_dossiers.py --dossiers 10000 --seconds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

SEED = 20261124
CHUNK = 100_000
# The loaded year: receptions from 25/11/2025 to 24/11/2026 (Vietnam time), before the run's "today".
YEAR_START = dt.date(2025, 11, 25)
YEAR_END = dt.date(2026, 11, 24)

SURNAMES = (
    "Nguyễn Trần Lê Phạm Huỳnh Hoàng Võ Phan Trương Bùi Đặng Đỗ Ngô Hồ Dương Lý Châu Lâm Tô Quách".split()
)
MIDDLE = "Văn Thị Hoàng Minh Ngọc Thanh Quốc Hữu Kim Bảo Xuân Thu".split()
GIVEN = (
    "An Bình Cường Dũng Đức Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Khang Khoa Lan Linh Loan Long Mai "
    "Minh Nam Nga Ngân Nhung Phúc Phương Quân Sơn Tâm Thảo Thịnh Trâm Trang Tú Tuấn Vân Việt Yến"
).split()
STREETS = "Lý Thường Kiệt|Trần Hưng Đạo|Nguyễn Tất Thành|Phan Ngọc Hiển|Hùng Vương|Ngô Quyền|Lê Lợi".split(
    "|"
)


def _setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------
# Reference data: the demo's communes, centres, resolving agencies and procedure cases
# ---------------------------------------------------------------------------------------------


class World:
    """What the generator draws from, read once from the demo data."""

    def __init__(self) -> None:
        from motcua.catalog.models import ProcedureCase, WorkflowStep
        from motcua.catalog.selectors import resolving_agency_candidates
        from motcua.org.models import AdministrativeUnit, Agency
        from motcua.worktime.models import WorkingHoursProfile
        from motcua.worktime.selectors import get_calendar, get_working_hours

        self.calendar = get_calendar()
        profile = WorkingHoursProfile.objects.filter(is_default=True).first()
        self.hours = get_working_hours(profile)
        self.hours_profile = profile.name if profile else "built-in"
        self.hours_windows = {
            "windows": [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in self.hours.windows],
            "cutoff": self.hours.cutoff.strftime("%H:%M"),
        }
        communes = list(AdministrativeUnit.objects.filter(level=3, valid_to__isnull=True).order_by("code"))
        centres = {
            a.admin_unit_id: a
            for a in Agency.objects.filter(kind=Agency.Kind.ONE_STOP, valid_to__isnull=True).select_related(
                "admin_unit"
            )
        }
        self.communes = [u for u in communes if u.pk in centres]
        self.centre_of = {u.pk: centres[u.pk] for u in self.communes}
        self.province_centre = next(a for a in centres.values() if a.admin_unit.level == 1)
        self.cases = list(
            ProcedureCase.objects.select_related("version").filter(version__valid_to__isnull=True)
        )
        self.commune_cases = [c for c in self.cases if c.version.competent_at_commune]
        self.province_cases = [c for c in self.cases if not c.version.competent_at_commune]
        first_steps = {}
        for step in WorkflowStep.objects.order_by("case_id", "order"):
            first_steps.setdefault(step.case_id, step)
        self.first_step = first_steps
        from motcua.catalog.models import Component

        # The papers handed in at a reception: the case's first two catalogue components.
        self.components: dict[int, list[tuple[int, str]]] = {}
        for comp in Component.objects.order_by("case_id", "order", "id"):
            papers = self.components.setdefault(comp.case_id, [])
            if len(papers) < 2:
                papers.append((comp.pk, comp.name))
        # Resolving agency per (case, commune) for commune procedures, per case otherwise.
        self.resolver: dict[tuple[int, int | None], Agency] = {}
        for case in self.commune_cases:
            for unit in self.communes:
                agency = resolving_agency_candidates(case.version, admin_unit=unit).first()
                if agency is not None:
                    self.resolver[(case.pk, unit.pk)] = agency
        for case in self.province_cases:
            agency = resolving_agency_candidates(case.version).first()
            if agency is not None:
                self.resolver[(case.pk, None)] = agency
        self.commune_cases = [c for c in self.commune_cases if (c.pk, self.communes[0].pk) in self.resolver]
        self.province_cases = [c for c in self.province_cases if (c.pk, None) in self.resolver]
        from motcua.accounts.models import User

        self.staff_ids = list(
            User.objects.filter(username__contains=".").order_by("pk").values_list("pk", flat=True)
        )
        self.officer = User.objects.get(username="tiepnhan.tinh")
        # Working days of the loaded year.
        self.days = [
            YEAR_START + dt.timedelta(days=i)
            for i in range((YEAR_END - YEAR_START).days + 1)
            if self.calendar.is_working_day(YEAR_START + dt.timedelta(days=i))
        ]

    def pick(self, rng: random.Random):
        """(case, channel, receiving centre, resolving agency, applicant's commune unit)."""
        unit = rng.choice(self.communes)
        if rng.random() < 0.8:
            case = rng.choice(self.commune_cases)
            resolver = self.resolver[(case.pk, unit.pk)]
            # Reception regardless of administrative boundary: 5 % at another commune's centre.
            centre = self.centre_of[rng.choice(self.communes).pk if rng.random() < 0.05 else unit.pk]
        else:
            case = rng.choice(self.province_cases)
            resolver = self.resolver[(case.pk, None)]
            centre = self.province_centre if rng.random() < 0.6 else self.centre_of[unit.pk]
        online_ok = case.version.online_level in ("full", "partial")
        r = rng.random()
        channel = "online" if online_ok and r < 0.55 else ("postal" if r > 0.98 else "direct")
        return case, channel, centre, resolver, unit


def applicant(rng: random.Random, unit) -> dict:
    """A citizen with a consistent CCCD (096 = Cà Mau, century/sex digit, birth year)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 55 * 365))
    sex = rng.choice(("male", "female"))
    century_digit = (0 if birth.year < 2000 else 2) + (0 if sex == "male" else 1)
    cccd = f"096{century_digit}{birth.year % 100:02d}{rng.randrange(0, 10**6):06d}"
    middle = "Thị" if sex == "female" and rng.random() < 0.7 else rng.choice(MIDDLE)
    return {
        "applicant_type": "citizen",
        "name": f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}",
        "id_kind": "cccd",
        "id_number": cccd,
        "birth_date": birth,
        "sex": sex,
        "phone": f"09{rng.randrange(0, 10**8):08d}",
        "address": f"Số {rng.randint(1, 500)} đường {rng.choice(STREETS)}, {unit.name}",
        "address_unit": unit,
    }


# ---------------------------------------------------------------------------------------------
# Bulk load
# ---------------------------------------------------------------------------------------------


def _working_moment(world: World, rng: random.Random, day: dt.date) -> dt.datetime:
    from motcua.worktime.engine import TZ

    total = sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in world.hours.windows)
    m = rng.randrange(0, total)
    for s, e in world.hours.windows:
        length = (e.hour * 60 + e.minute) - (s.hour * 60 + s.minute)
        if m < length:
            start = s.hour * 60 + s.minute + m
            return dt.datetime(
                day.year, day.month, day.day, start // 60, start % 60, rng.randrange(60), tzinfo=TZ
            )
        m -= length
    raise AssertionError


def reception_moments(world: World, n: int) -> list[dt.datetime]:
    """N reception moments over the working days of the year, sorted (deterministic for N)."""
    rng = random.Random(f"{SEED}-{n}-moments")
    return sorted(_working_moment(world, rng, rng.choice(world.days)) for _ in range(n))


def base_row(
    world: World,
    case,
    channel: str,
    centre,
    resolver,
    unit,
    app: dict,
    received: dt.datetime,
    submitted: dt.datetime,
) -> dict:
    """The columns a reception fills (rules snapshot, applicant, units, moments, due and step due
    through the worktime engine), shared by the bulk load and the bare insert."""
    from motcua.worktime.engine import add_time

    cal, hours = world.calendar, world.hours
    _legal, applied = case.limits("online" if channel == "online" else "direct")
    due = add_time(received, applied.value, applied.unit, cal, hours)
    step = world.first_step.get(case.pk)
    step_due = add_time(received, step.budget_value, step.budget_unit, cal, hours) if step else None
    return {
        "procedure_version_id": case.version_id,
        "case_id": case.pk,
        "limit_value": applied.value,
        "limit_unit": str(applied.unit),
        "hours_profile": world.hours_profile,
        "hours_windows": world.hours_windows,
        "supplement_policy": "restart",
        "law_framework": "2025",
        "applicant_type": "citizen",
        "applicant_name": app["name"],
        "id_kind": "cccd",
        "id_number": app["id_number"],
        "birth_date": app["birth_date"],
        "sex": app["sex"],
        "phone": app["phone"],
        "address": app["address"],
        "address_unit_id": unit.pk,
        "channel": channel,
        "receiving_unit_id": centre.pk,
        "resolving_agency_id": resolver.pk,
        "submitted_at": submitted,
        "received_at": received,
        "due_at": due,
        "original_due_at": due,
        "current_step": 1,
        "step_due_at": step_due,
        "is_online": channel == "online",
    }


def make_row(world: World, rng: random.Random, received: dt.datetime, now: dt.datetime) -> dict:
    """One dossier as column → value (plus ``_prefix``), as the services would have left it."""
    from motcua.dossiers.facts import legal_outcome, portal_outcome
    from motcua.worktime.engine import add_time

    case, channel, centre, resolver, unit = world.pick(rng)
    submitted = received - dt.timedelta(minutes=rng.randrange(30, 600)) if channel == "online" else received
    app = applicant(rng, unit)
    row = base_row(world, case, channel, centre, resolver, unit, app, received, submitted)
    due = row["due_at"]
    row.update(
        acceptance_due_at=add_time(submitted, 8, "working_hours", world.calendar, world.hours)
        if channel == "online"
        else None,
        digitized=rng.random() < 0.8,
        _prefix=resolver.ident_code,
    )
    span = due - received
    r = rng.random()
    if due < now - dt.timedelta(days=2) and r < 0.97:
        finished = received + span * rng.uniform(0.3, 1.12)
        if r < 0.93:
            status, returned = "returned", finished + dt.timedelta(minutes=rng.randrange(10, 3 * 1440))
        elif r < 0.95:
            status, returned = "rejected", None
        else:
            status, returned = "stopped", None
        row.update(
            status=status,
            finished_at=finished,
            returned_at=returned,
            current_step=3 if status == "returned" else 2,
            stop_initiator="applicant" if status == "stopped" else "",
            e_result=status == "returned" and channel == "online" and rng.random() < 0.6,
            paid_online=channel == "online" and case.version.fee_bearing and rng.random() < 0.7,
            synced=rng.random() < 0.95,
            evaluated=status == "returned" and rng.random() < 0.35,
            outcome_legal=legal_outcome(finished, due),
            outcome_vs_original=legal_outcome(finished, due),
            outcome_portal=portal_outcome(finished=finished, due=due),
        )
    else:
        status = "processing" if rng.random() < 0.7 else "received"
        row.update(status=status, current_step=2 if status == "processing" else 1)
    # version = 1 at reception, + 1 per later action (see _ACTIONS_SQL).
    row["version"] = {"returned": 5, "rejected": 2, "stopped": 2, "processing": 2, "received": 1}[status]
    row["created_at"] = submitted
    row["updated_at"] = row.get("returned_at") or row.get("finished_at") or received
    return row


# Action rows are derived from the dossier rows by SQL (one INSERT … SELECT per action kind):
# submit_online → receive → forward → approve → resolve → return_result, or → reject / stop.
_ACTIONS_SQL = [
    # (action, actor role, actor?, at, from, to, step, reason, extra WHERE)
    (
        "submit_online",
        "applicant",
        False,
        "d.submitted_at",
        "''",
        "'submitted'",
        "0",
        "''",
        "d.channel = 'online'",
    ),
    (
        "receive",
        "receiving_officer",
        True,
        "d.received_at",
        "CASE WHEN d.channel = 'online' THEN 'submitted' ELSE '' END",
        "'received'",
        "1",
        "''",
        "TRUE",
    ),
    (
        "forward",
        "receiving_officer",
        True,
        "CASE WHEN d.finished_at IS NULL THEN d.received_at + interval '2 hours' "
        "ELSE d.received_at + (d.finished_at - d.received_at) / 3 END",
        "'received'",
        "'processing'",
        "2",
        "''",
        "d.status NOT IN ('received')",
    ),
    (
        "approve",
        "unit_leader",
        True,
        "d.finished_at - interval '1 hour'",
        "'processing'",
        "'approved'",
        "3",
        "''",
        "d.status = 'returned'",
    ),
    (
        "resolve",
        "unit_leader",
        True,
        "d.finished_at",
        "'approved'",
        "'resolved'",
        "3",
        "''",
        "d.status = 'returned'",
    ),
    (
        "return_result",
        "receiving_officer",
        True,
        "d.returned_at",
        "'resolved'",
        "'returned'",
        "3",
        "''",
        "d.status = 'returned'",
    ),
    (
        "reject_after_appraisal",
        "specialist",
        True,
        "d.finished_at",
        "'processing'",
        "'rejected'",
        "2",
        "'Hồ sơ không đủ điều kiện theo quy định.'",
        "d.status = 'rejected'",
    ),
    (
        "stop",
        "receiving_officer",
        True,
        "d.finished_at",
        "'processing'",
        "'stopped'",
        "2",
        "'Công dân đề nghị dừng giải quyết.'",
        "d.status = 'stopped'",
    ),
]


def _ensure_state(conn) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_dossier_load "
        "(dossiers integer PRIMARY KEY, chunks_done integer NOT NULL, seconds double precision NOT NULL)"
    )
    conn.commit()


def load(db_url: str, n: int) -> float:
    """Bulk-load N dossiers unless already loaded; returns the seconds spent (0 when skipped).

    One transaction per chunk of 100,000 (dossiers by COPY, their actions by INSERT … SELECT,
    the code counters by upsert, and the progress row), so an interrupted load resumes.
    """
    import psycopg
    from django.core.management import call_command
    from django.db import connection
    from psycopg.types.json import Jsonb

    from motcua.dossiers.codes import DEFAULT_TEMPLATE, reception_day
    from motcua.dossiers.models import Dossier
    from motcua.worktime.engine import TZ

    now = dt.datetime.combine(YEAR_END + dt.timedelta(days=1), dt.time(9), tzinfo=TZ)
    with psycopg.connect(db_url) as conn:
        _ensure_state(conn)
        other = conn.execute("SELECT dossiers FROM bench_dossier_load WHERE dossiers <> %s", (n,)).fetchone()
        if other:
            sys.exit(f"this database holds a load of {other[0]:,} dossiers; use another database for {n:,}")
        state = conn.execute(
            "SELECT chunks_done, seconds FROM bench_dossier_load WHERE dossiers = %s", (n,)
        ).fetchone()
    chunks = (n + CHUNK - 1) // CHUNK
    if state and state[0] >= chunks:
        print(f"load: {n:,} dossiers already loaded ({state[1]:.0f} s at the time); skipped")
        return 0.0
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", "--no-history", stdout=open(os.devnull, "w"))  # noqa: SIM115
    connection.close()
    world = World()
    moments = reception_moments(world, n)
    done = state[0] if state else 0
    spent = state[1] if state else 0.0
    print(
        f"load: migrate + demo + {n:,} reception moments in {time.perf_counter() - t0:.0f} s; "
        f"resuming at chunk {done + 1}/{chunks}",
        flush=True,
    )
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {f.column: f.get_default() for f in fields}
    json_cols = {f.column for f in fields if f.get_internal_type() == "JSONField"}
    staff = world.staff_ids
    with psycopg.connect(db_url, autocommit=True) as conn:
        counters = {
            (p, d): k
            for p, d, k in conn.execute("SELECT prefix, day, last_number FROM dossiers_dossiercodecounter")
        }
        for ci in range(done, chunks):
            tc = time.perf_counter()
            rng = random.Random(f"{SEED}-{n}-chunk-{ci}")
            touched: dict[tuple[str, dt.date], int] = {}
            with conn.transaction():
                first_id = conn.execute("SELECT coalesce(max(id), 0) FROM dossiers_dossier").fetchone()[0]
                cur = conn.cursor()
                count = 0
                with cur.copy(f"COPY dossiers_dossier ({', '.join(columns)}) FROM STDIN") as copy:
                    for received in moments[ci * CHUNK : (ci + 1) * CHUNK]:
                        row = make_row(world, rng, received, now)
                        key = (row["_prefix"], reception_day(received))
                        number = counters.get(key, 0) + 1
                        counters[key] = touched[key] = number
                        row["code"] = DEFAULT_TEMPLATE.render(key[0], key[1], number)
                        copy.write_row(
                            [
                                Jsonb(row.get(c, defaults[c])) if c in json_cols else row.get(c, defaults[c])
                                for c in columns
                            ]
                        )
                        count += 1
                t_copy = time.perf_counter() - tc
                last_id = conn.execute("SELECT max(id) FROM dossiers_dossier").fetchone()[0]
                for action, role, with_actor, at, frm, to, step, reason, where in _ACTIONS_SQL:
                    actor = (
                        f"(%(staff)s::bigint[])[1 + d.id %% {len(staff)}]" if with_actor and staff else "NULL"
                    )
                    unit = (
                        "d.resolving_agency_id"
                        if action in ("approve", "resolve", "reject_after_appraisal")
                        else "d.receiving_unit_id"
                    )
                    payload = "jsonb_build_object('code', d.code)" if action == "receive" else "'{}'::jsonb"
                    conn.execute(
                        "INSERT INTO dossiers_dossieraction (dossier_id, action, actor_id, actor_role, unit_id, at, "
                        "from_status, to_status, step, reason, payload, idempotency_key) "
                        f"SELECT d.id, '{action}', {actor}, '{role}', {unit}, {at}, {frm}, {to}, {step}, {reason}, "
                        f"CASE WHEN d.channel = 'online' THEN {payload} ELSE '{{}}'::jsonb END, NULL "
                        f"FROM dossiers_dossier d WHERE d.id > %(lo)s AND d.id <= %(hi)s AND {where} ORDER BY d.id",
                        {"staff": staff, "lo": first_id, "hi": last_id},
                    )
                with _counter_copy(conn) as copy:
                    for (prefix, day), number in touched.items():
                        copy.write_row((prefix, day, number))
                conn.execute(
                    "INSERT INTO dossiers_dossiercodecounter (prefix, day, last_number) "
                    "SELECT prefix, day, last_number FROM bench_counters_tmp "
                    "ON CONFLICT (prefix, day) DO UPDATE SET last_number = "
                    "GREATEST(dossiers_dossiercodecounter.last_number, EXCLUDED.last_number)"
                )
                conn.execute(
                    "INSERT INTO bench_dossier_load (dossiers, chunks_done, seconds) VALUES (%s, %s, %s) "
                    "ON CONFLICT (dossiers) DO UPDATE SET chunks_done = EXCLUDED.chunks_done, "
                    "seconds = EXCLUDED.seconds",
                    (n, ci + 1, spent),
                )
            # After COMMIT: the deferred foreign-key checks run there.
            spent += time.perf_counter() - tc
            conn.execute("UPDATE bench_dossier_load SET seconds = %s WHERE dossiers = %s", (spent, n))
            print(
                f"load: chunk {ci + 1}/{chunks}: {count:,} dossiers, COPY {t_copy:.1f} s, "
                f"total {time.perf_counter() - tc:.1f} s",
                flush=True,
            )
        t_an = time.perf_counter()
        for table in ("dossiers_dossier", "dossiers_dossieraction", "dossiers_dossiercodecounter"):
            conn.execute(f"VACUUM ANALYZE {table}")
        spent += time.perf_counter() - t_an
        conn.execute("UPDATE bench_dossier_load SET seconds = %s WHERE dossiers = %s", (spent, n))
        print(f"load: VACUUM ANALYZE in {time.perf_counter() - t_an:.0f} s")
    total = time.perf_counter() - t0
    print(f"load: {n:,} dossiers loaded; {total:.0f} s this invocation (chunks + analyze: {spent:.0f} s)")
    return total


def _counter_copy(conn):
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_counters_tmp (prefix varchar(35), day date, last_number integer) "
        "ON COMMIT DELETE ROWS"
    )
    return conn.cursor().copy("COPY bench_counters_tmp (prefix, day, last_number) FROM STDIN")


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Result:
    def __init__(
        self, name: str, latencies: list[float], elapsed: float, errors: int = 0, offered: float = 0
    ):
        self.name, self.lat, self.elapsed, self.errors, self.offered = (
            name,
            latencies,
            elapsed,
            errors,
            offered,
        )

    @property
    def rate(self) -> float:
        return len(self.lat) / self.elapsed

    def row(self) -> str:
        ms = [x * 1000 for x in self.lat]
        offered = f"{self.offered:.0f}/s" if self.offered else "max"
        return (
            f"| {self.name} | {offered} | {len(self.lat):,} | {self.rate:,.1f} | {pct(ms, 50):.1f} | "
            f"{pct(ms, 95):.1f} | {pct(ms, 99):.1f} | {self.errors} |"
        )


# How the workers run: ``process`` (default; forked processes, each with its own connection, as a
# WSGI server's worker processes) or ``thread`` (threads of this process, which share one GIL).
WORKERS = {"mode": "process"}


def _run(n: int, body) -> tuple[list[float], int, float, float]:
    """Run ``body(i, sync) → (latencies, errors)`` in ``n`` workers (see :data:`WORKERS`) and
    return (all latencies, errors, start, end). ``sync`` has ``ready()`` (called once warm),
    ``t0`` (a shared float, set by the parent when every worker is ready) and ``next()`` (a
    shared counter for the open loop)."""
    import multiprocessing as mp

    fork = WORKERS["mode"] == "process"
    if fork:
        from django.db import connections

        connections.close_all()  # a forked child must not share the parent's socket
        ctx = mp.get_context("fork")
        barrier, t0, counter = ctx.Barrier(n + 1), ctx.Value("d", 0.0), ctx.Value("q", 0)
        out = ctx.Queue()
    else:
        barrier, t0, counter = threading.Barrier(n + 1), mp.Value("d", 0.0), mp.Value("q", 0)
        out = None
    results: list = []

    class Sync:
        def ready(self) -> float:
            barrier.wait()  # every worker warm
            barrier.wait()  # the parent has set t0
            return t0.value

        def next(self) -> int:
            with counter.get_lock():
                k = counter.value
                counter.value += 1
            return k

    def run(i: int) -> None:
        lats, errors = body(i, Sync())
        if out is not None:
            out.put((lats, errors))
        else:
            results.append((lats, errors))

    if fork:
        workers = [ctx.Process(target=run, args=(i,)) for i in range(n)]
    else:
        workers = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for w in workers:
        w.start()
    barrier.wait()
    t0.value = time.perf_counter() + 0.05  # CLOCK_MONOTONIC: the same clock in every process
    barrier.wait()
    if out is not None:
        results = [out.get() for _ in workers]
    for w in workers:
        w.join()
    return [x for lats, _ in results for x in lats], sum(e for _, e in results), t0.value, time.perf_counter()


def _attempt(name: str, op, errors: list[int]) -> bool:
    try:
        op()
    except Exception as exc:  # noqa: BLE001
        errors[0] += 1
        if errors[0] == 1:
            print(f"  {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    return True


def closed_loop(name: str, workers: int, seconds: float, make_worker) -> Result:
    """Each worker runs ``op()`` (from ``make_worker(i)`` → (op, close)) until the deadline; the
    clock starts once every worker is warm (connection open, one op done)."""

    def body(i: int, sync) -> tuple[list[float], int]:
        op, close = make_worker(i)
        lats: list[float] = []
        errors = [0]
        try:
            op()  # warm-up
            end = sync.ready() + seconds
            while (t := time.perf_counter()) < end:
                if _attempt(name, op, errors):
                    lats.append(time.perf_counter() - t)
        finally:
            close()
        return lats, errors[0]

    lats, errors, start, _ = _run(workers, body)
    return Result(name, lats, seconds, errors)


def open_loop(name: str, workers: int, seconds: float, rate: float, make_worker) -> Result:
    """Arrivals every 1/rate s; a free worker takes the next arrival, waits for its scheduled
    moment and runs it; latency = completion − scheduled arrival (queueing included)."""
    total = int(seconds * rate)

    def body(i: int, sync) -> tuple[list[float], int]:
        op, close = make_worker(i)
        lats: list[float] = []
        errors = [0]
        try:
            op()  # warm-up
            t0 = sync.ready()
            while (k := sync.next()) < total:
                scheduled = t0 + k / rate
                if (delay := scheduled - time.perf_counter()) > 0:
                    time.sleep(delay)
                if _attempt(name, op, errors):
                    lats.append(time.perf_counter() - scheduled)
        finally:
            close()
        return lats, errors[0]

    lats, errors, start, end = _run(workers, body)
    return Result(name, lats, end - start, errors, offered=rate)


# --- submission -------------------------------------------------------------------------------


def service_receive_worker(world_ids: dict, run_id: str):
    """A worker that receives a new dossier through ``dossier_receive`` (its own connection)."""

    def make(i: int):
        from django.db import connection

        from motcua.accounts.models import User
        from motcua.catalog.models import ProcedureCase
        from motcua.dossiers.services import dossier_receive
        from motcua.org.models import AdministrativeUnit, Agency

        rng = random.Random(f"{run_id}-svc-{i}")
        # Per-thread copies of the request's objects, as a view would load them per request.
        cases = list(ProcedureCase.objects.select_related("version").filter(pk__in=world_ids["cases"]))
        units = list(AdministrativeUnit.objects.filter(pk__in=world_ids["communes"]))
        centres = {a.admin_unit_id: a for a in Agency.objects.filter(pk__in=world_ids["centres"])}
        officer = User.objects.get(pk=world_ids["officer"])
        from motcua.catalog.models import Component

        # Instances, as the API's view hands them over (it reads the case's components per request).
        by_pk = Component.objects.in_bulk([pk for p in world_ids["components"].values() for pk, _ in p])
        papers = {case: [(by_pk[pk], name) for pk, name in p] for case, p in world_ids["components"].items()}

        def op():
            case = rng.choice(cases)
            unit = rng.choice(units)
            online_ok = case.version.online_level in ("full", "partial")
            dossier_receive(
                case=case,
                channel="online" if online_ok and rng.random() < 0.55 else "direct",
                receiving_unit=centres[unit.pk],
                applicant=applicant(rng, unit),
                actor=officer,
                roles=["receiving_officer"],
                components=[
                    {"component": comp, "name": name, "originals": 1}
                    for comp, name in papers.get(case.pk, ())
                ],
            )

        return op, connection.close

    return make


class OtherAppsReceiversOff:
    """Context: the ``pre_save``/``post_save`` receivers that other apps connect to ``Dossier`` and
    ``DossierAction`` (the indicators' rollups, the notifications' queue) are off, so that the
    dossier service's own cost can be told from theirs. Bench only (it edits ``Signal.receivers``)."""

    def __enter__(self):
        from django.db.models.signals import post_save, pre_save

        from motcua.dossiers.models import Dossier, DossierAction

        senders = {id(Dossier), id(DossierAction)}
        self.saved = {}
        for signal in (pre_save, post_save):
            with signal.lock:
                self.saved[signal] = list(signal.receivers)
                signal.receivers = [r for r in signal.receivers if r[0][1] not in senders]
                signal.sender_receivers_cache.clear()
        return self

    def __exit__(self, *exc):
        for signal, receivers in self.saved.items():
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()


def bare_receive_worker(db_url: str, world: World, run_id: str, now_fn):
    """The rows ``dossier_receive`` writes, by hand (psycopg), in one transaction: the code
    counter upsert (per prefix and day, as the service), INSERT dossier … RETURNING id, the
    component rows (one INSERT), the rollup rows (one upsert of the day and month rows) and the
    dossier's rollup state, the action row; COMMIT; then, as the notification's after-commit
    hook, the task row of the queue. Values come from the product's pure functions (the
    worktime engine for the due moments, ``rollups.state_from_values`` for the counters), the
    SQL is written out here."""
    import secrets
    import uuid

    import psycopg
    from psycopg.types.json import Jsonb

    from motcua.dossiers.codes import reception_day
    from motcua.dossiers.models import Dossier
    from motcua.indicators import rollups

    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {f.column: f.get_default() for f in fields}
    json_cols = {f.column for f in fields if f.get_internal_type() == "JSONField"}
    upsert_counter = (
        "INSERT INTO dossiers_dossiercodecounter (prefix, day, last_number) VALUES (%s, %s, 1) "
        "ON CONFLICT (prefix, day) DO UPDATE SET last_number = dossiers_dossiercodecounter.last_number + 1 "
        "RETURNING last_number"
    )
    insert_d = (
        f"INSERT INTO dossiers_dossier ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        "RETURNING id"
    )
    insert_c = "INSERT INTO dossiers_dossiercomponent (dossier_id, component_id, name, originals, copies, file) VALUES "
    insert_a = (
        "INSERT INTO dossiers_dossieraction (dossier_id, action, actor_id, actor_role, unit_id, at, from_status, "
        "to_status, step, reason, payload, idempotency_key) VALUES (%s, 'receive', %s, 'receiving_officer', %s, %s, "
        "'', 'received', 1, '', %s, NULL)"
    )
    state_cols = rollups._STATE_COLUMNS
    insert_state = (
        f"INSERT INTO indicators_dossierrollupstate ({', '.join(state_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(state_cols))})"
    )
    task_cols = (
        "id, status, args_kwargs, priority, task_path, queue_name, backend_name, run_after, enqueued_at, "
        "exception_class_path, traceback, worker_ids"
    )
    insert_task = (
        f"INSERT INTO django_tasks_database_dbtaskresult ({task_cols}) "
        "VALUES (%s, 'READY', %s, 0, 'motcua.feedback.tasks.deliver_notification', 'bare', 'default', %s, %s, "
        "'', '', '[]')"
    )
    version_flags = {
        c.version_id: (c.version.paper_result_required, c.version.fee_bearing) for c in world.cases
    }

    def make(i: int):
        rng = random.Random(f"{run_id}-bare-{i}")
        conn = psycopg.connect(db_url)

        def op():
            case, channel, centre, resolver, unit = world.pick(rng)
            at = now_fn()
            app = applicant(rng, unit)
            # A prefix of its own per resolving agency (as the service's), so counters don't mix.
            prefix, day = f"BARE{run_id}.{resolver.pk}", reception_day(at)
            row = base_row(world, case, channel, centre, resolver, unit, app, at, at)
            paper, fee = version_flags[case.version_id]
            row.update(
                lookup_secret=secrets.token_hex(4).upper(),
                status="received",
                paper_result_required=paper,
                fee_bearing=fee,
                created_at=at,
                updated_at=at,
            )
            papers = world.components.get(case.pk, ())
            with conn.transaction():
                with conn.cursor() as cur:
                    cur.execute(upsert_counter, (prefix, day))
                    (number,) = cur.fetchone()
                    row["code"] = f"BARE-{run_id}.{resolver.pk}-{day:%y%m%d}-{number:04d}"
                    values = [
                        Jsonb(row.get(c, defaults[c])) if c in json_cols else row.get(c, defaults[c])
                        for c in columns
                    ]
                    cur.execute(insert_d, values)
                    (pk,) = cur.fetchone()
                    if papers:
                        params = [v for comp_id, name in papers for v in (pk, comp_id, name)]
                        cur.execute(insert_c + ", ".join(["(%s, %s, %s, 1, 0, NULL)"] * len(papers)), params)
                    row["id"] = pk
                    state = rollups.state_from_values(
                        tuple(row.get(f, defaults.get(f)) for f in rollups.FIELDS), {}
                    )
                    acc: dict = {}
                    rollups.add_contribution(acc, state)
                    items = sorted(acc.items())
                    cur.execute(
                        rollups._upsert_sql(len(items)), [v for key, counts in items for v in (*key, *counts)]
                    )
                    cur.execute(insert_state, [getattr(state, c) for c in state_cols])
                    cur.execute(insert_a, (pk, world.officer.pk, centre.pk, at, Jsonb({})))
            with conn.cursor() as cur:  # after commit, autocommit: the notification's queue row
                args = {"args": ["dossier_action", pk, "sms"], "kwargs": {}}
                cur.execute(insert_task, (uuid.uuid4(), Jsonb(args), at, at))
                conn.commit()

        return op, conn.close

    return make


# --- look-up ----------------------------------------------------------------------------------


def service_lookup_worker(codes: list[str], with_history: bool, run_id: str):
    def make(i: int):
        from django.db import connection

        from motcua.dossiers.selectors import dossier_by_code, dossier_history_list

        rng = random.Random(f"{run_id}-look-{with_history}-{i}")

        def op():
            d = dossier_by_code(rng.choice(codes))
            assert d is not None
            if with_history:
                history = dossier_history_list(d)  # what GET /api/v1/dossiers/{code} lists
                assert history

        return op, connection.close

    return make


def bare_lookup_worker(
    db_url: str,
    codes: list[str],
    with_history: bool,
    run_id: str,
    sql: str = "SELECT * FROM dossiers_dossier WHERE code = %s",
    history_sql: str = "SELECT * FROM dossiers_dossieraction WHERE dossier_id = %s ORDER BY at, id",
):
    import psycopg

    def make(i: int):
        rng = random.Random(f"{run_id}-look-{with_history}-{i}")
        conn = psycopg.connect(db_url, autocommit=True)

        def op():
            with conn.cursor() as cur:
                cur.execute(sql, (rng.choice(codes),))
                row = cur.fetchone()
                assert row is not None
                if with_history:
                    cur.execute(history_sql, (row[0],))
                    assert cur.fetchall()

        return op, conn.close

    return make


def service_lookup_sql(code: str) -> str:
    """The SQL that ``dossier_by_code(code)`` sends, with the code as its one parameter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.selectors import dossier_by_code

    with CaptureQueriesContext(connection) as ctx:
        dossier_by_code(code)
    sql = ctx.captured_queries[-1]["sql"].replace("%", "%%")
    assert sql.count(f"'{code}'") == 1, sql
    connection.close()
    return sql.replace(f"'{code}'", "%s")


def service_history_sql(code: str) -> str:
    """The SQL that ``dossier_history_list(d)`` sends (actions with actor and unit), with the
    dossier id as its one parameter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers.selectors import dossier_by_code, dossier_history_list

    d = dossier_by_code(code)
    with CaptureQueriesContext(connection) as ctx:
        dossier_history_list(d)
    sql = ctx.captured_queries[-1]["sql"].replace("%", "%%")
    assert sql.count(f" = {d.pk} ") + sql.count(f" = {d.pk})") == 1, sql
    connection.close()
    return sql.replace(f" = {d.pk} ", " = %s ").replace(f" = {d.pk})", " = %s)")


def lookup_variants(db_url: str, codes: list[str], seconds: float) -> list[Result]:
    """One thread each: where the look-up's time goes (for the write-up; not a target)."""
    import psycopg
    from django.db import connection

    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import dossier_by_code

    rng = random.Random(SEED)
    related = ("receiving_unit", "resolving_agency", "case")
    # The exact SQL that dossier_by_code() sends, captured once, to run bare (same rows, no ORM).
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        dossier_by_code(codes[0])
    captured = ctx.captured_queries[-1]["sql"].replace("%", "%%")
    n_params = captured.count(f"'{codes[0]}'")
    join_sql = captured.replace(f"'{codes[0]}'", "%s")
    connection.close()

    def orm(fn):
        def make(i):
            return (lambda: fn(rng.choice(codes))), connection.close

        return make

    def bare(sql, n=1):
        def make(i):
            conn = psycopg.connect(db_url, autocommit=True)

            def op():
                assert conn.execute(sql, (rng.choice(codes),) * n).fetchone()

            return op, conn.close

        return make

    variants = [
        ("A `dossier_by_code(code)` as is", orm(dossier_by_code)),
        (
            "B 3 joins (case, 2 agencies), `filter(code=…)[:1]`: no OR, no ORDER BY",
            orm(lambda c: list(Dossier.objects.select_related(*related).filter(code=c)[:1])[0]),
        ),
        (
            "C no joins, `filter(code=…)[:1]`",
            orm(lambda c: list(Dossier.objects.filter(code=c)[:1])[0]),
        ),
        ("D bare psycopg, the SQL that A sends (same rows)", bare(join_sql, n_params)),
        ("E bare `SELECT * … WHERE code = %s`", bare("SELECT * FROM dossiers_dossier WHERE code = %s")),
    ]
    return [closed_loop(name, 1, seconds, make) for name, make in variants]


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20, help="each closed-loop phase")
    parser.add_argument(
        "--open-seconds", type=float, default=None, help="open-loop phase (default 1.5 × seconds)"
    )
    parser.add_argument("--rate", type=float, default=50, help="open-loop arrivals per second")
    parser.add_argument("--workers", "--threads", dest="workers", type=int, default=4)
    parser.add_argument(
        "--mode",
        choices=["process", "thread"],
        default="process",
        help="workers as forked processes (default, as a WSGI server's) or as threads of one process",
    )
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="experiment: Django with server-side binding and prepared statements "
        "(OPTIONS server_side_binding=True, prepare_threshold=5), as the bare psycopg code has",
    )
    parser.add_argument("--variants", action="store_true", help="also time look-up variants, one thread")
    parser.add_argument("--profile", choices=["receive", "lookup"], help="cProfile one thread of the service")
    parser.add_argument(
        "--db-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench")
    )
    args = parser.parse_args()
    dbname = args.db_url.rsplit("/", 1)[-1].split("?")[0]
    if not args.db_url.startswith("postgres") or "bench" not in dbname:
        sys.exit(f"refusing to run on {dbname!r}: PostgreSQL only, database name must contain 'bench'")
    if args.prepared:
        os.environ["MOTCUA_DB_PREPARE_THRESHOLD"] = "5"
    _setup_django(args.db_url)

    from django.db import connection
    from django.utils import timezone

    load_s = load(args.db_url, args.dossiers)
    if args.load_only:
        return
    connection.close()
    world = World()
    world_ids = {
        "cases": [c.pk for c in world.commune_cases + world.province_cases],
        "communes": [u.pk for u in world.communes],
        "centres": [world.centre_of[u.pk].pk for u in world.communes],
        "officer": world.officer.pk,
        "components": world.components,
    }
    run_id = f"{int(time.time())}"
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM dossiers_dossier")
        (n_dossiers,) = cur.fetchone()
        cur.execute("SELECT count(*) FROM dossiers_dossieraction")
        (n_actions,) = cur.fetchone()
        cur.execute("SELECT max(id) FROM dossiers_dossier")
        (max_id,) = cur.fetchone()
        rng = random.Random(SEED)
        ids = [rng.randint(1, max_id) for _ in range(20_000)]
        cur.execute("SELECT code FROM dossiers_dossier WHERE id = ANY(%s) AND code NOT LIKE 'BARE-%%'", [ids])
        codes = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('dossiers_dossier')), "
            "pg_size_pretty(pg_total_relation_size('dossiers_dossieraction'))"
        )
        sizes = cur.fetchone()
    connection.close()
    print(
        f"database: {n_dossiers:,} dossiers ({sizes[0]}), {n_actions:,} actions ({sizes[1]}); "
        f"{len(codes):,} sample codes"
    )

    # Queries per operation (one call, main thread).
    recv_op, _ = service_receive_worker(world_ids, run_id + "q")(99)
    look_op, _ = service_lookup_worker(codes, True, run_id + "q")(99)
    look1_op, _ = service_lookup_worker(codes, False, run_id + "q")(99)
    recv_op()
    q_recv = count_queries(recv_op)
    with OtherAppsReceiversOff():
        q_alone = count_queries(recv_op)
    q_look = count_queries(look_op)
    q_look1 = count_queries(look1_op)
    connection.close()
    print(
        f"queries per operation: dossier_receive {q_recv} ({q_alone} with other apps' save receivers off), "
        f"dossier_by_code {q_look1}, + history {q_look}"
    )

    if args.profile:
        import cProfile
        import pstats

        op = recv_op if args.profile == "receive" else look_op
        prof = cProfile.Profile()
        end = time.perf_counter() + args.seconds
        k = 0
        prof.enable()
        while time.perf_counter() < end:
            op()
            k += 1
        prof.disable()
        print(f"profiled {k} calls of {args.profile} ({k / args.seconds:.1f}/s, one thread, profiler on)")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        return

    def now_fn():
        return timezone.now()

    WORKERS["mode"] = args.mode
    th, secs = args.workers, args.seconds
    open_secs = args.open_seconds or secs * 1.5
    results = []
    print(
        f"phase: submission open loop {args.rate:.0f}/s for {open_secs:.0f} s, {th} {args.mode} workers",
        flush=True,
    )
    results.append(
        open_loop(
            "`dossier_receive` open loop",
            th,
            open_secs,
            args.rate,
            service_receive_worker(world_ids, run_id + "o"),
        )
    )
    print(
        f"phase: submission closed loop, {th} {args.mode} workers × {secs:.0f} s (service, then bare)",
        flush=True,
    )
    svc = closed_loop(
        "`dossier_receive` closed loop", th, secs, service_receive_worker(world_ids, run_id + "c")
    )
    bare = closed_loop(
        "bare: counter upsert + INSERT dossier, components, action",
        th,
        secs,
        bare_receive_worker(args.db_url, world, run_id, now_fn),
    )
    with OtherAppsReceiversOff():
        alone = closed_loop(
            "`dossier_receive` closed loop, other apps' save receivers off",
            th,
            secs,
            service_receive_worker(world_ids, run_id + "a"),
        )
    results += [svc, alone, bare]
    print(f"phase: look-up closed loop, {th} {args.mode} workers × {secs:.0f} s × 6", flush=True)
    same_sql = service_lookup_sql(codes[0])
    l1 = closed_loop("`dossier_by_code`", th, secs, service_lookup_worker(codes, False, run_id))
    b1 = closed_loop(
        "bare `SELECT * FROM dossiers_dossier WHERE code = %s`",
        th,
        secs,
        bare_lookup_worker(args.db_url, codes, False, run_id),
    )
    b1s = closed_loop(
        "bare: the SQL that `dossier_by_code` sends (same rows and joins)",
        th,
        secs,
        bare_lookup_worker(args.db_url, codes, False, run_id, sql=same_sql),
    )
    l2 = closed_loop(
        "`dossier_by_code` + `dossier_history_list`", th, secs, service_lookup_worker(codes, True, run_id)
    )
    b2 = closed_loop(
        "bare SELECT by code + actions", th, secs, bare_lookup_worker(args.db_url, codes, True, run_id)
    )
    b2s = closed_loop(
        "bare: the two SQL statements the service sends (same rows and joins)",
        th,
        secs,
        bare_lookup_worker(
            args.db_url, codes, True, run_id, sql=same_sql, history_sql=service_history_sql(codes[0])
        ),
    )
    results += [l1, b1, b1s, l2, b2, b2s]
    variants = lookup_variants(args.db_url, codes, secs / 2) if args.variants else []

    # The bare rows are not dossiers of the system: take them out of the rollups (their stored
    # states are subtracted), then remove them (the service's stay, as real ones).
    import psycopg
    from django.db import transaction

    from motcua.indicators.rollups import rollup_forget

    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM dossiers_dossier WHERE code LIKE 'BARE-%%'")
            rollup_forget([r[0] for r in cur.fetchall()])
    connection.close()
    with psycopg.connect(args.db_url) as conn:
        for table in ("dossiers_dossieraction", "dossiers_dossiercomponent"):
            conn.execute(
                f"DELETE FROM {table} WHERE dossier_id IN (SELECT id FROM dossiers_dossier WHERE code LIKE 'BARE-%%')"
            )
        conn.execute("DELETE FROM dossiers_dossier WHERE code LIKE 'BARE-%%'")
        conn.execute("DELETE FROM dossiers_dossiercodecounter WHERE prefix LIKE 'BARE%%'")
        conn.execute("DELETE FROM django_tasks_database_dbtaskresult WHERE queue_name = 'bare'")

    import subprocess

    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "src/motcua/dossiers"],
        capture_output=True,
        text=True,
    )
    print()
    print(
        f"code: {head.stdout.strip()}{' + uncommitted changes in src/motcua/dossiers' if dirty.stdout else ''}"
    )
    if args.prepared:
        print("MOTCUA_DB_PREPARE_THRESHOLD=5 (OPTIONS server_side_binding=True, prepare_threshold=5)")
    print(
        f"{n_dossiers:,} dossiers, {n_actions:,} actions on PostgreSQL; {th} workers ({args.mode}); "
        f"python {platform.python_version()}, {os.cpu_count()} cores"
    )
    print("| Measured | Offered | Ops | Rate /s | p50 ms | p95 ms | p99 ms | Errors |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(r.row())
    o = results[0]
    p95 = pct([x * 1000 for x in o.lat], 95)
    print()
    print(
        f"submission at {args.rate:.0f}/s: achieved {o.rate:.1f}/s, p95 {p95:.0f} ms "
        f"(target ≤ 300 ms: {'met' if p95 <= 300 and o.rate >= 0.98 * args.rate else 'MISSED'})"
    )
    for label, s in (("service", svc), ("service, other apps' receivers off", alone)):
        ratio = s.rate / bare.rate
        print(
            f"{label} rate / bare rate: {s.rate:.1f} / {bare.rate:.1f} = {ratio:.0%} (target ≥ 50%: "
            f"{'met' if ratio >= 0.5 else 'MISSED'})"
        )
    for label, s, b in (
        ("dossier_by_code vs one-table SELECT *", l1, b1),
        ("dossier_by_code vs the same SQL", l1, b1s),
        ("dossier_by_code + history vs SELECT * + actions", l2, b2),
        ("dossier_by_code + history vs the same SQL", l2, b2s),
    ):
        r = s.rate / b.rate
        p = pct([x * 1000 for x in s.lat], 95)
        print(
            f"look-up {label}: {s.rate:.0f} / {b.rate:.0f} = {r:.0%} of bare (target ≥ 70%: "
            f"{'met' if r >= 0.7 else 'MISSED'}), p95 {p:.1f} ms (target ≤ 100 ms: {'met' if p <= 100 else 'MISSED'})"
        )
    if variants:
        print()
        print("look-up variants, one thread:")
        print("| Variant | Ops | Rate /s | p50 ms | p95 ms |")
        print("|---|---|---|---|---|")
        for r in variants:
            ms = [x * 1000 for x in r.lat]
            print(f"| {r.name} | {len(r.lat):,} | {r.rate:,.0f} | {pct(ms, 50):.2f} | {pct(ms, 95):.2f} |")
    if load_s:
        print(f"load time this invocation: {load_s:.0f} s")


if __name__ == "__main__":
    main()
