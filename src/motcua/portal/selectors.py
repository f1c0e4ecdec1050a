"""Public reads for the citizen portal: the catalog in force and the dossier look-up.

Personal data is guarded (design §3.11): the look-up returns a :class:`PublicDossier` that
carries only what a public page may show, with the applicant's name masked.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.catalog.limits import Limit, cut_percent
from motcua.catalog.models import Component, Fee, ProcedureCase, ProcedureVersion
from motcua.catalog.selectors import current_versions, search_procedures
from motcua.dossiers.codes import TEMPORARY_PREFIX
from motcua.dossiers.models import Dossier, Status
from motcua.org.models import Agency

# Status in the words a citizen uses (the staff labels name internal steps).
PUBLIC_STATUS = {
    Status.SUBMITTED: _("Đã nộp trực tuyến, đang chờ tiếp nhận"),
    Status.SUPPLEMENT_AT_RECEPTION: _("Cần bổ sung hồ sơ trước khi tiếp nhận"),
    Status.RECEIVED: _("Đã tiếp nhận, đang giải quyết"),
    Status.REFUSED: _("Không được tiếp nhận"),
    Status.PROCESSING: _("Đang giải quyết"),
    Status.CONSULTING: _("Đang giải quyết (lấy ý kiến cơ quan liên quan)"),
    Status.SUPPLEMENT_REQUESTED: _("Cần bổ sung hồ sơ"),
    Status.FINANCIAL_OBLIGATION: _("Chờ thực hiện nghĩa vụ tài chính"),
    Status.APPROVED: _("Đã có kết quả, đang chuẩn bị trả"),
    Status.REJECTED: _("Từ chối giải quyết"),
    Status.WITHDRAWN: _("Người nộp đã rút hồ sơ"),
    Status.STOPPED: _("Dừng xử lý"),
    Status.CLOSED_UNANSWERED: _("Đã đóng (quá hạn bổ sung)"),
    Status.RESOLVED: _("Đã có kết quả, chờ trả"),
    Status.RETURNED: _("Đã trả kết quả"),
}

# Compared against when the code is unknown, so that both failures take the same path.
_DUMMY_SECRET = "00000000"


def catalog_versions(
    *, query: str = "", level: str = "", field: str = "", agency: int | None = None
) -> QuerySet[ProcedureVersion]:
    """Current versions for the public catalog: search (diacritics-insensitive) and filters."""
    qs = (
        search_procedures(query, level=level or None)
        if query.strip()
        else current_versions(level=level or None)
    )
    if field:
        qs = qs.filter(field__code=field)
    if agency:
        qs = qs.filter(agencies=agency).distinct()
    return qs


def catalog_agencies() -> QuerySet[Agency]:
    """Current agencies named on at least one procedure in force (the agency filter)."""
    return (
        Agency.objects.filter(
            valid_to__isnull=True,
            procedure_versions__valid_to__isnull=True,
            procedure_versions__procedure__abolished_on__isnull=True,
        )
        .distinct()
        .order_by("name")
    )


def procedure_public(code: str) -> ProcedureVersion | None:
    """The version in force of procedure ``code``, with cases, components, fees and agencies."""
    return (
        current_versions()
        .filter(procedure__code=code)
        .prefetch_related(
            Prefetch(
                "cases",
                queryset=ProcedureCase.objects.order_by("order").prefetch_related(
                    Prefetch("components", queryset=Component.objects.order_by("order"))
                ),
            ),
            Prefetch("fees", queryset=Fee.objects.order_by("order")),
            "agencies",
        )
        .first()
    )


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    channel: str
    legal: Limit
    applied: Limit
    cut: Decimal | None  # percent, only when > 0


def case_channel_limits(case: ProcedureCase) -> list[ChannelLimits]:
    """Legal and applied limits per channel, with the cut in % when the applied one is shorter."""
    rows = []
    for channel in ("direct", "online"):
        legal, applied = case.limits(channel)
        pct = cut_percent(legal, applied)
        rows.append(ChannelLimits(channel, legal, applied, pct.normalize() if pct and pct > 0 else None))
    return rows


def mask_name(name: str) -> str:
    """First word whole, every other word its first letter then asterisks: "Nguyễn V** A*"."""
    words = name.split()
    if not words:
        return ""
    return " ".join([words[0], *(w[0] + "*" * (len(w) - 1) for w in words[1:])])


def normalize_code(code: str) -> str:
    return "".join((code or "").split())


def normalize_secret(secret: str) -> str:
    """Upper case, spaces and dashes removed (people copy "ABCD-EFGH" or "abcd efgh")."""
    return "".join(ch for ch in (secret or "").upper() if ch not in " -\t")


@dataclass(frozen=True, slots=True)
class PublicDossier:
    """What the public look-up may show; no identity number, address, phone, e-mail or files."""

    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    receiving_unit: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    returned_at: dt.datetime | None
    applicant: str


def dossier_public_lookup(*, code: str, secret: str) -> PublicDossier | None:
    """The dossier whose code and look-up secret both match, else None.

    An unknown code and a wrong secret take the same path (one query, one constant-time
    comparison), so the answer does not reveal whether a code exists.
    """
    code, secret = normalize_code(code), normalize_secret(secret)
    # An online dossier is known by its temporary reference until it is received (and after).
    by = (
        {"temp_reference": code.upper()}
        if code.upper().startswith(f"{TEMPORARY_PREFIX}-")
        else {"code": code}
    )
    dossier = (
        Dossier.objects.filter(**by)
        .select_related("procedure_version__procedure", "receiving_unit")
        .only(
            "code",
            "temp_reference",
            "lookup_secret",
            "status",
            "applicant_name",
            "received_at",
            "due_at",
            "returned_at",
            "procedure_version__name",
            "procedure_version__procedure__code",
            "receiving_unit__name",
        )
        .first()
        if code
        else None
    )
    expected = dossier.lookup_secret if dossier is not None and dossier.lookup_secret else _DUMMY_SECRET
    matches = hmac.compare_digest(secret.encode(), expected.encode())
    if dossier is None or not dossier.lookup_secret or not matches:
        return None
    version = dossier.procedure_version
    return PublicDossier(
        code=dossier.code or dossier.temp_reference,
        procedure_code=version.procedure.code,
        procedure_name=version.name,
        status=dossier.status,
        status_label=str(PUBLIC_STATUS.get(dossier.status, dossier.get_status_display())),
        receiving_unit=dossier.receiving_unit.name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        returned_at=dossier.returned_at,
        applicant=mask_name(dossier.applicant_name),
    )
