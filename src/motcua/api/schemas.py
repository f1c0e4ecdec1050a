"""Response schemas shared by the API modules (pure data; no queries here)."""

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field

from motcua.api.errors import ErrorOut

__all__ = [
    "Text",
    "AgencyOut",
    "ComponentOut",
    "DueOut",
    "ErrorOut",
    "FeeOut",
    "FieldOut",
    "LimitOut",
    "ChannelLimitsOut",
    "CaseOut",
    "CaseSummaryOut",
    "MeOut",
    "ProcedureOut",
    "ProcedureSummaryOut",
    "RoleOut",
    "UnitOut",
    "WorkflowStepOut",
]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here keeps it from ever reaching a query.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string parameter: any text except NUL."""


# --- catalog -------------------------------------------------------------------------------


class FieldOut(Schema):
    code: str
    name: str


class LimitOut(Schema):
    """A time limit: ``value`` in ``unit`` (``same_day``: value 1 by convention)."""

    value: float
    unit: str = Field(description="working_days, days, working_hours, hours, months or same_day")
    text: str = Field(description="Vietnamese rendering, e.g. '3 ngày làm việc'")


class ChannelLimitsOut(Schema):
    """Legal (luật định) and applied (áp dụng, after the local cut) limit for one channel."""

    legal: LimitOut
    applied: LimitOut
    cut_percent: float | None = Field(description="1 − applied/legal in %, null when not comparable")


class CaseSummaryOut(Schema):
    order: int
    name: str
    direct: ChannelLimitsOut
    online: ChannelLimitsOut


class ComponentOut(Schema):
    order: int
    group: str
    name: str
    mandatory: bool
    originals: int
    copies: int
    national_paper_code: str
    form_name: str
    form_url: str


class FeeOut(Schema):
    order: int
    name: str
    amount_vnd: int | None
    text: str
    note: str
    channels: list[str]
    case_order: int | None = Field(description="The case it applies to; null: every case")


class WorkflowStepOut(Schema):
    order: int
    name: str
    role: str
    agency_kind: str
    agency_ident_code: str | None
    budget: LimitOut


class CaseOut(CaseSummaryOut):
    limit_note: str
    components: list[ComponentOut]
    workflow_steps: list[WorkflowStepOut]


class ProcedureSummaryOut(Schema):
    code: str
    name: str
    level: str = Field(description="province or commune")
    field: FieldOut
    online_level: str = Field(description="full, partial or none")
    non_boundary: bool
    fee_bearing: bool
    valid_from: dt.date
    decision_number: str | None
    cases: list[CaseSummaryOut]


class DecisionOut(Schema):
    number: str
    signed_on: dt.date
    kind: str


class AgencyRefOut(Schema):
    ident_code: str
    name: str


class ProcedureOut(Schema):
    code: str
    name: str
    level: str
    field: FieldOut
    valid_from: dt.date
    decision: DecisionOut | None
    online_level: str
    non_boundary: bool
    fee_bearing: bool
    paper_result_required: bool
    implementing_agency_text: str
    agencies: list[AgencyRefOut]
    competent_at_commune: bool
    competent_agency_kind: str
    target_persons: str
    result_text: str
    result_codes: str
    legal_basis: str
    conditions: str
    steps_text: str
    cases: list[CaseOut]
    fees: list[FeeOut]


# --- org -----------------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: int = Field(description="1 province, 2 district (before 1/7/2025), 3 commune")
    parent_code: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class AgencyOut(Schema):
    ident_code: str
    name: str
    short_name: str
    kind: str
    parent_ident_code: str | None
    admin_unit_code: str | None
    address: str
    phone: str
    email: str
    opens_saturday: bool


# --- worktime ------------------------------------------------------------------------------


class DueOut(Schema):
    due: str = Field(description="Due moment, ISO 8601 in +07:00, exactly as `motcua deadline` prints it")
    start: str = Field(description="The start as understood (naive = Asia/Ho_Chi_Minh), ISO 8601")
    limit: int | float
    unit: str
    profile: str | None


# --- me ------------------------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    role_label: str
    agency_ident_code: str
    agency_name: str


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    is_staff: bool
    auth_method: str = Field(description="token or session")
    roles: list[RoleOut]
