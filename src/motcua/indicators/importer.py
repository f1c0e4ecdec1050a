"""``motcua import dossiers FILE.jsonl``: historical dossiers from another system (issue 6 point 6).

The format is documented in docs/import-format.md. The whole file is checked first; any bad line
(with its number) refuses the file and nothing is written. Then one transaction writes every
dossier: new codes are inserted, codes imported before are updated in place (re-importing a file
never duplicates), a code that belongs to a dossier received on this system is refused. Each
imported dossier gets one ``import`` row in its action log, its facts are computed by
``dossiers.facts`` (the same code the services use) and the rollups are brought up to date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.catalog.models import ProcedureCase, ProcedureVersion
from motcua.dossiers.facts import dossier_outcomes
from motcua.dossiers.models import (
    ApplicantType,
    Channel,
    Dossier,
    DossierAction,
    DossierSource,
    Status,
    StopInitiator,
)
from motcua.org.models import Agency
from motcua.worktime.engine import TZ

from .rollups import rollup_sync

REQUIRED_KEYS = ("code", "procedure", "receiving_unit", "resolving_unit", "channel", "status")
KNOWN_KEYS = frozenset(
    {
        "code",
        "procedure",
        "receiving_unit",
        "resolving_unit",
        "channel",
        "applicant_kind",
        "applicant_name",
        "submitted_at",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
        "status",
        "supplements",
        "extended_due_at",
        "components",
        "paper_result_required",
        "e_result",
        "fees",
        "vneid_verified",
        "population_data",
        "synced_at",
        "evaluation",
    }
)
# National status codes that mean "received" (everything but 1 submitted and 3 refused / 7
# withdrawn before reception, which are told apart by received_at).
FINISHED_CODES = frozenset({3, 7, 8, 9, 10})
FRAMEWORK_2025_FROM = dt.date(2025, 7, 1)
IMPORT_ACTION = "import"


class ImportFileError(ValueError):
    """The file was refused; ``errors`` lists ``(line number, Vietnamese message)``."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("\n".join(f"dòng {n}: {m}" for n, m in errors))


@dataclass
class ImportResult:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    codes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------
# Parsing one line (pure but for the look-up dictionaries)
# ------------------------------------------------------------------------------------------------


class LineError(ValueError):
    pass


def _moment(obj: dict, key: str, *, required: bool = False) -> dt.datetime | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise LineError(f"thiếu '{key}'")
        return None
    if not isinstance(value, str):
        raise LineError(f"'{key}' phải là chuỗi ISO 8601")
    moment = parse_datetime(value)
    if moment is None:
        raise LineError(f"'{key}' không phải thời điểm ISO 8601: {value!r}")
    if timezone.is_naive(moment):
        raise LineError(f"'{key}' phải có múi giờ (ví dụ +07:00): {value!r}")
    return moment


def _bool(obj: dict, key: str) -> bool | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, bool):
        raise LineError(f"'{key}' phải là true, false hoặc null")
    return value


def _list(obj: dict, key: str) -> list | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, list):
        raise LineError(f"'{key}' phải là một danh sách")
    return value


def _status(code: int, *, received: bool, pending_supplement: bool) -> tuple[str, str]:
    """Business status (and stop initiator) of a national status code 1–10."""
    if code == 1:
        return Status.SUBMITTED, ""
    if code == 2:
        return Status.RECEIVED, ""
    if code == 3:
        return Status.REFUSED, ""
    if code == 4:
        return Status.PROCESSING, ""
    if code == 5:
        return (Status.SUPPLEMENT_REQUESTED if received else Status.SUPPLEMENT_AT_RECEPTION), ""
    if code == 6:
        return Status.FINANCIAL_OBLIGATION, ""
    if code == 7:  # "Công dân yêu cầu rút hồ sơ": before reception a withdrawal, after it a stop
        return (Status.STOPPED, StopInitiator.APPLICANT) if received else (Status.WITHDRAWN, "")
    if code == 8:  # "Dừng xử lý": closed for an unanswered supplement when one is still open
        return (
            (Status.CLOSED_UNANSWERED, "") if pending_supplement else (Status.STOPPED, StopInitiator.AGENCY)
        )
    if code == 9:
        return Status.RESOLVED, ""
    if code == 10:
        return Status.RETURNED, ""
    raise LineError(f"'status' phải là mã trạng thái quốc gia 1–10, nhận được {code!r}")


