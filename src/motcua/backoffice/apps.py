from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "motcua.backoffice"
    label = "backoffice"
    verbose_name = "Bộ phận Một cửa (giao diện cán bộ)"
