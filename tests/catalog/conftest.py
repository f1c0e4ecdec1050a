import datetime as dt

import pytest

from motcua.catalog.models import Field, PublicationDecision
from motcua.catalog.services import procedure_publish_version


def case(
    direct=(5, "working_days"), applied=None, online=None, applied_online=None, workflow=None, components=None
):
    row = {
        "order": 1,
        "name": "Trường hợp chung",
        "legal_direct_value": direct[0],
        "legal_direct_unit": direct[1],
        "applied_direct_value": applied[0] if applied else None,
        "applied_direct_unit": applied[1] if applied else "",
        "legal_online_value": online[0] if online else None,
        "legal_online_unit": online[1] if online else "",
        "applied_online_value": applied_online[0] if applied_online else None,
        "applied_online_unit": applied_online[1] if applied_online else "",
    }
    if workflow is not None:
        row["workflow"] = workflow
    if components is not None:
        row["components"] = components
    return row


@pytest.fixture
def field(db):
    return Field.objects.create(code="ho-tich", name="Hộ tịch")


@pytest.fixture
def decision(db):
    return PublicationDecision.objects.create(
        number="100/QĐ-UBND", signed_on=dt.date(2025, 7, 1), basis_effective_on=dt.date(2025, 7, 15)
    )


@pytest.fixture
def publish(field, decision):
    def _publish(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        valid_from=dt.date(2025, 7, 15),
        level="commune",
        **kw,
    ):
        cases = kw.pop("cases", None) or [case()]
        return procedure_publish_version(
            procedure_code=code,
            decision=kw.pop("decision", decision),
            valid_from=valid_from,
            field=kw.pop("field", field),
            data={"name": name, "level": level, **kw},
            cases=cases,
            fees=[
                {
                    "order": 1,
                    "name": "Lệ phí",
                    "amount_vnd": 8000,
                    "text": "8.000 đồng",
                    "channels": ["Trực tiếp"],
                }
            ],
        )

    return _publish
