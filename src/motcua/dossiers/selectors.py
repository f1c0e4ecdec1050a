"""Reads of dossiers, with authorization compiled into the query (design §3.10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from motcua.catalog.models import WorkflowStep
from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.engine import TZ

from .lifecycle import APPLICANT, allowed_actions
from .models import Dossier, DossierAction, Status


def staff_subtree_sql(user_id: int, on: dt.date) -> RawSQL:
    """Ids of the agencies a person is assigned to on ``on`` and everything under them."""
    agency, assignment = Agency._meta.db_table, StaffAssignment._meta.db_table
    sql = (
        f'WITH RECURSIVE subtree(id) AS (SELECT agency_id FROM "{assignment}" WHERE user_id = %s '
        f"AND (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to > %s) "
        f'UNION SELECT a.id FROM "{agency}" a JOIN subtree s ON a.parent_id = s.id) SELECT id FROM subtree'
    )
    return RawSQL(sql, [user_id, on, on])


def _today() -> dt.date:
    return timezone.now().astimezone(TZ).date()


def dossiers_visible_to(user, *, on: dt.date | None = None) -> QuerySet[Dossier]:
    """Dossiers ``user`` may see, as one query: those received, resolved or at a workflow step
    of an agency in the subtree of a unit the person is assigned to (any role), and the
    person's own dossiers as applicant. The same units as :func:`actor_roles_for`, so whoever
    may act on a dossier may also open it."""
    if user is None or not user.is_authenticated:
        return Dossier.objects.none()
    on = on or _today()
    where = Q(applicant_user_id=user.pk)
    where |= Q(receiving_unit_id__in=staff_subtree_sql(user.pk, on))
    where |= Q(resolving_agency_id__in=staff_subtree_sql(user.pk, on))
    where |= Exists(
        WorkflowStep.objects.filter(
            case_id=OuterRef("case_id"),
            order=OuterRef("current_step"),
            agency_id__in=staff_subtree_sql(user.pk, on),
        )
    )
    return Dossier.objects.filter(where).select_related("receiving_unit", "resolving_agency", "case")


def overdue_q(now: dt.datetime) -> Q:
    """Received, not finished, not waiting for the applicant's supplement, and past the current
    due moment at ``now``."""
    return Q(received_at__isnull=False, finished_at__isnull=True, due_at__isnull=False, due_at__lt=now) & ~Q(
        status=Status.SUPPLEMENT_REQUESTED
    )


def _dossier_agencies_and_ancestors_sql(dossier: Dossier) -> RawSQL:
    """Ids of the dossier's receiving unit, resolving agency and current step's agency, and of
    every agency above them: an assignment to any of these covers the dossier."""
    agency, step = Agency._meta.db_table, WorkflowStep._meta.db_table
    sql = (
        f'WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM "{agency}" '
        f'WHERE id IN (%s, %s) OR id IN (SELECT agency_id FROM "{step}" WHERE case_id = %s '
        f'AND "order" = %s AND agency_id IS NOT NULL) '
        f'UNION SELECT a.id, a.parent_id FROM "{agency}" a JOIN up u ON a.id = u.parent_id) '
        "SELECT id FROM up"
    )
    params = [dossier.receiving_unit_id, dossier.resolving_agency_id, dossier.case_id, dossier.current_step]
    return RawSQL(sql, params)


def actor_assignments_for(user, dossier: Dossier, *, on: dt.date | None = None) -> dict[str, Agency]:
    """Staff roles ``user`` holds over ``dossier`` (issue 3 point 6), each with the agency of the
    assignment that grants it: an assignment valid on ``on`` (default today) to an agency whose
    subtree contains the dossier's receiving unit, resolving agency or current step's agency.
    One query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    on = on or _today()
    assignments = (
        StaffAssignment.objects.valid_on(on)
        .filter(user_id=user.pk, agency_id__in=_dossier_agencies_and_ancestors_sql(dossier))
        .filter(Q(agency__valid_from__isnull=True) | Q(agency__valid_from__lte=on))
        .filter(Q(agency__valid_to__isnull=True) | Q(agency__valid_to__gt=on))
        .select_related("agency")
        .order_by("role", "agency__ident_code")
    )
    found: dict[str, Agency] = {}
    for assignment in assignments:
        found.setdefault(assignment.role, assignment.agency)
    return found


def actor_roles_for(user, dossier: Dossier, *, on: dt.date | None = None) -> set[str]:
    """The lifecycle roles ``user`` may use on ``dossier``: the staff roles of
    :func:`actor_assignments_for`, plus ``applicant`` on the person's own dossier. Empty: the
    person may not act on it at all."""
    roles = set(actor_assignments_for(user, dossier, on=on))
    if user is not None and dossier.applicant_user_id is not None and dossier.applicant_user_id == user.pk:
        roles.add(APPLICANT)
    return roles


