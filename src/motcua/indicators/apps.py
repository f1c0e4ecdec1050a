from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "motcua.indicators"
    label = "indicators"
    verbose_name = "Chỉ số 766"
