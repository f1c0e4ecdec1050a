"""A partial covering index for "open at the period end" on PostgreSQL only.

The prefix sum of the ON_TIME open counts (``selectors.before_sums``) reads every month row before
the period end; with this index it is an index-only scan of the month rows' few columns instead
of a scan of the wide table. Not declared in ``Rollup.Meta``: SQLite has no ``INCLUDE``.
"""

from django.db import migrations

INDEX = "indicators_rollup_month_open"

CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON indicators_rollup (day)
INCLUDE (receiving_unit_id, resolving_agency_id, procedure_version_id,
         received, open_stop, oot_start, oot_stop, oot_orig_start, oot_orig_stop)
WHERE grain = 'M'
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_rollup_unit_indexes"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
