"""Staff pages (/can-bo/): petitions of the officer's unit subtree, the answer form, and the
paper evaluation form recorded at the counter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.dossiers.selectors import dossier_by_code
from motcua.dossiers.services import dossier_audit_personal_read

from .forms import AnswerForm, CloseForm, EvaluationForm
from .models import Evaluation, PetitionStatus
from .selectors import petition_for_staff, petition_list
from .services import (
    FeedbackError,
    dossier_evaluable,
    evaluation_record_paper,
    petition_answer,
    petition_close,
    petition_start,
)
from .views_portal import _form_errors

PAGE_SIZE = 25


@login_required
def petitions(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    status = request.GET.get("trang_thai", "")
    overdue = request.GET.get("qua_han") == "1"
    qs = petition_list(request.user, status=status, overdue=overdue, now=now)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "feedback/staff/petition_list.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "now": now,
            "status": status if status in PetitionStatus.values else "",
            "overdue": overdue,
            "statuses": PetitionStatus.choices,
            "query": query.urlencode(),
        },
    )


def _petition_or_404(request, code):
    petition = petition_for_staff(request.user, code)
    if petition is None:
        raise Http404(_("Không tìm thấy phản ánh trong đơn vị của bạn."))
    return petition


@login_required
def petition_detail(request: HttpRequest, code: str, *, answer_form=None, close_form=None, status=200):
    petition = _petition_or_404(request, code)
    context = {
        "p": petition,
        "now": timezone.now(),
        "answer_form": answer_form or AnswerForm(),
        "close_form": close_form or CloseForm(),
    }
    errors = []
    for form in (answer_form, close_form):
        if form is not None:
            errors += _form_errors(form)
    context["errors"] = errors
    return render(request, "feedback/staff/petition_detail.html", context, status=status)


def _back(code: str):
    return redirect(reverse("feedback_staff:petition", args=[code]))


@login_required
@require_POST
def petition_take(request: HttpRequest, code: str) -> HttpResponse:
    petition = _petition_or_404(request, code)
    try:
        petition_start(petition=petition, officer=request.user)
    except FeedbackError as exc:
        messages.error(request, exc.message_vi)
    else:
        messages.success(request, _("Đã nhận xử lý phản ánh."))
    return _back(code)


@login_required
@require_POST
def petition_reply(request: HttpRequest, code: str) -> HttpResponse:
    petition = _petition_or_404(request, code)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            petition_answer(petition=petition, officer=request.user, answer=form.cleaned_data["answer"])
        except FeedbackError as exc:
            form.add_error("answer" if exc.field == "answer" else None, exc.message_vi)
        else:
            messages.success(request, _("Đã gửi trả lời; người phản ánh sẽ nhận được thư điện tử."))
            return _back(code)
    return petition_detail(request, code, answer_form=form, status=400)


@login_required
@require_POST
def petition_end(request: HttpRequest, code: str) -> HttpResponse:
    petition = _petition_or_404(request, code)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            petition_close(petition=petition, officer=request.user, note=form.cleaned_data["note"])
        except FeedbackError as exc:
            form.add_error("note" if exc.field == "note" else None, exc.message_vi)
        else:
            messages.success(request, _("Đã đóng phản ánh."))
            return _back(code)
    return petition_detail(request, code, close_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def paper_evaluation(request: HttpRequest) -> HttpResponse:
    """Ghi nhận phiếu đánh giá giấy: find the dossier by code, then enter the form's answers."""
    code = (request.POST.get("ma") or request.GET.get("ma", "")).strip()[:60]
    dossier = dossier_by_code(code, user=request.user) if code else None
    context: dict = {"code": code, "dossier": dossier, "not_found": bool(code) and dossier is None}
    status = 404 if context["not_found"] else 200
    if dossier is not None:
        # The page shows the applicant's name to confirm the paper form belongs to this dossier.
        dossier_audit_personal_read(dossier=dossier, user=request.user, purpose="evaluation")
        context["existing"] = Evaluation.objects.filter(dossier=dossier).first()
        context["evaluable"] = dossier_evaluable(dossier)
        if context["existing"] is None and context["evaluable"]:
            form = EvaluationForm(request.POST if request.method == "POST" else None)
            if request.method == "POST" and form.is_valid():
                try:
                    evaluation_record_paper(
                        dossier=dossier,
                        officer=request.user,
                        scores=form.scores(),
                        satisfied=form.satisfied(),
                        comment=form.cleaned_data["comment"],
                    )
                except FeedbackError as exc:
                    form.add_error(None, exc.message_vi)
                    status = 403 if exc.code == "not_authorized" else 409
                else:
                    messages.success(
                        request, _("Đã ghi nhận phiếu đánh giá của hồ sơ %(code)s.") % {"code": code}
                    )
                    return redirect(reverse("feedback_staff:paper_evaluation") + f"?ma={dossier.code}")
            if form.errors and status == 200:
                status = 400
            context.update(form=form, errors=_form_errors(form))
    return render(request, "feedback/staff/paper_evaluation.html", context, status=status)
