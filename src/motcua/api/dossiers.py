"""``/dossiers``: reception and online submission, lists, one dossier, and lifecycle actions.

Thin over ``motcua.dossiers`` (services write, selectors read, both authorize). Errors of the
services (:class:`LifecycleError`) map to statuses by code in :data:`STATUS_BY_CODE`:
409 for the state (a transition not allowed from the current status, a stale version), 403 for
the person (no role over the dossier, or a role the table does not allow), 404 for an unknown
action, 422 for everything else (a rule of the action or a field, with ``field``).
"""

import datetime as dt
import hashlib
import json
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus

from motcua.api.dossier_schemas import (
    ActionIn,
    ActionResultOut,
    DossierCreateIn,
    DossierFilters,
    DossierOut,
    DossierSummaryOut,
)
from motcua.api.errors import ApiError, ErrorOut, Forbidden, NotFound, Unprocessable
from motcua.api.pagination import Pagination, Rendered
from motcua.catalog.models import Component, ProcedureCase
from motcua.catalog.selectors import current_versions, resolving_agency_candidates
from motcua.dossiers import services
from motcua.dossiers.lifecycle import ACTIONS, ConcurrencyError, LifecycleError, allowed_actions
from motcua.dossiers.models import Channel, Dossier, DossierAction, Status
from motcua.dossiers.selectors import (
    actor_roles_for,
    counter_units_for,
    dossier_by_code,
    dossier_history_list,
    dossiers_visible_to,
    overdue_q,
    resolving_agency_for,
    roles_at_unit,
)
from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment
from motcua.org.selectors import unit_on
from motcua.worktime.engine import TZ

router = Router(tags=["dossiers"])  # the API's default authentication applies

RECEIVING = StaffAssignment.Role.RECEIVING_OFFICER.value
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100  # DossierAction.idempotency_key
MAX_REFERENCE_LENGTH = 60  # Dossier.code and temp_reference

# LifecycleError.code → HTTP status (anything else: 422).
STATUS_BY_CODE = {
    "transition_not_allowed": 409,
    "version_conflict": 409,
    "not_authorized": 403,
    "role_not_allowed": 403,
    "unknown_action": 404,
    "not_found": 404,
}

OUTCOME_ACTIONS = {"request_supplement": "request_supplement", "refuse": "refuse_at_reception"}

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _lifecycle_error(exc: LifecycleError) -> ApiError:
    error = ApiError(exc.message_en, exc.message_vi, field=exc.field, code=exc.code)
    error.status = 409 if isinstance(exc, ConcurrencyError) else STATUS_BY_CODE.get(exc.code, 422)
    return error


# --- rendering -----------------------------------------------------------------------------


def _agency(a: Agency) -> dict:
    return {"id": a.pk, "ident_code": a.ident_code, "name": a.name}


def _is_overdue(d: Dossier, now) -> bool:
    return (
        d.received_at is not None
        and d.finished_at is None
        and d.due_at is not None
        and d.status != Status.SUPPLEMENT_REQUESTED
        and d.due_at < now
    )


def _vi(label) -> str:
    """A choice label in Vietnamese: the API's labels do not follow the caller's language."""
    with translation.override("vi"):
        return str(label)


def _summary(d: Dossier, now=None) -> dict:
    now = now or timezone.now()
    return {
        "code": d.code,
        "reference": d.code or d.temp_reference,
        "status": d.status,
        "status_label": _vi(Status(d.status).label),
        "national_status": d.national_status,
        "procedure": {
            "code": d.procedure_version.procedure.code,
            "name": d.procedure_version.name,
            "case_order": d.case.order,
            "case_name": d.case.name,
        },
        "channel": d.channel,
        "applicant_name": d.applicant_name,
        "receiving_unit": _agency(d.receiving_unit),
        "resolving_agency": _agency(d.resolving_agency),
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "original_due_at": d.original_due_at,
        "finished_at": d.finished_at,
        "returned_at": d.returned_at,
        "overdue": _is_overdue(d, now),
        "version": d.version,
    }


def _action(a: DossierAction) -> dict:
    return {
        "action": a.action,
        "at": a.at,
        "actor": a.actor.get_username() if a.actor_id else None,
        "actor_role": a.actor_role,
        "unit": a.unit.ident_code if a.unit_id else None,
        "from_status": a.from_status,
        "to_status": a.to_status,
        "step": a.step,
        "reason": a.reason,
        "payload": a.payload or {},
    }


