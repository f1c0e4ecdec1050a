"""Apply online (nộp hồ sơ trực tuyến), step by step, with a draft kept server-side.

Steps: (1) case and place, (2) applicant, (3) components, (4) consent, (5) review and submit.
Every step saves to the :class:`~.models.ApplicationDraft`; a reload shows what was saved and
``/nop-ho-so/<code>/`` resumes an unfinished draft at its next step. Thin over
:mod:`motcua.portal.services`.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.backoffice.uploads import max_upload_bytes
from motcua.catalog.models import Component
from motcua.portal.views_account import citizen_login_required

from . import services
from .forms_apply import ApplicantForm, ConsentForm, PlaceForm
from .models import ApplicationDraft, DraftFile
from .selectors import procedure_public

Step = ApplicationDraft.Step


def _step_url(draft: ApplicationDraft, step: str) -> str:
    return reverse("portal:apply_step", args=[draft.pk, step])


def _own_draft(request: HttpRequest, draft_id: uuid.UUID) -> ApplicationDraft:
    return get_object_or_404(
        ApplicationDraft.objects.select_related(
            "procedure_version__procedure", "case", "receiving_unit__admin_unit", "commune", "dossier"
        ),
        pk=draft_id,
        user=request.user,
    )


def _gate(request: HttpRequest, version) -> HttpResponse | None:
    """Pages shown instead of the form: no online service, or an unverified e-mail address."""
    if not services.online_allowed(version):
        return render(request, "portal/apply/not_online.html", {"version": version}, status=404)
    if not services.email_verified(request.user):
        return render(request, "portal/apply/verify_email.html", {"version": version}, status=403)
    return None


def _account_initial(user) -> dict:
    """Applicant data from the account (and from identity attributes once accounts has them)."""
    initial = {
        "name": getattr(user, "full_name", "") or user.get_full_name(),
        "email": user.email,
        "phone": getattr(user, "phone", ""),
    }
    for name in ("id_kind", "id_number", "birth_date", "sex", "address"):
        value = getattr(user, name, None)
        if value:
            initial[name] = value
    return {k: v for k, v in initial.items() if v}


def _context(draft: ApplicationDraft | None, version, step: str, **extra) -> dict:
    steps = [
        {
            "value": value,
            "label": label,
            "number": i,
            "reachable": draft is not None and services.step_reachable(draft, value),
        }
        for i, (value, label) in enumerate(Step.choices, start=1)
    ]
    form = extra.get("form")
    if "summary" not in extra and form is not None and form.is_bound:
        extra["summary"] = form.summary()
    return {"draft": draft, "version": version, "step": step, "steps": steps, **extra}


@never_cache
@citizen_login_required
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1 of a new application, or the next step of the person's unfinished draft."""
    version = procedure_public(code)
    if version is None:
        raise Http404(_("Không tìm thấy thủ tục."))
    if (gate := _gate(request, version)) is not None:
        return gate
    if request.method == "GET" and "moi" not in request.GET:
        draft = (
            ApplicationDraft.objects.filter(
                user=request.user, procedure_version=version, dossier__isnull=True
            )
            .order_by("-updated_at")
            .first()
        )
        if draft is not None:
            return redirect(_step_url(draft, services.next_step(draft)))
    form = PlaceForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        draft = services.draft_save_place(
            user=request.user,
            version=version,
            case=form.cleaned_data["case_obj"],
            receiving_unit=form.cleaned_data["receiving_unit"],
            commune=form.cleaned_data.get("commune"),
        )
        return redirect(_step_url(draft, Step.APPLICANT))
    status = 400 if form.errors else 200
    return render(
        request, "portal/apply/place.html", _context(None, version, Step.PLACE, form=form), status=status
    )


@never_cache
@citizen_login_required
@require_http_methods(["GET", "POST"])
def apply_step(request: HttpRequest, draft_id: uuid.UUID, step: str) -> HttpResponse:
    draft = _own_draft(request, draft_id)
    if draft.is_submitted:
        return redirect("portal:apply_receipt", draft.pk)
    if step not in Step.values:
        raise Http404
    version = draft.procedure_version
    if (gate := _gate(request, version)) is not None:
        return gate
    if not services.step_reachable(draft, step):
        return redirect(_step_url(draft, services.next_step(draft)))
    handler = {
        Step.PLACE: _step_place,
        Step.APPLICANT: _step_applicant,
        Step.COMPONENTS: _step_components,
        Step.CONSENT: _step_consent,
        Step.REVIEW: _step_review,
    }[Step(step)]
    return handler(request, draft)


