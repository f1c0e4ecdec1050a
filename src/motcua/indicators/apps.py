from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "motcua.indicators"
    label = "indicators"
    verbose_name = "Chỉ số 766"

    def ready(self):
        from . import signals  # noqa: F401  (rollups kept up to date with each action)
