"""Citizen sign-in in a real browser: VNeID-style OpenID Connect against django-oauth-toolkit's
provider on the live server; local sign-up with the e-mail verification link; password reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from motcua.accounts.models import User
from tests.e2e.conftest import screenshot
from tests.oidc_provider.fixtures import oidc_provider  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Hoa-sen-2026!"


def _path_of_link(body: str) -> str:
    url = re.search(r"https?://\S+", body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def test_sign_in_with_vneid_through_the_local_provider(new_page, live_server, oidc_provider):  # noqa: F811
    page = new_page(viewport=(390, 844))
    page.goto("/tai-khoan/dang-nhap/")
    screenshot(page, "portal-signin-phone")
    page.get_by_role("button", name="Đăng nhập bằng VNeID").click()

    page.wait_for_url(f"{oidc_provider.base}/o/dang-nhap/**")  # the provider's own page and host
    page.get_by_label("Số định danh hoặc tên đăng nhập").fill(oidc_provider.user.username)
    page.get_by_label("Mật khẩu VNeID").fill(oidc_provider.password)
    page.get_by_role("button", name="Xác nhận đăng nhập").click()

    page.wait_for_url(f"{oidc_provider.base}/o/authorize/**")  # consent
    page.locator("input[name=allow]").click()

    page.wait_for_url(f"{live_server.url}/tai-khoan/")
    header = page.locator("header.top")
    assert "Lê Thị Hoa" in header.inner_text()
    assert page.get_by_text("đã xác thực danh tính").is_visible()
    citizen = User.objects.get(oidc_issuer=oidc_provider.issuer, oidc_sub=str(oidc_provider.user.pk))
    assert citizen.identity_verified and citizen.id_number == "096185001234"
    assert page.get_by_label("Số định danh cá nhân").input_value() == "096185001234"
    assert page.get_by_label("Số định danh cá nhân").is_disabled()
    screenshot(page, "portal-account-phone")


def test_sign_up_verify_sign_out_and_in(new_page, live_server):
    page = new_page(viewport=(1366, 768))
    page.goto("/")
    page.locator("header.top").get_by_role("link", name="Đăng nhập", exact=True).click()
    page.get_by_role("link", name="Đăng ký tài khoản").click()
    page.wait_for_url("**/tai-khoan/dang-ky/")

    page.get_by_role("button", name="Đăng ký").click()  # empty: errors in a summary and by the fields
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Họ và tên" in summary.inner_text()
    assert page.get_by_label("Thư điện tử").get_attribute("aria-invalid") == "true"

    page.get_by_label("Họ và tên").fill("Phạm Minh Tuấn")
    page.get_by_label("Thư điện tử").fill("tuan.pham@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    screenshot(page, "portal-signup-desktop")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url("**/tai-khoan/")
    assert page.get_by_text("chưa xác thực", exact=True).is_visible()
    assert "Phạm Minh Tuấn" in page.locator("header.top").inner_text()

    [message] = mail.outbox
    assert message.to == ["tuan.pham@example.vn"]
    page.goto(_path_of_link(message.body))
    assert page.get_by_text("Đã xác thực địa chỉ tuan.pham@example.vn").is_visible()
    assert User.objects.get(username="tuan.pham@example.vn").email_verified

    page.locator("header.top").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Phạm Minh Tuấn" not in page.locator("header.top").inner_text()

    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Thư điện tử").fill("tuan.pham@example.vn")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    assert page.get_by_text("Thư điện tử hoặc mật khẩu không đúng.").is_visible()
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/tai-khoan/")
    assert page.get_by_text("đã xác thực", exact=True).is_visible()
    page.locator("header.top").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server.url}/")


def test_password_reset(new_page, live_server, django_user_model):
    from motcua.accounts.services import citizen_sign_up

    citizen_sign_up(email="lan@example.vn", password=PASSWORD, full_name="Võ Thị Lan")
    page = new_page(viewport=(390, 844))
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    page.get_by_label("Thư điện tử").fill("lan@example.vn")
    page.get_by_role("button", name="Gửi liên kết").click()
    page.wait_for_url("**/quen-mat-khau/da-gui/")
    [message] = mail.outbox
    page.goto(_path_of_link(message.body))
    page.get_by_label("Mật khẩu mới", exact=True).fill("Moi-mat-khau-9")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Moi-mat-khau-9")
    page.get_by_role("button", name="Đặt mật khẩu").click()
    page.wait_for_url("**/dat-lai-mat-khau/xong/")
    page.get_by_role("main").get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Thư điện tử").fill("lan@example.vn")
    page.get_by_label("Mật khẩu").fill("Moi-mat-khau-9")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url("**/tai-khoan/")
    assert "Võ Thị Lan" in page.locator("header.top").inner_text()
