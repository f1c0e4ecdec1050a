"""Writes to the catalog. Each service is one transaction and validates before saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction

from motcua.org.models import Agency

from .models import (
    Field,
    Procedure,
    ProcedureVersion,
    PublicationDecision,
    workflow_budget_error,
)

VERSION_FIELDS = (
    "name",
    "level",
    "implementing_agency_text",
    "competent_at_commune",
    "competent_agency_kind",
    "target_persons",
    "result_text",
    "result_codes",
    "paper_result_required",
    "online_level",
    "non_boundary",
    "fee_bearing",
    "legal_basis",
    "conditions",
    "steps_text",
    "note",
)
CASE_FIELDS = (
    "name",
    "legal_direct_value",
    "legal_direct_unit",
    "applied_direct_value",
    "applied_direct_unit",
    "legal_online_value",
    "legal_online_unit",
    "applied_online_value",
    "applied_online_unit",
    "limit_note",
)
COMPONENT_FIELDS = (
    "group",
    "name",
    "mandatory",
    "originals",
    "copies",
    "national_paper_code",
    "form_name",
    "form_url",
)
FEE_FIELDS = ("name", "amount_vnd", "text", "note", "channels")
STEP_FIELDS = ("name", "role", "agency_kind", "agency", "budget_value", "budget_unit")


def _save(obj, *, _checked_keys: bool = False, **fields) -> bool:
    """Set fields; validate and save when something changed or the object is new. True if written."""
    changed = obj.pk is None
    for name, value in fields.items():
        try:
            current = getattr(obj, name)
        except ObjectDoesNotExist:  # an unset foreign key
            current = None
        if current != value or (current is None and value is not None):
            setattr(obj, name, value)
            changed = True
    if changed:
        if _checked_keys:  # the caller guarantees the natural key is unique: skip those queries
            obj.full_clean(validate_unique=False, validate_constraints=False)
        else:
            obj.full_clean()
        obj.save()
    return changed


def describe(exc: ValidationError) -> str:
    """One Vietnamese line naming each field in error with its verbose name."""
    from django.apps import apps

    verbose = {}
    for model in apps.get_app_config("catalog").get_models():
        for f in model._meta.get_fields():
            if hasattr(f, "verbose_name"):
                verbose.setdefault(f.name, str(f.verbose_name))
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            label = "" if name == "__all__" else f"trường “{name}” ({verbose.get(name, name)}): "
            parts.append(label + " ".join(errors))
        return "; ".join(parts)
    return " ".join(exc.messages)


def _located(exc: ValidationError, row: Mapping[str, Any]) -> ValidationError:
    """Prefix the error with the row's location (``_loc``) when the caller gave one."""
    if getattr(exc, "code", None) == "located" or not row.get("_loc"):
        return exc
    return ValidationError(f"{row['_loc']}: {describe(exc)}", code="located")


def _sync_children(
    manager, rows: list[Mapping[str, Any]], names: Iterable[str], parent: dict, stats: dict, label
):
    """Update children in place by their ``order`` (natural key), create missing, delete extra."""
    existing = {child.order: child for child in manager.all()}
    kept = []
    seen: set[int] = set()
    for index, row in enumerate(rows, start=1):
        order = row.get("order") or index
        if order in seen:
            raise _located(ValidationError({"order": f"Số thứ tự {order} bị lặp."}), row)
        seen.add(order)
        child = existing.get(order) or manager.model(order=order, **parent)
        created = child.pk is None
        try:
            written = _save(child, _checked_keys=True, **{n: row[n] for n in names if n in row})
        except ValidationError as exc:
            raise _located(exc, row) from exc
        if created:
            stats["created"][label] = stats["created"].get(label, 0) + 1
        elif written:
            stats["updated"][label] = stats["updated"].get(label, 0) + 1
        kept.append(child)
    for order, child in existing.items():
        if order not in {c.order for c in kept}:
            child.delete()
    return kept


def _empty_stats() -> dict:
    return {"created": {}, "updated": {}, "warnings": []}


