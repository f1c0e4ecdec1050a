"""Writes on dossiers (design §3.2): one transaction per call, table-checked, logged.

Every call: lock the dossier row → check the idempotency key → check the caller's version →
check the transition and role in :mod:`motcua.dossiers.lifecycle` → apply the action's rule →
write the columns (status, clock, facts) → append the :class:`DossierAction` row → bump
``version`` → schedule :data:`AFTER_COMMIT_HOOKS` with ``transaction.on_commit``.

Deadline arithmetic goes through the worktime engine only (design §3.5), with the working hours
and the supplement policy snapshotted at reception (design §3.7).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.catalog.models import Component, ProcedureCase, WorkflowStep
from motcua.fastinsert import CompiledInsert
from motcua.org.models import Agency
from motcua.worktime.engine import (
    DEFAULT_HOURS,
    TZ,
    SupplementPolicy,
    TimeLimit,
    WorkCalendar,
    WorkingHours,
    add_time,
    due_after_supplement,
    working_time_between,
)
from motcua.worktime.selectors import (
    calendar_from_entries,
    get_calendar,
    get_working_hours,
    working_hours_from_values,
)

from .facts import dossier_outcomes
from .lifecycle import (
    APPLICANT,
    NEW,
    ConcurrencyError,
    LifecycleError,
    Transition,
    check_roles,
    transition_for,
)
from .models import (
    Channel,
    Dossier,
    DossierAction,
    DossierComponent,
    PersonalDataAccess,
    Status,
    StopInitiator,
)
from .papers import paper_rows

# Decree 118/2025 took effect on 01/7/2025 (Art. 41); a dossier's rules follow its reception date.
FRAMEWORK_2025_FROM = dt.date(2025, 7, 1)
# Decree 118/2025 Art. 17(2)(c): official reception or a supplement notice within 8 working hours.
ONLINE_ACCEPTANCE_WORKING_HOURS = 8
# Decree 118/2025 Art. 19(5), Decree 61/2018 Art. 19(4): supplement during appraisal ≤ 3 working days.
SUPPLEMENT_WINDOW_WORKING_DAYS = 3
# Decree 118/2025 Art. 19(5): close after 15 days (calendar, as written) without the supplement.
SUPPLEMENT_CLOSE_DAYS = 15
# Decree 118/2025 Art. 19(6): the apology and extension come at least 1 day before the due date.
EXTENSION_NOTICE_WORKING_DAYS = 1

# Actions whose form must state the reasons (Phiếu từ chối, Phiếu yêu cầu bổ sung, Mẫu 04, Mẫu 05).
_REASON_REQUIRED = frozenset(
    {"refuse_at_reception", "request_supplement", "reject_after_appraisal", "apologize_and_extend", "stop"}
)

#: Callables run after commit with the new DossierAction (notifications, sync …; design §3.8).
AFTER_COMMIT_HOOKS: list[Callable[[DossierAction], None]] = []

_APPLICANT_FIELDS = {
    "applicant_type": "applicant_type",
    "name": "applicant_name",
    "id_kind": "id_kind",
    "id_number": "id_number",
    "birth_date": "birth_date",
    "sex": "sex",
    "phone": "phone",
    "email": "email",
    "address": "address",
    "address_unit": "address_unit",
    "user": "applicant_user",
}
_PROXY_FIELDS = {"name": "proxy_name", "id_number": "proxy_id_number", "phone": "proxy_phone"}
_FK_APPLICANT_FIELDS = frozenset({"address_unit", "applicant_user"})
_DOSSIER_FIELD_NAMES = frozenset(f.name for f in Dossier._meta.concrete_fields)


_err = LifecycleError  # (code, message_vi, message_en, field): the refusals below

# ---------------------------------------------------------------------------------------------
# Snapshot and clock helpers
# ---------------------------------------------------------------------------------------------


def _framework(at: dt.datetime) -> str:
    """Rule set by reception date, never by today's date (design §3.6)."""
    return "2025" if at.astimezone(TZ).date() >= FRAMEWORK_2025_FROM else "2018"


@dataclass(frozen=True, slots=True)
class ReceptionRules:
    """What a reception reads besides the dossier: the calendar, the default working hours
    (``None``: no default profile, the built-in hours apply) and the case's first workflow step
    (``(budget_value, budget_unit)``, ``None`` without steps)."""

    calendar: WorkCalendar
    default_profile: str | None
    default_hours: WorkingHours
    first_step: tuple[Decimal, str] | None


_RULES_SQL: dict[str, str] = {}


