from django.core.management.base import BaseCommand

from motcua.dossiers.lifecycle import lifecycle_markdown


class Command(BaseCommand):
    help = "Print docs/lifecycle.md (the dossier lifecycle table with its legal basis)."

    def handle(self, *args, **options):
        self.stdout.write(lifecycle_markdown(), ending="")
