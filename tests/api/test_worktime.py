from io import StringIO

import pytest
from django.core.management import call_command

from motcua.worktime.models import WorkingHoursProfile

from .conftest import assert_error

URL = "/api/v1/worktime/due"

CASES = [
    # Tết Bính Ngọ 2026 (Mon 16/2 – Fri 20/2 closed).
    {"start": "2026-02-13T15:30", "limit": "3", "unit": "working_days"},
    {"start": "2026-02-12T10:00", "limit": "16", "unit": "working_hours"},
    {"start": "2026-02-13T16:45", "limit": "1", "unit": "working_days"},
    {"start": "2025-12-31T16:00", "limit": "1", "unit": "working_days"},
    {"start": "2026-03-02T09:00", "limit": "1.5", "unit": "working_hours"},
    {"start": "2026-03-02T09:00", "limit": "5", "unit": "days"},
    {"start": "2026-03-02T10:00", "limit": "2", "unit": "hours"},
    {"start": "2026-03-16T09:00", "limit": "1", "unit": "months"},
    {"start": "2026-03-02T15:10", "unit": "same_day"},
    {"start": "2026-03-02T02:00:00+00:00", "limit": "0", "unit": "working_days"},
]


def command(params: dict) -> str:
    out = StringIO()
    args = [item for key, value in params.items() for item in (f"--{key}", value)]
    call_command("deadline", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
@pytest.mark.parametrize("params", CASES, ids=lambda p: f"{p['start']}+{p.get('limit', '')}{p['unit']}")
def test_same_answer_as_the_command(client, params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due"] == command(params)
    assert body["unit"] == params["unit"]


@pytest.mark.django_db
def test_tet_2026_example(client):
    body = client.get(URL, {"start": "2026-02-13T15:30", "limit": "3", "unit": "working_days"}).json()
    assert body == {
        "due": "2026-02-25T15:30:00+07:00",
        "start": "2026-02-13T15:30:00+07:00",
        "limit": 3,
        "unit": "working_days",
        "profile": None,
    }


@pytest.mark.django_db
def test_profile(client):
    WorkingHoursProfile.objects.create(
        name="Sáng", morning_start="08:00", morning_end="12:00", afternoon_start=None, afternoon_end=None
    )
    params = {"start": "2026-03-02T09:00", "limit": "1", "unit": "working_days", "profile": "Sáng"}
    assert client.get(URL, params).json()["due"] == command(params) == "2026-03-03T09:00:00+07:00"
    assert_error(client.get(URL, {**params, "profile": "Không có"}), 422, field="profile")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-02T09:00", "limit": "3", "unit": "weeks"}, "unit"),
        ({"start": "2026-02-30T09:00", "limit": "3", "unit": "days"}, "start"),
        ({"start": "hôm nay", "limit": "3", "unit": "days"}, "start"),
        ({"start": "2026-03-02T09:00", "limit": "ba", "unit": "days"}, "limit"),
        ({"start": "2026-03-02T09:00", "limit": "-1", "unit": "days"}, "limit"),
        ({"start": "2026-03-02T09:00", "limit": "NaN", "unit": "days"}, "limit"),
        ({"start": "2026-03-02T09:00", "limit": "1.5", "unit": "months"}, "limit"),
        ({"start": "2026-03-02T09:00", "unit": "days"}, "limit"),
        ({"limit": "3", "unit": "days"}, "start"),
        ({"start": "2026-03-02T09:00", "limit": "3"}, "unit"),
        ({"start": "2026-03-02T09:00", "limit": "1e9", "unit": "working_days"}, "limit"),
        ({"start": "3000-01-01T09:00", "limit": "1", "unit": "working_days"}, "start"),
        ({"start": "9999-12-31T09:00", "limit": "3", "unit": "months"}, "start"),
        ({"start": "1999-03-02T09:00", "limit": "3", "unit": "days"}, "start"),
        ({"start": "2026-03-02T09:00", "limit": "1001", "unit": "working_days"}, "limit"),
    ],
)
def test_malformed_input_is_a_422_with_the_field(client, params, field):
    body = assert_error(client.get(URL, params), 422, field=field)
    assert body["code"] in {"invalid", "required"}
