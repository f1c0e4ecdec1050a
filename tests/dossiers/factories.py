"""factory-boy factories for dossiers and what they need (org, catalog)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from motcua.accounts.models import User
from motcua.catalog.models import Field, Procedure, ProcedureCase, ProcedureVersion, WorkflowStep
from motcua.dossiers.models import Channel, Dossier, Status
from motcua.org.models import Agency

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Mon 2 March 2026, 09:00: a plain working week (no holiday until 30/4).
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=VN)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    ident_code = factory.Sequence(lambda n: f"000.{n % 100:02d}.{n // 100 % 100:02d}.H12")
    name = factory.Sequence(lambda n: f"UBND xã {n}")
    kind = Agency.Kind.PEOPLES_COMMITTEE


class OneStopFactory(AgencyFactory):
    name = factory.Sequence(lambda n: f"Trung tâm Phục vụ hành chính công xã {n}")
    kind = Agency.Kind.ONE_STOP


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = "ho-tich"
    name = "Hộ tịch"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"1.{n:06d}")


class ProcedureVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureVersion

    procedure = factory.SubFactory(ProcedureFactory)
    valid_from = date(2024, 1, 1)
    name = "Đăng ký khai sinh"
    level = ProcedureVersion.Level.COMMUNE
    field = factory.SubFactory(FieldFactory)


class ProcedureCaseFactory(factory.django.DjangoModelFactory):
    """A case with a limit of 3 working days (direct) and three workflow steps."""

    class Meta:
        model = ProcedureCase
        skip_postgeneration_save = True

    version = factory.SubFactory(ProcedureVersionFactory)
    order = 1
    name = "Trường hợp chung"
    legal_direct_value = Decimal(3)
    legal_direct_unit = "working_days"

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        if not create:
            return
        budgets = (
            extracted
            if extracted is not None
            else [
                ("Tiếp nhận", "receiving_officer", "0.5"),
                ("Thẩm định", "specialist", "1.5"),
                ("Phê duyệt", "unit_leader", "1"),
            ]
        )
        for order, (name, role, value) in enumerate(budgets, start=1):
            WorkflowStep.objects.create(
                case=self,
                order=order,
                name=name,
                role=role,
                budget_value=Decimal(value),
                budget_unit="working_days",
            )


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier put directly in a status, for table tests (services write real ones).

    ``status`` sets a consistent clock: received Monday 2/3/2026 09:00, due Thursday 09:00.
    """

    class Meta:
        model = Dossier

    case = factory.SubFactory(ProcedureCaseFactory)
    procedure_version = factory.SelfAttribute("case.version")
    applicant_type = "citizen"
    applicant_name = "Nguyễn Văn A"
    channel = Channel.DIRECT
    receiving_unit = factory.SubFactory(OneStopFactory)
    resolving_agency = factory.SubFactory(AgencyFactory)
    status = Status.PROCESSING
    limit_value = Decimal(3)
    limit_unit = "working_days"
    submitted_at = MONDAY
    code = factory.Sequence(lambda n: f"000.00.12.H12-260302-{n + 1:04d}")
    received_at = MONDAY
    due_at = MONDAY + timedelta(days=3)
    original_due_at = factory.SelfAttribute("due_at")
    current_step = 1

    class Params:
        not_received = factory.Trait(
            code=None, received_at=None, due_at=None, original_due_at=None, current_step=0
        )


NOT_RECEIVED = {Status.SUBMITTED, Status.SUPPLEMENT_AT_RECEPTION, Status.REFUSED, Status.WITHDRAWN}


def dossier_in(status: str, **kwargs) -> Dossier:
    """A dossier in ``status`` with the columns that status implies."""
    extra: dict = {}
    if status in NOT_RECEIVED:
        extra["not_received"] = True
        extra["channel"] = Channel.ONLINE
    if status in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_AT_RECEPTION):
        extra["supplement_requested_at"] = MONDAY + timedelta(hours=1)
        if status == Status.SUPPLEMENT_REQUESTED:
            extra["supplement_count"] = 1
    extra.update(kwargs)
    return DossierFactory(status=status, **extra)
