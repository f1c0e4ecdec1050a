"""Required-field messages of the application forms are built in the language active when they are
shown, field name included (not frozen at import, not with an untranslated Vietnamese name)."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from motcua.portal.forms_apply import ApplicantForm

# The field names' msgids and their English text (as the catalogue is to carry them).
FIELD_NAMES = {
    "họ và tên": "full name",
    "số giấy tờ": "ID document number",
    "số điện thoại": "phone number",
    "thư điện tử": "email address",
    "địa chỉ": "address",
}


@pytest.fixture
def en_catalogue(monkeypatch):
    """Until the compiled English catalogue carries the field names, lend them to it for the test
    (entries already compiled are left as they are, so the real catalogue is what is tested)."""
    catalog = trans_real.translation("en")._catalog
    for msgid, msgstr in FIELD_NAMES.items():
        if msgid not in catalog:
            monkeypatch.setitem(catalog._catalogs[0], msgid, msgstr)


def required_errors() -> dict[str, str]:
    form = ApplicantForm(data={"applicant_type": "citizen", "id_kind": "cccd"})
    assert not form.is_valid()
    return {name: form.errors[name][0] for name in ("name", "id_number", "phone", "email", "address")}


def test_required_messages_in_english(en_catalogue):
    with translation.override("en"):
        errors = required_errors()
    assert errors == {
        "name": "Please enter full name.",
        "id_number": "Please enter ID document number.",
        "phone": "Please enter phone number.",
        "email": "Please enter email address.",
        "address": "Please enter address.",
    }


def test_required_messages_in_vietnamese(en_catalogue):
    with translation.override("en"):
        required_errors()  # rendering in English first must not leave English text behind
    with translation.override("vi"):
        errors = required_errors()
    assert errors == {
        "name": "Vui lòng nhập họ và tên.",
        "id_number": "Vui lòng nhập số giấy tờ.",
        "phone": "Vui lòng nhập số điện thoại.",
        "email": "Vui lòng nhập thư điện tử.",
        "address": "Vui lòng nhập địa chỉ.",
    }


def test_one_form_renders_in_each_active_language(en_catalogue):
    # The same bound form (e.g. cached errors) shows the message in the language of each render.
    form = ApplicantForm(data={})
    form.is_valid()
    with translation.override("en"):
        english = str(form.errors["name"][0])
    with translation.override("vi"):
        vietnamese = str(form.errors["name"][0])
    assert (english, vietnamese) == ("Please enter full name.", "Vui lòng nhập họ và tên.")
