"""The dashboard's many reports from a handful of grouped queries (issue: dashboard ≤ 200 ms p95).

:func:`selectors.indicator_report` costs a few queries for one scope and one period; the ranking
asks it for every unit under the scope and the trend for every month, so the dashboard made one
scan of the rollup history per unit and per month. Here the same counts come from:

* the ranking (:func:`scope_reports`, :func:`grouped_reports` for several periods at once — the
  dashboard adds its scope and the same period a year earlier): one query over the rollup rows of
  the periods grouped by (receiving unit, resolving agency), "open at each period end" over the
  rows before the ends grouped the same way (:func:`selectors.before_sums`: an index-only scan of
  the month rows on PostgreSQL, plus the day rows of a partial month), one over the periods' rows
  grouped by (receiving unit, resolving agency, procedure) for the per-procedure flags, the agency
  tree, the procedure versions in force with their conditions and their agencies, and for the
  province the publication decisions — each row then goes to every scope
  it belongs to, in Python, with the membership rules of :meth:`selectors.Scope.dossier_q` and
  ``version_q`` (a row counts once per scope);
* the trend (:func:`trend_reports`): the month rows of the months grouped by month, "open at the
  end of month m" (:func:`selectors.before_sums`: the history grouped by month, cumulated), the
  per-procedure flags grouped by month, the versions valid in any of the months and, for the
  province, the decisions signed in them.

The counts are assembled and scored by the selectors (:func:`selectors.assemble_counts`,
:func:`selectors.report_from_counts`), so a grouped report is the per-scope report, exactly
(tests/indicators/test_grouped.py). Reading the facts (``rollups.use_source("facts")``) falls
back to one report per scope or month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, Sum

from motcua.catalog.models import ProcedureVersion
from motcua.org.models import AdministrativeUnit, Agency
from motcua.worktime.selectors import get_calendar

from . import rollups
from .models import Grain, Rollup
from .periods import Period
from .profiles import AGENCY, COMMUNE, ONE_STOP, PROVINCE, Profile
from .selectors import (
    Scope,
    _publication_counts,
    _rollup_rows,
    _versions,
    assemble_counts,
    before_sums,
    catalog_pairs,
    catalog_q,
    indicator_counts,
    indicator_report,
    publication_decisions,
    report_from_counts,
    rollup_columns,
    rollup_pairs,
)

SET_FLAGS = ("online", "paid", "synced", "citizen")
# The version conditions of the catalogue counts, read as columns.
VERSION_FLAGS = ("online", "fee", "complete", "citizens")


# ------------------------------------------------------------------------------------------------
# Rollup sums
# ------------------------------------------------------------------------------------------------


def _sum_aggregates(profile: Profile, inside: Q | None = None, tag: str = "") -> tuple[list, dict]:
    """The names of the period's own counts and their ``Sum`` aggregates (named ``s<tag>_…``);
    "open at the end" comes apart, from :func:`selectors.before_sums`."""
    inside_sums, _, _ = rollup_columns(profile)
    return list(inside_sums), {f"s{tag}_{k}": Sum(col, filter=inside) for k, col in inside_sums.items()}


def _before_total(sums: dict[tuple, dict[str, int]], keys, profile: Profile) -> dict[str, int]:
    """The "open at the end" sums of :func:`selectors.before_sums` over the groups ``keys``."""
    total = dict.fromkeys(rollup_columns(profile)[1], 0)
    for key in keys & sums.keys():
        for k, v in sums[key].items():
            total[k] += v
    return total


def _set_aggregates(profile: Profile, inside: Q | None = None, tag: str = "") -> tuple[dict, Q]:
    """The per-procedure flag sums (``p<tag>_…``) and the ``HAVING`` that keeps the rows with any
    of them (the counters count dossiers, never negative: a flag is set when its sum is positive)."""
    _, _, set_sums = rollup_columns(profile)
    agg = {f"p{tag}_{k}": Sum(col, filter=inside) for k, col in set_sums.items()}
    having = Q()
    for k in set_sums:
        having |= Q(**{f"p{tag}_{k}__gt": 0})
    return agg, having


def _vector(row: dict, names: list[str], tag: str = "") -> tuple[int, ...]:
    return tuple(row[f"s{tag}_{k}"] or 0 for k in names)


def _add(vectors, size: int) -> list[int]:
    total = [0] * size
    for v in vectors:
        for i, x in enumerate(v):
            total[i] += x
    return total


# ------------------------------------------------------------------------------------------------
# Catalogue
# ------------------------------------------------------------------------------------------------


@dataclass
class _VersionSet:
    """Counts over a set of procedure versions: the fixed ones, and per procedure the number of
    online / fee-bearing / for-citizens versions (to count those with a dossier flag)."""

    tthc: int = 0
    online: int = 0
    fee: int = 0
    complete: int = 0
    for_citizens: int = 0
    by_procedure: dict[int, list[int]] = field(default_factory=dict)  # [online, fee, citizens]

    @classmethod
    def of(cls, versions) -> _VersionSet:
        s = cls()
        for v in versions:
            s.tthc += 1
            s.online += bool(v["online"])
            s.fee += bool(v["fee"])
            s.complete += bool(v["complete"])
            s.for_citizens += bool(v["citizens"])
            per = s.by_procedure.setdefault(v["procedure_id"], [0, 0, 0])
            per[0] += bool(v["online"])
            per[1] += bool(v["fee"])
            per[2] += bool(v["citizens"])
        return s

    def pairs(self, sets: dict[str, set[int]]) -> dict:
        def flagged(flag: str, i: int) -> int:
            return sum(self.by_procedure[p][i] for p in sets[flag] if p in self.by_procedure)

        return catalog_pairs(
            {
                "tthc": self.tthc,
                "online": self.online,
                "online_used": flagged("online", 0),
                "fee": self.fee,
                "fee_paid": flagged("paid", 1),
                "fee_synced": flagged("synced", 1),
                "complete": self.complete,
                "for_citizens": self.for_citizens,
                "citizens_connected": flagged("citizen", 2),
            }
        )


def _version_rows(versions) -> list[dict]:
    """The versions with the catalogue conditions evaluated by the database (as the counts do)."""
    conditions = catalog_q()
    flags = {f"is_{k}": ExpressionWrapper(conditions[k], output_field=BooleanField()) for k in VERSION_FLAGS}
    rows = versions.annotate(**flags).values(
        "pk", "procedure_id", "level", "valid_from", "valid_to", "procedure__abolished_on", *flags
    )
    return [{**r, **{k: r[f"is_{k}"] for k in VERSION_FLAGS}} for r in rows]


# ------------------------------------------------------------------------------------------------
# Membership
# ------------------------------------------------------------------------------------------------


class _Agencies:
    """The agency tree, read once: subtrees (as ``agencies_in_subtree``) and agencies by
    administrative unit."""

    def __init__(self):
        self.children: dict[int | None, list[int]] = defaultdict(list)
        self.by_unit: dict[int | None, set[int]] = defaultdict(set)
        self.unit_level: dict[int, int | None] = {}
        for pk, parent, unit, level in Agency.objects.values_list(
            "pk", "parent_id", "admin_unit_id", "admin_unit__level"
        ):
            self.children[parent].append(pk)
            self.by_unit[unit].add(pk)
            self.unit_level[pk] = level

    def subtree(self, root: int) -> set[int]:
        seen, todo = {root}, [root]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    def members(self, scope: Scope) -> tuple[set[int], set[int]] | None:
        """``(receiving units, resolving agencies)``: a row belongs to the scope when its
        receiving unit is in the first set or its resolving agency in the second (None: all)."""
        if scope.kind == PROVINCE:
            return None
        subtree = self.subtree(scope.agency.pk)
        if scope.kind == ONE_STOP:
            return subtree, set()
        if scope.kind == COMMUNE:
            unit = self.by_unit.get(scope.agency.admin_unit_id, set())
            return set(unit), subtree | unit
        return set(), subtree

    def version_class(self, scope: Scope) -> str:
        """Which versions :meth:`Scope.version_q` selects: all, the commune ones, or the agency's."""
        if scope.kind == PROVINCE:
            return "all"
        level = self.unit_level.get(scope.agency.pk)
        if scope.kind == COMMUNE or (scope.kind == ONE_STOP and level == AdministrativeUnit.Level.COMMUNE):
            return "commune"
        return "all" if scope.kind == ONE_STOP else AGENCY


