"""Public look-up secret (mã bí mật tra cứu) for every dossier, existing ones included."""

import secrets

from django.db import migrations, models

# A copy of motcua.dossiers.services.LOOKUP_SECRET_ALPHABET: migrations do not import app code.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def fill_secrets(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    # Ids first: SQLite must not write to a table while a cursor over it is open.
    pks = list(Dossier.objects.filter(lookup_secret="").values_list("pk", flat=True))
    for start in range(0, len(pks), 2000):
        batch = [
            Dossier(pk=pk, lookup_secret="".join(secrets.choice(ALPHABET) for _ in range(8)))
            for pk in pks[start : start + 2000]
        ]
        Dossier.objects.bulk_update(batch, ["lookup_secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_dossier_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="lookup_secret",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="In trên giấy tiếp nhận; cùng mã hồ sơ cho phép tra cứu công khai.",
                max_length=16,
                verbose_name="mã bí mật tra cứu",
            ),
        ),
        migrations.RunPython(fill_secrets, migrations.RunPython.noop),
    ]
