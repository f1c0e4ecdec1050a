import datetime as dt

import pytest

from motcua.org.models import AdministrativeUnit, UnitSuccession
from motcua.org.selectors import (
    AmbiguousSuccessionError,
    commune_units,
    current_successors,
    resolve_current_unit,
    unit_on,
)
from motcua.org.services import REFORM_DATE, org_load_history, org_load_units

BEFORE = dt.date(2024, 6, 1)


@pytest.mark.django_db
def test_camau_2025_units_load_and_reload_changes_nothing():
    first = org_load_units(province_codes=[96])
    assert first.created == 65 and first.by_level == {1: 1, 3: 64}

    communes = commune_units(96)
    kinds = [u.kind for u in communes]
    assert len(kinds) == 64
    assert kinds.count(AdministrativeUnit.Kind.COMMUNE) == 55
    assert kinds.count(AdministrativeUnit.Kind.WARD) == 9
    assert all(u.valid_from == REFORM_DATE and u.valid_to is None for u in communes)
    assert communes.get(code="32248").name == "Xã Đất Mũi"

    snapshot = list(
        AdministrativeUnit.objects.values_list("id", "code", "name", "kind", "level", "parent_id")
    )
    second = org_load_units(province_codes=[96])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 65)
    assert (
        list(AdministrativeUnit.objects.values_list("id", "code", "name", "kind", "level", "parent_id"))
        == snapshot
    )


@pytest.mark.django_db
def test_all_provinces_load_in_bulk(django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        counts = org_load_units(province_codes=None)
    assert counts.by_level == {1: 34, 3: 3321}
    assert AdministrativeUnit.objects.filter(level=1).count() == 34


def test_history_counts(demo):
    old_camau = AdministrativeUnit.objects.get(code="96", valid_to=REFORM_DATE)
    districts = AdministrativeUnit.objects.filter(parent=old_camau)
    assert districts.count() == 9
    assert {d.name for d in districts} >= {"Thành phố Cà Mau", "Huyện Thới Bình", "Huyện Ngọc Hiển"}
    assert AdministrativeUnit.objects.filter(parent__parent=old_camau).count() == 101
    old_baclieu = AdministrativeUnit.objects.get(code="95")
    assert old_baclieu.valid_to == REFORM_DATE
    assert AdministrativeUnit.objects.filter(parent=old_baclieu).count() == 7
    assert AdministrativeUnit.objects.filter(parent__parent=old_baclieu).count() == 64
    assert commune_units(96, on=BEFORE).count() == 101
    assert commune_units(96).count() == 64


def test_history_reload_is_idempotent(demo):
    result = org_load_history()
    assert result["units"].changed == 0 and result["successions"].changed == 0


def test_every_old_commune_has_a_current_successor(demo):
    old_communes = AdministrativeUnit.objects.filter(level=3, valid_to=REFORM_DATE)
    assert old_communes.count() == 165
    linked = set(
        UnitSuccession.objects.filter(predecessor__in=old_communes).values_list("predecessor", flat=True)
    )
    assert linked == set(old_communes.values_list("pk", flat=True))


def test_baclieu_and_old_camau_become_new_camau(demo):
    new_camau = AdministrativeUnit.objects.get(code="96", valid_from=REFORM_DATE)
    for code in ("95", "96"):
        old = unit_on(code, on=BEFORE)
        assert old.valid_to == REFORM_DATE
        assert current_successors(old) == [new_camau]
    assert resolve_current_unit("95", on=BEFORE) == new_camau


def test_reused_code_resolves_by_date(demo):
    # 32002 was Phường 4 of TP Cà Mau in 2023 and is phường An Xuyên since 1/7/2025.
    assert unit_on("32002", on=BEFORE).name == "Phường 4"
    assert unit_on("32002").name == "Phường An Xuyên"
    assert resolve_current_unit("32002", on=BEFORE).name == "Phường An Xuyên"
    assert resolve_current_unit("32002").name == "Phường An Xuyên"
    assert resolve_current_unit("32011", on=BEFORE).name == "Phường An Xuyên"  # the inferred row
    assert resolve_current_unit("99999") is None


def test_split_commune(demo):
    loi_an = unit_on("32122", on=BEFORE)
    names = {u.name for u in current_successors(loi_an)}
    assert names == {"Phường Lý Văn Lâm", "Xã Trần Văn Thời", "Xã Lương Thế Trân"}
    with pytest.raises(AmbiguousSuccessionError):
        resolve_current_unit("32122", on=BEFORE)
    # In Cà Mau a split commune is "nhập một phần" on every link (19 of 165 old communes).
    split = UnitSuccession.objects.filter(
        predecessor__valid_to=REFORM_DATE, predecessor__level=3, is_partial=True
    )
    assert split.values("predecessor").distinct().count() == 19
    ta_an_khuong = unit_on("32155", on=BEFORE)
    assert {u.name for u in current_successors(ta_an_khuong)} == {"Xã Đầm Dơi", "Xã Tạ An Khương"}


def test_successors_before_the_reform_are_the_unit_itself(demo):
    old = unit_on("32248", on=BEFORE)
    assert current_successors(old, on=BEFORE) == [old]


def test_district_leads_to_its_communes(demo):
    ngoc_hien = unit_on("973", on=BEFORE)
    assert {u.name for u in current_successors(ngoc_hien)} == {
        "Xã Đất Mới",
        "Xã Tân Ân",
        "Xã Phan Ngọc Hiển",
        "Xã Đất Mũi",
    }
