"""Forms of the citizen account pages: sign-up, sign-in, profile. Rules live in
``accounts.services`` and ``dossiers.identity``; these forms only shape and check the input."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import CitizenIdKind, Sex, User
from motcua.accounts.services import citizen_email_taken, normalise_email
from motcua.dossiers.identity import normalise_number, validate_identity


class SignUpForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=150,
        help_text=_("Dùng để đăng nhập; chúng tôi gửi liên kết xác thực tới địa chỉ này."),
    )
    phone = forms.CharField(label=_("Số điện thoại (không bắt buộc)"), max_length=20, required=False)
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số, không quá phổ biến."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["full_name", "email", "phone", "password1", "password2"]

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if citizen_email_taken(email):
            raise ValidationError(
                _("Địa chỉ thư điện tử này đã có tài khoản. Hãy đăng nhập hoặc lấy lại mật khẩu."),
                code="email_taken",
            )
        return email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        elif p1:
            probe = User(username=data.get("email") or "", email=data.get("email") or "")
            probe.full_name = data.get("full_name") or ""
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SignInForm(forms.Form):
    email = forms.CharField(
        label=_("Thư điện tử"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    id_kind = forms.ChoiceField(label=_("Loại giấy tờ"), choices=CitizenIdKind.choices, required=False)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        required=False,
        help_text=_("12 chữ số trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *Sex.choices], required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_identity = user.identity_verified and bool(user.id_number)
        if self.locked_identity:
            for name in ("id_kind", "id_number"):
                self.fields[name].disabled = True
            self.fields["id_number"].help_text = _(
                "Số do nhà cung cấp định danh (VNeID) xác thực; không sửa được."
            )

    def clean_id_number(self):
        return normalise_number(self.cleaned_data.get("id_number") or "")

    def clean(self):
        data = super().clean()
        if data.get("id_number"):
            try:
                validate_identity(
                    kind=data.get("id_kind") or "cccd",
                    number=data["id_number"],
                    birth_date=data.get("birth_date"),
                    sex=data.get("sex") or None,
                    applicant_type="citizen",
                )
            except ValidationError as exc:
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return data


class CitizenPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Thư điện tử"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class CitizenSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password1"].help_text = _(
            "Ít nhất 8 ký tự, không chỉ gồm chữ số, không quá phổ biến."
        )
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].help_text = ""
