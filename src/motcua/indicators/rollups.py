"""Rollups of the dossier facts, kept up to date in the same transaction as each action.

Design (docs/indicators.md, "Dữ liệu vào/ra, rollups"):

* :func:`dossier_state` turns one dossier's fact columns into a :class:`State`: its bucket
  (receiving unit, resolving agency, procedure version, channel), its days (reception, end of
  processing, the stop days of the "open at the period end" intervals) and a bit set of flags.
  It is the only place where the report's rules are applied to one dossier; the rebuild and the
  real-time path both use it.
* :func:`contribution` turns a state into counter increments per (grain, day); a dossier
  contributes to at most 5 days, each at day and month grain.
* :func:`rollup_sync` is called (by ``post_save`` receivers on ``Dossier`` and ``DossierAction``,
  hence inside the action's transaction) with the changed dossiers: it reads their stored states
  (:class:`~motcua.indicators.models.DossierRollupState`), and applies ``new − old`` to the rollup
  rows in one ``INSERT … ON CONFLICT DO UPDATE`` statement. Moves between buckets, new due
  moments, a finish or an un-sync are all the same operation; calling it twice is a no-op.

"Open at the period end E" (ON_TIME) is not additive over days, so it is booked as intervals:
a dossier counts at E when ``received_day < E ≤ stop_day``; with ``start`` booked on the
reception day and ``stop`` on the stop day, the count at E is the sum over all rows before E of
``start − stop`` (a prefix sum).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from motcua.dossiers.facts import portal_outcome
from motcua.worktime.engine import TZ

from .models import COUNTERS, DossierRollupState, Grain, Rollup

# ------------------------------------------------------------------------------------------------
# Flags
# ------------------------------------------------------------------------------------------------

SYNCED = 1 << 0
ONLINE = 1 << 1
ONLINE_E_OK = 1 << 2
DIGITIZED_E_OK = 1 << 3
FEE = 1 << 4
PAID = 1 << 5
PAID_ANY = 1 << 6
REUSED = 1 << 7
REUSED_KNOWN = 1 << 8
STORE = 1 << 9
STORE_KNOWN = 1 << 10
CITIZEN = 1 << 11
CITIZEN_KNOWN = 1 << 12
FIN_ON_TIME = 1 << 13
FIN_ON_TIME_ORIG = 1 << 14
PAPER = 1 << 15
PAPER_E = 1 << 16
SAT_OK = 1 << 17
SAT_KNOWN = 1 << 18
OOT = 1 << 19
OOT_ORIG = 1 << 20

# Counters booked on the reception day, by flag.
_RECEIVED_FLAGS = (
    ("synced", SYNCED),
    ("online", ONLINE),
    ("online_e_ok", ONLINE_E_OK),
    ("digitized_e_ok", DIGITIZED_E_OK),
    ("fee", FEE),
    ("paid", PAID),
    ("paid_any", PAID_ANY),
    ("reused", REUSED),
    ("reused_known", REUSED_KNOWN),
    ("store", STORE),
    ("store_known", STORE_KNOWN),
    ("citizen", CITIZEN),
    ("citizen_known", CITIZEN_KNOWN),
    ("oot_start", OOT),
    ("oot_orig_start", OOT_ORIG),
)
# Counters booked on the day of the end of processing, by flag.
_FINISHED_FLAGS = (
    ("fin_on_time", FIN_ON_TIME),
    ("fin_on_time_orig", FIN_ON_TIME_ORIG),
    ("paper_finished", PAPER),
    ("paper_e_result", PAPER_E),
    ("sat_ok", SAT_OK),
    ("sat_known", SAT_KNOWN),
)
_INDEX = {name: i for i, name in enumerate(COUNTERS)}

# The dossier columns a state is computed from (the rebuild reads exactly these).
FIELDS = (
    "id",
    "receiving_unit_id",
    "resolving_agency_id",
    "procedure_version_id",
    "channel",
    "status",
    "received_at",
    "finished_at",
    "due_at",
    "original_due_at",
    "extended",
    "supplement_count",
    "supplement_requested_at",
    "paused_minutes",
    "outcome_portal",
    "synced",
    "digitized",
    "e_result",
    "paid_online",
    "paper_result_required",
    "fee_bearing",
    "reused_components",
    "store_components",
    "vneid_verified",
    "population_data",
    "satisfied",
    "petition",
)


@dataclass(frozen=True, slots=True)
class State:
    dossier_id: int
    receiving_unit_id: int
    resolving_agency_id: int
    procedure_version_id: int
    channel: str
    received_day: dt.date
    finished_day: dt.date | None
    open_stop_day: dt.date | None
    oot_stop_day: dt.date | None
    oot_orig_stop_day: dt.date | None
    flags: int

    @classmethod
    def from_model(cls, s: DossierRollupState) -> State:
        return cls(
            s.dossier_id,
            s.receiving_unit_id,
            s.resolving_agency_id,
            s.procedure_version_id,
            s.channel,
            s.received_day,
            s.finished_day,
            s.open_stop_day,
            s.oot_stop_day,
            s.oot_orig_stop_day,
            s.flags,
        )

    def to_model(self) -> DossierRollupState:
        return DossierRollupState(
            dossier_id=self.dossier_id,
            receiving_unit_id=self.receiving_unit_id,
            resolving_agency_id=self.resolving_agency_id,
            procedure_version_id=self.procedure_version_id,
            channel=self.channel,
            received_day=self.received_day,
            finished_day=self.finished_day,
            open_stop_day=self.open_stop_day,
            oot_stop_day=self.oot_stop_day,
            oot_orig_stop_day=self.oot_orig_stop_day,
            flags=self.flags,
        )


def local_day(moment: dt.datetime) -> dt.date:
    if timezone.is_naive(moment):  # SQLite returns aware datetimes with USE_TZ; be safe anyway
        moment = timezone.make_aware(moment, dt.UTC)
    return moment.astimezone(TZ).date()


# ------------------------------------------------------------------------------------------------
# One dossier → its state (pure)
# ------------------------------------------------------------------------------------------------

_SUPPLEMENT_REQUESTED = "supplement_requested"
_CLOSED_UNANSWERED = "closed_unanswered"
_ON_TIME = "on_time"


def _open_stop(
    *, due, received_day, finished_day, supplement_count, pending, requested
) -> tuple[bool, dt.date | None]:
    """Whether an open dossier counts as on time at the period end E, and until which day
    (the selectors' rule: ≤ 1 supplement; no due moment → on time; waiting for a supplement →
    on time if requested ≤ due; otherwise on time while ``due ≥ E``)."""
    if supplement_count > 1:
        return False, None
    if due is None:
        stop = finished_day
    elif pending:
        if requested is None or requested > due:
            return False, None
        stop = finished_day
    else:
        due_day = local_day(due)
        stop = due_day if finished_day is None else min(finished_day, due_day)
    return True, None if stop is None else max(stop, received_day)


def state_from_values(v: tuple, version_flags: dict[int, tuple[bool, bool]]) -> State | None:
    """The state of a dossier given its :data:`FIELDS` values; ``None`` if never received.

    ``version_flags``: procedure version id → (paper_result_required, fee_bearing), used where the
    dossier does not carry the fact itself (dossiers created before the fact columns existed).
    """
    (
        pk,
        receiving_id,
        resolving_id,
        version_id,
        channel,
        status,
        received_at,
        finished_at,
        due_at,
        original_due_at,
        extended,
        supplement_count,
        requested_at,
        paused_minutes,
        outcome_portal,
        synced,
        digitized,
        e_result,
        paid_online,
        paper,
        fee,
        reused_components,
        store_components,
        vneid,
        population,
        satisfied,
        petition,
    ) = v
    if received_at is None:
        return None
    if paper is None or fee is None:
        vp, vf = version_flags.get(version_id, (False, False))
        paper = vp if paper is None else paper
        fee = vf if fee is None else fee
    r = local_day(received_at)
    f = local_day(finished_at) if finished_at is not None else None
    e_ok = (not paper) or e_result
    flags = 0
    if synced:
        flags |= SYNCED
    if channel == "online":
        flags |= ONLINE
        if e_ok:
            flags |= ONLINE_E_OK
    if digitized and e_ok:
        flags |= DIGITIZED_E_OK
    if fee:
        flags |= FEE
        if paid_online:
            flags |= PAID
    if paid_online:
        flags |= PAID_ANY
    if reused_components is not None:
        flags |= REUSED_KNOWN
        if reused_components > 0:
            flags |= REUSED
    if store_components is not None:
        flags |= STORE_KNOWN
        if store_components > 0:
            flags |= STORE
    if vneid is not None or population is not None or store_components is not None:
        flags |= CITIZEN_KNOWN
        if vneid or population or (store_components or 0) > 0:
            flags |= CITIZEN
    if f is not None:
        on_time = outcome_portal == _ON_TIME
        if on_time:
            flags |= FIN_ON_TIME
        if extended:
            closed_at = requested_at if status == _CLOSED_UNANSWERED else None
            orig = portal_outcome(
                finished=finished_at,
                due=original_due_at,
                paused=dt.timedelta(minutes=paused_minutes),
                supplement_count=supplement_count,
                pending_supplement_at=closed_at,
            )
            if orig == _ON_TIME:
                flags |= FIN_ON_TIME_ORIG
        elif on_time:
            flags |= FIN_ON_TIME_ORIG
        if paper:
            flags |= PAPER
            if e_result:
                flags |= PAPER_E
        if satisfied is not None or petition:
            flags |= SAT_KNOWN
        if on_time and not petition and satisfied is not False:
            flags |= SAT_OK
    pending = status == _SUPPLEMENT_REQUESTED and finished_at is None
    common = {
        "received_day": r,
        "finished_day": f,
        "supplement_count": supplement_count,
        "pending": pending,
        "requested": requested_at,
    }
    oot, oot_stop = _open_stop(due=due_at, **common)
    oot_o, oot_o_stop = _open_stop(due=original_due_at, **common)
    if oot:
        flags |= OOT
    if oot_o:
        flags |= OOT_ORIG
    return State(
        pk,
        receiving_id,
        resolving_id,
        version_id,
        channel,
        r,
        f,
        None if f is None else max(f, r),
        oot_stop if oot else None,
        oot_o_stop if oot_o else None,
        flags,
    )


def dossier_values(d) -> tuple:
    return tuple(getattr(d, name) for name in FIELDS)


# ------------------------------------------------------------------------------------------------
# State → counter increments
# ------------------------------------------------------------------------------------------------


def contribution(s: State) -> dict[dt.date, list[int]]:
    """Counter increments per day (day grain) of one dossier state."""
    out: dict[dt.date, list[int]] = {}

    def row(day: dt.date) -> list[int]:
        if day not in out:
            out[day] = [0] * len(COUNTERS)
        return out[day]

    flags = s.flags
    r = row(s.received_day)
    r[_INDEX["received"]] += 1
    for name, bit in _RECEIVED_FLAGS:
        if flags & bit:
            r[_INDEX[name]] += 1
    if s.finished_day is not None:
        f = row(s.finished_day)
        f[_INDEX["finished"]] += 1
        for name, bit in _FINISHED_FLAGS:
            if flags & bit:
                f[_INDEX[name]] += 1
    if s.open_stop_day is not None:
        row(s.open_stop_day)[_INDEX["open_stop"]] += 1
    if s.oot_stop_day is not None:
        row(s.oot_stop_day)[_INDEX["oot_stop"]] += 1
    if s.oot_orig_stop_day is not None:
        row(s.oot_orig_stop_day)[_INDEX["oot_orig_stop"]] += 1
    return out


BucketKey = tuple[str, dt.date, int, int, int, str]


def add_contribution(acc: dict[BucketKey, list[int]], s: State, sign: int = 1) -> None:
    """Add ``sign × contribution(s)`` at day and month grain to ``acc``."""
    dims = (s.receiving_unit_id, s.resolving_agency_id, s.procedure_version_id, s.channel)
    for day, counts in contribution(s).items():
        for key in ((Grain.DAY.value, day, *dims), (Grain.MONTH.value, day.replace(day=1), *dims)):
            cur = acc.get(key)
            if cur is None:
                acc[key] = [sign * c for c in counts]
            else:
                for i, c in enumerate(counts):
                    if c:
                        cur[i] += sign * c


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------

_KEY_COLUMNS = ("grain", "day", "receiving_unit_id", "resolving_agency_id", "procedure_version_id", "channel")


@functools.lru_cache(maxsize=64)
def _upsert_sql(n_rows: int) -> str:
    table = Rollup._meta.db_table
    cols = (*_KEY_COLUMNS, *COUNTERS)
    qn = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    updates = ", ".join(f"{qn(c)} = {qn(table)}.{qn(c)} + excluded.{qn(c)}" for c in COUNTERS)
    return (
        f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in cols)}) VALUES "
        + ", ".join([one] * n_rows)
        + f" ON CONFLICT ({', '.join(qn(c) for c in _KEY_COLUMNS)}) DO UPDATE SET {updates}"
    )


def apply_deltas(acc: dict[BucketKey, list[int]], *, chunk: int = 500) -> int:
    """Add ``acc`` to the rollup rows (insert missing buckets); returns the number of rows touched.
    Rows are written in key order so that concurrent transactions lock them in the same order."""
    items = sorted((k, v) for k, v in acc.items() if any(v))
    with connection.cursor() as cur:
        for i in range(0, len(items), chunk):
            part = items[i : i + chunk]
            params: list = []
            for key, counts in part:
                params.extend(key)
                params.extend(counts)
            cur.execute(_upsert_sql(len(part)), params)
    return len(items)


# Procedure version id → (paper_result_required, fee_bearing); cleared when a version is saved.
_VERSION_FLAGS: dict[int, tuple[bool, bool]] = {}


def clear_version_cache(**_kwargs) -> None:
    _VERSION_FLAGS.clear()


def version_flags(ids: Iterable[int]) -> dict[int, tuple[bool, bool]]:
    missing = {i for i in ids if i not in _VERSION_FLAGS}
    if missing:
        from motcua.catalog.models import ProcedureVersion

        for pk, paper, fee in ProcedureVersion.objects.filter(pk__in=missing).values_list(
            "pk", "paper_result_required", "fee_bearing"
        ):
            _VERSION_FLAGS[pk] = (paper, fee)
    return _VERSION_FLAGS


# ------------------------------------------------------------------------------------------------
# The states this transaction stored (saves the state read of the next action in it)
# ------------------------------------------------------------------------------------------------
#
# A reception saves the dossier (post_save: its state is written) and then appends its action
# (post_save again: the state would be read back only to find it unchanged). The connection keeps,
# for the current transaction, each state written and the savepoints open at the time. The
# transaction is recognised by a no-op ``on_commit`` callback registered when the record starts:
# Django drops it at commit or rollback (and with a savepoint rolled back around it), so a record
# whose callback is gone is stale. An entry is trusted only while the savepoints open when it was
# written are still open (a savepoint rolled back since → the row may be gone → read it).


class _TransactionMark:
    def __call__(self) -> None:  # run at commit: nothing to do, its absence is the signal
        pass


def _stored_states() -> dict[int, tuple[State | None, tuple]] | None:
    if not connection.in_atomic_block:
        return None
    box = getattr(connection, "_motcua_rollup_states", None)
    if box is None or not any(entry[1] is box[0] for entry in connection.run_on_commit):
        mark = _TransactionMark()
        transaction.on_commit(mark)
        box = (mark, {})
        connection._motcua_rollup_states = box
    return box[1]


def _known_state(stored: dict | None, pk: int):
    """The state this transaction stored for ``pk`` if still valid, else ``_UNKNOWN``."""
    if stored is None or pk not in stored:
        return _UNKNOWN
    state, savepoints = stored[pk]
    if tuple(connection.savepoint_ids[: len(savepoints)]) != savepoints:
        del stored[pk]
        return _UNKNOWN
    return state


def forget_stored_states() -> None:
    """Drop the record (bulk writers that bypass :func:`rollup_sync` call this)."""
    if hasattr(connection, "_motcua_rollup_states"):
        del connection._motcua_rollup_states


_UNKNOWN = object()


@functools.cache
def _state_upsert_sql() -> str:
    table = DossierRollupState._meta.db_table
    updates = ", ".join(f"{c} = excluded.{c}" for c in _STATE_COLUMNS[1:])
    return (
        f"INSERT INTO {table} ({', '.join(_STATE_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_STATE_COLUMNS))}) "
        f"ON CONFLICT (dossier_id) DO UPDATE SET {updates}"
    )


def _write_state_rows(states: list[State]) -> None:
    sql = _state_upsert_sql()
    with connection.cursor() as cur:
        for st in states:
            cur.execute(sql, [getattr(st, c) for c in _STATE_COLUMNS])


def rollup_sync(dossiers: Iterable, *, created: bool = False) -> int:
    """Bring the rollups up to date for ``dossiers`` (model instances holding their current
    columns), inside the caller's transaction (``created``: rows just inserted, no state yet).
    Returns the number of rollup rows changed."""
    dossiers = [d for d in dossiers if d.pk is not None]
    if not dossiers:
        return 0
    needs_version = [
        d.procedure_version_id for d in dossiers if d.paper_result_required is None or d.fee_bearing is None
    ]
    vflags = version_flags(needs_version) if needs_version else {}
    new = {d.pk: state_from_values(dossier_values(d), vflags) for d in dossiers}
    stored = _stored_states()
    old: dict[int, State | None] = {}
    unknown = []
    for pk in new:
        known = None if created else _known_state(stored, pk)
        if known is _UNKNOWN:
            unknown.append(pk)
        else:
            old[pk] = known
    if unknown:
        found = {
            s.dossier_id: State.from_model(s)
            for s in DossierRollupState.objects.filter(dossier_id__in=unknown)
        }
        old.update({pk: found.get(pk) for pk in unknown})
    acc: dict[BucketKey, list[int]] = {}
    upsert, delete = [], []
    for pk, state in new.items():
        before = old.get(pk)
        if before == state:
            continue
        if before is not None:
            add_contribution(acc, before, -1)
        if state is not None:
            add_contribution(acc, state, +1)
            upsert.append(state)
        else:
            delete.append(pk)
    if not upsert and not delete:
        return 0
    with transaction.atomic(savepoint=False):
        changed = apply_deltas(acc)
        if upsert:
            _write_state_rows(upsert)
        if delete:
            DossierRollupState.objects.filter(dossier_id__in=delete).delete()
    if stored is not None:
        savepoints = tuple(connection.savepoint_ids)
        for pk in new:
            stored[pk] = (new[pk], savepoints)
    return changed


def rollup_forget(dossier_ids: Iterable[int]) -> int:
    """Take deleted dossiers out of the rollups (their stored contribution is subtracted)."""
    ids = list(dossier_ids)
    forget_stored_states()
    acc: dict[BucketKey, list[int]] = {}
    old = [State.from_model(s) for s in DossierRollupState.objects.filter(dossier_id__in=ids)]
    if not old:
        return 0
    for state in old:
        add_contribution(acc, state, -1)
    with transaction.atomic(savepoint=False):
        changed = apply_deltas(acc)
        DossierRollupState.objects.filter(dossier_id__in=ids).delete()
    return changed


# ------------------------------------------------------------------------------------------------
# Rebuild
# ------------------------------------------------------------------------------------------------


def rollup_rebuild(*, progress=None, batch: int = 20000, models=None) -> dict:
    """Recompute every state and rollup row from the dossier facts (``motcua rollups rebuild``;
    also run by the migration that creates the tables). One transaction.

    ``models``: ``(Dossier, ProcedureVersion, DossierRollupState, Rollup)`` — historical models
    when called from a migration."""
    if models is None:
        from motcua.catalog.models import ProcedureVersion
        from motcua.dossiers.models import Dossier

        models = (Dossier, ProcedureVersion, DossierRollupState, Rollup)
    dossier_model, version_model, state_model, rollup_model = models
    forget_stored_states()
    vflags = {
        pk: (p, f)
        for pk, p, f in version_model.objects.values_list("pk", "paper_result_required", "fee_bearing")
    }
    acc: dict[BucketKey, list[int]] = {}
    states: list[State] = []
    n = 0
    received = dossier_model.objects.filter(received_at__isnull=False)
    total = received.count()
    with transaction.atomic():
        state_model.objects.all().delete()
        rollup_model.objects.all().delete()
        for values in received.order_by().values_list(*FIELDS).iterator(chunk_size=batch):
            s = state_from_values(values, vflags)
            add_contribution(acc, s)
            states.append(s)
            n += 1
            if len(states) >= batch:
                write_states(states, state_model)
                states = []
                if progress:
                    progress(n, total)
        write_states(states, state_model)
        rows = write_rollups(acc, rollup_model)
    if progress:
        progress(n, total)
    return {"dossiers": n, "rollup_rows": rows}


_STATE_COLUMNS = (
    "dossier_id",
    "receiving_unit_id",
    "resolving_agency_id",
    "procedure_version_id",
    "channel",
    "received_day",
    "finished_day",
    "open_stop_day",
    "oot_stop_day",
    "oot_orig_stop_day",
    "flags",
)


def write_states(states: list[State], model=DossierRollupState) -> None:
    """Insert states (``COPY`` on PostgreSQL)."""
    if not states:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            with cur.copy(f"COPY {model._meta.db_table} ({', '.join(_STATE_COLUMNS)}) FROM STDIN") as copy:
                for s in states:
                    copy.write_row(tuple(getattr(s, c) for c in _STATE_COLUMNS))
    else:
        _executemany(
            model._meta.db_table,
            _STATE_COLUMNS,
            (tuple(getattr(s, c) for c in _STATE_COLUMNS) for s in states),
        )


def write_rollups(acc: dict[BucketKey, list[int]], model=Rollup) -> int:
    """Insert fresh rollup rows (the table must not hold these buckets yet)."""
    items = [(k, v) for k, v in acc.items() if any(v)]
    cols = (*_KEY_COLUMNS, *COUNTERS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            with cur.copy(f"COPY {model._meta.db_table} ({', '.join(cols)}) FROM STDIN") as copy:
                for key, counts in items:
                    copy.write_row((*key, *counts))
    else:
        _executemany(model._meta.db_table, cols, ((*key, *counts) for key, counts in items))
    return len(items)


def _executemany(table: str, cols, rows) -> None:
    """Plain ``executemany`` (SQLite): dates as ISO text, as Django stores them."""
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    rows = [[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in rows]
    with connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, rows[i : i + 5000])


# ------------------------------------------------------------------------------------------------
# Reading: where the selectors take their counts from
# ------------------------------------------------------------------------------------------------

_SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar("motcua_indicator_source", default="auto")


@contextlib.contextmanager
def use_source(source: str):
    """``with use_source("facts"):`` forces the selectors to scan the dossier facts (``"rollups"``
    forces the rollups, ``"auto"`` uses them when they are ready)."""
    if source not in ("auto", "facts", "rollups"):
        raise ValueError(source)
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def current_source() -> str:
    """``auto`` (the rollups), ``facts`` or ``rollups`` (see :func:`use_source`)."""
    return _SOURCE.get()


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def days_q(first: dt.date | None, end: dt.date):
    """A ``Q`` selecting the rollup rows that cover exactly the local days ``[first, end)``
    (``first=None``: every day before ``end``), using month rows for the whole months inside."""
    from django.db.models import Q

    day, month = Q(grain=Grain.DAY), Q(grain=Grain.MONTH)
    end_month = end.replace(day=1)
    if first is None:
        q = month & Q(day__lt=end_month)
        if end_month < end:
            q |= day & Q(day__gte=end_month, day__lt=end)
        return q
    m0 = first if first.day == 1 else _next_month(first)
    if m0 >= end_month:  # no whole month inside
        return day & Q(day__gte=first, day__lt=end)
    q = month & Q(day__gte=m0, day__lt=end_month)
    if first < m0:
        q |= day & Q(day__gte=first, day__lt=m0)
    if end_month < end:
        q |= day & Q(day__gte=end_month, day__lt=end)
    return q


def rollup_table_counts() -> dict[str, int]:
    """Totals of the day rows (for checks and the command's summary)."""
    from django.db.models import Sum

    agg = Rollup.objects.filter(grain=Grain.DAY).aggregate(**{c: Sum(c) for c in COUNTERS})
    return {k: v or 0 for k, v in agg.items()}
