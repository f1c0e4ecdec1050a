import datetime as dt

import pytest

from motcua.org.models import AdministrativeUnit, Agency
from motcua.org.selectors import commune_units

from .conftest import assert_error

UNITS = "/api/v1/org/units"
AGENCIES = "/api/v1/org/agencies"


def test_current_units_of_camau(demo, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(UNITS, {"province": "96", "level": 3, "limit": 1000})
    assert response.status_code == 200
    body = response.json()
    expected = list(commune_units(96).values_list("code", flat=True))
    assert body["count"] == len(expected) > 50
    assert [u["code"] for u in body["items"]] == expected
    assert all(u["level"] == 3 and u["valid_to"] is None for u in body["items"])
    province = client.get(UNITS, {"province": 96, "level": 1}).json()["items"]
    assert [(u["code"], u["level"]) for u in province] == [("96", 1)]


def test_units_on_a_past_date_show_the_three_level_structure(demo, client):
    before = client.get(UNITS, {"province": "96", "level": 2, "on": "2024-06-01"}).json()
    assert before["count"] > 0 and all(u["level"] == 2 for u in before["items"])
    assert client.get(UNITS, {"province": "96", "level": 2}).json()["count"] == 0
    old_communes = client.get(UNITS, {"province": "96", "level": 3, "on": "2024-06-01"}).json()
    assert old_communes["count"] == commune_units(96, on=dt.date(2024, 6, 1)).count()
    assert all(u["valid_to"] for u in old_communes["items"])


def test_units_are_public_and_paginated(demo, client):
    body = client.get(UNITS, {"limit": 3}).json()
    assert len(body["items"]) == 3
    assert body["count"] == AdministrativeUnit.objects.current().count()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"on": "2024-13-01"}, "on"), ({"level": 4}, "level"), ({"province": "Cà Mau"}, "province")],
)
def test_bad_unit_filters_are_422(demo, client, params, field):
    assert_error(client.get(UNITS, params), 422, field=field)


def test_agencies_by_kind(demo, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        body = client.get(AGENCIES, {"kind": "one_stop", "limit": 1000}).json()
    assert body["count"] == Agency.objects.current().filter(kind="one_stop").count() > 1
    assert all(a["kind"] == "one_stop" for a in body["items"])
    assert body["items"] == sorted(body["items"], key=lambda a: a["ident_code"])


def test_agency_query_ignores_diacritics(demo, client):
    accented = client.get(AGENCIES, {"q": "Sở Tư pháp"}).json()
    plain = client.get(AGENCIES, {"q": "so tu phap"}).json()
    assert accented == plain and accented["count"] >= 1
    assert any(a["short_name"] == "Sở Tư pháp" for a in plain["items"])
    assert client.get(AGENCIES, {"q": "khong co co quan nay"}).json() == {"items": [], "count": 0}


def test_bad_agency_kind_is_422(demo, client):
    assert_error(client.get(AGENCIES, {"kind": "ministry"}), 422, field="kind")
