"""Citizen pages: evaluate a finished dossier, file a petition (PAKN), follow a petition.

Thin views: forms collect the field errors, :mod:`motcua.feedback.services` decides.
"""

from __future__ import annotations

from django.conf import settings
from django.forms import RadioSelect
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.dossiers.models import Dossier
from motcua.portal import ratelimit
from motcua.portal.views_account import citizen_login_required

from .forms import EvaluationForm, PetitionForm
from .models import Evaluation, Petition
from .selectors import petition_public
from .services import (
    FeedbackError,
    dossier_evaluable,
    evaluation_submit,
    petition_rate_answer,
    petition_submit,
)


def _too_many(request: HttpRequest) -> HttpResponse:
    minutes = max(1, settings.MOTCUA_LOOKUP_WINDOW_SECONDS // 60)
    response = render(request, "portal/429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(settings.MOTCUA_LOOKUP_WINDOW_SECONDS)
    return response


def _form_errors(form) -> list[tuple[str, str]]:
    """(field id, message) for the error summary, in the form's order."""
    rows = []
    for name, errors in form.errors.items():
        if name == "__all__":
            rows.extend(("main", str(e)) for e in errors)
            continue
        if isinstance(form.fields[name].widget, RadioSelect):
            anchor = f"f-{name}"  # the fieldset of the radio group
        else:
            anchor = form[name].id_for_label
        # The summary names the question: several groups share the same message.
        rows.extend((anchor, f"{form.fields[name].label}: {e}") for e in errors)
    return rows


@never_cache
@citizen_login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, code: str) -> HttpResponse:
    """Đánh giá việc giải quyết hồ sơ: the applicant's own finished dossier, once."""
    dossier = (
        Dossier.objects.select_related("procedure_version", "receiving_unit")
        .filter(code=code, applicant_user_id=request.user.pk)
        .first()
    )
    if dossier is None:
        # Someone else's dossier and an unknown code look the same.
        raise Http404(_("Không tìm thấy hồ sơ của bạn với mã này."))
    existing = Evaluation.objects.filter(dossier=dossier).first()
    context = {"dossier": dossier, "existing": existing, "evaluable": dossier_evaluable(dossier)}
    status = 200
    if existing is not None or not context["evaluable"]:
        if request.method == "POST":
            status = 409
            context["refused"] = (
                _("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần.")
                if existing
                else _("Chỉ đánh giá được sau khi hồ sơ đã có kết quả hoặc kết thúc xử lý.")
            )
        context["sent"] = request.GET.get("da_gui") == "1"
        return render(request, "feedback/evaluate.html", context, status=status)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_submit(
                dossier=dossier,
                user=request.user,
                scores=form.scores(),
                satisfied=form.satisfied(),
                comment=form.cleaned_data["comment"],
            )
        except FeedbackError as exc:
            if exc.code == "already_evaluated":
                context.update(
                    existing=Evaluation.objects.filter(dossier=dossier).first(), refused=exc.message_vi
                )
                return render(request, "feedback/evaluate.html", context, status=409)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message_vi)
        else:
            return redirect(reverse("feedback:evaluate", args=[dossier.code]) + "?da_gui=1")
    if form.errors:
        status = 400
    context.update(form=form, errors=_form_errors(form))
    return render(request, "feedback/evaluate.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def petition_new(request: HttpRequest) -> HttpResponse:
    """Gửi phản ánh, kiến nghị: signed in, or with contact data."""
    signed_in = request.user.is_authenticated
    if request.method == "POST":
        form = PetitionForm(request.POST, signed_in=signed_in)
        if form.is_valid():
            if not ratelimit.hit("petition", ratelimit.client_ip(request)):
                return _too_many(request)
            data = form.cleaned_data
            try:
                petition = petition_submit(
                    category=data["category"],
                    content=data["content"],
                    idempotency_key=data["key"],
                    user=request.user if signed_in else None,
                    name=data["name"],
                    email=data["email"] or "",
                    phone=data["phone"],
                    dossier_code=data["dossier_code"],
                    dossier_secret=data["dossier_secret"],
                    procedure_code=data["procedure_code"],
                    unit=data["unit"],
                )
            except FeedbackError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message_vi)
            else:
                url = reverse("feedback:petition_status") + "?" + urlencode({"ma": petition.code, "moi": "1"})
                return redirect(url)
    else:
        initial = {"dossier_code": request.GET.get("ho_so", "")[:60]}
        form = PetitionForm(initial=initial, signed_in=signed_in)
    return render(
        request,
        "feedback/petition_form.html",
        {"form": form, "errors": _form_errors(form), "signed_in": signed_in},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET"])
def petition_status(request: HttpRequest) -> HttpResponse:
    """Public status of a petition by its code (no content, no personal data)."""
    code = request.GET.get("ma", "").strip()[:40]
    context: dict = {"code": code, "result": None, "failed": False, "new": request.GET.get("moi") == "1"}
    if code:
        if not ratelimit.hit("petition-status", ratelimit.client_ip(request)):
            return _too_many(request)
        context["result"] = petition_public(code)
        context["failed"] = context["result"] is None
        if context["result"] is not None and request.user.is_authenticated:
            own = Petition.objects.filter(code=context["result"].code, user_id=request.user.pk).first()
            context["own"] = own
    return render(request, "feedback/petition_status.html", context, status=404 if context["failed"] else 200)


@citizen_login_required
@require_POST
def petition_rate(request: HttpRequest, code: str) -> HttpResponse:
    """The petitioner likes or dislikes the answer."""
    petition = Petition.objects.filter(code=code, user_id=request.user.pk).first()
    if petition is None:
        raise Http404(_("Không tìm thấy phản ánh của bạn với mã này."))
    choice = request.POST.get("hai_long")
    if choice in ("0", "1"):
        try:
            petition_rate_answer(petition=petition, user=request.user, satisfied=choice == "1")
        except FeedbackError:
            pass  # not answered yet: the status page says so
    return redirect(reverse("feedback:petition_status") + "?" + urlencode({"ma": code}))
