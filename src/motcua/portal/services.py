"""Writes of the citizen portal: online application drafts, their submission, and the
applicant's own actions on a dossier (answer a supplement request, withdraw).

The dossier itself is written only by ``motcua.dossiers.services``; what is here keeps the
draft (the portal's own data) and turns it into the arguments of those services.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.backoffice.uploads import check_scan
from motcua.catalog.models import Component, ProcedureCase, ProcedureVersion
from motcua.dossiers.lifecycle import APPLICANT, TABLE, LifecycleError
from motcua.dossiers.models import Dossier, DossierAction, Status
from motcua.dossiers.papers import dossier_add_components
from motcua.dossiers.selectors import resolving_agency_for
from motcua.dossiers.services import dossier_act, dossier_submit_online
from motcua.org.models import AdministrativeUnit, Agency

from .models import ApplicationDraft, DraftFile

logger = logging.getLogger(__name__)

STEPS: tuple[str, ...] = tuple(ApplicationDraft.Step.values)


def online_allowed(version: ProcedureVersion) -> bool:
    """Procedures published with an online service (toàn trình or một phần) take online filings."""
    return version.online_level in (ProcedureVersion.OnlineLevel.FULL, ProcedureVersion.OnlineLevel.PARTIAL)


def email_verified(user) -> bool:
    """May this account file online: a verified e-mail address (or an account an identity
    provider vouched for). Written against the accounts app defensively: without these
    attributes every account counts as verified."""
    allowed = getattr(user, "can_submit_online", None)
    if allowed is not None:
        return bool(allowed)
    return bool(getattr(user, "email_verified", True))


def sign_in_info(request) -> dict:
    """How the person signed in (local password or OIDC), for the dossier's record."""
    try:
        from motcua.accounts.services import sign_in_info as accounts_sign_in_info
    except ImportError:
        return {"method": "local", "identity_verified": False}
    return accounts_sign_in_info(request)


def draft_resolving_agency(draft: ApplicationDraft) -> Agency | None:
    """The competent agency for the draft's procedure and place (shown on step 1 and used on submit)."""
    if draft.receiving_unit is None:
        return None
    return resolving_agency_for(
        draft.procedure_version, commune=draft.commune, fallback_unit=draft.receiving_unit.admin_unit
    )


def _complete(draft: ApplicationDraft, step: str) -> None:
    if not draft.completed or STEPS.index(step) > STEPS.index(draft.completed):
        draft.completed = step


def next_step(draft: ApplicationDraft) -> str:
    """The step to resume at: the one after the furthest completed."""
    if not draft.completed:
        return STEPS[0]
    return STEPS[min(STEPS.index(draft.completed) + 1, len(STEPS) - 1)]


def step_reachable(draft: ApplicationDraft, step: str) -> bool:
    return STEPS.index(step) <= STEPS.index(next_step(draft))


# ---------------------------------------------------------------------------------------------
# Draft steps
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def draft_save_place(
    *,
    user,
    version: ProcedureVersion,
    case: ProcedureCase,
    receiving_unit: Agency,
    commune: AdministrativeUnit | None,
    draft: ApplicationDraft | None = None,
) -> ApplicationDraft:
    """Step 1: the case and where to apply. Creates the draft on the first save; a change of
    case drops the files of components the new case does not have."""
    if draft is None:
        draft = ApplicationDraft(user=user, procedure_version=version)
    elif draft.case_id and draft.case_id != case.pk:
        draft.files.exclude(component__case=case).delete()
    draft.case = case
    draft.receiving_unit = receiving_unit
    draft.commune = commune
    _complete(draft, ApplicationDraft.Step.PLACE)
    draft.save()
    return draft


@transaction.atomic
def draft_save_applicant(*, draft: ApplicationDraft, applicant: dict, proxy: dict) -> ApplicationDraft:
    """Step 2: applicant (and proxy) data, already validated by the form (dates as ISO text)."""
    draft.applicant = applicant
    draft.proxy = proxy
    _complete(draft, ApplicationDraft.Step.APPLICANT)
    draft.save()
    return draft


