"""Reads for the staff pages: the officer's inbox (hộp việc) and the units of the ledger.

Authorization is compiled into one queryset (design §3.10): a dossier is in a person's inbox when
one of their roles, at a unit whose subtree holds the dossier, is the role of the dossier's
current step (or the person is its assignee), and the dossier is in a status that waits for an
officer. Working time left is computed by the worktime engine, never by hand (design §3.5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.catalog.models import WorkflowStep
from motcua.dossiers.models import Channel, Dossier, Status
from motcua.dossiers.services import dossier_hours
from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.engine import TZ, WorkCalendar, WorkingHours, working_time_between

Role = StaffAssignment.Role

# Statuses in which the dossier waits for the officer of its current workflow step.
STEP_STATUSES = (
    Status.RECEIVED,
    Status.PROCESSING,
    Status.CONSULTING,
    Status.APPROVED,
    Status.FINANCIAL_OBLIGATION,
)
# Paper channels: the dossier is physically handed over (Decree 118/2025 Art. 18(2)).
PAPER_CHANNELS = (Channel.DIRECT, Channel.POSTAL, Channel.AT_HOME)


def _subtree_sql(user_id: int, role: str, on: dt.date) -> RawSQL:
    """Ids of the agencies where ``user`` holds ``role`` on ``on``, and everything under them."""
    agency, assignment = Agency._meta.db_table, StaffAssignment._meta.db_table
    sql = (
        f'WITH RECURSIVE subtree(id) AS (SELECT agency_id FROM "{assignment}" WHERE user_id = %s '
        f"AND role = %s AND (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to > %s) "
        f'UNION SELECT a.id FROM "{agency}" a JOIN subtree s ON a.parent_id = s.id) SELECT id FROM subtree'
    )
    return RawSQL(sql, [user_id, role, on, on])


def _today() -> dt.date:
    return timezone.now().astimezone(TZ).date()


def inbox_roles(user, *, on: dt.date | None = None) -> set[str]:
    """Staff roles the person holds anywhere on ``on`` (one query)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        StaffAssignment.objects.valid_on(on or _today())
        .filter(user_id=user.pk)
        .values_list("role", flat=True)
    )


def request_roles(request) -> set[str]:
    """:func:`inbox_roles` of the signed-in person, read once per request (page and menu)."""
    if not hasattr(request, "_motcua_roles"):
        request._motcua_roles = inbox_roles(request.user)
    return request._motcua_roles


def _current_step():
    return WorkflowStep.objects.filter(case_id=OuterRef("case_id"), order=OuterRef("current_step"))


def inbox_queryset(
    user,
    *,
    roles: set[str] | None = None,
    on: dt.date | None = None,
    procedure: str = "",
    channel: str = "",
    status: str = "",
) -> QuerySet[Dossier]:
    """Dossiers waiting for ``user``, most urgent first, as one query.

    - A receiving officer (cán bộ tiếp nhận) of the receiving unit's subtree: online dossiers to
      receive (8 working hours, Art. 17(2)), dossiers at a receiving-officer step (hand-over), and
      resolved dossiers whose result is to be returned (Art. 22).
    - Any role: dossiers whose current step has that role, at an agency in the subtree of the
      person's assignment with that role (a step without an agency belongs to the resolving
      agency); and dossiers assigned to the person.

    Each row carries ``inbox_due`` (the moment the officer's step is due: the 8-hour acceptance
    limit, the step's due moment, or the appointment for a result to return) and ``step_name``; rows are sorted by ``inbox_due`` (overdue ones come first).
    """
    if user is None or not user.is_authenticated:
        return Dossier.objects.none()
    on = on or _today()
    roles = inbox_roles(user, on=on) if roles is None else roles
    where = Q(assignee_id=user.pk, status__in=STEP_STATUSES)
    for role in sorted(roles):
        subtree = _subtree_sql(user.pk, role, on)
        # A step without an agency belongs to the receiving unit (receiving officer) or the
        # resolving agency (others).
        owner = "receiving_unit_id" if role == Role.RECEIVING_OFFICER else "resolving_agency_id"
        where |= Q(status__in=STEP_STATUSES) & (
            Exists(_current_step().filter(role=role, agency_id__in=subtree))
            | (
                Exists(_current_step().filter(role=role, agency__isnull=True))
                & Q(**{f"{owner}__in": subtree})
            )
        )
        if role == Role.RECEIVING_OFFICER:
            where |= Q(receiving_unit_id__in=subtree, status__in=(Status.SUBMITTED, Status.RESOLVED))
    qs = (
        Dossier.objects.filter(where)
        .select_related("procedure_version", "receiving_unit__working_hours")
        .annotate(
            step_name=Subquery(_current_step().values("name")[:1]),
            inbox_due=Case(
                When(status=Status.SUBMITTED, then=F("acceptance_due_at")),
                When(status=Status.RESOLVED, then=F("due_at")),
                default=Coalesce("step_due_at", "due_at"),
                output_field=DateTimeField(),
            ),
        )
    )
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(F("inbox_due").asc(nulls_last=True), "received_at", "id")