def _detail(d: Dossier, user) -> dict:
    components = d.components.select_related("component").order_by("id")
    return {
        **_summary(d),
        "temp_reference": d.temp_reference,
        "is_group": d.is_group,
        "stop_initiator": d.stop_initiator,
        "applicant": {
            "applicant_type": d.applicant_type,
            "name": d.applicant_name,
            "id_kind": d.id_kind,
            "id_number": d.id_number,
            "birth_date": d.birth_date,
            "sex": d.sex,
            "phone": d.phone,
            "email": d.email,
            "address": d.address,
            "address_unit": d.address_unit.code if d.address_unit_id else None,
        },
        "proxy": (
            {"name": d.proxy_name, "id_number": d.proxy_id_number, "phone": d.proxy_phone}
            if d.proxy_name
            else None
        ),
        "rules": {
            "procedure_valid_from": d.procedure_version.valid_from,
            "law_framework": d.law_framework,
            "limit_value": float(d.limit_value) if d.limit_value is not None else None,
            "limit_unit": d.limit_unit,
            "hours_profile": d.hours_profile,
            "hours_windows": d.hours_windows or {},
            "supplement_policy": d.supplement_policy,
        },
        "clock": {
            name: getattr(d, name)
            for name in (
                "submitted_at",
                "acceptance_due_at",
                "received_at",
                "original_due_at",
                "due_at",
                "extended",
                "finished_at",
                "returned_at",
                "current_step",
                "step_due_at",
                "supplement_count",
                "supplement_requested_at",
                "paused_working_minutes",
                "paused_minutes",
            )
        },
        "facts": {
            name: getattr(d, name)
            for name in (
                "is_online",
                "digitized",
                "e_result",
                "paid_online",
                "synced",
                "evaluated",
                "outcome_legal",
                "outcome_portal",
                "outcome_vs_original",
            )
        },
        "components": [
            {
                "order": c.component.order if c.component_id else None,
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "has_file": bool(c.file),
            }
            for c in components
        ],
        "history": [_action(a) for a in dossier_history_list(d)],
        "allowed_actions": allowed_actions(d, actor_roles_for(user, d)),
    }


def _aware(value: dt.datetime) -> dt.datetime:
    """A moment without an offset is Vietnam time (as in ``/worktime/due``)."""
    return value if timezone.is_aware(value) else value.replace(tzinfo=TZ)


def _visible(code: str, user) -> Dossier:
    """The dossier by code or temporary reference if ``user`` may see it; 404 otherwise, the same
    answer as for a code that does not exist, so codes do not leak."""
    dossier = None
    if len(code) <= MAX_REFERENCE_LENGTH and "\x00" not in code:
        dossier = dossier_by_code(code, user=user)
    if dossier is None:
        raise NotFound(
            f"No dossier {code!r} that you may see.",
            f"Không có hồ sơ {code!r} mà bạn được xem.",
            field="code",
            code="dossier_not_found",
        )
    return dossier


# --- list and detail -----------------------------------------------------------------------


@router.get(
    "",
    response={200: list[DossierSummaryOut], **ERRORS},
    summary="Dossiers the caller may see",
    description=(
        "Staff see dossiers received, resolved or at a workflow step in the subtree of a unit "
        "they are assigned to; applicants see their own. Newest first. Rows carry no personal "
        "data beyond the applicant's name (not audited); open a dossier for the rest. The same "
        "number of queries whatever the page size."
    ),
)
@paginate(Pagination)
def list_dossiers(request, filters: Query[DossierFilters]):
    qs = dossiers_visible_to(request.auth).select_related("procedure_version__procedure")
    f = filters
    if f.unit:
        unit = Q(receiving_unit__ident_code=f.unit) | Q(resolving_agency__ident_code=f.unit)
        if f.unit.isdigit() and len(f.unit) <= 18:
            unit |= Q(receiving_unit_id=int(f.unit)) | Q(resolving_agency_id=int(f.unit))
        qs = qs.filter(unit)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.procedure:
        qs = qs.filter(procedure_version__procedure__code=f.procedure)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.due_before:
        qs = qs.filter(due_at__lt=_aware(f.due_before))
    if f.due_after:
        qs = qs.filter(due_at__gte=_aware(f.due_after))
    now = timezone.now()
    if f.overdue is True:
        qs = qs.filter(overdue_q(now))
    elif f.overdue is False:
        qs = qs.exclude(overdue_q(now))
    return Rendered(qs.order_by("-id"), lambda d: _summary(d, now))


