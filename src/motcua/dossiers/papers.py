"""Papers (components) added to an existing dossier: a supplement, the counter's scanner, the
file API. The reception writes its papers through :func:`paper_rows` too, so every paper row
is built and checked in one place (the module's ``CompiledInsert`` for the reception's hot
path lives in :mod:`.services`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation

from motcua.catalog.models import Component

from .lifecycle import APPLICANT, RECEIVING, LifecycleError
from .models import Dossier, DossierComponent, Status

_err = LifecycleError  # (code, message_vi, message_en, field): the refusals below

# ---------------------------------------------------------------------------------------------
# Papers added to an existing dossier (a supplement, the counter scanner, the portal sync)
# ---------------------------------------------------------------------------------------------

#: Status → roles that may add or scan papers in it (``POST /dossiers/{code}/files``): before
#: reception and while a supplement is asked (Decree 118/2025 Art. 17(2), 19(5)) the applicant
#: or a receiving officer; just received, until forwarded, a receiving officer, who scans the
#: papers at reception (Art. 17(1)(c)). An online supplement answer brings its papers with its
#: own lifecycle action (``supplement_received``), not through this table.
PAPER_RULES: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({APPLICANT, RECEIVING}),
    Status.SUPPLEMENT_AT_RECEPTION: frozenset({APPLICANT, RECEIVING}),
    Status.RECEIVED: frozenset({RECEIVING}),
    Status.SUPPLEMENT_REQUESTED: frozenset({APPLICANT, RECEIVING}),
}
MAX_PAPER_NAME_LENGTH = 2000
MAX_PAPER_COUNT = 32767  # PositiveSmallIntegerField
_UNSCANNED = Q(file="") | Q(file__isnull=True)


def paper_rows(
    case_id: int | None, items: Sequence[Mapping[str, Any]], *, foreign: Callable[[Any], Exception]
) -> list[DossierComponent]:
    """Unsaved paper rows (no dossier yet) for ``items`` — ``component`` (a catalog
    :class:`Component` or its id), ``name`` (default: the component's), ``originals``, ``copies``,
    ``file``. Components given by id are read in one query, only among the case's; a component
    of another case raises ``foreign(value)``. Shared by the reception and the later additions."""
    ids = {c for item in items if (c := item.get("component")) is not None and not isinstance(c, Component)}
    by_id = Component.objects.filter(case_id=case_id).in_bulk(ids) if ids else {}
    rows = []
    for item in items:
        comp = given = item.get("component")
        if comp is not None:
            if not isinstance(comp, Component):
                comp = by_id.get(comp if isinstance(comp, int) else int(comp))
            elif comp.case_id != case_id:
                comp = None
            if comp is None:
                raise foreign(given)
        rows.append(
            DossierComponent(
                component=comp,
                name=item.get("name") or (comp.name if comp else ""),
                originals=item.get("originals", 0),
                copies=item.get("copies", 0),
                file=item.get("file"),
            )
        )
    return rows


def _foreign_component(value: Any) -> LifecycleError:
    return _err(
        "component_invalid",
        "Thành phần hồ sơ không thuộc trường hợp thủ tục của hồ sơ.",
        f"Component {value!r} is not one of the dossier's procedure case.",
        "component",
    )


def _check_file(f: Any) -> None:
    """A paper's file: a Django ``File`` with content. Its type (PDF, JPEG, PNG read from the
    bytes) and size limit are checked first by the interface that received it
    (``backoffice.uploads.check_scan``), which answers in its own terms (form error, 413/415)."""
    if f is None:
        return
    try:
        ok = isinstance(f, File) and bool(f.name) and bool(f.size)
    except (OSError, ValueError):
        ok = False
    if not ok:
        raise _err(
            "file_invalid",
            "Tệp giấy tờ rỗng hoặc không hợp lệ.",
            "The paper's file is empty or invalid.",
            "file",
        )


def _check_paper(row: DossierComponent) -> None:
    name = row.name or ""
    if not name.strip() or len(name) > MAX_PAPER_NAME_LENGTH or "\x00" in name:
        raise _err(
            "name_invalid",
            f"Cần ghi tên giấy tờ (tối đa {MAX_PAPER_NAME_LENGTH} ký tự).",
            f"The paper needs a name (at most {MAX_PAPER_NAME_LENGTH} characters).",
            "name",
        )
    for field in ("originals", "copies"):
        value = getattr(row, field)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PAPER_COUNT:
            raise _err(
                "payload_invalid",
                "Số bản chính, bản sao phải là số nguyên không âm.",
                "originals and copies are non-negative whole numbers.",
                field,
            )


def _refresh_digitized(locked: Dossier, given: Dossier) -> None:
    """Recompute the ``digitized`` fact as the reception does (Decree 118/2025 Art. 17(1)(c):
    papers listed and every one scanned) and save it when it changes: ``post_save`` on
    :class:`Dossier` (``indicators.signals``) brings the rollups along in this transaction."""
    counts = DossierComponent.objects.filter(dossier_id=locked.pk).aggregate(
        total=Count("pk"), unscanned=Count("pk", filter=_UNSCANNED)
    )
    digitized = counts["total"] > 0 and counts["unscanned"] == 0
    if digitized != locked.digitized:
        locked.digitized = digitized
        locked.save(update_fields=["digitized", "updated_at"])
        given.digitized, given.updated_at = locked.digitized, locked.updated_at


def _lock(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def papers_check_allowed(*, dossier: Dossier, roles: Iterable[str]) -> None:
    """Refuse adding papers to ``dossier`` in its status (``files_not_allowed``) or with these
    ``roles`` (``role_not_allowed``) by :data:`PAPER_RULES`; raises :class:`LifecycleError`."""
    allowed = PAPER_RULES.get(dossier.status)
    if allowed is None:
        with translation.override("vi"):
            label = str(Status(dossier.status).label)
        raise _err(
            "files_not_allowed",
            f"Không thể bổ sung giấy tờ khi hồ sơ ở trạng thái “{label}”; chỉ được "
            "khi hồ sơ chờ tiếp nhận, yêu cầu bổ sung hoặc vừa tiếp nhận.",
            f"Papers cannot be added to a dossier in status {dossier.status!r}; only while it is "
            "submitted, at reception, just received, or waiting for a supplement.",
            "status",
        )
    if not set(roles) & allowed:
        raise _err(
            "role_not_allowed",
            "Bạn không được bổ sung giấy tờ cho hồ sơ này ở trạng thái hiện tại.",
            "You may not add papers to this dossier in its current status.",
            None,
        )


@transaction.atomic
def dossier_add_components(*, dossier: Dossier, items: Sequence[Mapping[str, Any]]) -> list[DossierComponent]:
    """Add papers to a dossier (one row each, as at reception; ``items`` as for
    :func:`dossier_receive`'s ``components``, a ``file`` being a Django ``File`` or none) and
    recompute its ``digitized`` fact, in one transaction with the dossier row locked.

    No status rule here: the caller's lifecycle action allows it (an online supplement answer
    adds its papers after ``supplement_received`` in the same transaction). Raises
    :class:`LifecycleError` for a component of another case, a paper without a name, a bad
    count or an empty file; nothing is written then."""
    if not items:
        raise _err(
            "payload_invalid", "Cần ít nhất một giấy tờ.", "At least one paper is required.", "components"
        )
    locked = _lock(dossier)
    for item in items:
        comp = item.get("component")
        if not (
            comp is None or isinstance(comp, Component | int) or (isinstance(comp, str) and comp.isdigit())
        ):
            raise _foreign_component(comp)
        _check_file(item.get("file"))
    rows = paper_rows(locked.case_id, items, foreign=_foreign_component)
    for row in rows:
        _check_paper(row)
        row.dossier = locked
    DossierComponent.objects.bulk_create(rows)
    _refresh_digitized(locked, dossier)
    return rows


def _key_marker(key: str) -> str:
    return "-k" + hashlib.sha256(key.encode()).hexdigest()[:20]


def _sha256(f) -> str:
    digest = hashlib.sha256()
    f.seek(0)
    for chunk in iter(lambda: f.read(1024 * 1024), b""):
        digest.update(chunk)
    f.seek(0)
    return digest.hexdigest()


def stored_sha256(row: DossierComponent) -> str | None:
    """The SHA-256 of a stored paper's file, or None when it cannot be read."""
    try:
        with row.file.open("rb") as f:
            return _sha256(f)
    except (OSError, ValueError):
        return None


