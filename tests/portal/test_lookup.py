"""Public dossier look-up: code + secret, masked name, no personal data, same answer for a wrong
secret and an unknown code, rate limit per client IP."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import LOOKUP_SECRET_ALPHABET, LOOKUP_SECRET_LENGTH, new_lookup_secret
from motcua.portal.selectors import dossier_public_lookup, mask_name, normalize_secret

pytestmark = pytest.mark.django_db

URL = "/tra-cuu/"


def strip_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V** A*"),
        ("Lê Thị Ánh Hồng", "Lê T** Á** H***"),
        ("  Trần   Bình ", "Trần B***"),
        ("Phạm", "Phạm"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_secret_shape():
    secrets = {new_lookup_secret() for _ in range(200)}
    assert len(secrets) == 200
    for s in secrets:
        assert len(s) == LOOKUP_SECRET_LENGTH and set(s) <= set(LOOKUP_SECRET_ALPHABET)
        assert not set(s) & set("0O1IL")
    assert normalize_secret(" abcd-efgh ") == "ABCDEFGH"


def test_secret_generated_at_reception(received):
    assert len(received.lookup_secret) == LOOKUP_SECRET_LENGTH
    assert Dossier.objects.get(pk=received.pk).lookup_secret == received.lookup_secret


def test_code_prefills_the_form(client, received):
    body = client.get(URL, {"ma": received.code}).content.decode()
    assert f'value="{received.code}"' in body
    assert 'for="bi_mat"' in body and 'for="ma"' in body


def test_lookup_success_shows_masked_name_and_no_personal_data(client, received):
    response = client.post(URL, {"ma": received.code, "bi_mat": received.lookup_secret.lower()})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nguyễn V** A**" not in body and "Nguyễn V** A*" in body
    assert "Nguyễn Văn An" not in body
    for secret_data in (
        "096123456789",
        "0912345678",
        "an@example.vn",
        "Phan Ngọc Hiển",
        received.lookup_secret,
    ):
        assert secret_data not in body
    assert "Thủ tục đăng ký khai sinh" in body
    assert "Trung tâm Phục vụ hành chính công phường An Xuyên" in body
    assert "Đã tiếp nhận, đang giải quyết" in body
    assert "09:00 02/03/2026" in body  # received (MONDAY)
    due = received.due_at.astimezone(received.received_at.tzinfo)
    assert f"{due:%H:%M %d/%m/%Y}" in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_wrong_secret_and_unknown_code_look_the_same(client, received):
    wrong = client.post(URL, {"ma": received.code, "bi_mat": "ZZZZZZZZ"})
    unknown = client.post(URL, {"ma": received.code[:-1] + "9", "bi_mat": "ZZZZZZZZ"})
    assert wrong.status_code == unknown.status_code == 200
    a = strip_csrf(wrong.content.decode()).replace(received.code, "<code>")
    b = strip_csrf(unknown.content.decode()).replace(received.code[:-1] + "9", "<code>")
    assert a == b
    assert "Không tìm thấy hồ sơ" in a
    assert "Nguyễn" not in a


def test_lookup_selector_needs_both(received):
    assert dossier_public_lookup(code=received.code, secret=received.lookup_secret) is not None
    assert dossier_public_lookup(code=received.code, secret="") is None
    assert dossier_public_lookup(code="", secret=received.lookup_secret) is None
    Dossier.objects.filter(pk=received.pk).update(lookup_secret="")
    assert dossier_public_lookup(code=received.code, secret="") is None


def test_missing_fields_are_reported_next_to_them(client, received):
    response = client.post(URL, {"ma": "", "bi_mat": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and 'href="#ma"' in body and 'aria-invalid="true"' in body


def test_rate_limit_per_ip(client, received, settings):
    settings.MOTCUA_LOOKUP_ATTEMPTS = 3
    for _ in range(3):
        assert client.post(URL, {"ma": received.code, "bi_mat": "ZZZZZZZZ"}).status_code == 200
    blocked = client.post(URL, {"ma": received.code, "bi_mat": received.lookup_secret})
    assert blocked.status_code == 429
    assert "Quá nhiều lần tra cứu" in blocked.content.decode()
    assert "Nguyễn V** A*" not in blocked.content.decode()
    assert blocked["Retry-After"] == "600"
    # Another client address has its own allowance.
    other = client.post(URL, {"ma": received.code, "bi_mat": received.lookup_secret}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200 and "Nguyễn V** A*" in other.content.decode()
    # Opening the form is not an attempt.
    assert client.get(URL).status_code == 200


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_secret_printed_on_receipt(received, tmp_path):
    from motcua.dossiers.printing import render_form

    pdf = render_form(dossier=received, form="receipt")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode().split()
    )
    assert received.lookup_secret in text
    assert "Mã bí mật" in text
    assert f"/tra-cuu/?ma={received.code}" in text


def test_migration_fills_existing_rows(received):
    """The data migration's function gives every dossier without a secret its own."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("motcua.dossiers.migrations.0003_dossier_lookup_secret")
    from tests.dossiers.factories import DossierFactory

    others = DossierFactory.create_batch(3)
    Dossier.objects.filter(pk__in=[d.pk for d in others]).update(lookup_secret="")
    migration.fill_secrets(apps, None)
    secrets = list(Dossier.objects.values_list("lookup_secret", flat=True))
    assert all(len(s) == 8 for s in secrets) and len(set(secrets)) == len(secrets)
    assert Dossier.objects.get(pk=received.pk).lookup_secret == received.lookup_secret


def test_online_dossier_found_by_temporary_reference_before_reception(catalog):
    """An online filing has only its temporary reference (TMP-…) until it is received: the receipt
    and e-mail give that reference with the secret, so the look-up must find it by it."""
    from motcua.dossiers.services import dossier_submit_online
    from tests.dossiers.factories import AgencyFactory, OneStopFactory

    from .conftest import APPLICANT

    one_stop = OneStopFactory(ident_code="000.11.12.H12", name="Trung tâm phường Tân Thành")
    resolver = AgencyFactory(ident_code="000.03.12.H12", name="UBND phường Tân Thành")
    dossier = dossier_submit_online(
        case=catalog["case"], receiving_unit=one_stop, resolving_agency=resolver, applicant=APPLICANT
    )
    assert dossier.code is None and dossier.temp_reference.startswith("TMP-")
    found = dossier_public_lookup(code=f" {dossier.temp_reference.lower()} ", secret=dossier.lookup_secret)
    assert found is not None and found.code == dossier.temp_reference
    assert dossier_public_lookup(code=dossier.temp_reference, secret="WRONGSEC") is None
