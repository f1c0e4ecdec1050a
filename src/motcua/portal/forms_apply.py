"""Forms of the online application steps and of the applicant's actions (Vietnamese messages).

Forms validate input; the rules of the dossier live in the services they hand over to.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.identity import IdentityKind, normalise_number, validate_identity
from motcua.dossiers.models import ApplicantType, Sex
from motcua.org.models import AdministrativeUnit, Agency

REQUIRED = _("Vui lòng nhập %(field)s.")


def _required_message(field: Promise) -> str:
    return str(REQUIRED) % {"field": field}


# Built when the message is shown, in the active language: the form classes are created once at
# import, so formatting there would freeze the text in whatever language was active then.
_required_lazy = lazy(_required_message, str)


def _required(field: Promise) -> dict[str, Promise]:
    """``error_messages`` with "Vui lòng nhập <field>." where ``field`` is a lazily translated name."""
    return {"required": _required_lazy(field)}


class ErrorSummaryMixin:
    """``summary``: (field id, message) pairs for the error summary at the top of the page."""

    def summary(self) -> list[tuple[str, str]]:
        rows = []
        for name, errors in self.errors.items():
            anchor = f"id_{name}" if name != "__all__" else "main"
            for message in errors:
                rows.append((anchor, message))
        return rows


class PlaceForm(ErrorSummaryMixin, forms.Form):
    """Step 1: the case, the one-stop unit and (when it matters) the commune of the request."""

    case = forms.TypedChoiceField(
        label=_("Trường hợp"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Chọn trường hợp của thủ tục."),
            "invalid_choice": _("Trường hợp không hợp lệ."),
        },
    )
    receiving_unit = forms.ModelChoiceField(
        label=_("Nộp tại Bộ phận Một cửa"),
        queryset=Agency.objects.none(),
        empty_label=_("— Chọn nơi nộp —"),
        error_messages={"required": _("Chọn nơi nộp hồ sơ."), "invalid_choice": _("Nơi nộp không hợp lệ.")},
    )
    commune = forms.ModelChoiceField(
        label=_("Xã, phường nơi có yêu cầu"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("— Như nơi nộp —"),
        help_text=_("Thủ tục phi địa giới: có thể nộp ở nơi khác với xã, phường có yêu cầu."),
        error_messages={"invalid_choice": _("Xã, phường không hợp lệ.")},
    )

    def __init__(self, *args, version: ProcedureVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        cases = list(version.cases.order_by("order"))
        self.fields["case"].choices = [(c.pk, c.name) for c in cases]
        if len(cases) == 1 and not self.is_bound:
            self.initial.setdefault("case", cases[0].pk)
        self.cases = {c.pk: c for c in cases}
        self.fields["receiving_unit"].queryset = (
            Agency.objects.filter(kind=Agency.Kind.ONE_STOP, valid_to__isnull=True)
            .select_related("admin_unit")
            .order_by("name")
        )
        self.choose_commune = version.competent_at_commune and version.non_boundary
        if self.choose_commune:
            self.fields["commune"].queryset = AdministrativeUnit.objects.filter(
                level=AdministrativeUnit.Level.COMMUNE, valid_to__isnull=True
            ).order_by("name")
        else:
            del self.fields["commune"]

    def clean(self):
        data = super().clean()
        if "case" in data:
            data["case_obj"] = self.cases.get(data["case"])
        unit = data.get("receiving_unit")
        if unit is not None and not self.choose_commune and self.version.competent_at_commune:
            if unit.admin_unit is None or unit.admin_unit.level != AdministrativeUnit.Level.COMMUNE:
                self.add_error(
                    "receiving_unit",
                    _("Thủ tục cấp xã: chọn Bộ phận Một cửa của xã, phường nơi có yêu cầu."),
                )
        return data


class ApplicantForm(ErrorSummaryMixin, forms.Form):
    """Step 2: who applies (pre-filled from the account) and an optional proxy."""

    applicant_type = forms.ChoiceField(
        label=_("Người nộp là"), choices=ApplicantType.choices, initial=ApplicantType.CITIZEN
    )
    name = forms.CharField(
        label=_("Họ và tên / tên tổ chức"), max_length=250, error_messages=_required(_("họ và tên"))
    )
    id_kind = forms.ChoiceField(
        label=_("Loại giấy tờ"), choices=IdentityKind.choices, initial=IdentityKind.CCCD
    )
    id_number = forms.CharField(
        label=_("Số giấy tờ"),
        max_length=20,
        help_text=_("Căn cước: 12 chữ số."),
        error_messages=_required(_("số giấy tờ")),
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Ngày sinh không hợp lệ (ngày/tháng/năm).")},
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *Sex.choices], required=False)
    phone = forms.RegexField(
        label=_("Số điện thoại"),
        regex=r"^\+?[0-9 .]{8,15}$",
        max_length=20,
        error_messages={
            **_required(_("số điện thoại")),
            "invalid": _("Số điện thoại chỉ gồm chữ số (8–15 số)."),
        },
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        help_text=_("Giấy tiếp nhận được gửi vào địa chỉ này."),
        error_messages={**_required(_("thư điện tử")), "invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, error_messages=_required(_("địa chỉ")))
    has_proxy = forms.BooleanField(label=_("Nộp thay theo ủy quyền"), required=False)
    proxy_name = forms.CharField(label=_("Họ và tên người được ủy quyền"), max_length=250, required=False)
    proxy_id_number = forms.CharField(
        label=_("Số căn cước người được ủy quyền"), max_length=20, required=False
    )
    proxy_phone = forms.CharField(label=_("Điện thoại người được ủy quyền"), max_length=30, required=False)

    def clean(self):
        data = super().clean()
        if data.get("id_number") and data.get("id_kind") and data.get("applicant_type"):
            try:
                validate_identity(
                    kind=data["id_kind"],
                    number=data["id_number"],
                    birth_date=data.get("birth_date"),
                    sex=data.get("sex") or None,
                    applicant_type=data["applicant_type"],
                )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    target = field if field in self.fields else None
                    for error in errors:
                        self.add_error(target, error)
            else:
                data["id_number"] = normalise_number(data["id_number"])
        if data.get("has_proxy"):
            if not data.get("proxy_name"):
                self.add_error("proxy_name", _("Nhập họ và tên người được ủy quyền."))
            number = data.get("proxy_id_number")
            if not number:
                self.add_error("proxy_id_number", _("Nhập số căn cước người được ủy quyền."))
            else:
                try:
                    validate_identity(kind=IdentityKind.CCCD, number=number)
                except ValidationError as exc:
                    for error in exc.error_dict.get("id_number", []):
                        self.add_error("proxy_id_number", error)
                else:
                    data["proxy_id_number"] = normalise_number(number)
        return data

    def applicant(self) -> dict:
        d = self.cleaned_data
        keys = ("applicant_type", "name", "id_kind", "id_number", "sex", "phone", "email", "address")
        data = {k: d.get(k) or "" for k in keys}
        data["birth_date"] = d["birth_date"].isoformat() if d.get("birth_date") else ""
        return data

    def proxy(self) -> dict:
        d = self.cleaned_data
        if not d.get("has_proxy"):
            return {}
        return {"name": d["proxy_name"], "id_number": d["proxy_id_number"], "phone": d.get("proxy_phone", "")}

    @staticmethod
    def initial_from(applicant: dict, proxy: dict) -> dict:
        initial = {k: v for k, v in applicant.items() if v}
        if proxy:
            initial.update(
                has_proxy=True,
                proxy_name=proxy.get("name", ""),
                proxy_id_number=proxy.get("id_number", ""),
                proxy_phone=proxy.get("phone", ""),
            )
        return initial


class ConsentForm(ErrorSummaryMixin, forms.Form):
    """Step 4: declaration (cam đoan) and consent to personal-data processing (Decree 13/2023)."""

    truthful = forms.BooleanField(
        label=_("Tôi cam đoan những thông tin đã khai và giấy tờ đã tải lên là đúng sự thật."),
        error_messages={"required": _("Cần xác nhận lời cam đoan để nộp hồ sơ.")},
    )
    personal_data = forms.BooleanField(
        label=_(
            "Tôi đồng ý để cơ quan nhà nước xử lý dữ liệu cá nhân trong hồ sơ này để giải quyết thủ tục "
            "(Nghị định 13/2023/NĐ-CP)."
        ),
        error_messages={"required": _("Cần đồng ý xử lý dữ liệu cá nhân để nộp hồ sơ.")},
    )


class WithdrawForm(ErrorSummaryMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Nhập lý do rút hồ sơ.")},
    )
    confirm = forms.BooleanField(
        label=_("Tôi hiểu rằng hồ sơ sẽ dừng giải quyết và không thể tiếp tục."),
        error_messages={"required": _("Đánh dấu xác nhận để rút hồ sơ.")},
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class SupplementForm(ErrorSummaryMixin, forms.Form):
    note = forms.CharField(
        label=_("Ghi chú cho cán bộ (không bắt buộc)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
