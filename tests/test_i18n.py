"""The English catalogue of the staff interface (msgids are Vietnamese, LANGUAGE_CODE is "vi").

The compiled ``django.mo`` is committed (a fresh machine may lack gettext), so it must match the
``.po``; every string a staff member sees (staff pages, domain labels) must be translated, keep its placeholders and not be fuzzy."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from motcua.worktime.engine import TZ
from tests.backoffice.test_inbox import make, world  # noqa: F401 (world is a fixture)
from tests.dossiers.factories import UserFactory

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def parse_po(path: Path) -> list[Entry]:
    """Active (non-obsolete) entries of a .po file, header excluded. Enough of the format for
    the files makemessages writes (msgctxt is used for the lifecycle action names)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, target = Entry(), None
        for line in block.splitlines():
            if line.startswith("#:"):
                entry.references += line[2:].split()
            elif line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                piece = ast.literal_eval(line)
                if target == "msgctxt":
                    entry.msgctxt += piece
                elif target == "msgid":
                    entry.msgid += piece
                elif target == "msgid_plural":
                    entry.msgid_plural += piece
                else:
                    entry.msgstrs[-1] += piece
            elif line.strip():
                keyword, _sep, value = line.partition(" ")
                value = ast.literal_eval(value)
                if keyword == "msgctxt":
                    target, entry.msgctxt = "msgctxt", value
                elif keyword == "msgid":
                    target, entry.msgid = "msgid", value
                elif keyword == "msgid_plural":
                    target, entry.msgid_plural = "msgid_plural", value
                else:
                    assert keyword.startswith("msgstr"), line
                    target = "msgstr"
                    entry.msgstrs.append(value)
        if target is not None and entry.msgid:
            entries.append(entry)
    return entries


# Where the strings a staff member sees come from: the staff pages, and the domain labels they
# show (choice labels, lifecycle action names, form names).
STAFF_SOURCES = ("backoffice/", "dossiers/", "org/")


def staff_entries() -> list[Entry]:
    return [e for e in parse_po(PO) if any(r.startswith(STAFF_SOURCES) for r in e.references)]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


# --- (a) key strings translate ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vietnamese", "english"),
    [
        ("Hộp việc", "Inbox"),
        ("Đăng nhập", "Log in"),
        ("Đăng xuất", "Log out"),
        ("Tiếp nhận hồ sơ tại quầy", "Receive a dossier at the counter"),
        ("Sổ theo dõi hồ sơ", "Dossier ledger"),
        ("Bộ phận Một cửa", "One-stop unit"),
        ("Quá hạn", "Overdue"),
        ("Trực tiếp", "In person"),
    ],
)
def test_key_ui_strings_translate_to_english(vietnamese, english):
    with translation.override("en"):
        assert translation.gettext(vietnamese) == english
    with translation.override("vi"):
        assert translation.gettext(vietnamese) == vietnamese


def test_placeholders_and_plurals_survive_translation():
    with translation.override("en"):
        assert translation.gettext("quá hạn %(t)s") % {"t": "2 d"} == "overdue by 2 d"
        assert translation.gettext("Trang %(n)s/%(total)s") % {"n": 2, "total": 5} == "Page 2 of 5"
        assert translation.ngettext("%(n)s hồ sơ", "%(n)s hồ sơ", 1) % {"n": 1} == "1 dossier"
        assert translation.ngettext("%(n)s hồ sơ", "%(n)s hồ sơ", 3) % {"n": 3} == "3 dossiers"


# --- (b) the committed .mo is the compiled .po ----------------------------------------------------


def test_committed_mo_matches_po(tmp_path):
    assert MO.is_file(), "compile the catalogue: motcua compilemessages -l en"
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed; cannot recompile the .po to compare")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(PO)], check=True, capture_output=True)
    with MO.open("rb") as committed, fresh.open("rb") as compiled:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        compiled_catalog = gettext.GNUTranslations(compiled)._catalog
    assert committed_catalog == compiled_catalog, (
        "django.mo is stale: run `motcua compilemessages -l en` in src/motcua and commit the .mo"
    )


# --- (c) every staff-visible string is translated -------------------------------------------------


def test_every_staff_msgid_is_translated():
    entries = staff_entries()
    assert len(entries) > 150  # the catalogue really covers the staff pages
    untranslated = [e.msgid for e in entries if not e.msgstrs or not all(s.strip() for s in e.msgstrs)]
    assert untranslated == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    if any(e.msgid_plural for e in entries):
        assert all(len(e.msgstrs) == 2 for e in entries if e.msgid_plural)