# ------------------------------------------------------------------------------------------------
# Ranking: many scopes, one period (or a few)
# ------------------------------------------------------------------------------------------------


def scope_reports(scopes: list[Scope], period: Period, profile: Profile) -> list[dict]:
    """:func:`selectors.indicator_report` of each scope for ``period``, in the order of
    ``scopes``, from a fixed number of queries (at most nine), whatever the number of scopes."""
    return grouped_reports([(s, period) for s in scopes], profile)


def grouped_reports(wanted: list[tuple[Scope, Period]], profile: Profile) -> list[dict]:
    """:func:`selectors.indicator_report` of each ``(scope, period)``, in order: one scan of the
    rollup rows for all of them (the dashboard: the units of the ranking, the scope itself and
    the same period a year earlier), plus a few queries per distinct period."""
    if rollups.current_source() == "facts":
        return [indicator_report(s, p, profile) for s, p in wanted]
    return [
        report_from_counts(scope, period, profile, counts)
        for (scope, period), counts in zip(wanted, grouped_counts(wanted, profile), strict=True)
    ]


def grouped_counts(wanted: list[tuple[Scope, Period]], profile: Profile) -> list[dict]:
    """:func:`selectors.indicator_counts` of each ``(scope, period)``, in order, computed as
    :func:`grouped_reports` computes them (the group pages list each unit's numerators)."""
    if not wanted:
        return []
    if rollups.current_source() == "facts":
        return [indicator_counts(s, p, profile) for s, p in wanted]
    periods = list(dict.fromkeys(p for _, p in wanted))
    tree = _Agencies()
    members = {scope: tree.members(scope) for scope, _ in wanted}
    rows = Rollup.objects.all()
    if all(m is not None for m in members.values()):  # not the province: only the scopes' rows
        receiving = set().union(*(m[0] for m in members.values()))
        resolving = set().union(*(m[1] for m in members.values()))
        rows = rows.filter(
            Q(receiving_unit__in=sorted(receiving)) | Q(resolving_agency__in=sorted(resolving))
        )
    scan, agg, set_agg, having = Q(), {}, {}, Q()
    ends = [p.last + dt.timedelta(days=1) for p in periods]
    for i, (period, end) in enumerate(zip(periods, ends, strict=True)):
        inside = rollups.days_q(period.first, end)
        names, more = _sum_aggregates(profile, inside, str(i))
        more_sets, more_having = _set_aggregates(profile, inside, str(i))
        scan, having = scan | inside, having | more_having
        agg.update(more)
        set_agg.update(more_sets)
    group = ("receiving_unit", "resolving_agency")
    own = {(r[group[0]], r[group[1]]): r for r in rows.filter(scan).values(*group).annotate(**agg).order_by()}
    before = before_sums(rows, ends, profile, group_by=group)
    pairs = own.keys() | {key for per_end in before.values() for key in per_end}
    pair_sets: dict[tuple[int, int], list[dict[str, set[int]]]] = {}
    for row in (
        rows.filter(scan)
        .values(*group, "procedure_version__procedure_id")
        .annotate(**set_agg)
        .filter(having)
        .order_by()
    ):
        key = (row["receiving_unit"], row["resolving_agency"])
        per_period = pair_sets.setdefault(key, [{f: set() for f in SET_FLAGS} for _ in periods])
        for i in range(len(periods)):
            for f in SET_FLAGS:
                if row[f"p{i}_{f}"]:
                    per_period[i][f].add(row["procedure_version__procedure_id"])
    by_ru, by_ra = defaultdict(list), defaultdict(list)
    for key in pairs:
        by_ru[key[0]].append(key)
        by_ra[key[1]].append(key)

    catalogs = {p: _Catalog(p, tree, [s for s, q in wanted if q == p]) for p in periods}
    publication: dict[Period, dict] = {}
    keys_of: dict[Scope, set] = {}
    out = []
    for scope, period in wanted:
        if scope not in keys_of:
            m = members[scope]
            if m is None:
                keys_of[scope] = set(pairs)
            else:
                keys = {k for ru in m[0] for k in by_ru.get(ru, ())}
                keys_of[scope] = keys.union(k for ra in m[1] for k in by_ra.get(ra, ()))
        keys, i = keys_of[scope], periods.index(period)
        vectors = (_vector(own[k], names, str(i)) for k in keys & own.keys())
        c = dict(zip(names, _add(vectors, len(names)), strict=True))
        c.update(_before_total(before[ends[i]], keys, profile))
        sets = {f: set() for f in SET_FLAGS}
        for k in keys & pair_sets.keys():
            for f, procs in pair_sets[k][i].items():
                sets[f] |= procs
        if scope.kind == PROVINCE and period not in publication:
            publication[period] = _publication_counts(period, None)
        out.append(
            assemble_counts(
                scope,
                period,
                None,
                rollup_pairs(c),
                catalog=catalogs[period].pairs(scope, sets),
                publication=publication.get(period),
            )
        )
    return out


