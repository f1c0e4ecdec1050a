"""The 766 report computed by DuckDB over the Parquet facts (:mod:`motcua.indicators.facts_export`).

:func:`duckdb_counts` returns the same dictionary as
:func:`motcua.indicators.selectors.indicator_counts`: the dossier counts come from one DuckDB
aggregate (grouped by procedure, so the same scan also gives the procedures with an online,
paid, synced or citizen-data dossier), the catalogue and publication counts from the database
as usual. The per-dossier rules are those of the rollup states (days and flag bits), so the
three sources agree exactly (``tests/indicators/test_duckdb_report.py``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from motcua.org.selectors import agencies_in_subtree

from . import rollups as R
from .periods import Period, parse_period
from .profiles import AGENCY, COMMUNE, ONE_STOP, Profile, get_profile
from .selectors import Scope, _dossier_pairs, assemble_counts

_RECEIVED = {
    "received": None,
    "synced": R.SYNCED,
    "online": R.ONLINE,
    "online_e_ok": R.ONLINE_E_OK,
    "digitized_e_ok": R.DIGITIZED_E_OK,
    "fee": R.FEE,
    "paid": R.PAID,
    "paid_any": R.PAID_ANY,
    "reused": R.REUSED,
    "reused_known": R.REUSED_KNOWN,
    "store": R.STORE,
    "store_known": R.STORE_KNOWN,
    "citizen": R.CITIZEN,
    "citizen_known": R.CITIZEN_KNOWN,
}
_FINISHED = {
    "finished": None,
    "fin_on_time": R.FIN_ON_TIME,
    "fin_on_time_orig": R.FIN_ON_TIME_ORIG,
    "paper_finished": R.PAPER,
    "paper_e_result": R.PAPER_E,
    "sat_ok": R.SAT_OK,
    "sat_known": R.SAT_KNOWN,
}


def source_sql(path: str | Path) -> str:
    """``read_parquet`` over a directory written by the export (or a single file / glob)."""
    p = str(path)
    if Path(p).is_dir():
        p = p.rstrip("/") + "/**/*.parquet"
    return f"read_parquet('{p}', hive_partitioning = true)"


def _scope_sql(scope: Scope) -> str:
    """The scope's dossier filter (as ``Scope.dossier_q``), with the subtree's agency ids inlined."""
    if scope.kind not in (ONE_STOP, COMMUNE, AGENCY):
        return "true"
    ids = list(agencies_in_subtree(scope.agency).values_list("pk", flat=True))
    in_list = ", ".join(str(int(i)) for i in ids) or "NULL"
    if scope.kind == ONE_STOP:
        return f"receiving_unit_id IN ({in_list})"
    if scope.kind == COMMUNE:
        unit = int(scope.agency.admin_unit_id or 0)
        return (
            f"(resolving_agency_id IN ({in_list}) OR resolving_admin_unit_id = {unit} "
            f"OR receiving_admin_unit_id = {unit})"
        )
    return f"resolving_agency_id IN ({in_list})"


def dossier_aggregate_sql(source: str, where: str) -> str:
    """One scan with ``$start`` and ``$end`` (local dates, ``[start, end)``), grouped by
    procedure, flag bits and the period predicates: a few thousand groups, whose counts
    :func:`duckdb_counts` adds up per counter (cheaper than one ``FILTER`` per counter)."""
    before = "received_day < $end"
    return f"""
        SELECT procedure_id, flags,
               received_day >= $start AND received_day < $end AS rcv,
               finished_day IS NOT NULL AND finished_day >= $start AND finished_day < $end AS fin,
               {before} AND (open_stop_day IS NULL OR open_stop_day >= $end) AS open,
               {before} AND (flags & {R.OOT}) <> 0 AND (oot_stop_day IS NULL OR oot_stop_day >= $end) AS oot,
               {before} AND (flags & {R.OOT_ORIG}) <> 0
                   AND (oot_orig_stop_day IS NULL OR oot_orig_stop_day >= $end) AS oot_orig,
               count(*) AS n
        FROM {source} WHERE {where} GROUP BY ALL"""


def duckdb_counts(
    scope: Scope,
    period: Period | str,
    profile: Profile | None = None,
    *,
    path: str | Path,
    procedure: str | None = None,
    con=None,
    province: str | None = None,
) -> dict:
    """:func:`~motcua.indicators.selectors.indicator_counts` over the Parquet facts at ``path``
    (``province``: restrict to one province partition of a national dataset)."""
    import duckdb

    if isinstance(period, str):
        period = parse_period(period)
    profile = profile or get_profile()
    where = _scope_sql(scope)
    params: dict = {"start": period.first, "end": period.last + dt.timedelta(days=1)}
    if procedure:
        where += " AND procedure_code = $procedure"
        params["procedure"] = procedure
    if province:
        where += " AND province = $province"
        params["province"] = province
    own = con is None
    con = con or duckdb.connect()
    try:
        rows = con.execute(dossier_aggregate_sql(source_sql(path), where), params).fetchall()
    finally:
        if own:
            con.close()
    totals = dict.fromkeys([*_RECEIVED, *_FINISHED, "open", "open_on_time", "open_on_time_orig"], 0)
    sets: dict[str, set[int]] = {"online": set(), "paid": set(), "synced": set(), "citizen": set()}
    set_bits = {"online": R.ONLINE, "paid": R.PAID_ANY, "synced": R.SYNCED, "citizen": R.CITIZEN}
    for procedure_id, flags, rcv, fin, is_open, oot, oot_orig, n in rows:
        if rcv:
            for name, bit in _RECEIVED.items():
                if bit is None or flags & bit:
                    totals[name] += n
            for key, bit in set_bits.items():
                if flags & bit:
                    sets[key].add(procedure_id)
        if fin:
            for name, bit in _FINISHED.items():
                if bit is None or flags & bit:
                    totals[name] += n
        totals["open"] += n if is_open else 0
        totals["open_on_time"] += n if oot else 0
        totals["open_on_time_orig"] += n if oot_orig else 0
    orig = profile.params["extension_due"] != "current"
    c = {
        "received": totals["received"],
        "synced": totals["synced"],
        "online": totals["online_e_ok" if profile.params["online_requires_e_result"] else "online"],
        "digitized": totals["digitized_e_ok"],
        "fee": totals["fee"],
        "paid": totals["paid"],
        "finished": totals["finished"],
        "finished_on_time": totals["fin_on_time_orig" if orig else "fin_on_time"],
        "paper_finished": totals["paper_finished"],
        "paper_e_result": totals["paper_e_result"],
        "open": totals["open"],
        "open_on_time": totals["open_on_time_orig" if orig else "open_on_time"],
    }
    for k in (
        "reused",
        "reused_known",
        "store",
        "store_known",
        "citizen",
        "citizen_known",
        "sat_ok",
        "sat_known",
    ):
        c[k] = totals[k]
    return assemble_counts(scope, period, procedure, _dossier_pairs(c), procedure_sets=sets)


def duckdb_report(scope: Scope, period: Period | str, profile: Profile | str | None = None, **kwargs) -> dict:
    """The full report (engine output) from :func:`duckdb_counts`."""
    from . import engine

    if isinstance(period, str):
        period = parse_period(period)
    if profile is None or isinstance(profile, str):
        profile = get_profile(profile or "dvcqg-2026")
    counts = duckdb_counts(scope, period, profile, **kwargs)
    report = engine.compute_report(
        profile, counts, unit=scope.label, period=period.label, scope_kind=scope.kind
    )
    if kwargs.get("procedure"):
        report["procedure"] = kwargs["procedure"]
    return report