@transaction.atomic
def draft_add_upload(*, draft: ApplicationDraft, component: Component, upload: UploadedFile) -> DraftFile:
    """Keep one uploaded file of ``component`` with the draft; the type is read from the
    content and the size checked (ValidationError in Vietnamese otherwise)."""
    if component.case_id != draft.case_id:
        raise ValidationError(_("Thành phần hồ sơ không thuộc trường hợp đã chọn."), code="component")
    mime = check_scan(upload)
    item = DraftFile(
        draft=draft,
        component=component,
        source=DraftFile.Source.UPLOAD,
        name=upload.name[:200],
        content_type=mime,
        size=upload.size or 0,
    )
    item.file.save(upload.name, upload, save=False)
    item.save()
    ApplicationDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    return item


@transaction.atomic
def draft_remove_file(*, draft: ApplicationDraft, file_id: int) -> None:
    item = DraftFile.objects.filter(draft=draft, pk=file_id).first()
    if item is None:
        return
    if item.file:
        transaction.on_commit(lambda f=item.file: f.storage.delete(f.name))
    item.delete()


def components_done(draft: ApplicationDraft) -> bool:
    return not missing_components(draft)


def missing_components(draft: ApplicationDraft) -> list[Component]:
    """Mandatory components of the draft's case with no file yet."""
    if draft.case_id is None:
        return []
    have = set(draft.files.values_list("component_id", flat=True))
    return [c for c in Component.objects.filter(case_id=draft.case_id, mandatory=True) if c.pk not in have]


@transaction.atomic
def draft_components_done(*, draft: ApplicationDraft) -> ApplicationDraft:
    """Step 3 finished: every mandatory component has a file."""
    if missing_components(draft):
        raise ValidationError(_("Còn thành phần hồ sơ bắt buộc chưa có tệp."), code="missing")
    _complete(draft, ApplicationDraft.Step.COMPONENTS)
    draft.save()
    return draft


@transaction.atomic
def draft_consent(*, draft: ApplicationDraft) -> ApplicationDraft:
    """Step 4: the applicant's declaration and consent to the processing of personal data."""
    draft.consented_at = timezone.now()
    _complete(draft, ApplicationDraft.Step.CONSENT)
    draft.save()
    return draft


@transaction.atomic
def draft_delete(*, draft: ApplicationDraft) -> None:
    if draft.is_submitted:
        raise ValidationError(_("Hồ sơ đã nộp, không thể xóa bản nháp."), code="submitted")
    names = [f.file.name for f in draft.files.all() if f.file]
    storage = DraftFile._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(n) for n in names])
    draft.delete()


# ---------------------------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------------------------


def draft_problems(draft: ApplicationDraft) -> dict[str, list[str]]:
    """What still stops the draft from being submitted, per step (empty: ready)."""
    problems: dict[str, list[str]] = {}

    def add(step: str, message: str) -> None:
        problems.setdefault(step, []).append(message)

    version = draft.procedure_version
    if not version.is_current or not online_allowed(version):
        add(ApplicationDraft.Step.PLACE, _("Thủ tục này hiện không nhận hồ sơ trực tuyến."))
    if draft.case_id is None or draft.receiving_unit_id is None:
        add(ApplicationDraft.Step.PLACE, _("Chọn trường hợp và nơi nộp hồ sơ."))
    elif draft_resolving_agency(draft) is None:
        add(ApplicationDraft.Step.PLACE, _("Không xác định được cơ quan giải quyết cho nơi nộp đã chọn."))
    if not draft.applicant.get("name") or not draft.applicant.get("id_number"):
        add(ApplicationDraft.Step.APPLICANT, _("Nhập thông tin người nộp hồ sơ."))
    if draft.case_id is not None:
        for component in missing_components(draft):
            add(
                ApplicationDraft.Step.COMPONENTS,
                _("Chưa có tệp cho thành phần bắt buộc: %(name)s") % {"name": component.name[:120]},
            )
    if draft.consented_at is None:
        add(ApplicationDraft.Step.CONSENT, _("Chưa xác nhận cam kết."))
    return problems


