import pytest

from motcua.catalog.models import ProcedureVersion

from .conftest import assert_error

URL = "/api/v1/catalog/procedures"


def test_list_is_public_paginated_and_ordered(demo, client):
    response = client.get(URL, {"limit": 5})
    assert response.status_code == 200
    body = response.json()
    current = ProcedureVersion.objects.filter(valid_to__isnull=True).count()
    assert body["count"] == current > 5
    codes = [p["code"] for p in body["items"]]
    assert len(codes) == 5 and codes == sorted(codes)
    first = body["items"][0]
    assert set(first) >= {"code", "name", "level", "field", "online_level", "valid_from", "cases"}
    assert first["cases"][0]["direct"]["legal"]["unit"]
    page2 = client.get(URL, {"limit": 5, "offset": 5}).json()
    assert page2["count"] == body["count"] and page2["items"][0]["code"] > codes[-1]


def test_filters_level_field_and_diacritics_insensitive_query(demo, client):
    communes = client.get(URL, {"level": "commune", "limit": 500}).json()
    assert communes["count"] > 0 and all(p["level"] == "commune" for p in communes["items"])
    provinces = client.get(URL, {"level": "province", "limit": 500}).json()
    assert communes["count"] + provinces["count"] == client.get(URL).json()["count"]

    field = communes["items"][0]["field"]["code"]
    by_field = client.get(URL, {"field": field, "limit": 500}).json()
    assert by_field["count"] > 0 and all(p["field"]["code"] == field for p in by_field["items"])

    plain = client.get(URL, {"q": "dang ky khai sinh"}).json()
    accented = client.get(URL, {"q": "Đăng ký KHAI SINH"}).json()
    assert plain["count"] >= 1 and plain == accented
    assert all("khai sinh" in p["name"].lower() for p in plain["items"])
    assert client.get(URL, {"q": "khai sinh", "level": "province"}).json()["count"] == 0


def test_list_costs_a_constant_number_of_queries(demo, client, django_assert_max_num_queries):
    # count + page + prefetched cases, whatever the page size
    with django_assert_max_num_queries(3):
        small = client.get(URL, {"limit": 2})
    with django_assert_max_num_queries(3):
        large = client.get(URL, {"limit": 500})
    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) > 50


def test_detail_has_cases_limits_components_fees_and_workflow(demo, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(f"{URL}/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "1.001193" and "khai sinh" in body["name"].lower()
    case = body["cases"][0]
    for channel in ("direct", "online"):
        limits = case[channel]
        assert {"legal", "applied", "cut_percent"} <= set(limits)
        assert limits["legal"]["value"] > 0 and limits["legal"]["text"]
    assert case["components"] and case["components"][0]["name"]
    assert isinstance(case["workflow_steps"], list)
    assert isinstance(body["fees"], list)
    assert body["decision"] is None or body["decision"]["number"]


def test_detail_shows_cut_percent(demo, client):
    items = client.get(URL, {"limit": 500}).json()["items"]
    cut = next(p for p in items if any((c["direct"]["cut_percent"] or 0) > 0 for c in p["cases"]))
    detail = client.get(f"{URL}/{cut['code']}").json()
    pct = max(c["direct"]["cut_percent"] or 0 for c in detail["cases"])
    assert 0 < pct < 100


@pytest.mark.parametrize("code", ["9.999999", "nope", "1.001193x", "%20"])
def test_unknown_code_is_a_json_404(demo, client, code):
    assert_error(client.get(f"{URL}/{code}"), 404, code="procedure_not_found", field="code")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "district"}, "level"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_bad_filters_are_422_with_the_field(demo, client, params, field):
    assert_error(client.get(URL, params), 422, field=field)