@router.get(
    "/{code}",
    response={200: DossierOut, **ERRORS},
    summary="One dossier, with its history and the caller's allowed actions",
    description=(
        "By dossier code, or by temporary reference before official reception. 404 for a dossier "
        "the caller may not see. A staff read is recorded in the personal-data access log."
    ),
)
def get_dossier(request, code: str):
    user = request.auth
    dossier = _visible(code, user)
    services.dossier_audit_personal_read(dossier=dossier, user=user, purpose="api_detail")
    return _detail(dossier, user)


# --- creation ------------------------------------------------------------------------------


def idempotency_key(request) -> str | None:
    """The request's ``Idempotency-Key`` header, checked (None when absent)."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
        raise Unprocessable(
            f"{IDEMPOTENCY_HEADER} must be 1–{MAX_KEY_LENGTH} characters.",
            f"{IDEMPOTENCY_HEADER} phải có 1–{MAX_KEY_LENGTH} ký tự.",
            field=IDEMPOTENCY_HEADER,
        )
    return key


def _fingerprint(body: Any) -> str:
    data = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _check_replay(earlier: DossierAction, user, fingerprint: str) -> None:
    """A retry must come from the same person with the same body (IETF draft
    "The Idempotency-Key HTTP Header Field" §2.7: a reused key with another payload is 422)."""
    if earlier.actor_id != user.pk or (earlier.payload or {}).get("request_hash") != fingerprint:
        raise Unprocessable(
            f"This {IDEMPOTENCY_HEADER} was already used for a different request; use a new key.",
            f"{IDEMPOTENCY_HEADER} này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới.",
            field=IDEMPOTENCY_HEADER,
            code="idempotency_key_reused",
        )


def _invalid(field: str, code: str, en: str, vi: str) -> Unprocessable:
    return Unprocessable(en, vi, field=field, code=code)


def _agency_ref(value: str, field: str) -> Agency:
    qs = Agency.objects.current()
    found = None
    if value.isdigit() and len(value) <= 18:
        found = qs.filter(pk=int(value)).first()
    found = found or qs.filter(ident_code=value).order_by("id").first()
    if found is None:
        raise _invalid(
            field, "agency_not_found", f"Unknown agency {value!r}.", f"Không có cơ quan {value!r}."
        )
    return found


def _admin_unit(code: str, field: str) -> AdministrativeUnit:
    found = unit_on(code) if code.isdigit() else None
    if found is None:
        raise _invalid(
            field,
            "unit_not_found",
            f"No administrative unit {code!r} in force.",
            f"Không có đơn vị hành chính mã {code!r} đang hiệu lực.",
        )
    return found


def _procedure_case(body: DossierCreateIn) -> ProcedureCase:
    version = current_versions().filter(procedure__code=body.procedure).select_related("procedure").first()
    if version is None:
        raise _invalid(
            "procedure",
            "procedure_not_found",
            f"No procedure in force with code {body.procedure!r}.",
            f"Không có thủ tục đang áp dụng mã {body.procedure!r}.",
        )
    case = ProcedureCase.objects.filter(version=version, order=body.case).select_related("version").first()
    if case is None:
        raise _invalid(
            "case", "case_not_found", "The procedure has no such case.", "Thủ tục không có trường hợp này."
        )
    return case


def _receiving_unit_for_officer(user, body: DossierCreateIn) -> Agency:
    """The officer's one-stop unit, or the one they name if they are a receiving officer there."""
    if body.receiving_unit:
        unit = _agency_ref(body.receiving_unit, "receiving_unit")
        if unit.kind != Agency.Kind.ONE_STOP:
            raise _invalid(
                "receiving_unit",
                "receiving_unit_invalid",
                "The receiving unit must be a one-stop unit.",
                "Đơn vị tiếp nhận phải là Bộ phận Một cửa.",
            )
        if RECEIVING not in roles_at_unit(user, unit):
            raise Forbidden(
                "You are not a receiving officer of this one-stop unit.",
                "Bạn không phải cán bộ tiếp nhận của Bộ phận Một cửa này.",
                field="receiving_unit",
                code="role_not_allowed",
            )
        return unit
    units = counter_units_for(user)
    if not units:
        raise Forbidden(
            "Only a receiving officer of a one-stop unit receives dossiers at the counter.",
            "Chỉ cán bộ tiếp nhận của Bộ phận Một cửa được tiếp nhận hồ sơ tại quầy.",
            code="role_not_allowed",
        )
    if len(units) > 1:
        raise _invalid(
            "receiving_unit",
            "receiving_unit_required",
            "You serve several one-stop units: name the receiving unit.",
            "Bạn thuộc nhiều Bộ phận Một cửa: hãy chọn đơn vị tiếp nhận.",
        )
    return units[0]


