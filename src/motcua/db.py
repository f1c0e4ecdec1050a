"""Database driver tuning applied from the settings (PostgreSQL / psycopg 3)."""

from __future__ import annotations

# psycopg 3 parses a query's ``%s`` placeholders once and caches the result (an LRU of 128 queries),
# but only for queries of at most 50 parameters and 4,096 characters: longer ones are taken for
# ORM-generated one-offs ("INSERT … VALUES (…), (…)" with a varying number of rows). The dossier
# INSERT (about 80 columns) and the rollup upsert are long but always the same text, and the
# parse is the largest single cost of a reception on the client side (about 1 ms each, with a
# regular expression over the whole statement). See docs/decisions/0005-reception-fast-path.md.
QUERY_CACHE_MAX_PARAMS = 1000
QUERY_CACHE_MAX_LENGTH = 65536


def widen_psycopg_query_cache() -> None:
    """Let psycopg cache the parse of long, many-parameter statements.

    The limits are module constants of ``psycopg._queries`` (not a public API): if a psycopg
    release renames them this raises, and ``tests/test_project.py`` fails, instead of the
    tuning silently doing nothing."""
    from psycopg import _queries

    for name in ("MAX_CACHED_STATEMENT_PARAMS", "MAX_CACHED_STATEMENT_LENGTH"):
        if not hasattr(_queries, name):
            raise RuntimeError(f"psycopg._queries.{name} is gone: review motcua.db for this psycopg release")
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, QUERY_CACHE_MAX_PARAMS)
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, QUERY_CACHE_MAX_LENGTH)
