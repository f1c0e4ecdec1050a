"""Citizen account pages over the Django test client: sign-up, verification, sign-in (rate-limited),
sign-out, password reset, profile; officers' sign-in untouched."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from motcua.accounts.models import User
from motcua.accounts.services import SESSION_SIGN_IN_KEY, citizen_sign_up

pytestmark = pytest.mark.django_db

PASSWORD = "Hoa-sen-2026!"


@pytest.fixture
def citizen():
    return citizen_sign_up(email="an@example.vn", password=PASSWORD, full_name="Nguyễn Văn An")


def _link(body: str) -> str:
    return re.search(r"https?://\S+", body).group(0)


def test_sign_up_signs_in_and_sends_a_verification_link(client, django_capture_on_commit_callbacks):
    page = client.get("/tai-khoan/dang-ky/")
    assert page.status_code == 200 and "Đăng ký tài khoản" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/tai-khoan/dang-ky/",
            {
                "full_name": "Trần Thị Bích",
                "email": "Bich@Example.vn",
                "phone": "",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"
    user = User.objects.get(username="bich@example.vn")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_SIGN_IN_KEY] == {"method": "local", "identity_verified": False}
    account = client.get("/tai-khoan/").content.decode()
    assert "chưa xác thực" in account and "Gửi lại thư xác thực" in account
    assert "Trần Thị Bích" in account  # header and profile

    [message] = mail.outbox
    link = _link(message.body)
    assert link.startswith("http://testserver/tai-khoan/xac-thuc-email/")
    done = client.get(link.removeprefix("http://testserver"))
    assert done.status_code == 200 and "Đã xác thực địa chỉ bich@example.vn" in done.content.decode()
    user.refresh_from_db()
    assert user.email_verified


def test_sign_up_errors_are_next_to_the_field_and_in_a_summary(client, citizen):
    response = client.post(
        "/tai-khoan/dang-ky/",
        {"full_name": "", "email": "AN@example.vn", "password1": "12345678", "password2": "1234"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert "đã có tài khoản" in html
    assert "Hai lần nhập mật khẩu không khớp." in html
    assert 'aria-invalid="true"' in html and 'id="id_email_error"' in html
    assert User.objects.count() == 1


def test_a_bad_verification_link_says_so(client):
    response = client.get("/tai-khoan/xac-thuc-email/not-a-token/")
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()


def test_resend_verification(client, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tai-khoan/xac-thuc-email/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["an@example.vn"]


def test_sign_in_with_email_any_case_goes_to_a_safe_next(client, citizen):
    response = client.post(
        "/tai-khoan/dang-nhap/", {"email": " AN@Example.VN ", "password": PASSWORD, "next": "/thu-tuc/"}
    )
    assert response.status_code == 302 and response["Location"] == "/thu-tuc/"
    assert client.session[SESSION_SIGN_IN_KEY]["method"] == "local"
    client.logout()
    response = client.post(
        "/tai-khoan/dang-nhap/",
        {"email": "an@example.vn", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/tai-khoan/"


def test_wrong_password_then_rate_limited(client, citizen, settings):
    settings.MOTCUA_SIGNIN_ATTEMPTS = 3
    for _ in range(3):
        response = client.post("/tai-khoan/dang-nhap/", {"email": "an@example.vn", "password": "sai"})
        assert response.status_code == 400
        assert "Thư điện tử hoặc mật khẩu không đúng." in response.content.decode()
    blocked = client.post("/tai-khoan/dang-nhap/", {"email": "an@example.vn", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked["Retry-After"] == str(settings.MOTCUA_SIGNIN_WINDOW_SECONDS)
    assert "_auth_user_id" not in client.session
    # Another address from another IP is also refused: the address's own counter is used up too.
    other = client.post(
        "/tai-khoan/dang-nhap/", {"email": "an@example.vn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 429


def test_sign_out_is_post_only(client, citizen):
    client.force_login(citizen)
    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_account_page_needs_a_citizen_sign_in_and_staff_pages_keep_theirs(client):
    response = client.get("/tai-khoan/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    staff = client.get("/can-bo/")
    assert staff.status_code == 302 and staff["Location"].startswith("/dang-nhap/")


def test_officers_still_sign_in_at_dang_nhap(client, django_user_model):
    django_user_model.objects.create_user("canbo", password="MotCua@2026", full_name="Trần Thị Bích")
    response = client.post("/dang-nhap/", {"username": "canbo", "password": "MotCua@2026"})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    assert client.session[SESSION_SIGN_IN_KEY] == {"method": "local", "identity_verified": False}


def test_profile_is_saved_and_the_identity_number_checked(client, citizen):
    client.force_login(citizen)
    bad = client.post(
        "/tai-khoan/",
        {"full_name": "Nguyễn Văn An", "id_kind": "cccd", "id_number": "096185001234", "sex": "male"},
    )
    assert bad.status_code == 400
    assert "Giới tính không khớp" in bad.content.decode()
    good = client.post(
        "/tai-khoan/",
        {
            "full_name": "Nguyễn Văn An",
            "phone": "0912345678",
            "id_kind": "cccd",
            "id_number": "096 085 000 123",
            "birth_date": "1985-03-01",
            "sex": "male",
            "address": "Khóm 3, phường An Xuyên",
        },
    )
    assert good.status_code == 302
    citizen.refresh_from_db()
    assert citizen.id_number == "096085000123" and citizen.birth_date.isoformat() == "1985-03-01"
    assert "Đã lưu thông tin tài khoản." in client.get("/tai-khoan/").content.decode()


def test_password_reset_by_email(client, citizen):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "AN@example.vn"})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    [message] = mail.outbox
    assert "Đặt lại mật khẩu" in message.subject
    link = _link(message.body).removeprefix("http://testserver")
    form = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Moi-mat-khau-9", "new_password2": "Moi-mat-khau-9"}
    )
    assert done.status_code == 302 and done["Location"] == "/tai-khoan/dat-lai-mat-khau/xong/"
    citizen.refresh_from_db()
    assert citizen.check_password("Moi-mat-khau-9")
    assert "không hợp lệ" in client.get(link, follow=True).content.decode()  # used once


def test_password_reset_for_an_unknown_address_looks_the_same(client):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "nobody@example.vn"})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/quen-mat-khau/da-gui/"
    assert mail.outbox == []


def test_oidc_button_and_endpoints_only_when_configured(client, settings):
    settings.MOTCUA_OIDC_ENABLED = False
    assert "Đăng nhập bằng VNeID" not in client.get("/tai-khoan/dang-nhap/").content.decode()
    assert client.get("/tai-khoan/oidc/").status_code == 404
    assert client.get("/tai-khoan/oidc/callback/?code=a&state=b").status_code == 404
    settings.MOTCUA_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "portal"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://id.example/authorize"
    html = client.get("/tai-khoan/dang-nhap/?next=/thu-tuc/").content.decode()
    assert "Đăng nhập bằng VNeID" in html
    start = client.get("/tai-khoan/oidc/?next=/thu-tuc/")
    assert start.status_code == 302 and start["Location"].startswith("https://id.example/authorize?")
    assert "code_challenge=" in start["Location"] and "client_id=portal" in start["Location"]
    assert client.session["oidc_login_next"] == "/thu-tuc/"


def test_header_shows_sign_in_or_the_account(client, citizen):
    html = client.get("/").content.decode()
    assert 'href="/tai-khoan/dang-nhap/"' in html and "Cán bộ đăng nhập" in html
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert 'href="/tai-khoan/"' in html and "Nguyễn Văn An" in html and "Đăng xuất" in html


def test_sign_up_and_reset_requests_are_rate_limited_per_ip(client, settings):
    settings.MOTCUA_SIGNIN_ATTEMPTS = 2
    for _ in range(2):
        assert client.post("/tai-khoan/dang-ky/", {"email": "x"}).status_code == 400
    assert client.post("/tai-khoan/dang-ky/", {"email": "x"}).status_code == 429
    for _ in range(2):
        assert client.post("/tai-khoan/quen-mat-khau/", {"email": "a@example.vn"}).status_code == 302
    assert client.post("/tai-khoan/quen-mat-khau/", {"email": "a@example.vn"}).status_code == 429