def _resolving_agency(body: DossierCreateIn, case: ProcedureCase, applicant_unit, receiving: Agency | None):
    version = case.version
    if body.resolving_agency:
        agency = _agency_ref(body.resolving_agency, "resolving_agency")
        if not resolving_agency_candidates(version).filter(pk=agency.pk).exists():
            raise _invalid(
                "resolving_agency",
                "resolving_agency_invalid",
                "This agency is not competent for the procedure.",
                "Cơ quan này không có thẩm quyền giải quyết thủ tục.",
            )
        return agency
    commune = _admin_unit(body.commune, "commune") if version.competent_at_commune and body.commune else None
    fallback = applicant_unit or (receiving.admin_unit if receiving else None)
    agency = resolving_agency_for(version, commune=commune, fallback_unit=fallback)
    if agency is None:
        raise _invalid(
            "resolving_agency",
            "resolving_agency_missing",
            "No competent agency found: give resolving_agency or commune.",
            "Không xác định được cơ quan có thẩm quyền giải quyết: hãy chọn cơ quan hoặc xã.",
        )
    return agency


def _online_receiving_unit(body: DossierCreateIn, resolving: Agency) -> Agency:
    if body.receiving_unit:
        return _agency_ref(body.receiving_unit, "receiving_unit")
    unit = (
        Agency.objects.current()
        .filter(kind=Agency.Kind.ONE_STOP, admin_unit_id=resolving.admin_unit_id)
        .order_by("ident_code")
        .first()
    )
    if unit is None:
        raise _invalid(
            "receiving_unit",
            "receiving_unit_required",
            "No one-stop unit found for the resolving agency: name the receiving unit.",
            "Không xác định được Bộ phận Một cửa: hãy chọn đơn vị tiếp nhận.",
        )
    return unit


def _components(body: DossierCreateIn, case: ProcedureCase) -> list[dict]:
    by_order = {c.order: c for c in Component.objects.filter(case=case)} if body.components else {}
    items = []
    for item in body.components:
        comp = None
        if item.order is not None:
            comp = by_order.get(item.order)
            if comp is None:
                raise _invalid(
                    "components",
                    "component_not_found",
                    f"The case has no component {item.order}.",
                    f"Trường hợp thủ tục không có thành phần số {item.order}.",
                )
        if comp is None and not item.name:
            raise _invalid("components", "required", "A paper needs a name.", "Cần tên giấy tờ.")
        items.append(
            {"component": comp, "name": item.name or "", "originals": item.originals, "copies": item.copies}
        )
    return items


def _applicant(body: DossierCreateIn) -> tuple[dict, AdministrativeUnit | None]:
    data = body.applicant.model_dump()
    unit = _admin_unit(data.pop("address_unit"), "address_unit") if body.applicant.address_unit else None
    applicant = {k: v for k, v in data.items() if v not in (None, "")}
    if unit is not None:
        applicant["address_unit"] = unit
    return applicant, unit


