"""Forms of the evaluation and petition pages: they collect every field error at once for the
error summary; the rules themselves are in :mod:`motcua.feedback.services`."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.org.models import Agency

from .models import CRITERIA, PetitionCategory

NOT_APPLICABLE = "na"


class AccessibleForm(forms.Form):
    """Marks invalid inputs (aria-invalid) and ties them to their message (aria-describedby)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and not isinstance(self.fields[name].widget, forms.RadioSelect):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{name}-error"}
                )


class EvaluationForm(AccessibleForm):
    """Decree 61/2018 Art. 31 criteria (2/1/0 points each), satisfied or not, and a comment."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in CRITERIA:
            choices = [(str(v), label) for v, label in c.choices]
            if c.optional:
                choices.append((NOT_APPLICABLE, _("Không áp dụng")))
            self.fields[c.field] = forms.ChoiceField(
                label=f"{c.letter}) {c.label}",
                choices=choices,
                widget=forms.RadioSelect,
                # g) and h) left empty mean "not applicable", like choosing it.
                required=not c.optional,
                error_messages={"required": _("Chọn một mức cho tiêu chí này.")},
            )
        self.fields["satisfied"] = forms.ChoiceField(
            label=_("Nhìn chung, ông/bà có hài lòng với việc giải quyết hồ sơ không?"),
            choices=[("1", _("Hài lòng")), ("0", _("Không hài lòng"))],
            widget=forms.RadioSelect,
            error_messages={"required": _("Chọn hài lòng hoặc không hài lòng.")},
        )
        self.fields["comment"] = forms.CharField(
            label=_("Ý kiến khác (không bắt buộc)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def criteria_fields(self):
        return [(c, self[c.field]) for c in CRITERIA]

    def scores(self) -> dict[str, int | None]:
        return {
            c.field: None
            if self.cleaned_data[c.field] in ("", NOT_APPLICABLE)
            else int(self.cleaned_data[c.field])
            for c in CRITERIA
        }

    def satisfied(self) -> bool:
        return self.cleaned_data["satisfied"] == "1"


class PetitionForm(AccessibleForm):
    category = forms.ChoiceField(
        label=_("Nhóm nội dung"),
        choices=PetitionCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn nhóm nội dung phản ánh.")},
    )
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Nhập nội dung phản ánh."),
            "min_length": _("Nội dung phản ánh cần ít nhất 10 ký tự."),
        },
    )
    dossier_code = forms.CharField(label=_("Mã hồ sơ liên quan (nếu có)"), required=False, max_length=60)
    dossier_secret = forms.CharField(label=_("Mã bí mật của hồ sơ"), required=False, max_length=40)
    procedure_code = forms.CharField(label=_("Mã thủ tục liên quan (nếu có)"), required=False, max_length=50)
    unit = forms.ModelChoiceField(
        label=_("Cơ quan, đơn vị bị phản ánh"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("— Chọn đơn vị —"),
    )
    name = forms.CharField(label=_("Họ và tên"), required=False, max_length=200)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=30)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        self.fields["unit"].queryset = (
            Agency.objects.filter(kind=Agency.Kind.ONE_STOP, valid_to__isnull=True)
            .select_related("admin_unit")
            .order_by("name")
        )
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)

    def clean(self):
        data = super().clean()
        if not data.get("dossier_code", "").strip() and not data.get("unit"):
            self.add_error("unit", _("Chọn cơ quan, đơn vị bị phản ánh (hoặc nhập mã hồ sơ)."))
        if not self.signed_in:
            if not data.get("name", "").strip():
                self.add_error("name", _("Nhập họ và tên."))
            if not data.get("email") and not data.get("phone", "").strip() and "email" not in self.errors:
                self.add_error("email", _("Nhập thư điện tử hoặc số điện thoại để nhận trả lời."))
        return data


class AnswerForm(AccessibleForm):
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        min_length=10,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Nhập nội dung trả lời."),
            "min_length": _("Nội dung trả lời cần ít nhất 10 ký tự."),
        },
    )


class CloseForm(AccessibleForm):
    note = forms.CharField(label=_("Ghi chú khi đóng"), required=False, max_length=500)
