"""``motcua indicators-export``: the dossier facts as Parquet, partitioned by province and month
(for national-scale reports with DuckDB, :mod:`motcua.indicators.duckdb_report`).

One row per received dossier: its bucket (units, their administrative units, procedure), a few
raw facts for analysts, and its rollup state (days and flag bits, the same values the rollups
are made of — :mod:`motcua.indicators.rollups`). No personal data. The database streams a CSV
(``COPY … TO STDOUT`` on PostgreSQL) to a temporary file that DuckDB converts with
``COPY … TO … (FORMAT PARQUET, PARTITION_BY (province, month))``; ``month`` is the month of
reception.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from django.db import connection

from motcua.org.models import AdministrativeUnit

# (name, DuckDB type, SQL expression over d = dossier, s = state, v = version, p = procedure,
#  ra = receiving agency, sa = resolving agency)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("dossier_id", "BIGINT", "d.id"),
    ("receiving_unit_id", "BIGINT", "s.receiving_unit_id"),
    ("resolving_agency_id", "BIGINT", "s.resolving_agency_id"),
    ("receiving_admin_unit_id", "BIGINT", "ra.admin_unit_id"),
    ("resolving_admin_unit_id", "BIGINT", "sa.admin_unit_id"),
    ("procedure_version_id", "BIGINT", "s.procedure_version_id"),
    ("procedure_id", "BIGINT", "v.procedure_id"),
    ("procedure_code", "VARCHAR", "p.code"),
    ("channel", "VARCHAR", "s.channel"),
    ("status", "VARCHAR", "d.status"),
    ("source", "VARCHAR", "d.source"),
    ("outcome_portal", "VARCHAR", "d.outcome_portal"),
    ("received_day", "DATE", "s.received_day"),
    ("finished_day", "DATE", "s.finished_day"),
    ("open_stop_day", "DATE", "s.open_stop_day"),
    ("oot_stop_day", "DATE", "s.oot_stop_day"),
    ("oot_orig_stop_day", "DATE", "s.oot_orig_stop_day"),
    ("flags", "BIGINT", "s.flags"),
)


def _query() -> str:
    from motcua.catalog.models import Procedure, ProcedureVersion
    from motcua.dossiers.models import Dossier
    from motcua.org.models import Agency

    from .models import DossierRollupState

    select = ", ".join(f"{expr} AS {name}" for name, _, expr in COLUMNS)
    return (
        f"SELECT {select} FROM {DossierRollupState._meta.db_table} s "
        f"JOIN {Dossier._meta.db_table} d ON d.id = s.dossier_id "
        f"JOIN {ProcedureVersion._meta.db_table} v ON v.id = s.procedure_version_id "
        f"JOIN {Procedure._meta.db_table} p ON p.id = v.procedure_id "
        f"JOIN {Agency._meta.db_table} ra ON ra.id = s.receiving_unit_id "
        f"JOIN {Agency._meta.db_table} sa ON sa.id = s.resolving_agency_id"
    )


def province_of_units() -> dict[int, str]:
    """Administrative unit id → code of its province (the unit itself for a province)."""
    units = {u.pk: u for u in AdministrativeUnit.objects.all()}
    out = {}
    for pk, u in units.items():
        seen, cur = set(), u
        while cur.parent_id and cur.level != AdministrativeUnit.Level.PROVINCE and cur.pk not in seen:
            seen.add(cur.pk)
            cur = units.get(cur.parent_id, cur)
        out[pk] = cur.code
    return out


def dump_csv(path: Path) -> int:
    """Stream the facts of every received dossier to a CSV file; returns the number of rows."""
    sql = _query()
    n = 0
    if connection.vendor == "postgresql":
        with open(path, "wb") as f, connection.cursor() as cur:
            with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for block in copy:
                    f.write(block)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM ({sql}) q")
            n = cur.fetchone()[0]
        return n
    with open(path, "w", newline="", encoding="utf-8") as f, connection.cursor() as cur:
        w = csv.writer(f)
        w.writerow([name for name, _, _ in COLUMNS])
        cur.execute(sql)
        while rows := cur.fetchmany(20000):
            w.writerows(rows)
            n += len(rows)
    return n


def export_parquet(
    out_dir: str | os.PathLike, *, memory_limit: str = "4GB", threads: int | None = None
) -> dict:
    """Write ``out_dir/province=…/month=…/*.parquet``; returns ``{rows, files, bytes}``."""
    import duckdb

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="motcua-facts-") as tmp:
        csv_path = Path(tmp) / "facts.csv"
        rows = dump_csv(csv_path)
        con = duckdb.connect()
        con.execute(f"SET memory_limit='{memory_limit}'")
        if threads:
            con.execute(f"SET threads={int(threads)}")
        con.execute("CREATE TABLE units (admin_unit_id BIGINT, province VARCHAR)")
        con.executemany("INSERT INTO units VALUES (?, ?)", list(province_of_units().items()))
        types = ", ".join(f"'{name}': '{t}'" for name, t, _ in COLUMNS)
        con.execute(
            f"""COPY (
                SELECT f.*, coalesce(u.province, '00') AS province, strftime(f.received_day, '%Y-%m') AS month
                FROM read_csv('{csv_path}', header = true, columns = {{{types}}}) f
                LEFT JOIN units u ON u.admin_unit_id = f.receiving_admin_unit_id
            ) TO '{out}' (FORMAT PARQUET, PARTITION_BY (province, month), OVERWRITE_OR_IGNORE true)"""
        )
        con.close()
    files = list(out.rglob("*.parquet"))
    return {"rows": rows, "files": len(files), "bytes": sum(f.stat().st_size for f in files)}
