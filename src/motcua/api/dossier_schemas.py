"""Request and response schemas of ``/dossiers`` (pure data; no queries here)."""

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from motcua.api.schemas import Text
from motcua.dossiers.lifecycle import ACTIONS
from motcua.dossiers.models import ApplicantType, Channel, Status

StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
ActionName = Literal[tuple(ACTIONS)]  # type: ignore[valid-type]

# --- requests ------------------------------------------------------------------------------


class ApplicantIn(Schema):
    """Chủ hồ sơ. The identity number is checked against its kind, birth date and sex (422 with
    the field on a mismatch)."""

    applicant_type: Literal[tuple(ApplicantType.values)] = "citizen"  # type: ignore[valid-type]
    name: Text = Field(min_length=1, max_length=250)
    id_kind: Literal["cccd", "cmnd", "tax_code", "enterprise_code", "passport"] | None = None
    id_number: Text | None = Field(None, max_length=20)
    birth_date: dt.date | None = None
    sex: Literal["male", "female"] | None = None
    phone: Text | None = Field(None, max_length=30)
    email: Text | None = Field(None, max_length=254)
    address: Text | None = Field(None, max_length=300)
    address_unit: Text | None = Field(
        None, max_length=10, description="GSO code of the administrative unit of the address"
    )


class ProxyIn(Schema):
    """Người được ủy quyền nộp hồ sơ."""

    name: Text = Field(min_length=1, max_length=250)
    id_number: Text | None = Field(None, max_length=20)
    phone: Text | None = Field(None, max_length=30)


class ComponentIn(Schema):
    order: int | None = Field(
        None, ge=1, le=1000, description="Order of the component in the case (catalog); null: other paper"
    )
    name: Text | None = Field(None, max_length=2000, description="Default: the catalog component's name")
    originals: int = Field(0, ge=0, le=1000)
    copies: int = Field(0, ge=0, le=1000)


class DossierCreateIn(Schema):
    """A dossier received at the counter (`direct`, `postal`, `at_home`; receiving officer) or
    submitted online (`online`; the signed-in applicant)."""

    procedure: Text = Field(max_length=20, description="Procedure code, e.g. 1.001193")
    case: int = Field(1, ge=1, le=1000, description="Order of the procedure case (trường hợp)")
    channel: ChannelName
    outcome: Literal["receive", "request_supplement", "refuse"] = Field(
        "receive",
        description=(
            "At the counter: receive (code and clock), or answer with a supplement request (Mẫu 02) "
            "or a refusal (Mẫu 03) — recorded without a code or a clock. Online: receive only."
        ),
    )
    reason: Text = Field("", max_length=4000, description="Required for request_supplement and refuse")
    receiving_unit: Text | None = Field(
        None,
        max_length=35,
        description="One-stop unit (id or identifier code); default: the officer's own one-stop unit",
    )
    resolving_agency: Text | None = Field(
        None,
        max_length=35,
        description="Competent agency (id or identifier code); default: derived from the procedure",
    )
    commune: Text | None = Field(
        None,
        max_length=10,
        description=(
            "GSO code of the commune whose People's Committee (or police) resolves a commune-level "
            "procedure; default: the applicant's address unit, else the receiving unit's"
        ),
    )
    is_group: bool = False
    applicant: ApplicantIn
    proxy: ProxyIn | None = None
    components: list[ComponentIn] = Field(default_factory=list, max_length=200)
    payload: dict[str, Any] = Field(
        default_factory=dict, description="Kept on the action log (e.g. the items to supplement)"
    )


class ActionIn(Schema):
    reason: Text = Field("", max_length=4000)
    payload: dict[str, Any] = Field(default_factory=dict)
    expected_version: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The `version` read; 409 version_conflict if it changed"
    )


class DossierFilters(Schema):
    unit: Text | None = Field(
        None, max_length=35, description="Receiving unit or resolving agency (id or identifier code)"
    )
    status: StatusName | None = None
    procedure: Text | None = Field(None, max_length=20, description="Procedure code")
    channel: ChannelName | None = None
    due_before: dt.datetime | None = Field(None, description="Current due moment before (ISO 8601)")
    due_after: dt.datetime | None = Field(None, description="Current due moment at or after (ISO 8601)")
    overdue: bool | None = Field(
        None, description="true: received, not finished, not waiting for a supplement, past due"
    )


# --- responses -----------------------------------------------------------------------------


class AgencyBriefOut(Schema):
    id: int
    ident_code: str
    name: str


class ProcedureBriefOut(Schema):
    code: str
    name: str
    case_order: int
    case_name: str


class DossierSummaryOut(Schema):
    """A list row: no personal data beyond the applicant's name."""

    code: str | None = Field(description="Dossier code (Art. 28); null before official reception")
    reference: str = Field(description="The code, else the temporary reference; use it in URLs")
    status: str
    status_label: str
    national_status: int = Field(description="DVCQG TrangThaiHoSo 1–10")
    procedure: ProcedureBriefOut
    channel: str
    applicant_name: str
    receiving_unit: AgencyBriefOut
    resolving_agency: AgencyBriefOut
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    overdue: bool
    version: int


class ApplicantOut(Schema):
    applicant_type: str
    name: str
    id_kind: str
    id_number: str
    birth_date: dt.date | None
    sex: str
    phone: str
    email: str
    address: str
    address_unit: str | None = Field(description="GSO code")


class ProxyOut(Schema):
    name: str
    id_number: str
    phone: str


class DossierComponentOut(Schema):
    order: int | None = Field(description="Catalog component order; null: other paper")
    name: str
    originals: int
    copies: int
    has_file: bool


class RulesOut(Schema):
    """What the dossier was received under (never rewritten)."""

    procedure_valid_from: dt.date
    law_framework: str
    limit_value: float | None
    limit_unit: str
    hours_profile: str
    hours_windows: dict[str, Any]
    supplement_policy: str


class ClockOut(Schema):
    submitted_at: dt.datetime | None
    acceptance_due_at: dt.datetime | None
    received_at: dt.datetime | None
    original_due_at: dt.datetime | None
    due_at: dt.datetime | None
    extended: bool
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    current_step: int
    step_due_at: dt.datetime | None
    supplement_count: int
    supplement_requested_at: dt.datetime | None
    paused_working_minutes: int
    paused_minutes: int


class FactsOut(Schema):
    is_online: bool
    digitized: bool
    e_result: bool
    paid_online: bool
    synced: bool
    evaluated: bool
    outcome_legal: str
    outcome_portal: str
    outcome_vs_original: str


class ActionOut(Schema):
    action: str
    at: dt.datetime
    actor: str | None = Field(description="Username")
    actor_role: str
    unit: str | None = Field(description="Identifier code of the actor's unit")
    from_status: str = Field(description="Empty for the action that created the dossier")
    to_status: str
    step: int
    reason: str
    payload: dict[str, Any]


class DossierOut(DossierSummaryOut):
    temp_reference: str
    is_group: bool
    stop_initiator: str
    applicant: ApplicantOut
    proxy: ProxyOut | None
    rules: RulesOut
    clock: ClockOut
    facts: FactsOut
    components: list[DossierComponentOut]
    history: list[ActionOut]
    allowed_actions: list[str] = Field(
        description="Actions the caller may perform now, by the table and their roles over this dossier"
    )


class ActionResultOut(Schema):
    action: ActionOut
    dossier: DossierSummaryOut
    allowed_actions: list[str]
