"""Project-level guarantees: documented configuration, the embedded database mode, the command."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from motcua.conf import SETTINGS, configuration_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_doc_is_up_to_date():
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert documented == configuration_markdown(), "run: motcua configdoc > docs/configuration.md"
    assert {"DATABASE_URL", "MOTCUA_DATA_DIR", "MOTCUA_SECRET_KEY"} <= set(SETTINGS)


def test_embedded_database_is_sqlite_in_wal_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MOTCUA_DATA_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "-m", "motcua", "migrate", "--no-input", "-v", "0"], env=env, check=True)
    db = tmp_path / "motcua.sqlite3"
    assert db.exists()
    with sqlite3.connect(db) as conn:  # WAL is a property of the database file once set
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_motcua_command_wraps_django():
    out = subprocess.run(
        [sys.executable, "-m", "motcua", "help"], capture_output=True, text=True, check=True
    ).stdout
    assert "deadline" in out and "demo" in out and "migrate" in out


def test_psycopg_caches_the_parse_of_long_statements():
    """motcua.db widens psycopg's query-parse cache (private constants): this fails when a psycopg
    release moves them, and shows that a statement of 90 parameters is parsed once."""
    from psycopg import _queries
    from psycopg.adapt import Transformer

    from motcua.db import QUERY_CACHE_MAX_PARAMS, widen_psycopg_query_cache

    widen_psycopg_query_cache()
    assert _queries.MAX_CACHED_STATEMENT_PARAMS >= QUERY_CACHE_MAX_PARAMS
    sql = "INSERT INTO t VALUES (" + ", ".join(["%s"] * 90) + ")"
    _queries._query2pg_client.cache_clear()
    for i in range(3):
        query = _queries.PostgresClientQuery(Transformer())
        query.convert(sql, list(range(i, i + 90)))
    info = _queries._query2pg_client.cache_info()
    assert (info.misses, info.hits) == (1, 2)
