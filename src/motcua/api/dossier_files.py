"""``/dossiers/{code}/files``: scanned papers of a dossier — list, upload (multipart), download.

Who needs it: a counter scanner integration (the receiving officer's scanner posts each scanned
paper after ``POST /dossiers`` received the dossier: Decree 118/2025 Art. 17(1)(c), every paper is
scanned at reception), and the national portal sync (an online dossier's papers, and the papers
an applicant sends to complete a dossier, Art. 17(2), 19(5)). Creation stays JSON; files follow
one by one, each with its own ``Idempotency-Key``, so a large scan never makes the creation
request fail or time out, and a retried upload never makes a second file.

When papers may be added — from the lifecycle table (``dossiers/lifecycle.py``), as data in
:data:`motcua.dossiers.papers.PAPER_RULES`:

* ``submitted`` (online, waiting for acceptance) and ``supplement_at_reception`` (the counter or
  the online check asked for more papers, Mẫu 02): the applicant or a receiving officer;
* ``received`` (until the dossier is forwarded to processing): a receiving officer, who scans the
  papers at reception;
* ``supplement_requested`` (the appraisal asked for more papers, Art. 19(5)): the applicant or a
  receiving officer (a paper supplement brought to the counter).

In any other status the answer is 409 ``files_not_allowed``; a person who may see the dossier but
holds none of those roles over it gets 403 ``role_not_allowed``; a dossier they may not see is
404, as for an unknown code.

Content checks are those of the counter form (``backoffice/uploads.py``): the type is read from
the bytes (PDF, JPEG, PNG), never from the name or the Content-Type, and the size limit is
``MOTCUA_UPLOAD_MAX_BYTES``.

Not in the action log: ``DossierAction`` rows are lifecycle transitions and recording an upload
would need a new action type outside the lifecycle table, so an upload is recorded only as the
``DossierComponent`` row (and the application log, without personal data). The idempotency key
is kept in the stored file's name (``…-k<hash>.<ext>``), the only place the current models allow.

The write is :func:`motcua.dossiers.papers.dossier_attach_file` (one transaction, the dossier
row locked, the status rule, the key check, the ``digitized`` fact recomputed); this module
checks the request and the file's content and maps the service's refusals to HTTP statuses.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.http import FileResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus
from pydantic import Field

from motcua.api.dossiers import IDEMPOTENCY_HEADER, idempotency_key
from motcua.api.errors import ApiError, Conflict, ErrorOut, Forbidden, NotFound, Unprocessable
from motcua.backoffice.uploads import check_scan, max_upload_bytes, sniff_file
from motcua.catalog.models import Component
from motcua.dossiers import papers, services
from motcua.dossiers.lifecycle import LifecycleError
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.selectors import actor_roles_for, dossier_by_code

logger = logging.getLogger(__name__)

router = Router(tags=["dossiers"])  # the API's default authentication applies

MAX_REFERENCE_LENGTH = 60

ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    422: ErrorOut,
}


class PayloadTooLarge(ApiError):
    status = 413
    code = "file_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "file_type"


class DossierFileOut(Schema):
    id: int = Field(description="Id of the dossier's paper (use it to download)")
    order: int | None = Field(description="Catalog component order in the case; null: other paper")
    name: str
    originals: int
    copies: int
    has_file: bool
    url: str | None = Field(description="Download path, when the paper has a file")


class UploadOut(DossierFileOut):
    mime: str
    size: int
    sha256: str


# --- the write: motcua.dossiers.papers.dossier_attach_file ---------------------------------

# LifecycleError code of the service → (API error, the request field it is about).
_SERVICE_ERRORS: dict[str, tuple[type[ApiError], str | None]] = {
    "files_not_allowed": (Conflict, "code"),
    "role_not_allowed": (Forbidden, None),
    "idempotency_key_reused": (Unprocessable, IDEMPOTENCY_HEADER),
}


def _api_error(exc: LifecycleError) -> ApiError:
    kind, field = _SERVICE_ERRORS.get(exc.code, (Unprocessable, exc.field))
    return kind(exc.message_en, exc.message_vi, field=field, code=exc.code)


def _check_may_add(*, dossier: Dossier, user) -> None:
    try:
        papers.papers_check_allowed(dossier=dossier, roles=actor_roles_for(user, dossier))
    except LifecycleError as exc:
        raise _api_error(exc) from None


# --- the endpoints ---------------------------------------------------------------------------


def _visible(code: str, user) -> Dossier:
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


def _url(dossier: Dossier, row: DossierComponent) -> str | None:
    if not row.file:
        return None
    return f"/api/v1/dossiers/{dossier.code or dossier.temp_reference}/files/{row.pk}"


def _row(dossier: Dossier, row: DossierComponent) -> dict:
    return {
        "id": row.pk,
        "order": row.component.order if row.component_id else None,
        "name": row.name,
        "originals": row.originals,
        "copies": row.copies,
        "has_file": bool(row.file),
        "url": _url(dossier, row),
    }


@router.get(
    "/{code}/files",
    response={200: list[DossierFileOut], **ERRORS},
    summary="The dossier's papers, with the ids to download their files",
    description="404 for a dossier the caller may not see. Names only: no file content is read.",
)
def list_files(request, code: str):
    dossier = _visible(code, request.auth)
    rows = DossierComponent.objects.filter(dossier=dossier).select_related("component").order_by("id")
    return [_row(dossier, r) for r in rows]


@router.post(
    "/{code}/files",
    response={200: UploadOut, 201: UploadOut, **ERRORS},
    summary="Add a scanned paper to the dossier (multipart)",
    description=(
        "Multipart form: `file` (PDF, JPEG or PNG, checked by its content; at most "
        "`MOTCUA_UPLOAD_MAX_BYTES`, 20 MB by default) and one of `paper` (the id of one of the "
        "dossier's papers, from `GET …/files`), `component` (the order of the paper in the "
        "procedure case, as in `POST /dossiers` `components[].order`) or `name` (another paper); "
        "optional `originals`, `copies`. The file goes to that paper, or to the first paper of the "
        "component without a file, else to a new paper row (a paper that already has its file gets "
        "one more row). Allowed while the dossier is `submitted` or "
        "`supplement_at_reception` (applicant or receiving officer), `received` (receiving officer) "
        "or `supplement_requested` (applicant or receiving officer); otherwise 409 "
        "`files_not_allowed`, and 403 `role_not_allowed` for a caller without such a role. 413 "
        "`file_too_large`, 415 `file_type` (e.g. a file named .pdf that is not a PDF), 422 "
        "`file_empty`. Send an `Idempotency-Key` header: a retry with the same key, paper and bytes "
        "returns the same paper with 200 (201 the first time); the same key with another file is "
        "422 `idempotency_key_reused`. Not recorded in the action log (no action type exists for it)."
    ),
)
def upload_file(
    request,
    code: str,
    file: File[UploadedFile],
    component: Form[int | None] = None,
    paper: Form[int | None] = None,
    name: Form[str] = "",
    originals: Form[int] = 0,
    copies: Form[int] = 0,
):
    user = request.auth
    key = idempotency_key(request)
    dossier = _visible(code, user)
    name = (name or "").strip()
    if len(name) > 2000 or "\x00" in name:
        raise Unprocessable(
            "Invalid paper name (too long or NUL).", "Tên giấy tờ không hợp lệ.", field="name"
        )
    if not (0 <= originals <= 100 and 0 <= copies <= 100):
        raise Unprocessable(
            "originals and copies are 0–100.", "Số bản chính, bản sao từ 0 đến 100.", field="originals"
        )
    comp = target = None
    if paper is not None:
        target = (
            DossierComponent.objects.filter(dossier=dossier, pk=paper).select_related("component").first()
        )
        if target is None:
            raise Unprocessable(
                f"The dossier has no paper {paper}.",
                f"Hồ sơ không có giấy tờ số {paper}.",
                field="paper",
                code="paper_not_found",
            )
        comp = target.component
    elif component is not None:
        comp = Component.objects.filter(case_id=dossier.case_id, order=component).first()
        if comp is None:
            raise Unprocessable(
                f"The procedure case has no component {component}.",
                f"Trường hợp thủ tục không có thành phần số {component}.",
                field="component",
                code="component_not_found",
            )
    elif not name:
        raise Unprocessable(
            "Give the paper (its id), the component (its order in the case) or the paper's name.",
            "Cần chọn giấy tờ của hồ sơ, thành phần hồ sơ (số thứ tự) hoặc ghi tên giấy tờ.",
            field="component",
            code="required",
        )
    # Refuse early, before checking the file, when the status or the role does not allow it
    # (unless this is a retry of an upload that was allowed).
    if key is None or papers.dossier_paper_by_key(dossier=dossier, key=key) is None:
        _check_may_add(dossier=dossier, user=user)
    try:
        mime = check_scan(file)
    except ValidationError as exc:
        message_vi = "; ".join(exc.messages)
        if exc.code == "file_too_large":
            raise PayloadTooLarge(
                f"The file is larger than {max_upload_bytes() // (1024 * 1024)} MB.", message_vi, field="file"
            ) from None
        if exc.code == "file_type":
            raise UnsupportedMediaType(
                "The file is not a PDF, JPEG or PNG (checked by its content, not its name).",
                message_vi,
                field="file",
            ) from None
        raise Unprocessable("The file is empty.", message_vi, field="file", code="file_empty") from None
    try:
        row, created = papers.dossier_attach_file(
            dossier=dossier,
            file=file,
            roles=actor_roles_for(user, dossier),
            component=comp,
            paper=target,
            name=name,
            originals=originals,
            copies=copies,
            idempotency_key=key,
        )
    except LifecycleError as exc:
        raise _api_error(exc) from None
    if created:
        logger.info(
            "dossier %s: paper %s file attached by user %s", dossier.pk, row.pk, getattr(user, "pk", None)
        )
    row = DossierComponent.objects.select_related("component").get(pk=row.pk)
    body = {
        **_row(dossier, row),
        "mime": mime,
        "size": row.file.size,
        "sha256": papers.stored_sha256(row) or "",
    }
    return HttpStatus(201 if created else 200, body)


@router.get(
    "/{code}/files/{file_id}",
    response={**ERRORS},
    summary="Download a paper's file",
    description=(
        "The file as an attachment, with its type read from the content; `file_id` is the paper's "
        "`id` from `GET …/files`. 404 for a dossier the "
        "caller may not see, another dossier's paper, or a paper without a file. A staff read is "
        "recorded in the personal-data access log."
    ),
    openapi_extra={
        "responses": {
            200: {  # an int, like ninja's own status keys (the document is dumped with sort_keys)
                "description": "The file",
                "content": {
                    mime: {"schema": {"type": "string", "format": "binary"}}
                    for mime in ("application/pdf", "image/jpeg", "image/png")
                },
            }
        }
    },
)
def download_file(request, code: str, file_id: str):
    # A string in the route (not an int converter) so that a malformed id is the API's JSON 404,
    # not Django's HTML one.
    user = request.auth
    dossier = _visible(code, user)
    pk = int(file_id) if file_id.isdigit() and len(file_id) <= 18 else None
    row = DossierComponent.objects.filter(dossier=dossier, pk=pk).exclude(file="").first() if pk else None
    if row is None or not row.file:
        raise NotFound(
            "No such file in this dossier.",
            "Hồ sơ không có tệp này.",
            field="file_id",
            code="file_not_found",
        )
    try:
        f = row.file.open("rb")
    except OSError:
        raise NotFound(
            "The file is missing from storage.",
            "Không tìm thấy tệp trong kho lưu trữ.",
            field="file_id",
            code="file_not_found",
        ) from None
    kind = sniff_file(f)
    if kind is None:
        f.close()
        raise NotFound(
            "No such file in this dossier.", "Hồ sơ không có tệp này.", field="file_id", code="file_not_found"
        )
    services.dossier_audit_personal_read(dossier=dossier, user=user, purpose="api_file")
    response = FileResponse(
        f, content_type=kind[0], as_attachment=True, filename=row.file.name.rsplit("/", 1)[-1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
