"""Writes of the feedback app (design §3.2): evaluations and petitions (PAKN).

Each service validates, checks who may do it, writes in one transaction (the dossier's
``evaluated`` fact in the same one) and schedules side effects with ``transaction.on_commit``.
Errors are :class:`FeedbackError` with a stable code and Vietnamese and English messages.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import TERMINAL_STATUSES, Dossier, Status
from motcua.errors import ServiceError
from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.engine import TZ, add_time
from motcua.worktime.selectors import get_calendar, get_working_hours

from .models import (
    CRITERIA,
    Evaluation,
    EvaluationChannel,
    Petition,
    PetitionCategory,
    PetitionStatus,
)

COMMENT_MAX = 2000
CONTENT_MIN, CONTENT_MAX = 10, 4000
ANSWER_MIN, ANSWER_MAX = 10, 8000
# "No 0/O, 1/I/L": the code is read aloud and typed on a phone (as the look-up secret).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_PHONE_RE = re.compile(r"^\+?[0-9 .-]{9,20}$")


class FeedbackError(ServiceError):
    """A refused evaluation or petition operation (UI shows ``message_vi`` next to ``field``)."""


def _set_dossier_facts(dossier_pk: int, **facts) -> None:
    """Write indicator facts on the dossier and bring the 766 rollups up to date, in the caller's
    transaction (an ``update()`` sends no ``post_save``, so the rollups are synced here)."""
    from motcua.indicators.rollups import rollup_sync

    Dossier.objects.filter(pk=dossier_pk).update(updated_at=timezone.now(), **facts)
    rollup_sync([Dossier.objects.get(pk=dossier_pk)])


# ---------------------------------------------------------------------------------------------
# Evaluation (Decree 61/2018 Art. 31; Decree 118/2025 Art. 33)
# ---------------------------------------------------------------------------------------------


def dossier_evaluable(dossier: Dossier) -> bool:
    """Processing has ended (result ready or returned, refused after appraisal, stopped, closed):
    the same dossiers as the denominator of 766 indicator 5.4 ("finished")."""
    return dossier.finished_at is not None and (
        dossier.status in TERMINAL_STATUSES or dossier.status == Status.RESOLVED
    )


def _clean_scores(scores: Mapping[str, int | None]) -> dict[str, int | None]:
    known = {c.field: c for c in CRITERIA}
    unknown = set(scores) - set(known)
    if unknown:
        raise FeedbackError(
            "payload_invalid",
            "Tiêu chí không hợp lệ.",
            f"Unknown criteria: {', '.join(sorted(unknown))}.",
            sorted(unknown)[0],
        )
    clean: dict[str, int | None] = {}
    for field, c in known.items():
        value = scores.get(field)
        if value in ("", None):
            if not c.optional:
                raise FeedbackError(
                    "score_required",
                    f"Chọn mức đánh giá cho tiêu chí {c.letter}) {c.label}.",
                    f"Choose a score for criterion {c.letter}.",
                    field,
                )
            clean[field] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number not in (0, 1, 2) or isinstance(value, bool):
            raise FeedbackError(
                "score_invalid", "Mức đánh giá phải là 2, 1 hoặc 0 điểm.", "A score is 2, 1 or 0.", field
            )
        clean[field] = number
    return clean


def _evaluation_create(
    *,
    dossier: Dossier,
    channel: str,
    scores: Mapping[str, int | None],
    satisfied: bool | None,
    comment: str,
    evaluator,
    recorded_by,
    check,
    now: dt.datetime | None,
) -> Evaluation:
    clean = _clean_scores(scores)
    if satisfied is None:
        raise FeedbackError(
            "satisfied_required",
            "Cho biết ông/bà hài lòng hay không hài lòng.",
            "Say whether you are satisfied.",
            "satisfied",
        )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise FeedbackError(
            "comment_too_long",
            f"Ý kiến không quá {COMMENT_MAX} ký tự.",
            f"At most {COMMENT_MAX} characters.",
            "comment",
        )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            d = Dossier.objects.select_for_update().get(pk=dossier.pk)
            check(d)
            if not dossier_evaluable(d):
                raise FeedbackError(
                    "not_finished",
                    "Chỉ đánh giá được sau khi hồ sơ đã có kết quả hoặc kết thúc xử lý.",
                    "A dossier can be evaluated only once its processing has ended.",
                )
            if Evaluation.objects.filter(dossier_id=d.pk).exists():
                raise _already_evaluated()
            evaluation = Evaluation(
                dossier=d,
                channel=channel,
                satisfied=bool(satisfied),
                comment=comment,
                evaluator=evaluator,
                recorded_by=recorded_by,
                at=now,
                **clean,
            )
            evaluation.full_clean(exclude=["dossier", "evaluator", "recorded_by"], validate_unique=False)
            evaluation.save()
            # The indicator fact, in the same transaction (design §3.12).
            _set_dossier_facts(d.pk, evaluated=True, satisfied=bool(satisfied))
    except IntegrityError as exc:  # a concurrent first evaluation won the unique constraint
        raise _already_evaluated() from exc
    dossier.evaluated = True
    return evaluation


def _already_evaluated() -> FeedbackError:
    return FeedbackError(
        "already_evaluated",
        "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần.",
        "This dossier has already been evaluated; a dossier is evaluated once.",
    )


def evaluation_submit(
    *,
    dossier: Dossier,
    user,
    scores: Mapping[str, int | None],
    satisfied: bool | None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Evaluation:
    """The applicant evaluates their finished dossier online, once (Circular 01/2018 Art. 12)."""

    def check(d: Dossier) -> None:
        if user is None or d.applicant_user_id is None or d.applicant_user_id != getattr(user, "pk", None):
            raise FeedbackError(
                "not_applicant",
                "Chỉ người nộp hồ sơ mới được đánh giá hồ sơ này.",
                "Only the dossier's applicant may evaluate it.",
            )

    return _evaluation_create(
        dossier=dossier,
        channel=EvaluationChannel.ONLINE,
        scores=scores,
        satisfied=satisfied,
        comment=comment,
        evaluator=user,
        recorded_by=None,
        check=check,
        now=now,
    )


def evaluation_record_paper(
    *,
    dossier: Dossier,
    officer,
    scores: Mapping[str, int | None],
    satisfied: bool | None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Evaluation:
    """A receiving officer records the paper evaluation form the applicant filled in at the
    counter (Circular 01/2018 Art. 12: forms handed out with the receipt)."""
    from motcua.dossiers.selectors import actor_assignments_for

    def check(d: Dossier) -> None:
        if StaffAssignment.Role.RECEIVING_OFFICER not in actor_assignments_for(officer, d):
            raise FeedbackError(
                "not_authorized",
                "Chỉ cán bộ tiếp nhận của đơn vị mới được ghi nhận phiếu đánh giá của hồ sơ này.",
                "Only a receiving officer of the dossier's unit may record its paper evaluation.",
            )

    return _evaluation_create(
        dossier=dossier,
        channel=EvaluationChannel.PAPER,
        scores=scores,
        satisfied=satisfied,
        comment=comment,
        evaluator=None,
        recorded_by=officer,
        check=check,
        now=now,
    )


# ---------------------------------------------------------------------------------------------
# Petitions (phản ánh, kiến nghị)
# ---------------------------------------------------------------------------------------------


def petition_deadline(*, unit: Agency, received_at: dt.datetime) -> dt.datetime:
    """``MOTCUA_PETITION_DEADLINE_WORKING_DAYS`` working days from reception, in the unit's
    working hours, through the worktime engine (design §3.5)."""
    days = int(getattr(settings, "MOTCUA_PETITION_DEADLINE_WORKING_DAYS", 10))
    hours = get_working_hours(unit.working_hours) if unit.working_hours_id else get_working_hours(None)
    return add_time(received_at, days, "working_days", get_calendar(), hours)


def _new_code(now: dt.datetime) -> str:
    return f"PA-{now.astimezone(TZ):%y%m%d}-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def _resolve_dossier(*, user, code: str, secret: str) -> Dossier:
    """The dossier a petition is about: the signed-in person's own, or any with its look-up
    secret. Both failures say the same, so the answer does not reveal whether a code exists."""
    code = "".join((code or "").split())
    dossier = (
        Dossier.objects.select_related("receiving_unit", "procedure_version").filter(code=code).first()
        if code
        else None
    )
    if dossier is not None and user is not None and dossier.applicant_user_id == getattr(user, "pk", None):
        return dossier
    given = "".join(ch for ch in (secret or "").upper() if ch not in " -\t")
    expected = dossier.lookup_secret if dossier is not None and dossier.lookup_secret else "00000000"
    if dossier is None or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise FeedbackError(
            "dossier_not_found",
            "Không tìm thấy hồ sơ của bạn với mã này. Hồ sơ không đứng tên tài khoản của bạn thì cần nhập "
            "đúng mã bí mật in trên giấy tiếp nhận.",
            "No dossier of yours with this code; for another dossier give its look-up secret.",
            "dossier_code",
        )
    return dossier


def petition_submit(
    *,
    category: str,
    content: str,
    idempotency_key: str,
    user=None,
    name: str = "",
    email: str = "",
    phone: str = "",
    dossier_code: str = "",
    dossier_secret: str = "",
    procedure_code: str = "",
    unit: Agency | None = None,
    now: dt.datetime | None = None,
) -> Petition:
    """File a petition (PAKN) about a dossier or a procedure, signed in or with contact data.

    About a dossier: it must be the signed-in person's or come with its look-up secret; the
    responsible unit is the dossier's receiving unit. Otherwise ``unit`` is required. A retry with
    the same ``idempotency_key`` returns the first petition."""
    key = (idempotency_key or "").strip()[:64]
    if not key:
        raise FeedbackError("payload_invalid", "Thiếu khóa chống gửi lặp.", "An idempotency key is required.")
    if (existing := Petition.objects.filter(idempotency_key=key).first()) is not None:
        return existing
    if category not in PetitionCategory.values:
        raise FeedbackError(
            "category_invalid", "Chọn nhóm nội dung phản ánh.", "Choose a category.", "category"
        )
    content = (content or "").strip()
    if len(content) < CONTENT_MIN:
        raise FeedbackError(
            "content_too_short",
            f"Nội dung phản ánh cần ít nhất {CONTENT_MIN} ký tự.",
            f"The content needs at least {CONTENT_MIN} characters.",
            "content",
        )
    if len(content) > CONTENT_MAX:
        raise FeedbackError(
            "content_too_long",
            f"Nội dung không quá {CONTENT_MAX} ký tự.",
            f"At most {CONTENT_MAX} characters.",
            "content",
        )
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    name = (name or "").strip() or (
        (getattr(user, "full_name", "") or user.get_full_name() or user.get_username()) if signed_in else ""
    )
    email = (email or "").strip() or (user.email if signed_in else "")
    phone = (phone or "").strip()
    if not name:
        raise FeedbackError("name_required", "Nhập họ và tên.", "Your name is required.", "name")
    if not signed_in and not (email or phone):
        raise FeedbackError(
            "contact_required",
            "Nhập thư điện tử hoặc số điện thoại để nhận trả lời.",
            "Give an e-mail address or a phone number for the answer.",
            "email",
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise FeedbackError(
                "email_invalid", "Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address.", "email"
            ) from None
    if phone and not _PHONE_RE.match(phone):
        raise FeedbackError("phone_invalid", "Số điện thoại không hợp lệ.", "Invalid phone number.", "phone")

    dossier = None
    procedure = None
    if (dossier_code or "").strip():
        dossier = _resolve_dossier(user=user if signed_in else None, code=dossier_code, secret=dossier_secret)
        unit = dossier.receiving_unit
        procedure = dossier.procedure_version.procedure
    elif (procedure_code or "").strip():
        procedure = Procedure.objects.filter(code=procedure_code.strip()).first()
        if procedure is None:
            raise FeedbackError(
                "procedure_not_found",
                "Không tìm thấy thủ tục với mã này.",
                "Unknown procedure code.",
                "procedure_code",
            )
    if unit is None:
        raise FeedbackError(
            "unit_required",
            "Chọn cơ quan, đơn vị bị phản ánh (hoặc nhập mã hồ sơ).",
            "Choose the unit concerned (or give a dossier code).",
            "unit",
        )

    now = now or timezone.now()
    due = petition_deadline(unit=unit, received_at=now)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                petition = Petition(
                    code=_new_code(now),
                    category=category,
                    content=content,
                    dossier=dossier,
                    procedure=procedure,
                    unit=unit,
                    user=user if signed_in else None,
                    name=name[:200],
                    email=email,
                    phone=phone,
                    received_at=now,
                    due_at=due,
                    idempotency_key=key,
                )
                petition.full_clean(
                    exclude=["dossier", "procedure", "unit", "user", "handler"], validate_unique=False
                )
                petition.save()
                if dossier is not None:
                    # 766 indicator 5.4 counts a dossier with a PAKN as not satisfied.
                    _set_dossier_facts(dossier.pk, petition=True)
                return petition
        except IntegrityError:
            if (existing := Petition.objects.filter(idempotency_key=key).first()) is not None:
                return existing  # the same submission, sent twice at once
            continue  # a code collision (31^8 codes a day): draw again
    raise FeedbackError(
        "code_exhausted", "Không cấp được mã phản ánh, vui lòng thử lại.", "Could not allocate a code."
    )


def _locked_for_officer(petition: Petition, officer) -> Petition:
    from .selectors import petitions_visible_to

    locked = Petition.objects.select_for_update().filter(pk=petition.pk).first()
    if locked is None or not petitions_visible_to(officer).filter(pk=petition.pk).exists():
        raise FeedbackError(
            "not_authorized",
            "Phản ánh này không thuộc đơn vị của bạn.",
            "This petition is not in your unit.",
        )
    return locked


@transaction.atomic
def petition_start(*, petition: Petition, officer, now: dt.datetime | None = None) -> Petition:
    """An officer of the responsible unit takes the petition in hand (received → processing)."""
    p = _locked_for_officer(petition, officer)
    if p.status != PetitionStatus.RECEIVED:
        raise FeedbackError(
            "status_invalid",
            "Phản ánh không còn ở trạng thái chờ xử lý.",
            "The petition is not waiting.",
            "status",
        )
    p.status = PetitionStatus.PROCESSING
    p.handler = officer
    p.save(update_fields=["status", "handler"])
    return p


@transaction.atomic
def petition_answer(*, petition: Petition, officer, answer: str, now: dt.datetime | None = None) -> Petition:
    """Answer the petition; the answer is e-mailed (and texted) to the petitioner after commit."""
    from .notifications import schedule_petition_answer

    answer = (answer or "").strip()
    if len(answer) < ANSWER_MIN:
        raise FeedbackError(
            "answer_too_short",
            f"Nội dung trả lời cần ít nhất {ANSWER_MIN} ký tự.",
            f"The answer needs at least {ANSWER_MIN} characters.",
            "answer",
        )
    if len(answer) > ANSWER_MAX:
        raise FeedbackError(
            "answer_too_long",
            f"Nội dung trả lời không quá {ANSWER_MAX} ký tự.",
            f"At most {ANSWER_MAX} characters.",
            "answer",
        )
    p = _locked_for_officer(petition, officer)
    if p.status not in (PetitionStatus.RECEIVED, PetitionStatus.PROCESSING):
        raise FeedbackError(
            "already_answered",
            "Phản ánh này đã được trả lời.",
            "The petition has already been answered.",
            "status",
        )
    now = now or timezone.now()
    p.status = PetitionStatus.ANSWERED
    p.answer = answer
    p.answered_at = now
    p.answered_on_time = now <= p.due_at
    p.handler = officer
    p.save(update_fields=["status", "answer", "answered_at", "answered_on_time", "handler"])
    schedule_petition_answer(p)
    return p


@transaction.atomic
def petition_close(
    *, petition: Petition, officer, note: str = "", now: dt.datetime | None = None
) -> Petition:
    """Close an answered petition; closing one without an answer needs a note (e.g. withdrawn,
    not within the unit's competence)."""
    p = _locked_for_officer(petition, officer)
    note = (note or "").strip()
    if p.status == PetitionStatus.CLOSED:
        raise FeedbackError(
            "status_invalid", "Phản ánh đã đóng.", "The petition is already closed.", "status"
        )
    if p.status != PetitionStatus.ANSWERED and not note:
        raise FeedbackError(
            "note_required",
            "Phản ánh chưa được trả lời: cần ghi rõ lý do đóng.",
            "Closing an unanswered petition needs a note.",
            "note",
        )
    p.status = PetitionStatus.CLOSED
    p.closed_at = now or timezone.now()
    p.close_note = note[:500]
    p.save(update_fields=["status", "closed_at", "close_note"])
    return p


@transaction.atomic
def petition_rate_answer(*, petition: Petition, user, satisfied: bool) -> Petition:
    """The signed-in petitioner likes or dislikes the answer (766 indicator 5.3); may change it."""
    p = Petition.objects.select_for_update().get(pk=petition.pk)
    if p.user_id is None or p.user_id != getattr(user, "pk", None):
        raise FeedbackError(
            "not_petitioner",
            "Chỉ người gửi phản ánh mới đánh giá được câu trả lời.",
            "Only the petitioner may rate.",
        )
    if p.answered_at is None:
        raise FeedbackError(
            "not_answered", "Phản ánh chưa được trả lời.", "The petition has not been answered yet."
        )
    p.answer_satisfied = bool(satisfied)
    p.save(update_fields=["answer_satisfied"])
    return p