def _rules_sql(connection) -> str:
    """One statement for the three reads of a reception (issue 3, benchmark fixes 2 and 3): the
    calendar entries, the default working-hours profile and the first step of the case. Each
    typed value has a column of its own, so nothing is cast to text."""
    if (sql := _RULES_SQL.get(connection.vendor)) is None:
        from motcua.worktime.models import CalendarEntry, WorkingHoursProfile

        q = connection.ops.quote_name
        entry, profile = q(CalendarEntry._meta.db_table), q(WorkingHoursProfile._meta.db_table)
        step = q(WorkflowStep._meta.db_table)
        # tag, date, text1, text2, 5 times, number; the first branch types the NULLs for PostgreSQL.
        sql = (
            f"SELECT 'e' AS tag, {q('date')} AS day, {q('kind')} AS t1, {q('name')} AS t2, "
            + ", ".join(f"CAST(NULL AS TIME) AS h{i}" for i in range(1, 6))
            + f", CAST(NULL AS NUMERIC) AS num FROM {entry} "
            f"UNION ALL SELECT 'p', NULL, {q('name')}, NULL, morning_start, morning_end, afternoon_start, "
            f"afternoon_end, cutoff, NULL FROM {profile} WHERE is_default = %s "
            f"UNION ALL SELECT 's', NULL, budget_unit, NULL, NULL, NULL, NULL, NULL, NULL, budget_value FROM "
            f"(SELECT budget_unit, budget_value FROM {step} WHERE case_id = %s ORDER BY {q('order')} LIMIT 1) s1 "
            "ORDER BY 1, 2"
        )
        _RULES_SQL[connection.vendor] = sql
    return sql


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _time(value) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(value)


def reception_rules(case: ProcedureCase | None) -> ReceptionRules:
    """The calendar, default working hours and first workflow step of ``case``, read fresh in
    one statement. The calendar and the hours objects are cached by the rows read (a version
    check, see :mod:`motcua.worktime.selectors`), so an administrator's edit of the calendar,
    the working hours or the workflow applies from the next reception, in every process."""
    from django.db import connection

    entries, profile, step = [], None, None
    with connection.cursor() as cursor:
        cursor.execute(_rules_sql(connection), [True, case.pk if case is not None else None])
        for tag, day, t1, t2, h1, h2, h3, h4, h5, num in cursor.fetchall():
            if tag == "e":
                entries.append((_date(day), t1, t2))
            elif tag == "p":
                profile = (t1, working_hours_from_values(*(_time(h) for h in (h1, h2, h3, h4, h5))))
            else:
                step = (Decimal(str(num)), t1)
    return ReceptionRules(
        calendar=calendar_from_entries(entries),
        default_profile=profile[0] if profile else None,
        default_hours=profile[1] if profile else DEFAULT_HOURS,
        first_step=step,
    )


def _hours_snapshot(agency: Agency, rules: ReceptionRules) -> tuple[str, dict[str, Any], WorkingHours]:
    if agency.working_hours_id is not None:
        name, hours = agency.working_hours.name, get_working_hours(agency.working_hours)
    else:
        name, hours = rules.default_profile or "built-in", rules.default_hours
    windows = {
        "windows": [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in hours.windows],
        "cutoff": hours.cutoff.strftime("%H:%M"),
    }
    return name, windows, hours


def dossier_hours(dossier: Dossier) -> WorkingHours:
    """The working hours snapshotted at reception (built-in default when none was taken)."""
    snap = dossier.hours_windows or {}
    if not snap.get("windows"):
        return get_working_hours(None)
    windows = tuple((dt.time.fromisoformat(s), dt.time.fromisoformat(e)) for s, e in snap["windows"])
    return WorkingHours(windows=windows, cutoff=dt.time.fromisoformat(snap.get("cutoff", "15:00")))


def _limit(dossier: Dossier) -> TimeLimit:
    return TimeLimit(Decimal(dossier.limit_value), dossier.limit_unit)


def _add(dossier: Dossier, start: dt.datetime, value, unit: str) -> dt.datetime:
    return add_time(start, value, unit, get_calendar(), dossier_hours(dossier))


def _start_clock(dossier: Dossier, *, at: dt.datetime) -> None:
    """Snapshot the rules and start the resolution clock at official reception (Art. 17(3))."""
    channel = "online" if dossier.channel == Channel.ONLINE else "direct"
    _legal, applied = dossier.case.limits(channel)
    dossier.limit_value, dossier.limit_unit = applied.value, str(applied.unit)
    rules = reception_rules(dossier.case)
    calendar = rules.calendar
    dossier.hours_profile, dossier.hours_windows, hours = _hours_snapshot(dossier.resolving_agency, rules)
    dossier.supplement_policy = str(
        SupplementPolicy(getattr(settings, "MOTCUA_SUPPLEMENT_POLICY", SupplementPolicy.RESTART))
    )
    dossier.law_framework = _framework(at)
    dossier.received_at = at
    dossier.due_at = dossier.original_due_at = add_time(at, applied.value, applied.unit, calendar, hours)
    first = rules.first_step
    dossier.current_step = 1
    dossier.step_due_at = add_time(at, first[0], first[1], calendar, hours) if first else None
    from motcua.dossiers.codes import dossier_code_allocate, prefix_for

    prefix = prefix_for(
        resolving_agency_code=dossier.resolving_agency.ident_code,
        receiving_unit_code=dossier.receiving_unit.ident_code,
        is_group=dossier.is_group,
        channel=dossier.channel,
    )
    dossier.code = dossier_code_allocate(prefix=prefix, received_at=at)


