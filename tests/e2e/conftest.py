"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium), never a downloaded one."""

import os
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# database access from it (stack-notes: live_server with Playwright).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots for the user guides are refreshed on demand (`make screenshots`); an ordinary test run
# writes them to a temporary folder so that it never changes tracked files.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("MOTCUA_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "motcua-screenshots"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page on the live server; ``new_page(viewport=(w, h))``."""
    contexts = []

    def _new(viewport=(1366, 768), **kwargs):
        ctx = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
            base_url=live_server.url,
            **kwargs,
        )
        contexts.append(ctx)
        return ctx.new_page()

    yield _new
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def login(page):
    """Sign a staff member in through the real login form."""

    def _login(username: str, password: str = "MotCua@2026"):
        page.goto("/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/can-bo/**")
        return page

    return _login


def screenshot(page, name: str) -> Path:
    """Screenshot a main page for the user guides (docs/screenshots/NAME.png with MOTCUA_SCREENSHOTS=1)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