@dataclass(frozen=True, slots=True)
class ComponentFile:
    """A file of a component as the dossier service takes it (one DossierComponent each)."""

    component: Component
    name: str
    file: File | None


class UploadSource:
    """Files the person uploaded with the draft: copied into the dossier's storage."""

    def files(self, item: DraftFile) -> ComponentFile:
        handle = item.file.open("rb")
        return ComponentFile(component=item.component, name=item.component.name, file=File(handle, item.name))


# One class per DraftFile.Source: picking an earlier digitized paper adds a source here whose
# ``files`` returns the paper's stored file (or a reference) instead of an upload.
SOURCES = {DraftFile.Source.UPLOAD: UploadSource()}


def _applicant_for_service(draft: ApplicationDraft) -> dict:
    allowed = (
        "applicant_type",
        "name",
        "id_kind",
        "id_number",
        "birth_date",
        "sex",
        "phone",
        "email",
        "address",
    )
    data = {k: v for k, v in draft.applicant.items() if k in allowed and v not in (None, "")}
    data["user"] = draft.user
    if draft.commune is not None:
        data["address_unit"] = draft.commune
    return data


class SubmitError(Exception):
    """The draft is not ready (``problems`` per step) or the service refused it (``message``)."""

    def __init__(self, message: str, problems: dict[str, list[str]] | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or {}
        self.field = field


def draft_submit(*, draft: ApplicationDraft, sign_in: dict | None = None) -> Dossier:
    """Submit the draft as an online dossier (Decree 118/2025 Art. 17(2)), once.

    Atomic: the dossier, its components and the draft's link are written together. Idempotent:
    the draft's id is the idempotency key, so a second click (even concurrent) returns the same
    dossier. The receipt e-mail is sent after commit.
    """
    with transaction.atomic():
        locked = (
            ApplicationDraft.objects.select_for_update(of=("self",))
            .select_related("procedure_version", "case", "receiving_unit", "commune", "dossier")
            .get(pk=draft.pk)
        )
        if locked.dossier is not None:
            return locked.dossier
        problems = draft_problems(locked)
        if problems:
            raise SubmitError(_("Hồ sơ chưa đủ thông tin để nộp."), problems)
        items = list(locked.files.select_related("component").order_by("component__order", "id"))
        files = [SOURCES[item.source].files(item) for item in items]
        try:
            dossier = dossier_submit_online(
                case=locked.case,
                receiving_unit=locked.receiving_unit,
                resolving_agency=draft_resolving_agency(locked),
                applicant=_applicant_for_service(locked),
                proxy=locked.proxy or None,
                actor=locked.user,
                components=[
                    {"component": f.component, "name": f.name, "file": f.file, "originals": 0, "copies": 0}
                    for f in files
                ],
                idempotency_key=locked.idempotency_key,
                payload={"draft": str(locked.pk)},
                sign_in=sign_in or {"method": "local", "identity_verified": False},
            )
        except ValidationError as exc:
            field = next(iter(exc.message_dict), None) if hasattr(exc, "error_dict") else None
            raise SubmitError(" ".join(exc.messages), field=field) from exc
        except LifecycleError as exc:
            raise SubmitError(exc.message_vi, field=exc.field) from exc
        finally:
            for f in files:
                if f.file is not None:
                    f.file.close()
        locked.dossier = dossier
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["dossier", "submitted_at", "updated_at"])
        transaction.on_commit(lambda: send_receipt_email(dossier_id=dossier.pk))
    draft.refresh_from_db()
    return dossier


def send_receipt_email(*, dossier_id: int) -> bool:
    """The receipt of an online filing by e-mail: reference, acceptance deadline, look-up secret.
    Failures are logged (without personal data) and never undo the submission."""
    dossier = Dossier.objects.select_related("procedure_version", "receiving_unit").get(pk=dossier_id)
    if not dossier.email:
        return False
    context = {"dossier": dossier, "reference": dossier.code or dossier.temp_reference}
    subject = render_to_string("portal/apply/receipt_email_subject.txt", context).strip()
    body = render_to_string("portal/apply/receipt_email.txt", context)
    try:
        send_mail(subject, body, None, [dossier.email])
    except Exception:  # noqa: BLE001 — a mail outage must not break the citizen's page
        logger.warning("receipt e-mail for dossier %s failed", dossier.pk, exc_info=True)
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The applicant's actions on a dossier
# ---------------------------------------------------------------------------------------------

