"""The base of the services' refusals: a stable code, messages in Vietnamese and English, and the
field they are about. Each domain keeps its own subclass (``dossiers.lifecycle.LifecycleError``,
``feedback.services.FeedbackError``) so that callers catch only their own."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, code: str, message_vi: str, message_en: str, field: str | None = None) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        """The API's error body ``{code, message, message_vi, field}``."""
        return {
            "code": self.code,
            "message": self.message_en,
            "message_vi": self.message_vi,
            "field": self.field,
        }
