from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = "Đánh giá, phản ánh kiến nghị và thông báo"

    def ready(self) -> None:
        # Connects the DossierAction post_save receiver (notifications after commit).
        from . import notifications  # noqa: F401