def roles_at_unit(user, unit: Agency, *, on: dt.date | None = None) -> set[str]:
    """Staff roles ``user`` holds at ``unit`` or at an agency above it (one query)."""
    on = on or _today()
    table = Agency._meta.db_table
    ancestors = RawSQL(
        f'WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM "{table}" WHERE id = %s '
        f'UNION SELECT a.id, a.parent_id FROM "{table}" a JOIN up u ON a.id = u.parent_id) SELECT id FROM up',
        [unit.pk],
    )
    return set(
        StaffAssignment.objects.valid_on(on)
        .filter(user_id=user.pk, agency_id__in=ancestors)
        .values_list("role", flat=True)
    )


# --- look-up by code: the ORM's query compiled once, run with the cursor ----------------------

# Long texts of the procedure version that a dossier page never shows: left in the database
# (a deferred field is still loaded on first access, with one query).
_LOOKUP_DEFERRED = tuple(
    f"procedure_version__{name}"
    for name in (
        "implementing_agency_text",
        "target_persons",
        "result_text",
        "legal_basis",
        "conditions",
        "steps_text",
        "note",
        "search_text",
    )
) + ("case__limit_note",)
_LOOKUP_RELATED = (
    "receiving_unit",
    "resolving_agency",
    "case",
    "procedure_version__procedure",
    "address_unit",
)

# Placeholders the query is compiled with; each is replaced by the call's value.
_SENTINEL_CODE = "dossier-code-placeholder-5b0c9e"
_SENTINEL_USER = -7_654_321_987
_SENTINEL_DAY = dt.date(1901, 2, 3)
_SENTINEL_DOSSIER = -7_654_321_988
_SENTINEL_UNIT = -7_654_321_989
_SENTINEL_VERSION = -7_654_321_990


@dataclass(frozen=True)
class _AuthenticatedPlaceholder:
    pk: int = _SENTINEL_USER
    is_authenticated: bool = True