def version_write(
    *,
    procedure: Procedure,
    valid_from: dt.date,
    valid_to: dt.date | None,
    decision: PublicationDecision | None,
    field: Field,
    data: Mapping[str, Any],
    agencies: list[Agency],
    cases: list[Mapping[str, Any]],
    fees: list[Mapping[str, Any]],
    stats: dict | None = None,
) -> ProcedureVersion:
    """Create or update the version of ``procedure`` starting ``valid_from``, with its children.

    Not atomic by itself: the callers (publish, import) hold the transaction.
    """
    stats = stats if stats is not None else _empty_stats()
    version = ProcedureVersion.objects.filter(procedure=procedure, valid_from=valid_from).first()
    created = version is None
    version = version or ProcedureVersion(procedure=procedure, valid_from=valid_from)
    fields = {n: data[n] for n in VERSION_FIELDS if n in data}
    written = _save(version, valid_to=valid_to, decision=decision, field=field, **fields)
    if created:
        stats["created"]["versions"] = stats["created"].get("versions", 0) + 1
    elif written:
        stats["updated"]["versions"] = stats["updated"].get("versions", 0) + 1
    if {a.pk for a in version.agencies.all()} != {a.pk for a in agencies}:
        version.agencies.set(agencies)
    case_objs = _sync_children(version.cases, list(cases), CASE_FIELDS, {"version": version}, stats, "cases")
    for case_obj, case_row in zip(case_objs, cases, strict=True):
        _sync_children(
            case_obj.components,
            case_row.get("components", []),
            COMPONENT_FIELDS,
            {"case": case_obj},
            stats,
            "components",
        )
        steps = case_row.get("workflow", [])
        _sync_children(
            case_obj.workflow_steps, steps, STEP_FIELDS, {"case": case_obj}, stats, "workflow_steps"
        )
        problem = workflow_budget_error(list(case_obj.workflow_steps.all()), case_obj)
        if problem:
            raise _located(ValidationError({"workflow": problem}), case_row)
    by_order = {c.order: c for c in case_objs}
    fee_rows = []
    for row in fees:
        row = dict(row)
        case_order = row.pop("case_order", None)
        if case_order is not None and case_order not in by_order:
            raise _located(ValidationError({"case_order": f"Không có trường hợp số {case_order}."}), row)
        row["case"] = by_order.get(case_order) if case_order is not None else None
        fee_rows.append(row)
    _sync_children(version.fees, fee_rows, (*FEE_FIELDS, "case"), {"version": version}, stats, "fees")
    return version


@transaction.atomic
def procedure_publish_version(
    *,
    procedure_code: str,
    decision: PublicationDecision,
    valid_from: dt.date,
    field: Field,
    data: Mapping[str, Any],
    agencies: list[Agency] | None = None,
    cases: list[Mapping[str, Any]] | None = None,
    fees: list[Mapping[str, Any]] | None = None,
) -> ProcedureVersion:
    """Publish a new version under ``decision`` (QĐCB, Decree 63/2010 Arts. 13–15).

    The current version, if any, ends the day the new one starts (``valid_to = valid_from``); its
    content is not touched, so dossiers received under it keep their rules.
    """
    procedure = Procedure.objects.select_for_update().filter(code=procedure_code).first()
    if procedure is None:
        procedure = Procedure(code=procedure_code)
        procedure.full_clean()
        procedure.save()
    if procedure.abolished_on:
        raise ValidationError(f"Thủ tục {procedure_code} đã bị bãi bỏ từ {procedure.abolished_on:%d/%m/%Y}.")
    current = procedure.versions.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.valid_from >= valid_from:
            raise ValidationError(
                {
                    "valid_from": f"Phiên bản mới phải có hiệu lực sau {current.valid_from:%d/%m/%Y} (phiên bản hiện hành)."
                }
            )
        current.valid_to = valid_from
        current.full_clean()
        current.save(update_fields=["valid_to"])
    if not cases:
        raise ValidationError(
            {"cases": f"Thủ tục {procedure_code} phải có ít nhất một trường hợp với thời hạn giải quyết."}
        )
    return version_write(
        procedure=procedure,
        valid_from=valid_from,
        valid_to=None,
        decision=decision,
        field=field,
        data=data,
        agencies=agencies or [],
        cases=cases,
        fees=fees or [],
    )


@transaction.atomic
def procedure_abolish(
    *, procedure_code: str, decision: PublicationDecision, effective_on: dt.date
) -> Procedure:
    """Abolish a procedure (bãi bỏ TTHC) from ``effective_on``: the current version ends that day."""
    procedure = Procedure.objects.select_for_update().get(code=procedure_code)
    if procedure.abolished_on:
        raise ValidationError(f"Thủ tục {procedure_code} đã bị bãi bỏ từ {procedure.abolished_on:%d/%m/%Y}.")
    if decision.kind != PublicationDecision.Kind.ABOLISH:
        raise ValidationError({"decision": "Quyết định bãi bỏ phải có loại “Bãi bỏ”."})
    current = procedure.versions.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.valid_from >= effective_on:
            raise ValidationError(
                {"effective_on": "Ngày bãi bỏ phải sau ngày hiệu lực của phiên bản hiện hành."}
            )
        current.valid_to = effective_on
        current.full_clean()
        current.save(update_fields=["valid_to"])
    procedure.abolished_on = effective_on
    procedure.abolished_by = decision
    procedure.full_clean()
    procedure.save(update_fields=["abolished_on", "abolished_by"])
    return procedure


@transaction.atomic
def field_get_or_create(*, code: str, name: str) -> Field:
    field = Field.objects.filter(code=code).first() or Field(code=code)
    _save(field, name=name)
    return field