class _Catalog:
    """The versions in force on the period's last day, read once, counted per scope."""

    def __init__(self, period: Period, tree: _Agencies, scopes: list[Scope]):
        self.tree = tree
        self.rows = _version_rows(_versions(period))
        self.classes: dict[str, _VersionSet] = {}
        self.by_agency: dict[int, set[int]] = defaultdict(set)
        if any(tree.version_class(s) == AGENCY for s in scopes):
            through = ProcedureVersion.agencies.through
            for version, agency in through.objects.filter(
                procedureversion_id__in=_versions(period).values("pk")
            ).values_list("procedureversion_id", "agency_id"):
                self.by_agency[agency].add(version)

    def pairs(self, scope: Scope, sets: dict[str, set[int]]) -> dict:
        kind = self.tree.version_class(scope)
        if kind == AGENCY:
            ids = set().union(*(self.by_agency.get(a, ()) for a in self.tree.subtree(scope.agency.pk)))
            return _VersionSet.of(r for r in self.rows if r["pk"] in ids).pairs(sets)
        if kind not in self.classes:
            commune = ProcedureVersion.Level.COMMUNE
            chosen = self.rows if kind == "all" else [r for r in self.rows if r["level"] == commune]
            self.classes[kind] = _VersionSet.of(chosen)
        return self.classes[kind].pairs(sets)


