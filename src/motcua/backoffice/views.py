"""Staff pages (Bộ phận Một cửa). Views are thin: they call dossier services and selectors."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.backoffice.selectors import ledger_units
from motcua.dossiers.printing import render_ledger

# A ledger covers at most a year: a bounded PDF (the form is a daily/monthly register).
LEDGER_MAX_DAYS = 366


@login_required
def home(request):
    return redirect("backoffice:inbox")


class LedgerForm(forms.Form):
    don_vi = forms.ModelChoiceField(queryset=None, label=_("Đơn vị"), empty_label=None)
    tu_ngay = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    den_ngay = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["don_vi"].queryset = units

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
            if (end - start).days > LEDGER_MAX_DAYS:
                raise forms.ValidationError(_("Mỗi lần tải sổ không quá một năm."))
        return data


@login_required
def ledger(request):
    """Sổ theo dõi hồ sơ (Mẫu 07/2025, 06/2018) of one of the officer's one-stop units."""
    units = ledger_units(request.user)
    if "don_vi" in request.GET:
        form = LedgerForm(request.GET, units=units)
        if form.is_valid():
            unit, start, end = (form.cleaned_data[k] for k in ("don_vi", "tu_ngay", "den_ngay"))
            pdf = render_ledger(unit=unit, date_from=start, date_to=end)
            response = HttpResponse(pdf, content_type="application/pdf")
            name = f"so-theo-doi-{unit.ident_code}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    else:
        today = timezone.localdate()
        form = LedgerForm(
            initial={"tu_ngay": today.replace(day=1), "den_ngay": today, "don_vi": units.first()}, units=units
        )
    return render(request, "backoffice/ledger.html", {"form": form, "has_units": units.exists()})
