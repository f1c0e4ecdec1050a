import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from motcua.catalog.models import (
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    PublicationDecision,
    WorkflowStep,
)
from motcua.catalog.selectors import case_limits

from .conftest import case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["2.000815", "1.001193"])
def test_procedure_code_accepts_the_national_format(code):
    Procedure(code=code).full_clean()


@pytest.mark.parametrize("code", ["2000815", "2.00081", "A.000815", "2.000815.H12"])
def test_procedure_code_refuses_other_forms_in_vietnamese(code):
    with pytest.raises(ValidationError) as err:
        Procedure(code=code).full_clean()
    assert "Mã thủ tục phải có dạng" in str(err.value)


def test_applied_limit_longer_than_legal_is_refused(publish):
    version = publish()
    c = version.cases.get()
    c.applied_direct_value, c.applied_direct_unit = Decimal(6), "working_days"
    with pytest.raises(ValidationError) as err:
        c.full_clean()
    assert "không được dài hơn thời hạn luật định" in str(err.value)
    c.applied_direct_value, c.applied_direct_unit = (
        Decimal(24),
        "working_hours",
    )  # 3 days: comparable, shorter
    c.full_clean()
    assert c.cut_percent == Decimal("40.0")


def test_limits_fall_back_and_online_is_separate(publish):
    version = publish(
        cases=[case(direct=(10, "working_days"), applied=(7, "working_days"), online=(8, "working_days"))]
    )
    c = version.cases.get()
    assert case_limits(c, "direct") == ((Decimal(10), "working_days"), (Decimal(7), "working_days"))
    assert case_limits(c, "online") == ((Decimal(8), "working_days"), (Decimal(8), "working_days"))
    assert c.is_cut


def test_value_and_unit_go_together():
    c = ProcedureCase(
        name="x", legal_direct_value=Decimal(1), legal_direct_unit="days", applied_direct_value=Decimal(1)
    )
    with pytest.raises(ValidationError) as err:
        c.clean()
    assert "applied_direct_unit" in err.value.message_dict


def test_overlapping_versions_are_refused(publish, field):
    version = publish()
    clash = ProcedureVersion(
        procedure=version.procedure,
        valid_from=dt.date(2025, 6, 1),
        valid_to=dt.date(2025, 8, 1),
        name="x",
        level="commune",
        field=field,
    )
    with pytest.raises(ValidationError) as err:
        clash.full_clean()
    assert "trùng" in str(err.value)
    before = ProcedureVersion(
        procedure=version.procedure,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 7, 15),
        name="x",
        level="commune",
        field=field,
    )
    before.full_clean()  # ends the day the current one starts: no overlap


def test_workflow_budget_must_fit_the_applied_limit(publish):
    version = publish(cases=[case(direct=(3, "working_days"))])
    c = version.cases.get()
    WorkflowStep.objects.create(
        case=c, order=1, name="Thẩm định", role="specialist", budget_value=2, budget_unit="working_days"
    )
    step = WorkflowStep(
        case=c, order=2, name="Phê duyệt", role="unit_leader", budget_value=12, budget_unit="working_hours"
    )
    with pytest.raises(ValidationError) as err:
        step.full_clean()
    assert "vượt thời hạn áp dụng" in str(err.value)
    step.budget_value = 8
    step.full_clean()


def test_publication_on_time_uses_working_days():
    on_time = PublicationDecision(
        number="1",
        signed_on=dt.date(2025, 7, 1),
        basis_effective_on=dt.date(2025, 7, 8),
        published_on=dt.date(2025, 7, 8),
    )
    assert on_time.is_on_time  # 5 working days before; public within 5 working days
    late = PublicationDecision(
        number="2", signed_on=dt.date(2025, 7, 4), basis_effective_on=dt.date(2025, 7, 10)
    )
    assert late.signed_in_time() is False
    assert late.is_on_time is None  # not yet public: cannot judge
    assert late.signed_in_time(lead_working_days=4) is True