def _refresh_facts(dossier: Dossier) -> None:
    dossier.is_online = dossier.channel == Channel.ONLINE
    for name, value in dossier_outcomes(dossier).items():
        setattr(dossier, name, value)


def _as_datetime(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, str) and (parsed := parse_datetime(value)) is not None:
        result = parsed
    else:
        raise _err("payload_invalid", "Thời điểm không hợp lệ.", "Invalid date-time.", field)
    return result if timezone.is_aware(result) else result.replace(tzinfo=TZ)


# ---------------------------------------------------------------------------------------------
# Creation: reception at the counter and online submission
# ---------------------------------------------------------------------------------------------


def _validate_applicant(applicant: Mapping[str, Any]) -> None:
    unknown = set(applicant) - set(_APPLICANT_FIELDS)
    if unknown:
        raise _err(
            "payload_invalid",
            f"Trường không hợp lệ: {', '.join(sorted(unknown))}.",
            f"Unknown applicant fields: {', '.join(sorted(unknown))}.",
            sorted(unknown)[0],
        )
    if applicant.get("id_number"):
        from motcua.dossiers.identity import validate_identity

        validate_identity(
            kind=applicant.get("id_kind", ""),
            number=applicant["id_number"],
            birth_date=applicant.get("birth_date"),
            sex=applicant.get("sex") or None,
            applicant_type=applicant.get("applicant_type"),
        )


def _actor_scope(actor) -> dict[str, Any]:
    """The filter of an idempotency key's owner: the actor, or no actor (a system action)."""
    pk = getattr(actor, "pk", None)
    return {"actor_id": pk} if pk is not None else {"actor__isnull": True}


def creation_by_key(idempotency_key: str | None, actor=None) -> DossierAction | None:
    """The creating action (reception, counter answer, online submission) that ``actor`` made
    with this key (``actor`` None: one made without an actor).

    A key is its client's: another actor's use of the same key is not found (and does not block
    this one). Any creating action counts: one key makes one dossier, whichever outcome it was
    given.
    """
    if not idempotency_key:
        return None
    return (
        DossierAction.objects.filter(from_status="", idempotency_key=idempotency_key, **_actor_scope(actor))
        .select_related("dossier")
        .order_by("id")
        .first()
    )


def _existing_creation(idempotency_key: str | None, actor) -> Dossier | None:
    found = creation_by_key(idempotency_key, actor)
    return found.dossier if found else None


# No 0/O, 1/I/L: the secret is read from paper and typed on a phone.
LOOKUP_SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LOOKUP_SECRET_LENGTH = 8


def new_lookup_secret() -> str:
    """The secret printed on the receipt; with the dossier code it opens the public look-up."""
    return "".join(secrets.choice(LOOKUP_SECRET_ALPHABET) for _ in range(LOOKUP_SECRET_LENGTH))


