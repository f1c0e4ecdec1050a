from django.core.management.base import BaseCommand

from motcua.conf import configuration_markdown


class Command(BaseCommand):
    help = "Print docs/configuration.md (every environment setting, its default and meaning)."

    def handle(self, *args, **options):
        self.stdout.write(configuration_markdown(), ending="")