def test_translations_keep_their_placeholders():
    for e in staff_entries():
        expected = sorted(PLACEHOLDER.findall(e.msgid))
        for s in e.msgstrs:
            assert sorted(PLACEHOLDER.findall(s)) == expected, (e.msgid, s)


# --- (d) the language switch reaches the pages -----------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_english_after_switching_language(client):
    page = client.get("/dang-nhap/")
    assert "Tên đăng nhập" in page.content.decode()  # Vietnamese by default

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    assert switched.status_code == 302
    html = client.get("/dang-nhap/").content.decode()
    assert '<html lang="en">' in html
    for text in ("Log in", "Username", "Password", "Skip navigation"):
        assert text in html
    assert "Tên đăng nhập" not in html
    assert "Mật khẩu" not in html


@pytest.mark.django_db
def test_inbox_is_english_after_switching_language(client):
    client.force_login(UserFactory(username="canbo.i18n"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/can-bo/hop-viec/"})
    html = client.get("/can-bo/hop-viec/").content.decode()
    for text in ("<h1>Inbox</h1>", "Clear filters", "No dossiers are waiting for you.", "Log out", "Ledger"):
        assert text in html
    assert "Hộp việc" not in html


# --- (e) domain labels: choices, lifecycle actions, urgency, units ------------------------------


def test_choice_and_action_labels_follow_the_language():
    from motcua.backoffice.selectors import OVERDUE, Urgency
    from motcua.backoffice.templatetags.backoffice_tags import urgency_label, working_time_left
    from motcua.dossiers.identity import IdentityKind
    from motcua.dossiers.lifecycle import ACTION_LABELS
    from motcua.dossiers.models import Channel, Status
    from motcua.dossiers.printing import FORM_LABELS
    from motcua.org.models import Agency, StaffAssignment

    per_day = 8 * 60
    with translation.override("en"):
        assert Status.RECEIVED.label == "Received"
        assert Status.STOPPED.label == "Stopped"
        assert ACTION_LABELS["stop"] == "Stop processing"  # same Vietnamese, another context
        assert Channel.DIRECT.label == "In person"
        assert IdentityKind.PASSPORT.label == "Passport"
        assert StaffAssignment.Role.SPECIALIST.label == "Processing specialist"
        assert Agency.Kind.ONE_STOP.label.startswith("One-stop unit")
        assert FORM_LABELS["refusal"] == "Refusal slip"
        assert urgency_label(Urgency(OVERDUE, -per_day, per_day)) == "Overdue"
        assert working_time_left(Urgency(OVERDUE, -(per_day + 60), per_day)) == "overdue by 1 day 1 hour"
        assert (
            working_time_left(Urgency(OVERDUE, -(2 * per_day + 120), per_day)) == "overdue by 2 days 2 hours"
        )
        assert working_time_left(Urgency(OVERDUE, -1, per_day)) == "overdue by 1 minute"
    with translation.override("vi"):
        assert Status.RECEIVED.label == "Đã tiếp nhận"
        assert ACTION_LABELS["stop"] == "Dừng xử lý"
        assert working_time_left(Urgency(OVERDUE, -(2 * per_day + 120), per_day)) == "quá hạn 2 ngày 2 giờ"


def test_lifecycle_doc_stays_vietnamese_under_english():
    from motcua.dossiers.lifecycle import lifecycle_markdown

    doc = (Path(settings.BASE_DIR).parents[1] / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    with translation.override("en"):
        assert lifecycle_markdown() == doc


@pytest.fixture
def received_direct(world):  # noqa: F811
    from motcua.dossiers.models import Channel, Status

    return world, make(world, Status.RECEIVED, channel=Channel.DIRECT)


@pytest.mark.django_db
def test_inbox_and_dossier_page_show_labels_in_english(client, received_direct):
    w, dossier = received_direct
    client.force_login(w["rec_a"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/can-bo/hop-viec/"})
    for url in ("/can-bo/hop-viec/", f"/can-bo/ho-so/{dossier.code}/"):
        html = client.get(url).content.decode()
        assert dossier.code in html, url
        for english in ("Received", "In person"):
            assert english in html, (url, english)
        for vietnamese in ("Đã tiếp nhận", "Trực tiếp"):
            assert vietnamese not in html, (url, vietnamese)
    due = html.split('<strong id="due-at">', 1)[1].split("</strong>", 1)[0]  # the dossier page's
    assert f"{dossier.due_at.astimezone(TZ):%H:%M} on {dossier.due_at.astimezone(TZ):%d/%m/%Y}" == due
