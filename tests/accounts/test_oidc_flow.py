"""The OpenID Connect sign-in end to end over HTTP, against django-oauth-toolkit's provider served
by the live server (no mock): authorize → provider sign-in → consent → callback → signed in."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from motcua.accounts.models import User
from motcua.accounts.services import SESSION_SIGN_IN_KEY, sign_in_info
from motcua.catalog.models import ProcedureCase
from motcua.dossiers.services import dossier_submit_online
from tests.dossiers.factories import MONDAY, ProcedureVersionFactory
from tests.oidc_provider.fixtures import oidc_provider  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def _hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def _sign_in_through_provider(live_server, provider, session: requests.Session, *, allow: bool = True):
    start = session.get(
        f"{live_server.url}/tai-khoan/oidc/?next=/tai-khoan/", allow_redirects=False, timeout=30
    )
    assert start.status_code == 302
    authorize_url = start.headers["Location"]
    query = parse_qs(urlparse(authorize_url).query)
    assert authorize_url.startswith(f"{provider.issuer}/authorize/")
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]

    login_page = session.get(authorize_url, timeout=30)  # → the provider's own sign-in page
    assert urlparse(login_page.url).path == "/o/dang-nhap/"
    consent = session.post(
        login_page.url,
        data={
            **_hidden_fields(login_page.text),
            "username": provider.user.username,
            "password": provider.password,
        },
        headers={"Referer": login_page.url},
        timeout=30,
    )
    assert consent.status_code == 200 and 'name="allow"' in consent.text, consent.text[:500]
    form = _hidden_fields(consent.text)
    if allow:
        form["allow"] = "Authorize"
    return session.post(consent.url, data=form, headers={"Referer": consent.url}, timeout=60)


def _portal_session(session: requests.Session) -> SessionStore:
    [key] = [c.value for c in session.cookies if c.name == "sessionid" and c.domain.startswith("localhost")]
    return SessionStore(session_key=key)


def _file_online(*, sign_in: dict):
    from tests.dossiers.factories import AgencyFactory, OneStopFactory
    from tests.portal.conftest import APPLICANT

    version = ProcedureVersionFactory(procedure__code="1.001193", name="Thủ tục đăng ký khai sinh")
    case = ProcedureCase.objects.create(
        version=version,
        order=1,
        name="Chung",
        legal_direct_value=Decimal(5),
        legal_direct_unit="working_days",
    )
    return dossier_submit_online(
        case=case,
        receiving_unit=OneStopFactory(),
        resolving_agency=AgencyFactory(),
        applicant=APPLICANT,
        submitted_at=MONDAY,
        sign_in=sign_in,
    )


def test_oidc_sign_in_creates_an_identity_verified_citizen(live_server, oidc_provider):  # noqa: F811
    session = requests.Session()
    done = _sign_in_through_provider(live_server, oidc_provider, session)
    assert done.status_code == 200
    assert done.url == f"{live_server.url}/tai-khoan/"
    assert "Lê Thị Hoa" in done.text
    assert "đã xác thực danh tính" in done.text

    citizen = User.objects.get(oidc_sub=str(oidc_provider.user.pk))
    assert citizen.pk != oidc_provider.user.pk
    assert citizen.oidc_issuer == oidc_provider.issuer
    assert citizen.full_name == "Lê Thị Hoa"
    assert citizen.email == "hoa.le@example.vn" and citizen.email_verified
    assert citizen.id_number == "096185001234"
    assert citizen.identity_verified and citizen.can_submit_online
    assert not citizen.has_usable_password()

    # The session remembers how this sign-in happened; a dossier filed now records it.
    record = _portal_session(session)[SESSION_SIGN_IN_KEY]
    assert record == {"method": "oidc:vneid", "identity_verified": True}
    request = RequestFactory().get("/")
    request.user, request.session = citizen, _portal_session(session)
    dossier = _file_online(sign_in=sign_in_info(request))
    assert dossier.applicant_sign_in == "oidc:vneid" and dossier.applicant_identity_verified

    # A second sign-in finds the same account by issuer + sub (not a new one).
    again = requests.Session()
    _sign_in_through_provider(live_server, oidc_provider, again)
    assert User.objects.filter(oidc_sub=str(oidc_provider.user.pk)).count() == 1


def test_refusing_consent_signs_nobody_in(live_server, oidc_provider):  # noqa: F811
    session = requests.Session()
    done = _sign_in_through_provider(live_server, oidc_provider, session, allow=False)
    assert urlparse(done.url).path == "/tai-khoan/dang-nhap/"
    assert "Không đăng nhập được qua VNEID" in done.text
    assert not User.objects.exclude(oidc_sub="").exists()


def test_a_token_from_another_issuer_is_refused(live_server, oidc_provider, settings):  # noqa: F811
    settings.MOTCUA_OIDC_ISSUER = "https://sso.dancuquocgia.gov.vn"
    session = requests.Session()
    done = _sign_in_through_provider(live_server, oidc_provider, session)
    assert urlparse(done.url).path == "/tai-khoan/dang-nhap/"
    assert not User.objects.exclude(oidc_sub="").exists()
