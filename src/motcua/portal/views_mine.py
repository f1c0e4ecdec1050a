"""My dossiers (hồ sơ của tôi): the signed-in applicant's dossiers and drafts, a dossier's
timeline in plain words, answering a supplement request online, issued forms, withdrawal.

Only the applicant's own dossiers exist here: any other id or code answers 404.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.dossiers import printing
from motcua.dossiers.lifecycle import LifecycleError
from motcua.dossiers.models import Dossier, DossierComponent, Status
from motcua.dossiers.selectors import dossier_history
from motcua.dossiers.services import SUPPLEMENT_CLOSE_DAYS
from motcua.portal.views_account import citizen_login_required

from . import services
from .forms_apply import SupplementForm, WithdrawForm
from .models import ApplicationDraft
from .selectors import PUBLIC_STATUS

# The log in the applicant's words (the staff labels name internal steps).
TIMELINE = {
    "submit_online": gettext_lazy("Bạn đã nộp hồ sơ trực tuyến"),
    "receive": gettext_lazy("Hồ sơ được tiếp nhận và cấp mã hồ sơ"),
    "refuse_at_reception": gettext_lazy("Hồ sơ không được tiếp nhận"),
    "request_supplement": gettext_lazy("Cơ quan yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "supplement_received": gettext_lazy("Giấy tờ bổ sung đã được nhận"),
    "forward": gettext_lazy("Hồ sơ được chuyển sang bước xử lý tiếp theo"),
    "consult": gettext_lazy("Cơ quan đang lấy ý kiến cơ quan liên quan"),
    "consultation_received": gettext_lazy("Đã có ý kiến của cơ quan liên quan"),
    "approve": gettext_lazy("Kết quả đã được phê duyệt"),
    "reject_after_appraisal": gettext_lazy("Cơ quan từ chối giải quyết hồ sơ"),
    "request_financial_obligation": gettext_lazy(
        "Cơ quan đề nghị thực hiện nghĩa vụ tài chính (nộp phí, thuế)"
    ),
    "obligation_paid": gettext_lazy("Đã thực hiện nghĩa vụ tài chính"),
    "apologize_and_extend": gettext_lazy("Cơ quan xin lỗi và hẹn lại ngày trả kết quả"),
    "stop": gettext_lazy("Hồ sơ dừng giải quyết"),
    "withdraw": gettext_lazy("Bạn đã rút hồ sơ"),
    "close_unanswered": gettext_lazy("Hồ sơ bị đóng vì quá hạn bổ sung"),
    "resolve": gettext_lazy("Đã có kết quả giải quyết"),
    "return_result": gettext_lazy("Đã trả kết quả"),
}
# Forms a citizen receives (the control slip is internal).
APPLICANT_FORMS = ("receipt", "supplement_request", "refusal", "apology_extension", "stop_notice")


def expected_of_applicant(dossier: Dossier) -> str:
    """What the applicant should do now, in one sentence."""
    if dossier.status in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_AT_RECEPTION):
        return _("Bổ sung giấy tờ theo yêu cầu của cơ quan.")
    if dossier.status == Status.FINANCIAL_OBLIGATION:
        return _("Thực hiện nghĩa vụ tài chính (nộp phí, lệ phí, thuế) theo thông báo.")
    if dossier.status in (Status.APPROVED, Status.RESOLVED):
        return _("Chờ nhận kết quả theo hình thức đã đăng ký.")
    if dossier.status in (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.CONSULTING):
        return _("Không cần làm gì: cơ quan đang xử lý hồ sơ.")
    return _("Hồ sơ đã kết thúc.")


def _due(dossier: Dossier) -> tuple[str, dt.datetime | None]:
    if dossier.received_at is None and dossier.acceptance_due_at and dossier.status == Status.SUBMITTED:
        return _("Hạn tiếp nhận hồ sơ"), dossier.acceptance_due_at
    return _("Hẹn trả kết quả"), dossier.due_at


def _own(request: HttpRequest, ref: str) -> Dossier:
    """The signed-in person's dossier by id, code or temporary reference; 404 for anyone else's."""
    where = Q(code=ref) | Q(temp_reference=ref)
    if ref.isdigit():
        where |= Q(pk=int(ref))
    dossier = (
        Dossier.objects.filter(where, applicant_user=request.user)
        .select_related("procedure_version__procedure", "receiving_unit", "resolving_agency", "case")
        .first()
    )
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


def _ref(dossier: Dossier) -> str:
    return dossier.code or str(dossier.pk)


@never_cache
@citizen_login_required
def mine(request: HttpRequest) -> HttpResponse:
    dossiers = (
        Dossier.objects.filter(applicant_user=request.user)
        .select_related("procedure_version__procedure")
        .order_by("-submitted_at", "-id")
    )
    rows = []
    for d in dossiers:
        due_label, due = _due(d)
        rows.append(
            {
                "dossier": d,
                "ref": _ref(d),
                "status": PUBLIC_STATUS.get(d.status, d.get_status_display()),
                "due_label": due_label,
                "due": due,
                "expected": expected_of_applicant(d),
                "needs_action": d.status
                in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_AT_RECEPTION, Status.FINANCIAL_OBLIGATION),
            }
        )
    drafts = (
        ApplicationDraft.objects.filter(user=request.user, dossier__isnull=True)
        .select_related("procedure_version__procedure")
        .order_by("-updated_at")
    )
    draft_rows = [{"draft": d, "next": services.next_step(d)} for d in drafts]
    return render(request, "portal/mine/list.html", {"rows": rows, "drafts": draft_rows})


def _timeline(dossier: Dossier) -> list[dict]:
    rows = []
    for action in dossier_history(dossier):
        payload = action.payload or {}
        rows.append(
            {
                "at": action.at,
                "label": TIMELINE.get(action.action, action.action),
                "action": action.action,
                "reason": action.reason if action.action != "supplement_received" else "",
                "unit": action.unit.name if action.unit else "",
                "code": payload.get("code") if action.action == "receive" else "",
                "due_at": payload.get("due_at") if action.action in ("apologize_and_extend",) else None,
            }
        )
    return rows


@never_cache
@citizen_login_required
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = _own(request, ref)
    due_label, due = _due(dossier)
    request_row, items = services.dossier_supplement_items(dossier)
    waiting = dossier.status in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_AT_RECEPTION)
    supplement_until = (
        dossier.supplement_requested_at + dt.timedelta(days=SUPPLEMENT_CLOSE_DAYS)
        if waiting and dossier.supplement_requested_at
        else None
    )
    forms = [
        {"name": f, "label": printing.FORM_LABELS.get(f, f)}
        for f in printing.forms_available(dossier)
        if f in APPLICANT_FORMS
    ]
    return render(
        request,
        "portal/mine/detail.html",
        {
            "dossier": dossier,
            "ref": _ref(dossier),
            "status": PUBLIC_STATUS.get(dossier.status, dossier.get_status_display()),
            "expected": expected_of_applicant(dossier),
            "due_label": due_label,
            "due": due,
            "timeline": _timeline(dossier),
            "waiting": waiting,
            "supplement_request": request_row if waiting else None,
            "items": items if waiting else [],
            "supplement_until": supplement_until,
            "components": dossier.components.order_by("id"),
            "forms": forms,
            "can_withdraw": services.withdraw_action(dossier) is not None,
            "finished": dossier.status in (Status.RESOLVED, Status.RETURNED),
        },
    )


@never_cache
@citizen_login_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = _own(request, ref)
    request_row, items = services.dossier_supplement_items(dossier)
    waiting = dossier.status in (Status.SUPPLEMENT_REQUESTED, Status.SUPPLEMENT_AT_RECEPTION)
    if not waiting:
        messages.info(request, _("Hồ sơ không ở tình trạng chờ bổ sung."))
        return redirect("portal:mine_detail", _ref(dossier))
    names = [item["name"] for item in items] or [_("Giấy tờ bổ sung")]
    form = SupplementForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    file_errors: dict[int, list[str]] = {}
    error = None
    if request.method == "POST" and form.is_valid():
        uploads = []
        for i, name in enumerate(names):
            for upload in request.FILES.getlist(f"file_{i}"):
                try:
                    services.check_scan(upload)
                except ValidationError as exc:
                    file_errors.setdefault(i, []).extend(exc.messages)
                else:
                    uploads.append((name, upload))
        if not uploads and not file_errors:
            file_errors.setdefault(0, []).append(_("Chọn ít nhất một tệp giấy tờ bổ sung."))
        if not file_errors:
            try:
                services.dossier_answer_supplement(
                    dossier=dossier,
                    user=request.user,
                    uploads=uploads,
                    note=form.cleaned_data.get("note", ""),
                    idempotency_key=f"portal-supplement:{form.cleaned_data['token']}",
                )
            except LifecycleError as exc:
                error = exc.message_vi
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("Đã gửi giấy tờ bổ sung. Cơ quan sẽ tiếp tục giải quyết hồ sơ."))
                return redirect("portal:mine_detail", _ref(dossier))
    rows = [{"index": i, "name": name, "errors": file_errors.get(i, [])} for i, name in enumerate(names)]
    for item, row in zip(items, rows, strict=False):
        row["reason"] = item["reason"]
    summary = [(f"file_{r['index']}", f"{r['name'][:80]}: {m}") for r in rows for m in r["errors"]]
    summary += [(f"id_{k}", m) for k, errs in form.errors.items() for m in errs]
    if error:
        summary.append(("main", error))
    return render(
        request,
        "portal/mine/supplement.html",
        {
            "dossier": dossier,
            "ref": _ref(dossier),
            "form": form,
            "rows": rows,
            "summary": summary,
            "request_row": request_row,
        },
        status=400 if summary else 200,
    )


@never_cache
@citizen_login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = _own(request, ref)
    action = services.withdraw_action(dossier)
    if action is None:
        messages.info(request, _("Hồ sơ ở tình trạng này không thể rút."))
        return redirect("portal:mine_detail", _ref(dossier))
    form = WithdrawForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_withdraw_by_applicant(
                dossier=dossier,
                user=request.user,
                reason=form.cleaned_data["reason"],
                idempotency_key=f"portal-withdraw:{form.cleaned_data['token']}",
            )
        except LifecycleError as exc:
            error = exc.message_vi
        else:
            messages.success(request, _("Đã rút hồ sơ."))
            return redirect("portal:mine_detail", _ref(dossier))
    summary = form.summary() if form.is_bound else []
    if error:
        summary.append(("main", error))
    return render(
        request,
        "portal/mine/withdraw.html",
        {"dossier": dossier, "ref": _ref(dossier), "form": form, "summary": summary, "action": action},
        status=400 if summary else 200,
    )


@citizen_login_required
def form_pdf(request: HttpRequest, ref: str, form: str) -> HttpResponse:
    """An issued form (receipt, supplement request, refusal, …) of the person's own dossier."""
    dossier = _own(request, ref)
    if form not in APPLICANT_FORMS or form not in printing.forms_available(dossier):
        raise Http404
    pdf = printing.render_form(dossier=dossier, form=form)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_ref(dossier)}-{form}.pdf"'
    return response


@citizen_login_required
def component_file(request: HttpRequest, ref: str, pk: int) -> FileResponse:
    """A paper of the person's own dossier (what they uploaded or what the counter scanned)."""
    dossier = _own(request, ref)
    item = get_object_or_404(DossierComponent, dossier=dossier, pk=pk)
    if not item.file:
        raise Http404
    name = item.file.name.rsplit("/", 1)[-1]
    kind = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}.get(
        name.rsplit(".", 1)[-1].lower(), "application/octet-stream"
    )
    response = FileResponse(item.file.open("rb"), content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
