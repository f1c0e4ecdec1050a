"""Citizen accounts: sign-up, signed e-mail verification, profile, OIDC identities, sign-in info."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from freezegun import freeze_time

from motcua.accounts.models import User
from motcua.accounts.services import (
    EmailVerificationError,
    citizen_oidc_sign_in,
    citizen_profile_update,
    citizen_sign_up,
    email_verification_send,
    email_verification_token,
    sign_in_info,
    sign_in_record,
    user_verify_email,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Hoa-sen-2026!"


def sign_up(email="An.Nguyen@Example.vn", **kw) -> User:
    return citizen_sign_up(
        email=email, password=PASSWORD, full_name=kw.pop("full_name", "Nguyễn Văn An"), **kw
    )


def test_sign_up_uses_the_lowercased_email_as_username_and_is_unverified():
    user = sign_up(phone=" 0912345678 ")
    assert user.username == user.email == "an.nguyen@example.vn"
    assert user.phone == "0912345678"
    assert not user.email_verified and not user.identity_verified
    assert not user.can_submit_online
    assert authenticate(username="an.nguyen@example.vn", password=PASSWORD) == user


def test_sign_up_refuses_a_taken_address_in_any_case_and_a_weak_password():
    sign_up()
    with pytest.raises(ValidationError) as exc:
        sign_up(email="AN.NGUYEN@example.VN")
    assert exc.value.error_dict["email"][0].code == "email_taken"
    with pytest.raises(ValidationError):
        citizen_sign_up(email="b@example.vn", password="12345678", full_name="B")
    assert User.objects.count() == 1


def test_verification_link_is_sent_after_commit_and_verifies(django_capture_on_commit_callbacks):
    user = sign_up()
    with django_capture_on_commit_callbacks(execute=True):
        email_verification_send(user=user, base_url="https://dichvucong.camau.gov.vn/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["an.nguyen@example.vn"]
    assert "Xác thực" in message.subject
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    assert link.startswith("https://dichvucong.camau.gov.vn/tai-khoan/xac-thuc-email/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert user_verify_email(token=token) == user
    user.refresh_from_db()
    assert user.email_verified and user.can_submit_online
    assert user_verify_email(token=token).email_verified  # idempotent


def test_verification_link_expires_and_cannot_be_forged_or_reused_for_another_address(settings):
    user = sign_up()
    with freeze_time("2026-11-02 08:00:00"):
        token = email_verification_token(user)
    late = dt.datetime(2026, 11, 2, 8) + dt.timedelta(seconds=settings.MOTCUA_EMAIL_VERIFY_MAX_AGE + 60)
    with freeze_time(late):
        with pytest.raises(EmailVerificationError) as exc:
            user_verify_email(token=token)
    assert exc.value.code == "expired"
    with pytest.raises(EmailVerificationError) as exc:
        user_verify_email(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert exc.value.code == "invalid"
    fresh = email_verification_token(user)
    User.objects.filter(pk=user.pk).update(email="other@example.vn")
    with pytest.raises(EmailVerificationError):
        user_verify_email(token=fresh)
    user.refresh_from_db()
    assert not user.email_verified


def test_profile_checks_the_identity_number_like_the_counter():
    user = sign_up()
    with pytest.raises(ValidationError) as exc:
        citizen_profile_update(user=user, full_name="Nguyễn Văn An", id_kind="cccd", id_number="12345")
    assert "id_number" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:  # 4th digit 0 = male born 1900s; says 1985 female
        citizen_profile_update(
            user=user,
            full_name="Nguyễn Văn An",
            id_kind="cccd",
            id_number="096085000123",
            birth_date=dt.date(1985, 3, 1),
            sex="female",
        )
    assert "sex" in exc.value.error_dict
    saved = citizen_profile_update(
        user=user,
        full_name=" Nguyễn Văn An ",
        phone="0912 345 678",
        id_kind="cccd",
        id_number="096 085 000 123",
        birth_date=dt.date(1985, 3, 1),
        sex="male",
        address="Khóm 3, phường An Xuyên",
    )
    assert (saved.full_name, saved.id_number, saved.sex) == ("Nguyễn Văn An", "096085000123", "male")


def test_an_identity_number_from_a_verified_provider_cannot_be_changed_in_the_profile():
    user = citizen_oidc_sign_in(
        issuer="https://id.example",
        sub="abc",
        full_name="Lê Thị Hoa",
        id_number="096185001234",
        identity_verified=True,
    )
    saved = citizen_profile_update(
        user=user, full_name="Lê Thị Hoa", id_kind="cccd", id_number="096085000123"
    )
    assert saved.id_number == "096185001234"


def test_oidc_identity_is_matched_by_issuer_and_sub_never_by_email():
    local = sign_up(email="hoa@example.vn", full_name="Hoa (tài khoản thư)")
    first = citizen_oidc_sign_in(
        issuer="https://id.example",
        sub="s-1",
        full_name="Lê Thị Hoa",
        email="HOA@example.vn",
        email_verified=True,
        id_number="bad-number",
        identity_verified=False,
    )
    assert first.pk != local.pk
    assert first.username.startswith("oidc-") and not first.has_usable_password()
    assert first.email == "hoa@example.vn" and first.email_verified
    assert first.id_number == ""  # a malformed claim is ignored
    assert not first.identity_verified and first.can_submit_online
    same = citizen_oidc_sign_in(
        issuer="https://id.example", sub="s-1", full_name="Lê Thị Hoa Mới", identity_verified=True
    )
    assert same.pk == first.pk and same.full_name == "Lê Thị Hoa Mới" and same.identity_verified
    other_issuer = citizen_oidc_sign_in(issuer="https://other.example", sub="s-1")
    assert other_issuer.pk != first.pk
    with pytest.raises(ValidationError):
        citizen_oidc_sign_in(issuer="https://id.example", sub="")


def _request(user=None):
    request = RequestFactory().get("/")
    request.session = {}
    request.user = user
    return request


def test_sign_in_info_comes_from_the_session(settings):
    user = sign_up()
    request = _request(user)
    assert sign_in_info(request) == {"method": "local", "identity_verified": False}  # no record yet
    user.backend = "motcua.accounts.backends.CitizenOIDCBackend"
    settings.MOTCUA_OIDC_PROVIDER = "vneid"
    settings.MOTCUA_OIDC_IDENTITY_VERIFIED = True
    sign_in_record(request=request, user=user)
    assert sign_in_info(request) == {"method": "oidc:vneid", "identity_verified": True}
    user.backend = "django.contrib.auth.backends.ModelBackend"
    sign_in_record(request=request, user=user)
    assert sign_in_info(request) == {"method": "local", "identity_verified": False}

    from django.contrib.auth.models import AnonymousUser

    assert sign_in_info(_request(AnonymousUser())) == {}


def test_the_oidc_backend_is_inert_when_not_configured(settings, rf):
    from motcua.accounts.backends import CitizenOIDCBackend

    settings.MOTCUA_OIDC_ENABLED = False
    settings.OIDC_OP_JWKS_ENDPOINT = None  # RS256 without keys would be refused if it were on
    request = rf.get("/tai-khoan/oidc/callback/?code=x&state=y")
    request.session = {}
    assert CitizenOIDCBackend().authenticate(request) is None


def test_admin_shows_the_citizen_fields(admin_client):
    user = citizen_oidc_sign_in(issuer="https://id.example", sub="s-9", full_name="Lê Thị Hoa")
    html = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "Công dân" in html and "https://id.example" in html