@dataclass
class Lookups:
    procedures: dict[str, list[ProcedureVersion]]
    cases: dict[int, ProcedureCase]
    agencies: dict[str, Agency]

    @classmethod
    def load(cls, proc_codes: Iterable[str], unit_codes: Iterable[str]) -> Lookups:
        versions: dict[str, list[ProcedureVersion]] = {}
        for v in ProcedureVersion.objects.filter(procedure__code__in=set(proc_codes)).select_related(
            "procedure"
        ):
            versions.setdefault(v.procedure.code, []).append(v)
        cases = {}
        for c in ProcedureCase.objects.filter(
            version__in=[v for vs in versions.values() for v in vs]
        ).order_by("version_id", "-order"):
            cases[c.version_id] = c  # the first case (lowest order) wins
        agencies = {}
        # The current agency with the code first (as resolve_scope), else the latest.
        for a in Agency.objects.filter(ident_code__in=set(unit_codes)).order_by("-valid_from"):
            cur = agencies.get(a.ident_code)
            if cur is None or (cur.valid_to is not None and a.valid_to is None):
                agencies[a.ident_code] = a
        return cls(versions, cases, agencies)

    def version(self, code: str, on: dt.date) -> ProcedureVersion | None:
        versions = self.procedures.get(code) or []
        for v in versions:
            if v.valid_from <= on and (v.valid_to is None or on < v.valid_to):
                return v
        # Before the first version we know (the other system's history is older): the earliest.
        return min(versions, key=lambda v: v.valid_from) if versions else None