class CompiledLookup:
    """A model query, compiled by the ORM once and then executed with the cursor.

    The SQL and the parameter positions come from the queryset (so authorization, joins and
    deferred columns are the ORM's, as in any other read); each call only binds the values,
    executes and builds the instances with ``Model.from_db`` through Django's related-object
    populators, as ``QuerySet.__iter__`` does. The SQL text never changes, so PostgreSQL can
    keep it prepared (``MOTCUA_DB_PREPARE_THRESHOLD``). Thread-safe: nothing here changes
    after ``__init__``.
    """

    def __init__(self, queryset, *, binds: set[str]) -> None:
        from django.db.models.query import get_related_populators

        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.slots: list[tuple[str, Any]] = []
        for value in params:
            if value == _SENTINEL_CODE:
                self.slots.append(("code", None))
            elif value == _SENTINEL_USER:
                self.slots.append(("user", None))
            elif value in (_SENTINEL_DAY, _SENTINEL_DAY.isoformat()):
                self.slots.append(("on", None))
            elif value == _SENTINEL_DOSSIER:
                self.slots.append(("dossier", None))
            elif value == _SENTINEL_UNIT:
                self.slots.append(("unit", None))
            elif value == _SENTINEL_VERSION:
                self.slots.append(("version", None))
            else:
                self.slots.append(("const", value))
        if {name for name, _ in self.slots} - {"const"} != binds:
            raise AssertionError(f"placeholders {binds} not found as parameters of {self.sql}")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model = klass_info["model"]
        self.span = (start, end)
        self.builder = InstanceBuilder(
            self.model, [f[0].target.attname for f in select[start:end]], queryset.db
        )
        self.populators = [_Related(p) for p in get_related_populators(klass_info, select, queryset.db)]
        self.converters = list(compiler.get_converters([s[0] for s in select[: compiler.col_count]]).items())
        self.db = queryset.db

    def _rows(self, values: dict[str, Any], one: bool) -> list:
        from django.db import connections

        connection = connections[self.db]
        params = [values[name] if name != "const" else const for name, const in self.slots]
        if connection.queries_logged or connection.execute_wrappers:
            # Debug logging, CaptureQueriesContext, execute wrappers: Django's cursor wrapper.
            with connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                rows = [cursor.fetchone()] if one else cursor.fetchall()
        else:
            # What CursorWrapper.execute does when nothing logs or wraps it: the connection's own
            # checks, then the driver's cursor (Django's create_cursor: its time-zone loader).
            connection.close_if_health_check_failed()
            connection.ensure_connection()
            connection.validate_no_broken_transaction()
            with connection.wrap_database_errors:
                cursor = connection.create_cursor()
                try:
                    cursor.execute(self.sql, params)
                    rows = [cursor.fetchone()] if one else cursor.fetchall()
                finally:
                    cursor.close()
        return [self._instance(row, connection) for row in rows if row is not None]

    def get(self, **values):
        """The first row's instance, or None."""
        found = self._rows(values, one=True)
        return found[0] if found else None

    def all(self, **values) -> list:
        return self._rows(values, one=False)

    def _instance(self, row, connection):
        row = list(row)
        for pos, (convs, expression) in self.converters:
            value = row[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            row[pos] = value
        start, end = self.span
        obj = self.builder.build(row[start:end])
        for populator in self.populators:
            populator.populate(row, obj)
        return obj


def _plain_attribute(model, attname: str) -> bool:
    import inspect

    from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
    from django.db.models.query_utils import DeferredAttribute

    return type(inspect.getattr_static(model, attname, None)) in (
        DeferredAttribute,
        ForeignKeyDeferredAttribute,
    )


class InstanceBuilder:
    """``Model.from_db(db, init_list, values)``, faster where that is the same thing.

    ``Model.__init__`` sends ``pre_init``/``post_init`` and sets each field through its class
    attribute; for a model whose fields are all plain ``DeferredAttribute`` (or the foreign keys'
    ``ForeignKeyDeferredAttribute``, whose ``__set__`` only stores the value of a fresh instance),
    that does not override ``__init__``/``from_db`` and that has no init listeners, the result is
    the instance ``__dict__`` filled with the selected columns and a ``ModelState`` saying "from
    the database". That costs about a fifth of ``from_db`` for the 80-column dossier (the look-up
    builds seven instances: docs/benchmarks.md). Anything else, or a listener connected later,
    goes through ``from_db``; ``tests/dossiers/test_fast_paths.py`` compares both field by field.
    """

    def __init__(self, model, init_list, db) -> None:
        from django.db.models import Model

        self.model, self.init_list, self.db = model, tuple(init_list), db
        self.fast = (
            model.__init__ is Model.__init__
            and getattr(model.from_db, "__func__", None) is Model.from_db.__func__
            and model.__setattr__ is Model.__setattr__
            and all(_plain_attribute(model, a) for a in self.init_list)
        )

    def build(self, values):
        model = self.model
        if not self.fast or (
            (pre_init.receivers or post_init.receivers)  # any listener at all (rare): ask per model
            and (pre_init.has_listeners(model) or post_init.has_listeners(model))
        ):
            return model.from_db(self.db, self.init_list, values)
        obj = model.__new__(model)
        state = ModelState()
        state.adding = False
        state.db = self.db
        attrs = obj.__dict__
        attrs.update(zip(self.init_list, values, strict=True))
        attrs["_state"] = state
        return obj


class _Related:
    """Django's ``RelatedPopulator.populate`` with :class:`InstanceBuilder` (same attributes)."""

    def __init__(self, populator) -> None:
        self.p = populator
        self.builder = InstanceBuilder(populator.model_cls, populator.init_list, populator.db)
        self.children = [_Related(c) for c in populator.related_populators]

    def populate(self, row, from_obj) -> None:
        p = self.p
        data = p.reorder_for_init(row) if p.reorder_for_init else row[p.cols_start : p.cols_end]
        obj = None
        if data[p.pk_idx] is not None:
            obj = self.builder.build(data)
            for child in self.children:
                child.populate(row, obj)
        p.local_setter(from_obj, obj)
        if obj is not None:
            p.remote_setter(obj, from_obj)


_compiled: dict[tuple[str, str, bool, bool], CompiledLookup] = {}


def _code_lookup(*, temporary: bool, for_user: bool) -> CompiledLookup:
    from django.db import DEFAULT_DB_ALIAS, connections

    key = (DEFAULT_DB_ALIAS, connections[DEFAULT_DB_ALIAS].vendor, temporary, for_user)
    found = _compiled.get(key)
    if found is None:
        qs = (
            dossiers_visible_to(_AuthenticatedPlaceholder(), on=_SENTINEL_DAY)
            if for_user
            else Dossier.objects.all()
        )
        if temporary:
            # Not unique (a draft's reference): the oldest, as before.
            qs = qs.filter(code__isnull=True, temp_reference=_SENTINEL_CODE).order_by("id")
        else:
            qs = qs.filter(code=_SENTINEL_CODE).order_by()  # unique: no ORDER BY
        qs = qs.select_related(*_LOOKUP_RELATED).defer(*_LOOKUP_DEFERRED)[:1]
        found = _compiled[key] = CompiledLookup(qs, binds={"code", "user", "on"} if for_user else {"code"})
    return found


def dossier_by_code(code: str, *, user=None) -> Dossier | None:
    """A dossier by its code, or by its temporary reference before official reception,
    restricted to what ``user`` may see (:func:`dossiers_visible_to`) when a user is given.

    One query: the dossier with its receiving unit, resolving agency, case, procedure version
    and procedure and address unit (the procedure version's long texts deferred). The query is
    built by the ORM once per shape and reused (:class:`CompiledLookup`)."""
    from .codes import TEMPORARY_PREFIX

    if user is not None and not getattr(user, "is_authenticated", False):
        return None
    lookup = _code_lookup(temporary=code.startswith(f"{TEMPORARY_PREFIX}-"), for_user=user is not None)
    if user is None:
        return lookup.get(code=code)
    return lookup.get(code=code, user=user.pk, on=_today())


# What a history shows of the officer who acted: the name (the rest of the account — the password
# hash, identity number, birth date, address — is not read with every dossier page).
_ACTOR_SHOWN = ("actor__id", "actor__username", "actor__full_name", "actor__first_name", "actor__last_name")


def dossier_history(dossier: Dossier) -> QuerySet[DossierAction]:
    """The action log of a dossier in order (Decree 118/2025 Art. 21(3))."""
    fields = [f.name for f in DossierAction._meta.concrete_fields]
    unit = [f"unit__{f.name}" for f in Agency._meta.concrete_fields]
    return (
        DossierAction.objects.filter(dossier=dossier)
        .select_related("actor", "unit")
        .only(*fields, *_ACTOR_SHOWN, *unit)
        .order_by("at", "id")
    )


def dossier_history_list(dossier: Dossier) -> list[DossierAction]:
    """:func:`dossier_history` as a list, through the query compiled once (:class:`CompiledLookup`):
    what a dossier's detail (API, back office) shows."""
    from django.db import DEFAULT_DB_ALIAS, connections

    key = (DEFAULT_DB_ALIAS, connections[DEFAULT_DB_ALIAS].vendor, "history")
    found = _compiled_history.get(key)
    if found is None:
        found = _compiled_history[key] = CompiledLookup(
            dossier_history(Dossier(pk=_SENTINEL_DOSSIER)), binds={"dossier"}
        )
    return found.all(dossier=dossier.pk)


_compiled_history: dict[tuple[str, str, str], CompiledLookup] = {}


def dossier_allowed_actions(dossier: Dossier, roles) -> list[str]:
    return allowed_actions(dossier, roles)


# --- counter reception: shared by the API and the back office ------------------------------


def counter_units_for(user, *, on: dt.date | None = None) -> list[Agency]:
    """One-stop units (Bộ phận Một cửa) where ``user`` is a receiving officer on ``on``: the
    units at whose counter the person may receive paper dossiers. One query."""
    from motcua.org.selectors import staff_roles

    receiving = StaffAssignment.Role.RECEIVING_OFFICER.value
    return [a for role, a in staff_roles(user, on=on) if role == receiving and a.kind == Agency.Kind.ONE_STOP]


def first_resolving_agency(version, admin_unit=None) -> Agency | None:
    """``resolving_agency_candidates(version, admin_unit=admin_unit).first()``, through a query
    compiled once per shape (commune People's Committee / police / named agencies; with or
    without a unit): the reception runs it for every dossier whose agency the caller left open."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.selectors import resolving_agency_candidates

    unit_id = getattr(admin_unit, "pk", admin_unit)
    commune = bool(version.competent_at_commune)
    key = (
        DEFAULT_DB_ALIAS,
        connections[DEFAULT_DB_ALIAS].vendor,
        commune,
        version.competent_agency_kind if commune else "",
        unit_id is None,
    )
    found = _compiled_agency.get(key)
    if found is None:
        probe = ProcedureVersion(
            pk=_SENTINEL_VERSION,
            competent_at_commune=commune,
            competent_agency_kind=version.competent_agency_kind,
        )
        qs = resolving_agency_candidates(probe, admin_unit=_SENTINEL_UNIT if unit_id is not None else None)[
            :1
        ]
        binds = ({"unit"} if unit_id is not None else set()) if commune else {"version"}
        found = _compiled_agency[key] = CompiledLookup(qs, binds=binds)
    return found.get(unit=unit_id, version=version.pk)


_compiled_agency: dict[tuple, CompiledLookup] = {}


def resolving_agency_for(version, *, commune=None, fallback_unit=None) -> Agency | None:
    """The competent agency of a dossier of ``version``: for a commune-level procedure the
    People's Committee (or police) of ``commune``, else of ``fallback_unit`` (the applicant's or
    the receiving unit's administrative unit); otherwise the first agency named on the version.
    Whether a commune other than the receiving unit's is allowed (non-boundary reception) is the
    service's rule, not this selector's."""
    admin_unit = (commune or fallback_unit) if version.competent_at_commune else None
    return first_resolving_agency(version, admin_unit)
