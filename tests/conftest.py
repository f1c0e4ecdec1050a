import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run in-process during tests, so their effects can be asserted."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