def dossier_paper_by_key(*, dossier: Dossier, key: str) -> DossierComponent | None:
    """The paper an earlier :func:`dossier_attach_file` with this idempotency ``key`` wrote on
    ``dossier``, if any: the key is kept in the stored file's name (``…-k<hash>.<ext>``), the
    only place the models allow."""
    return DossierComponent.objects.filter(dossier_id=dossier.pk, file__contains=_key_marker(key)).first()


@transaction.atomic
def dossier_attach_file(
    *,
    dossier: Dossier,
    file: File,
    roles: Iterable[str],
    component: Component | None = None,
    paper: DossierComponent | None = None,
    name: str = "",
    originals: int = 0,
    copies: int = 0,
    idempotency_key: str | None = None,
) -> tuple[DossierComponent, bool]:
    """Attach one checked scan to the dossier: to ``paper`` (a row of this dossier) or the first
    paper of ``component`` without a file, else as a new paper row (one row per file, as the
    counter form does; a paper that already has its scan gets one more row). Returns ``(row,
    created)``; ``created`` is False for a retry with the same ``idempotency_key``, component and
    bytes — answered as the first attempt was, even if the status has moved on since.

    The dossier row is locked so the status check (:data:`PAPER_RULES`), the key check and the
    write are one step; ``digitized`` is recomputed. Raises :class:`LifecycleError`:
    ``idempotency_key_reused`` (same key, other component or bytes), ``files_not_allowed``,
    ``role_not_allowed``, ``paper_not_found``, ``component_invalid``, ``name_invalid``,
    ``payload_invalid``, ``file_invalid``."""
    locked = _lock(dossier)
    _check_file(file)
    marker = _key_marker(idempotency_key) if idempotency_key else ""
    if marker:
        earlier = dossier_paper_by_key(dossier=locked, key=idempotency_key)
        if earlier is not None:
            same_paper = earlier.component_id == (component.pk if component else None)
            if not same_paper or stored_sha256(earlier) != _sha256(file):
                raise _err(
                    "idempotency_key_reused",
                    "Khóa chống gửi lặp này đã được dùng cho một tệp khác của hồ sơ; hãy dùng khóa mới.",
                    "This idempotency key was already used for another file on this dossier; use a new key.",
                    "idempotency_key",
                )
            return earlier, False
    papers_check_allowed(dossier=locked, roles=roles)
    row = None
    if paper is not None:
        # Read again under the lock: a concurrent upload may have filled it since.
        paper = (
            DossierComponent.objects.filter(pk=paper.pk, dossier_id=locked.pk)
            .select_related("component")
            .first()
        )
        if paper is None:
            raise _err(
                "paper_not_found", "Hồ sơ không có giấy tờ này.", "The dossier has no such paper.", "paper"
            )
        if not paper.file:
            row = paper
        else:  # the paper already has its scan: one more file for it (a second page, a retake)
            component, name = paper.component, name or paper.name
    if row is None and component is not None:
        if component.case_id != locked.case_id:
            raise _foreign_component(component.pk)
        row = (
            DossierComponent.objects.filter(_UNSCANNED, dossier_id=locked.pk, component=component)
            .order_by("id")
            .first()
        )
    if row is None:
        [row] = paper_rows(
            locked.case_id,
            [{"component": component, "name": name, "originals": originals, "copies": copies}],
            foreign=_foreign_component,
        )
        row.dossier = locked
    _check_paper(row)
    stem, dot, ext = (file.name or "").rsplit("/", 1)[-1].rpartition(".")
    stem = "".join(ch for ch in (stem if dot else ext) if ch.isalnum() or ch in "-_")[:30] or "scan"
    row.file.save(f"{stem}{marker}.{ext}" if dot else f"{stem}{marker}", file, save=False)
    row.save()
    _refresh_digitized(locked, dossier)
    return row, True