# ------------------------------------------------------------------------------------------------
# Trend: one scope, many months
# ------------------------------------------------------------------------------------------------


def _in_force(row: dict, last: dt.date) -> bool:
    """:func:`selectors._versions` for one version row."""
    abolished = row["procedure__abolished_on"]
    return (
        row["valid_from"] is not None
        and row["valid_from"] <= last
        and (row["valid_to"] is None or row["valid_to"] > last)
        and (abolished is None or abolished > last)
    )


def trend_reports(
    scope: Scope, months: list[Period], profile: Profile, *, procedure: str | None = None
) -> list[dict]:
    """:func:`selectors.indicator_report` of ``scope`` for each of ``months`` (whole calendar
    months, in order), from a fixed number of queries (at most seven), whatever their number."""
    if not months:
        return []
    for before, m in zip([None, *months], months, strict=False):
        if m.first.day != 1 or (m.last + dt.timedelta(days=1)).day != 1:
            raise ValueError(f"Không phải một tháng trọn vẹn: {m.label}")
        if before is not None and m.first <= before.last:
            raise ValueError(f"Các tháng phải theo thứ tự: {before.label}, {m.label}")
    if rollups.current_source() == "facts":
        return [indicator_report(scope, m, profile, procedure=procedure) for m in months]
    first, end = months[0].first, months[-1].last + dt.timedelta(days=1)
    # Whole months: the month rows alone cover them (rollups.days_q).
    scoped = _rollup_rows(scope, procedure)
    rows = scoped.filter(grain=Grain.MONTH, day__gte=first, day__lt=end)
    names, agg = _sum_aggregates(profile)
    by_month = {r["day"]: _vector(r, names) for r in rows.values("day").annotate(**agg).order_by()}
    ends = [m.last + dt.timedelta(days=1) for m in months]
    before = before_sums(scoped, ends, profile)
    set_agg, having = _set_aggregates(profile)
    month_sets: dict[dt.date, dict[str, set[int]]] = defaultdict(lambda: {f: set() for f in SET_FLAGS})
    for r in (
        rows.values("day", "procedure_version__procedure_id").annotate(**set_agg).filter(having).order_by()
    ):
        for f in SET_FLAGS:
            if r[f"p_{f}"]:
                month_sets[r["day"]][f].add(r["procedure_version__procedure_id"])

    # Versions valid on the last day of any of the months, in the scope.
    last_first, last_last = months[0].last, months[-1].last
    versions = ProcedureVersion.objects.filter(
        scope.version_q(),
        Q(valid_to__isnull=True) | Q(valid_to__gt=last_first),
        Q(procedure__abolished_on__isnull=True) | Q(procedure__abolished_on__gt=last_first),
        valid_from__lte=last_last,
    )
    if procedure:
        versions = versions.filter(procedure__code=procedure)
    version_rows = _version_rows(versions)
    signed, calendar = [], None
    if scope.kind == PROVINCE:
        signed, calendar = publication_decisions(first, months[-1].last, procedure), get_calendar()

    reports = []
    for m, m_end in zip(months, ends, strict=True):
        c = dict(zip(names, by_month.get(m.first, (0,) * len(names)), strict=True))
        c.update(before[m_end][()])
        sets = month_sets.get(m.first) or {f: set() for f in SET_FLAGS}
        catalog = _VersionSet.of(r for r in version_rows if _in_force(r, m.last)).pairs(sets)
        publication = None
        if scope.kind == PROVINCE:
            in_month = [(p, d) for p, d in signed if m.first <= d.signed_on <= m.last]
            publication = _publication_counts(m, procedure, signed=in_month, calendar=calendar)
        counts = assemble_counts(
            scope, m, procedure, rollup_pairs(c), catalog=catalog, publication=publication
        )
        reports.append(report_from_counts(scope, m, profile, counts, procedure=procedure))
    return reports
