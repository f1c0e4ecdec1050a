"""``/catalog``: the published procedure catalog (public information: Decree 63/2010 Art. 13,
Decree 61/2018 Art. 5 require it to be made public), so no authentication."""

from typing import Literal

from django.db.models import Prefetch
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from motcua.api.errors import ErrorOut, NotFound
from motcua.api.pagination import Pagination, Rendered
from motcua.api.schemas import ProcedureOut, ProcedureSummaryOut, Text
from motcua.catalog.limits import Limit, cut_percent
from motcua.catalog.models import PROCEDURE_CODE_VALIDATOR, Fee, ProcedureCase, ProcedureVersion, WorkflowStep
from motcua.catalog.selectors import current_versions, search_procedures

router = Router(tags=["catalog"], auth=None)

PROCEDURE_CODE_RE = PROCEDURE_CODE_VALIDATOR.regex


def _limit(limit: Limit) -> dict:
    return {"value": float(limit.value), "unit": str(limit.unit), "text": str(limit)}


def _channel(case: ProcedureCase, channel: str) -> dict:
    legal, applied = case.limits(channel)
    pct = cut_percent(legal, applied)
    return {
        "legal": _limit(legal),
        "applied": _limit(applied),
        "cut_percent": float(pct) if pct is not None else None,
    }


def _case_summary(case: ProcedureCase) -> dict:
    return {
        "order": case.order,
        "name": case.name,
        "direct": _channel(case, "direct"),
        "online": _channel(case, "online"),
    }


def _summary(version: ProcedureVersion) -> dict:
    return {
        "code": version.procedure.code,
        "name": version.name,
        "level": version.level,
        "field": {"code": version.field.code, "name": version.field.name},
        "online_level": version.online_level,
        "non_boundary": version.non_boundary,
        "fee_bearing": version.fee_bearing,
        "valid_from": version.valid_from,
        "decision_number": version.decision.number if version.decision_id else None,
        "cases": [_case_summary(c) for c in version.cases.all()],
    }


def _fee(fee: Fee, case_orders: dict[int, int]) -> dict:
    return {
        "order": fee.order,
        "name": fee.name,
        "amount_vnd": fee.amount_vnd,
        "text": fee.text,
        "note": fee.note,
        "channels": list(fee.channels or []),
        "case_order": case_orders.get(fee.case_id) if fee.case_id else None,
    }


def _step(step: WorkflowStep) -> dict:
    return {
        "order": step.order,
        "name": step.name,
        "role": step.role,
        "agency_kind": step.agency_kind,
        "agency_ident_code": step.agency.ident_code if step.agency_id else None,
        "budget": _limit(step.budget),
    }


def _detail(version: ProcedureVersion) -> dict:
    cases = list(version.cases.all())
    case_orders = {c.pk: c.order for c in cases}
    decision = version.decision
    return {
        **_summary(version),
        "decision": (
            {"number": decision.number, "signed_on": decision.signed_on, "kind": decision.kind}
            if decision
            else None
        ),
        "paper_result_required": version.paper_result_required,
        "implementing_agency_text": version.implementing_agency_text,
        "agencies": [{"ident_code": a.ident_code, "name": a.name} for a in version.agencies.all()],
        "competent_at_commune": version.competent_at_commune,
        "competent_agency_kind": version.competent_agency_kind,
        "target_persons": version.target_persons,
        "result_text": version.result_text,
        "result_codes": version.result_codes,
        "legal_basis": version.legal_basis,
        "conditions": version.conditions,
        "steps_text": version.steps_text,
        "cases": [
            {
                **_case_summary(case),
                "limit_note": case.limit_note,
                "components": [{f: getattr(c, f) for f in _COMPONENT_FIELDS} for c in case.components.all()],
                "workflow_steps": [_step(s) for s in case.workflow_steps.all()],
            }
            for case in cases
        ],
        "fees": [_fee(f, case_orders) for f in version.fees.all()],
    }


_COMPONENT_FIELDS = (
    "order",
    "group",
    "name",
    "mandatory",
    "originals",
    "copies",
    "national_paper_code",
    "form_name",
    "form_url",
)


class ProcedureFilters(Schema):
    level: Literal["province", "commune"] | None = None
    field: Text | None = Field(None, max_length=100, description="Field (lĩnh vực) code")
    q: Text | None = Field(
        None, max_length=200, description="Words in the code or name; case and diacritics ignored"
    )


@router.get(
    "/procedures",
    response={200: list[ProcedureSummaryOut], 422: ErrorOut},
    summary="Procedures in force",
    description=(
        "Current versions of procedures not abolished, ordered by code. `q` matches every word "
        "in the code or name, ignoring case and Vietnamese diacritics (`dang ky khai sinh`)."
    ),
)
@paginate(Pagination)
def list_procedures(request, filters: Query[ProcedureFilters]):
    qs = (
        search_procedures(filters.q, level=filters.level)
        if filters.q
        else current_versions(level=filters.level)
    )
    if filters.field:
        qs = qs.filter(field__code=filters.field)
    qs = qs.select_related("decision").prefetch_related(
        Prefetch("cases", queryset=ProcedureCase.objects.order_by("order"))
    )
    return Rendered(qs, _summary)


@router.get(
    "/procedures/{code}",
    response={200: ProcedureOut, 404: ErrorOut},
    summary="One procedure (current version)",
)
def get_procedure(request, code: str):
    # A code that is not N.NNNNNN cannot exist; answering without a query also keeps odd bytes
    # (NUL, which PostgreSQL refuses) away from the database.
    version = _current_version(code) if PROCEDURE_CODE_RE.fullmatch(code) else None
    if version is None:
        raise NotFound(
            f"No procedure in force with code {code!r}.",
            f"Không có thủ tục đang áp dụng mã {code!r}.",
            field="code",
            code="procedure_not_found",
        )
    return _detail(version)


def _current_version(code: str) -> ProcedureVersion | None:
    return (
        current_versions()
        .filter(procedure__code=code)
        .select_related("decision")
        .prefetch_related(
            Prefetch(
                "cases",
                queryset=ProcedureCase.objects.order_by("order").prefetch_related(
                    "components",
                    Prefetch("workflow_steps", queryset=WorkflowStep.objects.select_related("agency")),
                ),
            ),
            "fees",
            "agencies",
        )
        .first()
    )
