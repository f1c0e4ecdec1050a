import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from motcua.catalog.models import PublicationDecision
from motcua.catalog.selectors import current_versions, cut_statistics, search_procedures
from motcua.catalog.services import procedure_abolish

from .conftest import case

pytestmark = pytest.mark.django_db


def test_publishing_a_new_version_closes_the_old_one_and_keeps_it(publish):
    old = publish(cases=[case(direct=(5, "working_days"))])
    amend = PublicationDecision.objects.create(
        number="200/QĐ-UBND", signed_on=dt.date(2025, 9, 1), kind="amend"
    )
    new = publish(
        valid_from=dt.date(2025, 9, 15),
        decision=amend,
        name="Đăng ký khai sinh (sửa đổi)",
        cases=[case(direct=(3, "working_days"))],
    )
    old.refresh_from_db()
    assert old.valid_to == dt.date(2025, 9, 15)
    assert old.name == "Thủ tục đăng ký khai sinh"
    assert old.cases.get().legal_direct_value == 5
    assert new.is_current and new.procedure_id == old.procedure_id
    assert list(current_versions()) == [new]


def test_a_new_version_must_start_after_the_current_one(publish):
    publish()
    with pytest.raises(ValidationError):
        publish(valid_from=dt.date(2025, 7, 1))


def test_abolish_ends_the_current_version(publish):
    version = publish()
    abolish = PublicationDecision.objects.create(
        number="300/QĐ-UBND", signed_on=dt.date(2025, 10, 1), kind="abolish"
    )
    procedure_abolish(procedure_code="1.001193", decision=abolish, effective_on=dt.date(2025, 10, 15))
    version.refresh_from_db()
    assert version.valid_to == dt.date(2025, 10, 15)
    assert not current_versions().exists()


def test_search_ignores_diacritics_and_finds_codes(publish):
    publish()
    publish(code="1.013225", name="Cấp giấy phép xây dựng mới đối với công trình cấp III", level="commune")
    assert [v.procedure.code for v in search_procedures("cap giay phep")] == ["1.013225"]
    assert [v.procedure.code for v in search_procedures("khai sinh")] == ["1.001193"]
    assert [v.procedure.code for v in search_procedures("ĐĂNG KÝ khai")] == ["1.001193"]
    assert [v.procedure.code for v in search_procedures("1.0132")] == ["1.013225"]


def test_cut_statistics_count_procedures_and_bands(publish):
    publish(code="1.000001", cases=[case(direct=(10, "working_days"), applied=(7, "working_days"))])  # 30 %
    publish(code="1.000002", cases=[case(direct=(10, "days"), applied=(9, "days"))])  # 10 %
    publish(code="1.000003", cases=[case(direct=(1, "same_day"))])  # not cut
    publish(
        code="1.000004",
        cases=[
            case(direct=(20, "working_days"), online=(10, "working_days"), applied_online=(4, "working_days"))
        ],
    )
    stats = cut_statistics()
    assert stats["procedures"] == 4
    assert stats["cut"] == 3
    assert stats["bands"] == {"0–20%": 1, "20–50%": 1, "50–80%": 1, "≥80%": 0}
    assert stats["cut_20_80"] == 2