def parse_line(obj: Any, lk: Lookups) -> Dossier:
    """One JSON object → an unsaved :class:`Dossier` with its facts; :class:`LineError` if bad."""
    if not isinstance(obj, dict):
        raise LineError("mỗi dòng phải là một đối tượng JSON")
    unknown = set(obj) - KNOWN_KEYS
    if unknown:
        raise LineError(f"khóa không biết: {', '.join(sorted(unknown))}")
    for key in REQUIRED_KEYS:
        if obj.get(key) in (None, ""):
            raise LineError(f"thiếu '{key}'")
    code = obj["code"]
    if not isinstance(code, str) or len(code) > 60:
        raise LineError("'code' phải là chuỗi tối đa 60 ký tự")
    channel = obj["channel"]
    if channel not in Channel.values:
        raise LineError(f"'channel' phải là một trong {', '.join(Channel.values)}: {channel!r}")
    kind = obj.get("applicant_kind") or ApplicantType.CITIZEN
    if kind not in ApplicantType.values:
        raise LineError(f"'applicant_kind' phải là một trong {', '.join(ApplicantType.values)}: {kind!r}")
    status_code = obj["status"]
    if not isinstance(status_code, int) or isinstance(status_code, bool) or not 1 <= status_code <= 10:
        raise LineError(f"'status' phải là mã trạng thái quốc gia 1–10, nhận được {status_code!r}")

    submitted = _moment(obj, "submitted_at")
    received = _moment(obj, "received_at")
    due = _moment(obj, "due_at")
    extended_due = _moment(obj, "extended_due_at")
    finished = _moment(obj, "finished_at")
    returned = _moment(obj, "returned_at")
    synced_at = _moment(obj, "synced_at")
    if submitted is None and received is None:
        raise LineError("cần 'submitted_at' hoặc 'received_at'")
    if received is not None and submitted is not None and received < submitted:
        raise LineError("'received_at' trước 'submitted_at'")
    if finished is not None and received is not None and finished < received:
        raise LineError("'finished_at' trước 'received_at'")
    if returned is not None and finished is not None and returned < finished:
        raise LineError("'returned_at' trước 'finished_at'")
    if status_code in (9, 10) and finished is None:
        raise LineError("hồ sơ đã giải quyết (9, 10) phải có 'finished_at'")
    if status_code in (2, 4, 6, 9, 10) and received is None:
        raise LineError(f"trạng thái {status_code} cần 'received_at'")
    if finished is not None and status_code not in FINISHED_CODES:
        raise LineError(f"trạng thái {status_code} (đang xử lý) không có 'finished_at'")
    if status_code in FINISHED_CODES - {3, 7} and received is not None and finished is None:
        raise LineError(f"trạng thái {status_code} cần 'finished_at' (thời điểm kết thúc xử lý)")

    supplements = _list(obj, "supplements") or []
    requested, paused, pending = None, dt.timedelta(0), False
    for i, s in enumerate(supplements, start=1):
        if not isinstance(s, dict):
            raise LineError(f"'supplements'[{i}] phải là đối tượng {{requested_at, completed_at}}")
        req = _moment(s, "requested_at", required=True)
        done = _moment(s, "completed_at")
        if done is not None:
            if done < req:
                raise LineError(f"'supplements'[{i}]: 'completed_at' trước 'requested_at'")
            paused += done - req
        requested, pending = req, done is None
    status, initiator = _status(status_code, received=received is not None, pending_supplement=pending)

    components = _list(obj, "components")
    reused = store = None
    digitized = False
    if components is not None:
        for i, c in enumerate(components, start=1):
            if not isinstance(c, dict):
                raise LineError(
                    f"'components'[{i}] phải là đối tượng {{paper_code, digitized, reused, from_store}}"
                )
            for key in ("digitized", "reused", "from_store"):
                _bool(c, key)
        digitized = bool(components) and all(c.get("digitized") for c in components)
        reused = sum(bool(c.get("reused")) for c in components)
        store = sum(bool(c.get("from_store")) for c in components)

    e_result = obj.get("e_result")
    if e_result is not None and not (isinstance(e_result, dict) and e_result.get("code")):
        raise LineError("'e_result' phải là {code, file} (có 'code') hoặc null")
    fees = _list(obj, "fees")
    fee_amount = paid_amount = None
    paid = False
    if fees is not None:
        fee_amount = paid_amount = 0
        for i, f in enumerate(fees, start=1):
            amount = f.get("amount") if isinstance(f, dict) else None
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                raise LineError(f"'fees'[{i}].amount phải là số nguyên không âm (đồng)")
            fee_amount += amount
            if _bool(f, "paid_online"):
                paid_amount += amount
        charged = [f for f in fees if f["amount"] > 0]
        paid = bool(charged) and all(f.get("paid_online") for f in charged)
    evaluation = obj.get("evaluation")
    if evaluation is not None and not isinstance(evaluation, dict):
        raise LineError("'evaluation' phải là {satisfied, petition} hoặc null")

    anchor = (received or submitted).astimezone(TZ).date()
    version = lk.version(obj["procedure"], anchor)
    if version is None:
        raise LineError(f"không có thủ tục mã {obj['procedure']!r} trong danh mục")
    case = lk.cases.get(version.pk)
    if case is None:
        raise LineError(f"thủ tục {obj['procedure']!r} chưa có trường hợp nào trong danh mục")
    receiving = lk.agencies.get(obj["receiving_unit"])
    if receiving is None:
        raise LineError(f"không có đơn vị tiếp nhận mã định danh {obj['receiving_unit']!r}")
    resolving = lk.agencies.get(obj["resolving_unit"])
    if resolving is None:
        raise LineError(f"không có cơ quan giải quyết mã định danh {obj['resolving_unit']!r}")

    paper = _bool(obj, "paper_result_required")
    name = obj.get("applicant_name") or "(nhập từ hệ thống khác)"
    d = Dossier(
        code=code,
        source=DossierSource.IMPORTED,
        procedure_version=version,
        case=case,
        applicant_type=kind,
        applicant_name=str(name)[:250],
        channel=channel,
        receiving_unit=receiving,
        resolving_agency=resolving,
        status=status,
        stop_initiator=initiator,
        law_framework="2025" if anchor >= FRAMEWORK_2025_FROM else "2018",
        submitted_at=submitted or received,
        received_at=received,
        original_due_at=due,
        due_at=extended_due or due,
        extended=extended_due is not None,
        finished_at=finished,
        returned_at=returned,
        supplement_count=len(supplements),
        supplement_requested_at=requested,
        paused_minutes=int(paused.total_seconds() // 60),
        digitized=digitized,
        reused_components=reused,
        store_components=store,
        paper_result_required=version.paper_result_required if paper is None else paper,
        e_result=e_result is not None,
        e_result_code=str(e_result["code"])[:100] if e_result else "",
        fee_bearing=(fee_amount > 0) if fee_amount is not None else version.fee_bearing,
        fee_amount=fee_amount,
        paid_online=paid,
        paid_online_amount=paid_amount,
        vneid_verified=_bool(obj, "vneid_verified"),
        population_data=_bool(obj, "population_data"),
        synced=synced_at is not None,
        synced_at=synced_at,
        evaluated=evaluation is not None,
        satisfied=_bool(evaluation, "satisfied") if evaluation else None,
        petition=bool(_bool(evaluation, "petition")) if evaluation else False,
    )
    d.is_online = channel == Channel.ONLINE
    for key, value in dossier_outcomes(d).items():  # the services' own fact code
        setattr(d, key, value)
    return d


# ------------------------------------------------------------------------------------------------
# The file
# ------------------------------------------------------------------------------------------------

# Columns an import writes (an update rewrites exactly these).
_WRITTEN = [
    f.attname
    for f in Dossier._meta.concrete_fields
    if not f.primary_key and f.name not in ("lookup_secret", "created_at", "temp_reference", "version")
]


def _read(lines: Iterable[str], max_errors: int) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    objs, errors = [], []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            objs.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append((n, f"JSON không hợp lệ: {exc.msg} (cột {exc.colno})"))
            if len(errors) >= max_errors:
                break
    return objs, errors


def import_dossiers(
    lines: Iterable[str], *, source_name: str = "", dry_run: bool = False, max_errors: int = 50, now=None
) -> ImportResult:
    """Check every line, then write all dossiers in one transaction (nothing when a line is bad,
    or with ``dry_run``). Raises :class:`ImportFileError` listing the bad lines."""
    from motcua.dossiers.services import new_lookup_secret

    now = now or timezone.now()
    objs, errors = _read(lines, max_errors)
    lk = Lookups.load(
        (o.get("procedure") for _, o in objs if isinstance(o, dict) and isinstance(o.get("procedure"), str)),
        (
            o.get(k)
            for _, o in objs
            if isinstance(o, dict)
            for k in ("receiving_unit", "resolving_unit")
            if isinstance(o.get(k), str)
        ),
    )
    parsed: list[tuple[int, Dossier]] = []
    seen: dict[str, int] = {}
    for n, obj in objs:
        if len(errors) >= max_errors:
            break
        try:
            d = parse_line(obj, lk)
        except LineError as exc:
            errors.append((n, str(exc)))
            continue
        if d.code in seen:
            errors.append((n, f"mã hồ sơ {d.code!r} trùng với dòng {seen[d.code]}"))
            continue
        seen[d.code] = n
        parsed.append((n, d))
    existing = {}
    codes = [d.code for _, d in parsed]
    for i in range(0, len(codes), 5000):
        for e in Dossier.objects.filter(code__in=codes[i : i + 5000]):
            existing[e.code] = e
    for n, d in parsed:
        e = existing.get(d.code)
        if e is not None and e.source != DossierSource.IMPORTED:
            errors.append(
                (n, f"mã hồ sơ {d.code!r} đã có trên hệ thống (không phải hồ sơ nhập), không ghi đè")
            )
    if errors:
        errors.sort()
        raise ImportFileError(errors[:max_errors])

    result = ImportResult(lines=len(parsed), dry_run=dry_run)
    new, changed = [], []
    for _n, d in parsed:
        e = existing.get(d.code)
        if e is None:
            d.lookup_secret = new_lookup_secret()
            new.append(d)
        elif any(getattr(e, a) != getattr(d, a) for a in _WRITTEN if a not in ("updated_at",)):
            d.pk, d.lookup_secret, d.created_at, d.version = (
                e.pk,
                e.lookup_secret,
                e.created_at,
                e.version + 1,
            )
            changed.append((e, d))
        else:
            result.unchanged += 1
    result.created, result.updated = len(new), len(changed)
    if dry_run:
        return result
    with transaction.atomic():
        for d in new:
            d.created_at = d.updated_at = now
        Dossier.objects.bulk_create(new, batch_size=2000)
        ids = dict(Dossier.objects.filter(code__in=[d.code for d in new]).values_list("code", "pk"))
        for d in new:
            d.pk = ids[d.code]
        for _, d in changed:
            d.updated_at = now
        Dossier.objects.bulk_update([d for _, d in changed], _WRITTEN + ["version"], batch_size=1000)
        actions = [_action(d, "", source_name, now) for d in new]
        actions += [_action(d, e.status, source_name, now) for e, d in changed]
        DossierAction.objects.bulk_create(actions, batch_size=2000)
        touched = new + [d for _, d in changed]
        for i in range(0, len(touched), 2000):
            rollup_sync(touched[i : i + 2000])
    return result


def _action(d: Dossier, from_status: str, source_name: str, now) -> DossierAction:
    return DossierAction(
        dossier=d,
        action=IMPORT_ACTION,
        actor=None,
        actor_role="system",
        unit=d.receiving_unit,
        at=now,
        from_status=from_status,
        to_status=d.status,
        reason="Nhập từ hệ thống khác" + (f" ({source_name})" if source_name else ""),
        payload={"source": source_name, "national_status": d.national_status},
    )


def import_file(path: str, **kwargs) -> ImportResult:
    with open(path, encoding="utf-8") as f:
        return import_dossiers(f, source_name=str(path).rsplit("/", 1)[-1], **kwargs)


__all__ = ["ImportFileError", "ImportResult", "import_dossiers", "import_file", "parse_line"]