def _step_place(request: HttpRequest, draft: ApplicationDraft) -> HttpResponse:
    version = draft.procedure_version
    initial = {"case": draft.case_id, "receiving_unit": draft.receiving_unit_id, "commune": draft.commune_id}
    form = PlaceForm(request.POST or None, version=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.draft_save_place(
            user=request.user,
            version=version,
            case=form.cleaned_data["case_obj"],
            receiving_unit=form.cleaned_data["receiving_unit"],
            commune=form.cleaned_data.get("commune"),
            draft=draft,
        )
        return redirect(_step_url(draft, Step.APPLICANT))
    ctx = _context(
        draft, version, Step.PLACE, form=form, resolving_agency=services.draft_resolving_agency(draft)
    )
    return render(request, "portal/apply/place.html", ctx, status=400 if form.errors else 200)


def _step_applicant(request: HttpRequest, draft: ApplicationDraft) -> HttpResponse:
    initial = (
        ApplicantForm.initial_from(draft.applicant, draft.proxy)
        if draft.applicant
        else _account_initial(request.user)
    )
    form = ApplicantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.draft_save_applicant(draft=draft, applicant=form.applicant(), proxy=form.proxy())
        return redirect(_step_url(draft, Step.COMPONENTS))
    ctx = _context(draft, draft.procedure_version, Step.APPLICANT, form=form)
    return render(request, "portal/apply/applicant.html", ctx, status=400 if form.errors else 200)


def _components_context(draft: ApplicationDraft, errors: dict[int, list[str]]) -> list[dict]:
    files: dict[int, list[DraftFile]] = {}
    for item in draft.files.order_by("id"):
        files.setdefault(item.component_id, []).append(item)
    return [
        {"component": c, "files": files.get(c.pk, []), "errors": errors.get(c.pk, [])}
        for c in Component.objects.filter(case_id=draft.case_id).order_by("order")
    ]


def _step_components(request: HttpRequest, draft: ApplicationDraft) -> HttpResponse:
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        components = {c.pk: c for c in Component.objects.filter(case_id=draft.case_id)}
        for pk, component in components.items():
            for upload in request.FILES.getlist(f"file_{pk}"):
                try:
                    services.draft_add_upload(draft=draft, component=component, upload=upload)
                except ValidationError as exc:
                    errors.setdefault(pk, []).extend(exc.messages)
        if not errors and request.POST.get("action") == "next":
            missing = services.missing_components(draft)
            if not missing:
                services.draft_components_done(draft=draft)
                return redirect(_step_url(draft, Step.CONSENT))
            for component in missing:
                errors.setdefault(component.pk, []).append(
                    _("Thành phần bắt buộc: chọn ít nhất một tệp (PDF, JPEG hoặc PNG).")
                )
        if not errors:
            return redirect(_step_url(draft, Step.COMPONENTS))
    rows = _components_context(draft, errors)
    summary = [
        (f"file_{row['component'].pk}", f"{row['component'].name[:80]}: {m}")
        for row in rows
        for m in row["errors"]
    ]
    ctx = _context(
        draft,
        draft.procedure_version,
        Step.COMPONENTS,
        rows=rows,
        summary=summary,
        max_mb=f"{max_upload_bytes() / 1024 / 1024:g}",
    )
    return render(request, "portal/apply/components.html", ctx, status=400 if errors else 200)


def _step_consent(request: HttpRequest, draft: ApplicationDraft) -> HttpResponse:
    initial = {"truthful": True, "personal_data": True} if draft.consented_at else {}
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.draft_consent(draft=draft)
        return redirect(_step_url(draft, Step.REVIEW))
    ctx = _context(draft, draft.procedure_version, Step.CONSENT, form=form)
    return render(request, "portal/apply/consent.html", ctx, status=400 if form.errors else 200)


def _step_review(request: HttpRequest, draft: ApplicationDraft) -> HttpResponse:
    error = None
    problems = services.draft_problems(draft)
    if request.method == "POST":
        try:
            services.draft_submit(draft=draft, sign_in=services.sign_in_info(request))
        except services.SubmitError as exc:
            error, problems = exc.message, exc.problems or problems
        else:
            return redirect("portal:apply_receipt", draft.pk)
    summary = [
        (_step_url(draft, step), message) for step, messages in problems.items() for message in messages
    ]
    if error and not summary:
        summary = [("#main", error)]
    ctx = _context(
        draft,
        draft.procedure_version,
        Step.REVIEW,
        rows=_components_context(draft, {}),
        resolving_agency=services.draft_resolving_agency(draft),
        birth_date=parse_date(draft.applicant.get("birth_date") or ""),
        summary=summary,
        submit_error=error,
    )
    return render(
        request,
        "portal/apply/review.html",
        ctx,
        status=400 if (error or (problems and request.method == "POST")) else 200,
    )


@citizen_login_required
@require_POST
def file_remove(request: HttpRequest, draft_id: uuid.UUID, file_id: int) -> HttpResponse:
    draft = _own_draft(request, draft_id)
    if draft.is_submitted:
        return redirect("portal:apply_receipt", draft.pk)
    services.draft_remove_file(draft=draft, file_id=file_id)
    return redirect(_step_url(draft, Step.COMPONENTS))


@citizen_login_required
def file_view(request: HttpRequest, draft_id: uuid.UUID, file_id: int) -> FileResponse:
    draft = _own_draft(request, draft_id)
    item = get_object_or_404(DraftFile, draft=draft, pk=file_id, file__isnull=False)
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f'inline; filename="{item.file.name.rsplit("/", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@citizen_login_required
@require_POST
def draft_delete(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    draft = _own_draft(request, draft_id)
    if not draft.is_submitted:
        services.draft_delete(draft=draft)
    return redirect("portal:mine")


@never_cache
@citizen_login_required
def receipt(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    draft = _own_draft(request, draft_id)
    if not draft.is_submitted:
        return redirect(_step_url(draft, services.next_step(draft)))
    dossier = draft.dossier
    return render(
        request,
        "portal/apply/receipt.html",
        {
            "draft": draft,
            "dossier": dossier,
            "version": draft.procedure_version,
            "reference": dossier.code or dossier.temp_reference,
        },
    )