def _received_after_cutoff(d: Dossier, default_hours: WorkingHours) -> bool:
    profile = d.receiving_unit.working_hours
    cutoff = profile.cutoff if profile is not None else default_hours.cutoff
    local = d.received_at.astimezone(TZ)
    return local.time() >= cutoff


def handover_batch(rows, *, default_hours: WorkingHours) -> list[Dossier]:
    """Paper dossiers received after the receiving unit's cut-off (15:00 by default) and still at
    the reception step: they are handed over at the start of the next working day (Decree
    118/2025 Art. 18(2)). ``rows`` come from :func:`inbox_queryset`."""
    return [
        d
        for d in rows
        if d.status == Status.RECEIVED
        and d.current_step == 1
        and d.channel in PAPER_CHANNELS
        and d.received_at is not None
        and _received_after_cutoff(d, default_hours)
    ]


def inbox_procedures(qs: QuerySet[Dossier]) -> list[tuple[str, str]]:
    """(code, name) of the procedures present in an inbox queryset, for the filter (one query)."""
    pairs = (
        qs.order_by().values_list("procedure_version__procedure__code", "procedure_version__name").distinct()
    )
    return sorted(set(pairs), key=lambda p: (p[1], p[0]))


def handover_candidates(user, *, roles: set[str], default_hours: WorkingHours) -> list[Dossier]:
    """The after-cut-off batch of the person's inbox (one query, bounded by the unit's day)."""
    if Role.RECEIVING_OFFICER not in roles:
        return []
    qs = inbox_queryset(user, roles={Role.RECEIVING_OFFICER}).filter(
        status=Status.RECEIVED, current_step=1, channel__in=PAPER_CHANNELS
    )
    return handover_batch(qs, default_hours=default_hours)


# ---------------------------------------------------------------------------------------------
# Urgency
# ---------------------------------------------------------------------------------------------

EARLY, DUE_TODAY, OVERDUE = "early", "due_today", "overdue"


@dataclass(frozen=True, slots=True)
class Urgency:
    """Where a dossier stands against its due moment, in working time."""

    label: str  # EARLY, DUE_TODAY or OVERDUE
    working_minutes: int  # left (positive) or past (negative)
    minutes_per_day: int

    @property
    def days_hours_minutes(self) -> tuple[int, int, int]:
        total = abs(self.working_minutes)
        days, rest = divmod(total, self.minutes_per_day)
        hours, minutes = divmod(rest, 60)
        return days, hours, minutes


def urgency(due: dt.datetime, *, now: dt.datetime, calendar: WorkCalendar, hours: WorkingHours) -> Urgency:
    """Label and working time left of a due moment: overdue once ``now`` is past it, due today when
    it falls on today's date (local time), early otherwise."""
    minutes = int(working_time_between(now, due, calendar, hours).total_seconds() // 60)
    if due < now:
        label = OVERDUE
        minutes = min(minutes, -1) if minutes >= 0 else minutes
    elif due.astimezone(TZ).date() == now.astimezone(TZ).date():
        label = DUE_TODAY
    else:
        label = EARLY
    return Urgency(label=label, working_minutes=minutes, minutes_per_day=hours.minutes_per_day)


def annotate_urgency(rows, *, now: dt.datetime, calendar: WorkCalendar) -> None:
    """Set ``row.urgency`` on each dossier (no query: the hours are the reception snapshot)."""
    cache: dict[str, WorkingHours] = {}
    for d in rows:
        d.urgency = None
        if d.inbox_due is None:
            continue
        key = repr(d.hours_windows)
        if key not in cache:
            cache[key] = dossier_hours(d)
        d.urgency = urgency(d.inbox_due, now=now, calendar=calendar, hours=cache[key])


# ---------------------------------------------------------------------------------------------
# Ledger
# ---------------------------------------------------------------------------------------------


def ledger_units(user, *, on: dt.date | None = None) -> QuerySet[Agency]:
    """One-stop units (Bộ phận Một cửa) in the subtree of the person's assignments (one query)."""
    if user is None or not user.is_authenticated:
        return Agency.objects.none()
    on = on or _today()
    agency, assignment = Agency._meta.db_table, StaffAssignment._meta.db_table
    subtree = RawSQL(
        f'WITH RECURSIVE subtree(id) AS (SELECT agency_id FROM "{assignment}" WHERE user_id = %s '
        f"AND (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to > %s) "
        f'UNION SELECT a.id FROM "{agency}" a JOIN subtree s ON a.parent_id = s.id) SELECT id FROM subtree',
        [user.pk, on, on],
    )
    return (
        Agency.objects.valid_on(on).filter(pk__in=subtree, kind=Agency.Kind.ONE_STOP).order_by("ident_code")
    )