@router.post(
    "",
    response={200: DossierOut, 201: DossierOut, **ERRORS},
    summary="Receive a dossier at the counter, answer it there, or submit one online",
    description=(
        "Channels `direct`, `postal`, `at_home`: a receiving officer of a one-stop unit; "
        "`outcome` receive (code and clock start), request_supplement (Mẫu 02) or refuse "
        "(Mẫu 03), the last two recorded without a code or a clock. Channel `online`: the "
        "signed-in person submits as applicant. Send an `Idempotency-Key` header (a UUID): a retry "
        "with the same key and body returns the same dossier with 200 (201 the first time); the "
        "same key with another body is 422 `idempotency_key_reused`."
    ),
)
def create_dossier(request, body: DossierCreateIn):
    user = request.auth
    key = idempotency_key(request)
    fingerprint = _fingerprint(body)
    if key and (earlier := services.creation_by_key(key, user)) is not None:
        _check_replay(earlier, user, fingerprint)
        return HttpStatus(200, _detail(_reload(earlier.dossier_id), user))

    case = _procedure_case(body)
    applicant, applicant_unit = _applicant(body)
    common = {
        "case": case,
        "applicant": applicant,
        "proxy": body.proxy.model_dump() if body.proxy else None,
        "components": _components(body, case),
        "is_group": body.is_group,
        "idempotency_key": key,
        "payload": {**body.payload, "request_hash": fingerprint},
    }
    try:
        if body.channel == Channel.ONLINE:
            if body.outcome != "receive":
                raise _invalid(
                    "outcome",
                    "invalid",
                    "An online submission has no counter outcome.",
                    "Hồ sơ nộp trực tuyến không có kết quả tại quầy.",
                )
            resolving = _resolving_agency(body, case, applicant_unit, None)
            receiving = _online_receiving_unit(body, resolving)
            dossier = services.dossier_submit_online(
                receiving_unit=receiving,
                resolving_agency=resolving,
                actor=user,
                **{**common, "applicant": {**applicant, "user": user}},
            )
        else:
            receiving = _receiving_unit_for_officer(user, body)
            resolving = _resolving_agency(body, case, applicant_unit, receiving)
            staff = {"channel": body.channel, "receiving_unit": receiving, "resolving_agency": resolving}
            # The service checks the role again: the caller's own roles at the unit.
            roles = sorted(roles_at_unit(user, receiving))
            if body.outcome == "receive":
                dossier = services.dossier_receive(actor=user, roles=roles, unit=receiving, **staff, **common)
            else:
                dossier = services.dossier_answer_at_reception(
                    action=OUTCOME_ACTIONS[body.outcome],
                    reason=body.reason,
                    actor=user,
                    roles=roles,
                    unit=receiving,
                    **staff,
                    **common,
                )
    except LifecycleError as exc:
        raise _lifecycle_error(exc) from exc
    if key:
        # A concurrent request with the same key may have won: answer with its dossier, but only
        # if it was the same request.
        earlier = services.creation_by_key(key, user)
        if earlier is not None and earlier.dossier_id == dossier.pk:
            _check_replay(earlier, user, fingerprint)
    return HttpStatus(201, _detail(_reload(dossier.pk), user))


def _reload(pk: int) -> Dossier:
    return Dossier.objects.select_related(
        "receiving_unit", "resolving_agency", "case", "procedure_version__procedure", "address_unit"
    ).get(pk=pk)


# --- actions -------------------------------------------------------------------------------


@router.post(
    "/{code}/actions/{action}",
    response={200: ActionResultOut, **ERRORS},
    summary="Perform a lifecycle action",
    description=(
        "`action` is a row of the lifecycle table (docs/lifecycle.md): "
        + ", ".join(f"`{a}`" for a in ACTIONS)
        + ". 404 for an unknown action or a dossier the caller may not see; 403 when the caller "
        "holds no role over the dossier that the table allows for the action; 409 "
        "`transition_not_allowed` from the current status and `version_conflict` when "
        "`expected_version` is stale or a concurrent action won; 422 for the action's own rules "
        "(`reason_required`, `supplement_window_passed`, `already_extended`, …). An "
        "`Idempotency-Key` already used on the dossier returns the earlier action unchanged."
    ),
)
def perform_action(request, code: str, action: str, body: ActionIn):
    user = request.auth
    if action not in ACTIONS:
        raise NotFound(
            f"Unknown action {action!r}.",
            f"Thao tác không tồn tại: {action!r}.",
            field="action",
            code="unknown_action",
        )
    key = idempotency_key(request)
    dossier = _visible(code, user)
    try:
        logged = services.dossier_act(
            dossier=dossier,
            action=action,
            user=user,
            payload=body.payload,
            reason=body.reason,
            idempotency_key=key,
            expected_version=body.expected_version,
        )
    except LifecycleError as exc:
        raise _lifecycle_error(exc) from exc
    if logged.action != action:
        raise Unprocessable(
            f"This {IDEMPOTENCY_HEADER} was already used for another action on this dossier.",
            f"{IDEMPOTENCY_HEADER} này đã được dùng cho một thao tác khác trên hồ sơ.",
            field=IDEMPOTENCY_HEADER,
            code="idempotency_key_reused",
        )
    dossier = _reload(dossier.pk)
    logged = DossierAction.objects.select_related("actor", "unit").get(pk=logged.pk)
    return {
        "action": _action(logged),
        "dossier": _summary(dossier),
        "allowed_actions": allowed_actions(dossier, actor_roles_for(user, dossier)),
    }
