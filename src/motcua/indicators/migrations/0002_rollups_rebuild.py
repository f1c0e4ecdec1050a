"""Fill the rollups from the dossiers already stored; from then on every action keeps them up to
date (motcua.indicators.signals)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from motcua.indicators.rollups import rollup_rebuild

    rollup_rebuild(
        models=(
            apps.get_model("dossiers", "Dossier"),
            apps.get_model("catalog", "ProcedureVersion"),
            apps.get_model("indicators", "DossierRollupState"),
            apps.get_model("indicators", "Rollup"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