def _create(
    *,
    action: str,
    case: ProcedureCase,
    channel: str,
    receiving_unit: Agency,
    resolving_agency: Agency | None,
    applicant: Mapping[str, Any],
    proxy: Mapping[str, Any] | None,
    components: Sequence[Mapping[str, Any]],
    is_group: bool,
    actor,
    roles: Iterable[str],
    unit: Agency | None,
    at: dt.datetime,
    idempotency_key: str | None,
    payload: Mapping[str, Any] | None,
    reason: str = "",
    sign_in: Mapping[str, Any] | None = None,
) -> Dossier:
    row = transition_for(action, NEW)
    role = check_roles(row, roles)
    if action in _REASON_REQUIRED and not reason.strip():
        raise _err("reason_required", "Cần nêu rõ lý do.", "A reason is required.", "reason")
    if channel not in Channel.values:
        raise _err("payload_invalid", "Kênh nộp không hợp lệ.", "Invalid channel.", "channel")
    _validate_applicant(applicant)
    if receiving_unit.kind != Agency.Kind.ONE_STOP:
        raise _err(
            "receiving_unit_invalid",
            "Đơn vị tiếp nhận phải là Bộ phận Một cửa.",
            "The receiving unit must be a one-stop unit.",
            "receiving_unit",
        )
    if resolving_agency is None:
        from .selectors import first_resolving_agency

        admin_unit = applicant.get("address_unit") or receiving_unit.admin_unit
        resolving_agency = first_resolving_agency(case.version, admin_unit)
        if resolving_agency is None:
            raise _err(
                "resolving_agency_missing",
                "Không xác định được cơ quan có thẩm quyền giải quyết.",
                "No competent agency found for this dossier.",
                "resolving_agency",
            )
    _check_boundary(case, receiving_unit, resolving_agency)
    dossier = Dossier(
        procedure_version=case.version,
        case=case,
        channel=channel,
        receiving_unit=receiving_unit,
        resolving_agency=resolving_agency,
        is_group=is_group,
        status=row.to_status,
        submitted_at=at,
        law_framework=_framework(at),
        lookup_secret=new_lookup_secret(),
        **{_APPLICANT_FIELDS[k]: v for k, v in applicant.items() if v is not None},
        **{_PROXY_FIELDS[k]: v for k, v in (proxy or {}).items() if k in _PROXY_FIELDS and v},
    )
    if sign_in:
        dossier.applicant_sign_in = str(sign_in.get("method", ""))[:60]
        dossier.applicant_identity_verified = bool(sign_in.get("identity_verified"))
    if row.to_status == Status.RECEIVED:
        _start_clock(dossier, at=at)
    else:
        from motcua.dossiers.codes import temporary_reference

        dossier.temp_reference = temporary_reference()
        if row.to_status == Status.SUBMITTED:
            # Art. 17(2)(c): 8 working hours from the system's receipt of the online dossier.
            rules = reception_rules(None)
            dossier.acceptance_due_at = add_time(
                at, ONLINE_ACCEPTANCE_WORKING_HOURS, "working_hours", rules.calendar, rules.default_hours
            )
        elif row.to_status == Status.SUPPLEMENT_AT_RECEPTION:
            # Answered at the counter (Art. 17(1)(c)): no code, no clock; the 15-day closure
            # (Art. 19(5)) counts from this notice.
            dossier.supplement_requested_at = at
    # Components given by id (a form's ticks): the case's, all read in one query.
    files = paper_rows(
        case.pk,
        components,
        foreign=lambda value: Component.DoesNotExist(f"Component {value!r} is not one of the case's."),
    )
    # Decree 118/2025 Art. 17(1)(c): every paper is scanned at reception.
    dossier.digitized = bool(files) and all(f.file for f in files)
    _refresh_facts(dossier)
    # Only what the caller wrote is checked against the model (lengths, choices, e-mail): the
    # rest was computed here or checked above (channel, roles, identity, receiving unit), and
    # the foreign keys arrive as instances the caller already loaded (no existence queries).
    given = {_APPLICANT_FIELDS[k] for k in applicant} | {
        _PROXY_FIELDS[k] for k in (proxy or {}) if k in _PROXY_FIELDS
    }
    dossier.full_clean(exclude=_DOSSIER_FIELD_NAMES - (given - _FK_APPLICANT_FIELDS))
    _INSERT_DOSSIER.insert(dossier)
    for f in files:
        f.dossier = dossier
    _INSERT_PAPERS.insert_many(files)
    _log(
        dossier=dossier,
        row=row,
        actor=actor,
        role=role,
        unit=unit or receiving_unit,
        at=at,
        from_status="",
        payload=dict(payload or {}),
        reason=reason,
        idempotency_key=idempotency_key,
    )
    return dossier


def _check_boundary(case: ProcedureCase, receiving_unit: Agency, resolving_agency: Agency) -> None:
    """A commune-level dossier for another commune than the receiving unit's is taken only for
    procedures published as "không phụ thuộc vào địa giới hành chính" (Decree 118/2025 Art. 17;
    tthc-2025-update §2); ``ProcedureVersion.non_boundary``."""
    version = case.version
    if (
        version.competent_at_commune
        and not version.non_boundary
        and resolving_agency.admin_unit_id != receiving_unit.admin_unit_id
    ):
        raise _err(
            "boundary_not_allowed",
            "Thủ tục này không được tiếp nhận không phụ thuộc địa giới hành chính.",
            "This procedure is not received regardless of administrative boundary.",
            "resolving_agency",
        )


def _create_once(**kwargs: Any) -> Dossier:
    """:func:`_create` in a savepoint: when a concurrent attempt with the same idempotency key
    won, its dossier is returned and this attempt (with its code number) is rolled back."""
    if not kwargs.get("idempotency_key"):
        return _create(**kwargs)  # no key, no race to lose: skip the savepoint
    try:
        with transaction.atomic():
            return _create(**kwargs)
    except IntegrityError:
        existing = _existing_creation(kwargs["idempotency_key"], kwargs.get("actor"))
        if existing is None:
            raise
        return existing