WITHDRAW_ACTIONS = ("withdraw", "stop")


def applicant_actions(dossier: Dossier) -> set[str]:
    """Lifecycle actions the applicant may take now (by the table)."""
    return {row.action for row in TABLE if dossier.status in row.from_statuses and APPLICANT in row.roles}


def withdraw_action(dossier: Dossier) -> str | None:
    """``withdraw`` before reception, ``stop`` (at the applicant's request) until the decision."""
    allowed = applicant_actions(dossier)
    return next((a for a in WITHDRAW_ACTIONS if a in allowed), None)


def dossier_withdraw_by_applicant(
    *, dossier: Dossier, user, reason: str, idempotency_key: str
) -> DossierAction:
    """Withdraw an unreceived dossier, or ask to stop a received one (Decree 118/2025 Art. 21)."""
    action = withdraw_action(dossier)
    if action is None:
        raise LifecycleError(
            "transition_not_allowed",
            "Hồ sơ ở tình trạng này không thể rút.",
            "This dossier can no longer be withdrawn.",
            "status",
        )
    return dossier_act(
        dossier=dossier,
        action=action,
        user=user,
        reason=reason.strip(),
        payload={"initiator": "applicant", "channel": "portal"}
        if action == "stop"
        else {"channel": "portal"},
        idempotency_key=idempotency_key,
    )


def dossier_supplement_items(dossier: Dossier) -> tuple[DossierAction | None, list[dict[str, str]]]:
    """The last supplement request of the dossier and its items (name, reason)."""
    request = dossier.actions.filter(action="request_supplement").order_by("-at", "-id").first()
    if request is None:
        return None, []
    items = []
    for raw in (request.payload or {}).get("items") or []:
        if isinstance(raw, dict):
            name = raw.get("name") or raw.get("item") or raw.get("content") or ""
            items.append({"name": str(name), "reason": str(raw.get("reason") or "")})
        else:
            items.append({"name": str(raw), "reason": ""})
    if not items and request.reason:
        items.append({"name": request.reason, "reason": ""})
    return request, items


def dossier_answer_supplement(
    *,
    dossier: Dossier,
    user,
    uploads: Sequence[tuple[str, UploadedFile]],
    note: str = "",
    idempotency_key: str,
) -> DossierAction:
    """Answer a supplement request online: the uploaded papers join the dossier and the
    lifecycle's ``supplement_received`` is performed as the applicant, in one transaction. The
    new due moment follows the supplement policy the dossier was received under (the service
    applies it). ``uploads``: (paper name, file) pairs, each checked by content and size."""
    if dossier.status not in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_AT_RECEPTION):
        raise LifecycleError(
            "transition_not_allowed",
            "Hồ sơ không ở tình trạng chờ bổ sung.",
            "The dossier is not waiting for a supplement.",
            "status",
        )
    if not uploads:
        raise ValidationError(_("Chọn ít nhất một tệp giấy tờ bổ sung."), code="required")
    for _name, upload in uploads:
        check_scan(upload)
    with transaction.atomic():
        # Lock first: a retry with the same key (a double click) finds the earlier answer and
        # adds no second copy of the papers.
        Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        earlier = dossier.actions.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
        action = dossier_act(
            dossier=dossier,
            action="supplement_received",
            user=user,
            reason=note.strip(),
            payload={"channel": "portal", "files": [{"name": name, "file": u.name} for name, u in uploads]},
            idempotency_key=idempotency_key,
        )
        # The papers join the dossier in the same transaction (its digitized fact follows).
        label = _("Bổ sung")
        dossier_add_components(
            dossier=dossier, items=[{"name": f"{label}: {name}", "file": upload} for name, upload in uploads]
        )
    return action
