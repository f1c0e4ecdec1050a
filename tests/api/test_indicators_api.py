"""``GET /api/v1/indicators`` (+ ``/ranking``, ``/reform``): the command's JSON, leaders only."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.accounts.services import api_token_create
from motcua.catalog.models import PublicationDecision
from motcua.dossiers.models import Channel
from motcua.org.models import StaffAssignment
from tests.dossiers.factories import ProcedureCaseFactory, UserFactory
from tests.indicators.conftest import World

from .conftest import assert_error

Role = StaffAssignment.Role
URL = "/api/v1/indicators"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.worktime.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def world(db):
    w = World()
    w.dossier(finished="2025-08-06", synced=True)  # on time
    w.dossier(finished="2025-08-08", channel=Channel.ONLINE)  # late
    w.dossier(due="2025-08-07", resolving_agency=w.commune, receiving_unit=w.commune_desk)  # open, overdue
    w.dossier(received="2024-08-05", due="2024-08-08", finished="2024-08-07")  # a year earlier, on time
    return w


def bearer(user):
    _, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def person(username, role, agency):
    user = UserFactory(username=username)
    StaffAssignment.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def leader(world):
    return bearer(person("lanhdao.tinh", Role.PROVINCE_LEADER, world.department))


def test_report_is_the_command_json(client, world, leader):
    response = client.get(URL, {"unit": "province", "period": "2025-Q3"}, **leader)
    assert response.status_code == 200, response.content
    body = response.json()
    out = StringIO()
    call_command("indicators", "--unit", "province", "--period", "2025-Q3", "--format", "json", stdout=out)
    command = json.loads(out.getvalue())
    assert body.pop("comparison") is None
    assert body.pop("procedure") is None
    assert body == command
    on_time = next(i for g in body["groups"] for i in g["indicators"] if i["code"] == "ON_TIME")
    assert (on_time["numerator"], on_time["denominator"], on_time["score"]) == (1, 3, round(20 / 3, 2))
    pakn = next(
        i for g in body["groups"] for i in g["indicators"] if i["code"] == "PETITION_PROCESSING_ON_TIME"
    )
    assert pakn["score"] is None and pakn["ratio"] is None  # not computable, never 0


def test_same_period_comparison_and_session_auth(client, world):
    client.force_login(person("kiemsoat", Role.TTHC_CONTROL, world.department))
    body = client.get(URL, {"period": "2025-Q3", "compare": "same_period"}).json()
    cmp = body["comparison"]
    assert cmp["previous_period"] == "2024-Q3"
    progress = next(g for g in cmp["groups"] if g["code"] == "PROGRESS")
    assert (progress["score"], progress["previous_score"]) == (6.67, 20.0)
    assert progress["change"] == -13.33


def test_procedure_and_unit_scope(client, world, leader):
    body = client.get(
        URL,
        {"unit": world.commune.ident_code, "period": "2025-Q3", "procedure": world.v_plain.procedure.code},
        **leader,
    ).json()
    assert body["unit"] == world.commune.ident_code and body["procedure"] == world.v_plain.procedure.code
    on_time = next(i for g in body["groups"] for i in g["indicators"] if i["code"] == "ON_TIME")
    assert (on_time["numerator"], on_time["denominator"]) == (0, 1)


def test_errors_and_refusals(client, world, leader):
    assert_error(client.get(URL, {"period": "2025-Q3"}), 401)
    assert_error(client.get(URL, {"period": "2025-13"}, **leader), 422, field="period")
    assert_error(client.get(URL, {"period": "2025-Q3", "unit": "999.99.99.H99"}, **leader), 404, field="unit")
    assert_error(client.get(URL, {"period": "2025-Q3", "profile": "nope"}, **leader), 422)
    specialist = bearer(person("chuyenvien", Role.SPECIALIST, world.department))
    assert_error(client.get(URL, {"period": "2025-Q3"}, **specialist), 403)
    commune_leader = bearer(person("lanhdao.xa", Role.UNIT_LEADER, world.commune))
    assert (
        client.get(URL, {"period": "2025-Q3", "unit": world.commune.ident_code}, **commune_leader).status_code
        == 200
    )
    assert_error(
        client.get(URL, {"period": "2025-Q3", "unit": "province"}, **commune_leader), 403, field="unit"
    )
    assert_error(client.get(URL + "/ranking", {"period": "2025-Q3"}, **commune_leader), 403)


def test_ranking(client, world, leader):
    body = client.get(URL + "/ranking", {"period": "2025-Q3"}, **leader).json()
    units = {u["unit"]: u for u in body["units"]}
    assert set(units) == {world.department.ident_code, world.commune.ident_code}
    assert [u["rank"] for u in body["units"]] == [1, 2]
    assert all(u["share"] is not None for u in body["units"])
    assert body["units"][0]["share"] >= body["units"][1]["share"]


def test_reform(client, world, leader):
    case = ProcedureCaseFactory(
        version=world.v_paper,
        order=2,
        steps=[],
        applied_direct_value=Decimal(2),
        applied_direct_unit="working_days",
    )
    assert case.cut_percent == Decimal("33.3")
    PublicationDecision.objects.create(
        number="9/QĐ-UBND",
        signed_on=dt.date(2025, 8, 4),
        basis_effective_on=dt.date(2025, 8, 11),
        published_on=dt.date(2025, 8, 5),
    )
    body = client.get(URL + "/reform", {"period": "2025-Q3", "details": "true"}, **leader).json()
    cuts = body["cuts"]
    assert (cuts["tthc"], cuts["cut"], cuts["share"], cuts["cut_20_80"]) == (2, 1, 0.5, 1)
    row = next(r for r in cuts["rows"] if r["cut_percent"] is not None)
    assert row["procedure"] == world.v_paper.procedure.code and row["band"] == "20_50"
    pub = body["publication"]
    assert (pub["decisions"], pub["on_time"], pub["on_time_rate"]) == (1, 1, 1.0)


@pytest.mark.parametrize(
    "query",
    [
        "?period=%00",
        "?period=2025-02-30..2025-03-01",
        "?period=2025-Q3&unit=" + "9" * 300,
        "?period=2025-Q3&procedure=%27%20OR%201=1",
        "/ranking?period=2025-Q3&profile=%00",
        "/reform?period=2025-Q3&on=0000-00-00",
        "/reform?period=" + "2" * 500,
    ],
)
def test_malformed_queries_of_a_leader_are_json_errors(client, leader, query):
    response = client.get(URL + query, **leader)
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"code", "message", "message_vi", "field"}
