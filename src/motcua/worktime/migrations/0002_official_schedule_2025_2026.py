"""Ship the official 2025–2026 civil-service calendar and the default working hours.

Data from tthc-2025-update.md §3.2 (see motcua.worktime.defaults); idempotent (get_or_create),
so an administrator's own row for the same date is kept.
"""

from django.db import migrations


def load(apps, schema_editor):
    from motcua.worktime.defaults import load_into

    load_into(apps.get_model("worktime", "CalendarEntry"), apps.get_model("worktime", "WorkingHoursProfile"))


class Migration(migrations.Migration):
    dependencies = [("worktime", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