@transaction.atomic
def dossier_receive(
    *,
    case: ProcedureCase,
    channel: str,
    receiving_unit: Agency,
    applicant: Mapping[str, Any],
    actor,
    roles: Iterable[str],
    resolving_agency: Agency | None = None,
    proxy: Mapping[str, Any] | None = None,
    components: Sequence[Mapping[str, Any]] = (),
    is_group: bool = False,
    unit: Agency | None = None,
    received_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Dossier:
    """Receive a complete dossier at a one-stop counter (Decree 118/2025 Art. 17(1)(c), 17(3)).

    Issues the dossier code (Art. 28) and the due moment of the case's applied limit for the
    channel. A retry with the same ``idempotency_key`` returns the first dossier.
    """
    if (existing := _existing_creation(idempotency_key, actor)) is not None:
        return existing
    return _create_once(
        action="receive",
        case=case,
        channel=channel,
        receiving_unit=receiving_unit,
        resolving_agency=resolving_agency,
        applicant=applicant,
        proxy=proxy,
        components=components,
        is_group=is_group,
        actor=actor,
        roles=roles,
        unit=unit,
        at=received_at or timezone.now(),
        idempotency_key=idempotency_key,
        payload=payload,
    )


COUNTER_ANSWERS = ("request_supplement", "refuse_at_reception")


@transaction.atomic
def dossier_answer_at_reception(
    *,
    action: str,
    case: ProcedureCase,
    channel: str,
    receiving_unit: Agency,
    applicant: Mapping[str, Any],
    actor,
    roles: Iterable[str],
    reason: str,
    resolving_agency: Agency | None = None,
    proxy: Mapping[str, Any] | None = None,
    components: Sequence[Mapping[str, Any]] = (),
    is_group: bool = False,
    unit: Agency | None = None,
    at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    payload: Mapping[str, Any] | None = None,
) -> Dossier:
    """Answer a paper dossier at the counter instead of receiving it (Decree 118/2025 Art.
    17(1)(c)): ``request_supplement`` (Mẫu 02, status ``supplement_at_reception``) or
    ``refuse_at_reception`` (Mẫu 03, status ``refused``).

    The dossier is recorded with a temporary reference, without a dossier code and without
    starting the resolution clock, so that the printed form and the statistics exist. A retry
    with the same ``idempotency_key`` returns the first dossier.
    """
    if action not in COUNTER_ANSWERS:
        raise _err(
            "payload_invalid",
            "Kết quả tại quầy không hợp lệ.",
            f"A counter answer is one of {', '.join(COUNTER_ANSWERS)}.",
            "outcome",
        )
    if (existing := _existing_creation(idempotency_key, actor)) is not None:
        return existing
    return _create_once(
        action=action,
        case=case,
        channel=channel,
        receiving_unit=receiving_unit,
        resolving_agency=resolving_agency,
        applicant=applicant,
        proxy=proxy,
        components=components,
        is_group=is_group,
        actor=actor,
        roles=roles,
        unit=unit,
        at=at or timezone.now(),
        idempotency_key=idempotency_key,
        payload=payload,
        reason=reason,
    )


@transaction.atomic
def dossier_submit_online(
    *,
    case: ProcedureCase,
    receiving_unit: Agency,
    applicant: Mapping[str, Any],
    actor=None,
    resolving_agency: Agency | None = None,
    proxy: Mapping[str, Any] | None = None,
    components: Sequence[Mapping[str, Any]] = (),
    is_group: bool = False,
    submitted_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    payload: Mapping[str, Any] | None = None,
    sign_in: Mapping[str, Any] | None = None,
) -> Dossier:
    """Submit a dossier online (Decree 118/2025 Art. 17(2)): temporary reference, no clock yet;
    acceptance or a supplement notice is due within 8 working hours (``acceptance_due_at``).

    ``sign_in`` is set by trusted callers only (the portal, from the session), never from a
    request body: ``{"method": "local" | "oidc:<provider>", "identity_verified": bool}``."""
    if (existing := _existing_creation(idempotency_key, actor)) is not None:
        return existing
    return _create_once(
        action="submit_online",
        case=case,
        channel=Channel.ONLINE,
        receiving_unit=receiving_unit,
        resolving_agency=resolving_agency,
        applicant=applicant,
        proxy=proxy,
        components=components,
        is_group=is_group,
        actor=actor,
        roles=[APPLICANT],
        unit=None,
        at=submitted_at or timezone.now(),
        idempotency_key=idempotency_key,
        payload=payload,
        sign_in=sign_in,
    )


# ---------------------------------------------------------------------------------------------
# Actions on an existing dossier
# ---------------------------------------------------------------------------------------------

Handler = Callable[[Dossier, Transition, str, dict[str, Any], dt.datetime], None]


def _on_receive(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    _start_clock(d, at=now)
    payload.setdefault("code", d.code)


def _on_request_supplement(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    if d.received_at is not None:
        # Art. 19(5): "không quá 03 ngày làm việc kể từ ngày tiếp nhận hồ sơ".
        window_end = _add(d, d.received_at, SUPPLEMENT_WINDOW_WORKING_DAYS, "working_days")
        if now > window_end:
            raise _err(
                "supplement_window_passed",
                "Đã quá 03 ngày làm việc kể từ ngày tiếp nhận, không được yêu cầu bổ sung (NĐ 118/2025 Đ.19(5)).",
                "More than 3 working days since reception: a supplement can no longer be requested.",
            )
        d.supplement_count += 1
    d.supplement_requested_at = now


def _on_supplement_received(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    requested = d.supplement_requested_at or now
    if d.received_at is None:
        # Still at reception: the 8-working-hour acceptance clock runs again (Art. 17(2)(c)).
        d.acceptance_due_at = add_time(
            now, ONLINE_ACCEPTANCE_WORKING_HOURS, "working_hours", get_calendar(), get_working_hours(None)
        )
        return
    calendar, hours = get_calendar(), dossier_hours(d)
    new_due = due_after_supplement(
        d.supplement_policy,
        limit=_limit(d),
        original_start=d.received_at,
        current_due=d.due_at,
        requested_at=requested,
        completed_at=now,
        calendar=calendar,
        hours=hours,
    )
    d.paused_working_minutes += max(
        0, int(working_time_between(requested, now, calendar, hours).total_seconds() // 60)
    )
    d.paused_minutes += max(0, int((now - requested).total_seconds() // 60))
    payload.update(previous_due_at=d.due_at, due_at=new_due, policy=d.supplement_policy)
    d.due_at = new_due
    if not d.extended:
        # A new appointment after a supplement is not the Art. 19(6) extension.
        d.original_due_at = new_due


def _on_forward(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    steps = list(WorkflowStep.objects.filter(case=d.case).order_by("order"))
    nxt = d.current_step + 1
    if steps and nxt > len(steps):
        raise _err(
            "no_next_step",
            "Hồ sơ đã ở bước cuối của quy trình.",
            "The dossier is at the last workflow step.",
            "step",
        )
    d.current_step = nxt
    if steps:
        step = steps[nxt - 1]
        d.step_due_at = _add(d, now, step.budget_value, step.budget_unit)
        payload.setdefault("step_name", step.name)
        payload["step_due_at"] = d.step_due_at
    else:
        d.step_due_at = None
    if "assignee_id" in payload:
        from django.contrib.auth import get_user_model

        assignee = payload["assignee_id"]
        # A client's id must name a real account: a dangling key would fail only at commit.
        if assignee is not None and (
            not isinstance(assignee, int)
            or isinstance(assignee, bool)
            or not get_user_model().objects.filter(pk=assignee, is_active=True).exists()
        ):
            raise _err("payload_invalid", "Người xử lý không tồn tại.", "Unknown assignee.", "assignee_id")
        d.assignee_id = assignee


def _on_obligation_paid(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    if payload.get("online"):
        d.paid_online = True


def _on_extend(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    if d.extended:
        raise _err(
            "already_extended",
            "Việc hẹn lại ngày trả kết quả chỉ được thực hiện một lần (NĐ 118/2025 Đ.19(6)).",
            "The return date may be re-appointed only once.",
        )
    calendar, hours = get_calendar(), dossier_hours(d)
    if working_time_between(now, d.due_at, calendar, hours) < dt.timedelta(
        minutes=EXTENSION_NOTICE_WORKING_DAYS * hours.minutes_per_day
    ):
        raise _err(
            "extension_too_late",
            "Phải xin lỗi và gia hạn chậm nhất 01 ngày làm việc trước hạn (NĐ 118/2025 Đ.19(6)).",
            "The apology and extension must come at least one working day before the due moment.",
        )
    if "new_due_at" in payload:
        new_due = _as_datetime(payload["new_due_at"], "new_due_at")
    elif "extend_value" in payload and "extend_unit" in payload:
        try:
            new_due = _add(d, d.due_at, Decimal(str(payload["extend_value"])), payload["extend_unit"])
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise _err(
                "payload_invalid", "Thời gian gia hạn không hợp lệ.", str(exc), "extend_value"
            ) from exc
    else:
        raise _err(
            "payload_invalid",
            "Cần ngày hẹn trả mới.",
            "A new due moment (new_due_at, or extend_value and extend_unit) is required.",
            "new_due_at",
        )
    if new_due <= d.due_at:
        raise _err(
            "extension_not_later",
            "Ngày hẹn trả mới phải sau ngày hẹn hiện hành.",
            "The new due moment must be later than the current one.",
            "new_due_at",
        )
    payload.update(previous_due_at=d.due_at, due_at=new_due)
    d.original_due_at = d.original_due_at or d.due_at
    d.due_at = new_due
    d.extended = True


def _on_stop(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    # An officer may record a stop the applicant asked for on paper (initiator "applicant");
    # an applicant's own stop is always theirs (Decree 118/2025 Art. 21).
    initiator = payload.get("initiator") or (
        StopInitiator.APPLICANT if role == APPLICANT else StopInitiator.AGENCY
    )
    if role == APPLICANT and initiator != StopInitiator.APPLICANT:
        raise _err(
            "payload_invalid",
            "Tổ chức, cá nhân chỉ có thể đề nghị dừng với tư cách người đề nghị.",
            "An applicant's stop is always at the applicant's request.",
            "initiator",
        )
    if initiator not in StopInitiator.values:
        raise _err(
            "payload_invalid", "Bên đề nghị dừng không hợp lệ.", "Invalid stop initiator.", "initiator"
        )
    d.stop_initiator = initiator
    d.finished_at = now


def _on_close_unanswered(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    if d.law_framework != "2025":
        raise _err(
            "not_in_framework",
            "Việc đóng hồ sơ quá hạn bổ sung chỉ áp dụng theo NĐ 118/2025.",
            "Closing an unanswered supplement exists only under Decree 118/2025.",
        )
    requested = d.supplement_requested_at
    if requested is None or now < requested + dt.timedelta(days=SUPPLEMENT_CLOSE_DAYS):
        raise _err(
            "close_too_early",
            "Chưa đủ 15 ngày kể từ khi thông báo bổ sung (NĐ 118/2025 Đ.19(5)).",
            "Fewer than 15 days since the supplement notice.",
        )
    if d.received_at is not None:
        d.finished_at = now


def _on_finish(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    d.finished_at = now


def _on_return(d: Dossier, row: Transition, role: str, payload: dict, now: dt.datetime) -> None:
    d.returned_at = now
    if payload.get("e_result"):
        d.e_result = True


_HANDLERS: dict[str, Handler] = {
    "receive": _on_receive,
    "request_supplement": _on_request_supplement,
    "supplement_received": _on_supplement_received,
    "forward": _on_forward,
    "obligation_paid": _on_obligation_paid,
    "apologize_and_extend": _on_extend,
    "stop": _on_stop,
    "close_unanswered": _on_close_unanswered,
    "reject_after_appraisal": _on_finish,
    "resolve": _on_finish,
    "return_result": _on_return,
}


# The two rows every reception writes, through INSERTs built once (fastinsert: same row, same
# signals as save()).
_INSERT_DOSSIER = CompiledInsert(Dossier)
_INSERT_ACTION = CompiledInsert(DossierAction)
_INSERT_PAPERS = CompiledInsert(DossierComponent)


def _log(
    *,
    dossier: Dossier,
    row: Transition,
    actor,
    role: str,
    unit: Agency | None,
    at: dt.datetime,
    from_status: str,
    payload: dict[str, Any],
    reason: str,
    idempotency_key: str | None,
) -> DossierAction:
    action = DossierAction(
        dossier=dossier,
        action=row.action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=role,
        unit=unit,
        at=at,
        from_status=from_status,
        to_status=dossier.status,
        step=dossier.current_step,
        reason=reason,
        payload=payload,
        idempotency_key=idempotency_key or None,
    )
    _INSERT_ACTION.insert(action)
    for hook in AFTER_COMMIT_HOOKS:
        transaction.on_commit(lambda hook=hook: hook(action))
    return action


def dossier_perform(
    *,
    dossier: Dossier | int,
    action: str,
    actor,
    roles: Iterable[str],
    unit: Agency | None = None,
    payload: Mapping[str, Any] | None = None,
    reason: str = "",
    idempotency_key: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> DossierAction:
    """Perform ``action`` on a dossier (a row of :data:`motcua.dossiers.lifecycle.TABLE`).

    Raises :class:`LifecycleError` when the table, the role or the action's rule refuses it and
    :class:`ConcurrencyError` when ``expected_version`` is stale. An ``idempotency_key`` the same
    ``actor`` already used on the dossier returns the earlier action and changes nothing; another
    actor's key is theirs and does not collide.
    """
    now = now or timezone.now()
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    with transaction.atomic():
        try:
            d = (
                Dossier.objects.select_for_update()
                .select_related("case", "resolving_agency", "receiving_unit")
                .get(pk=pk)
            )
        except Dossier.DoesNotExist:
            raise _err("not_found", "Không tìm thấy hồ sơ.", "Dossier not found.", None) from None
        if idempotency_key:
            earlier = d.actions.filter(idempotency_key=idempotency_key, **_actor_scope(actor)).first()
            if earlier is not None:
                return earlier
        if expected_version is not None and expected_version != d.version:
            raise ConcurrencyError(
                "version_conflict",
                "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại.",
                "The dossier was changed by someone else; reload it.",
                "version",
            )
        row = transition_for(action, d.status)
        role = check_roles(row, roles)
        if action in _REASON_REQUIRED and not reason.strip():
            raise _err("reason_required", "Cần nêu rõ lý do.", "A reason is required.", "reason")
        data = dict(payload or {})
        handler = _HANDLERS.get(action)
        if handler is not None:
            handler(d, row, role, data, now)
        from_status = d.status
        if row.to_status:
            d.status = row.to_status
        _refresh_facts(d)
        old_version = d.version
        d.version = old_version + 1
        d.updated_at = timezone.now()
        # Conditional write: a lost update is impossible even where SELECT … FOR UPDATE is a
        # no-op (SQLite).
        values = {
            f.attname: getattr(d, f.attname) for f in Dossier._meta.concrete_fields if not f.primary_key
        }
        if Dossier.objects.filter(pk=d.pk, version=old_version).update(**values) != 1:
            raise ConcurrencyError(
                "version_conflict",
                "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại.",
                "The dossier was changed by someone else; reload it.",
                "version",
            )
        logged = _log(
            dossier=d,
            row=row,
            actor=actor,
            role=role,
            unit=unit,
            at=now,
            from_status=from_status,
            payload=data,
            reason=reason,
            idempotency_key=idempotency_key,
        )
    if isinstance(dossier, Dossier):
        dossier.refresh_from_db()
    return logged


# Preference when a person holds several roles over a dossier: the one recorded on the action.
_ROLE_PREFERENCE = (
    "receiving_officer",
    "specialist",
    "unit_leader",
    "tthc_control",
    "province_leader",
    "administrator",
    APPLICANT,
)


def dossier_act(
    *,
    dossier: Dossier,
    action: str,
    user,
    payload: Mapping[str, Any] | None = None,
    reason: str = "",
    idempotency_key: str | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> DossierAction:
    """:func:`dossier_perform` by a signed-in person, with the roles they hold over this dossier
    (issue 3 point 6): an officer acts only on dossiers whose receiving unit, resolving agency or
    current step's agency lies in the subtree of a unit they are assigned to, with a role the
    table allows there; an applicant only on their own dossiers, with applicant actions.

    Raises :class:`LifecycleError` ``not_authorized`` when the person holds no role over the
    dossier, ``role_not_allowed`` when none of their roles may perform the action.
    """
    from .selectors import actor_assignments_for

    assignments = actor_assignments_for(user, dossier)
    roles = set(assignments)
    if dossier.applicant_user_id is not None and dossier.applicant_user_id == getattr(user, "pk", None):
        roles.add(APPLICANT)
    if not roles:
        raise _err(
            "not_authorized",
            "Bạn không có quyền xử lý hồ sơ này.",
            "You may not act on this dossier.",
            None,
        )
    ordered = sorted(roles, key=lambda r: _ROLE_PREFERENCE.index(r) if r in _ROLE_PREFERENCE else 99)
    # The unit recorded on the log is that of the assignment granting the role that will be
    # used; the table is checked again under the row lock by dossier_perform.
    unit = None
    try:
        role = check_roles(transition_for(action, dossier.status), ordered)
        unit = assignments.get(role)
    except LifecycleError:
        pass
    return dossier_perform(
        dossier=dossier,
        action=action,
        actor=user,
        roles=ordered,
        unit=unit,
        payload=payload,
        reason=reason,
        idempotency_key=idempotency_key,
        expected_version=expected_version,
        now=now,
    )


def dossier_audit_personal_read(
    *, dossier: Dossier, user, purpose: str = "view", now: dt.datetime | None = None
) -> None:
    """Record that staff member ``user`` read ``dossier``'s personal data (design §3.11).

    Call it from every staff view or endpoint that shows applicant data; an applicant reading
    their own dossier is not recorded.
    """
    if user is None or getattr(user, "pk", None) is None or dossier.applicant_user_id == user.pk:
        return
    PersonalDataAccess.objects.create(dossier=dossier, user=user, at=now or timezone.now(), purpose=purpose)


@dataclass(frozen=True, slots=True)
class HandoverResult:
    """The outcome of one dossier in a bulk hand-over."""

    dossier: Dossier
    ok: bool
    message: str = ""


def dossier_bulk_handover(
    *,
    dossiers: Sequence[Dossier],
    user,
    expected_versions: Mapping[int, int] | None = None,
    now: dt.datetime | None = None,
) -> list[HandoverResult]:
    """Hand over (``forward``) paper dossiers received after the cut-off at the start of the next
    working day (Decree 118/2025 Art. 18(2)), each in its own transaction: one refusal never
    undoes the others. ``expected_versions`` (dossier id → version seen on the page) makes a
    repeated submission fail instead of forwarding a dossier twice."""
    versions = expected_versions or {}
    results: list[HandoverResult] = []
    for dossier in dossiers:
        try:
            with transaction.atomic():
                dossier_act(
                    dossier=dossier,
                    action="forward",
                    user=user,
                    payload={"handover": "next_working_day"},
                    expected_version=versions.get(dossier.pk),
                    now=now,
                )
        except LifecycleError as exc:
            results.append(HandoverResult(dossier=dossier, ok=False, message=exc.message_vi))
        else:
            results.append(HandoverResult(dossier=dossier, ok=True))
    return results
