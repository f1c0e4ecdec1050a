"""Citizen account pages (tài khoản công dân): sign up, verify the e-mail address, sign in and
out, reset the password, the profile page, and OpenID Connect sign-in (VNeID or any provider).

Officers keep their own sign-in at /dang-nhap/. Views are thin: writes go through
``motcua.accounts.services``. Pages for citizens only use :func:`citizen_login_required`.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from motcua.accounts.services import (
    EmailVerificationError,
    citizen_profile_update,
    citizen_sign_up,
    email_verification_send,
    user_verify_email,
)

from . import ratelimit
from .forms_account import (
    CitizenPasswordResetForm,
    CitizenSetPasswordForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
)

LOCAL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def citizen_login_required(view):
    """``login_required`` that sends to the citizens' sign-in page, not the officers' one."""
    return login_required(view, login_url=settings.MOTCUA_PORTAL_LOGIN_URL)


# --- Rate limits -----------------------------------------------------------------------------
# Failed sign-ins are counted per client IP and per e-mail address (hashed: no address in cache
# keys); sign-ups, reset requests and re-sent verification e-mails per IP. Same caveat as
# ``ratelimit``: a per-process cache multiplies the allowance by the number of processes.


def _key(scope: str, value: str) -> str:
    return f"motcua:ratelimit:{scope}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _add(key: str) -> None:
    window = settings.MOTCUA_SIGNIN_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)


def _blocked(*keys: str) -> bool:
    return any(_count(k) >= settings.MOTCUA_SIGNIN_ATTEMPTS for k in keys)


def _too_many(request: HttpRequest) -> HttpResponse:
    window = settings.MOTCUA_SIGNIN_WINDOW_SECONDS
    response = render(request, "portal/account/429.html", {"minutes": max(1, window // 60)}, status=429)
    response["Retry-After"] = str(window)
    return response


def _throttle(request: HttpRequest, scope: str) -> HttpResponse | None:
    """Count one attempt of ``scope`` from this IP; a 429 response once the allowance is used."""
    key = _key(scope, ratelimit.client_ip(request))
    if _blocked(key):
        return _too_many(request)
    _add(key)
    return None


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# --- Sign up, sign in, sign out ------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if (limited := _throttle(request, "signup")) is not None:
            return limited
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = citizen_sign_up(
                    email=data["email"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    phone=data["phone"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                email_verification_send(user=user, base_url=_site(request))
                login(request, user, backend=LOCAL_BACKEND)
                messages.success(
                    request,
                    _("Đã tạo tài khoản. Hãy mở thư chúng tôi vừa gửi tới %(email)s để xác thực địa chỉ.")
                    % {"email": user.email},
                )
                return redirect("portal:account")
    return render(request, "portal/account/signup.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("password")
@csrf_protect
@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    form = SignInForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip_key = _key("signin-ip", ratelimit.client_ip(request))
        email_key = _key("signin-email", email)
        if _blocked(ip_key, email_key):
            return _too_many(request)
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if user is None:
            _add(ip_key)
            _add(email_key)
            failed = True
        else:
            cache.delete(email_key)
            login(request, user)
            return redirect(next_url or "portal:account")
    context = {"form": form, "failed": failed, "next": next_url, **_oidc_context()}
    status = 400 if (form.errors or failed) else 200
    return render(request, "portal/account/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


# --- E-mail verification ----------------------------------------------------------------------


@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = user_verify_email(token=token)
    except EmailVerificationError as exc:
        return render(request, "portal/account/verify_email_result.html", {"error": exc.code}, status=400)
    return render(request, "portal/account/verify_email_result.html", {"verified_email": user.email})


@require_POST
@citizen_login_required
def resend_verification(request: HttpRequest) -> HttpResponse:
    if (limited := _throttle(request, "verify-resend")) is not None:
        return limited
    user = request.user
    if user.email and not user.email_verified:
        email_verification_send(user=user, base_url=_site(request))
        messages.success(request, _("Đã gửi lại thư xác thực tới %(email)s.") % {"email": user.email})
    return redirect("portal:account")


# --- Profile ------------------------------------------------------------------------------------


@never_cache
@citizen_login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "full_name": user.full_name,
        "phone": user.phone,
        "id_kind": user.id_kind or "cccd",
        "id_number": user.id_number,
        "birth_date": user.birth_date,
        "sex": user.sex,
        "address": user.address,
    }
    form = ProfileForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            citizen_profile_update(
                user=user,
                full_name=data["full_name"],
                phone=data["phone"],
                id_kind=data["id_kind"],
                id_number=data["id_number"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                address=data["address"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Đã lưu thông tin tài khoản."))
            return redirect("portal:account")
    return render(
        request,
        "portal/account/account.html",
        {"form": form, "account_user": user},
        status=400 if form.errors else 200,
    )


# --- Password reset (Django's views, portal templates) ------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/account/password_reset_form.html"
    email_template_name = "portal/account/password_reset_email.txt"
    subject_template_name = "portal/account/password_reset_subject.txt"
    form_class = CitizenPasswordResetForm
    success_url = reverse_lazy("portal:password_reset_done")

    @property
    def extra_email_context(self):
        return {"valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}

    def post(self, request, *args, **kwargs):
        if (limited := _throttle(request, "password-reset")) is not None:
            return limited
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/account/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/account/password_reset_confirm.html"
    form_class = CitizenSetPasswordForm
    success_url = reverse_lazy("portal:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/account/password_reset_complete.html"


# --- OpenID Connect (VNeID or any provider) ---------------------------------------------------------


def _oidc_context() -> dict:
    return {
        "oidc_enabled": settings.MOTCUA_OIDC_ENABLED,
        "oidc_label": settings.MOTCUA_OIDC_BUTTON_LABEL,
    }


class OIDCStartView(OIDCAuthenticationRequestView):
    """Redirects to the provider's authorization endpoint (state, nonce, PKCE in the session)."""

    def get(self, request):
        if not settings.MOTCUA_OIDC_ENABLED:
            raise Http404(_("Chưa cấu hình đăng nhập bằng định danh điện tử."))
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back: the code is exchanged and the citizen signed in."""

    @property
    def failure_url(self):
        return reverse("portal:signin")

    @property
    def success_url(self):
        next_url = self.request.session.get("oidc_login_next")
        return next_url or resolve_url("portal:account")

    def login_failure(self):
        messages.error(
            self.request,
            _("Không đăng nhập được qua %(provider)s. Vui lòng thử lại hoặc đăng nhập bằng thư điện tử.")
            % {"provider": settings.MOTCUA_OIDC_PROVIDER.upper()},
        )
        return super().login_failure()

    def get(self, request):
        if not settings.MOTCUA_OIDC_ENABLED:
            raise Http404(_("Chưa cấu hình đăng nhập bằng định danh điện tử."))
        return super().get(request)
