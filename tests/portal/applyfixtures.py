"""Shared set-up of the apply-online and my-dossiers tests: a commune with its one-stop unit and
People's Committee, a citizen account, uploads, and a helper that walks the steps."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.accounts.models import User
from motcua.org.models import AdministrativeUnit, Agency

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
CCCD = "096185000321"  # 096 Cà Mau, 1 = 1900s female, born 1985

APPLICANT_POST = {
    "applicant_type": "citizen",
    "name": "Trần Thị Bích Ngọc",
    "id_kind": "cccd",
    "id_number": CCCD,
    "birth_date": "1985-06-15",
    "sex": "female",
    "phone": "0918000111",
    "email": "ngoc@example.vn",
    "address": "Khóm 3, phường An Xuyên",
}


def make_citizen(username: str = "ngoc", **extra) -> User:
    """A citizen account that may file online (a verified address once accounts has the field)."""
    fields = {f.name for f in User._meta.get_fields()}
    data = {"email": f"{username}@example.vn", "full_name": "Trần Thị Bích Ngọc", "phone": "0918000111"}
    if "email_verified" in fields:
        data["email_verified"] = True
    data.update(extra)
    return User.objects.create(username=username, **data)


def make_place() -> dict:
    """Phường An Xuyên: its People's Committee and its one-stop centre."""
    province = AdministrativeUnit.objects.create(code="96", name="Tỉnh Cà Mau", kind="province", level=1)
    commune = AdministrativeUnit.objects.create(
        code="32002", name="Phường An Xuyên", kind="ward", level=3, parent=province
    )
    pc = Agency.objects.create(
        ident_code="000.02.12.H12",
        name="Ủy ban nhân dân phường An Xuyên",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        admin_unit=commune,
    )
    one_stop = Agency.objects.create(
        ident_code="000.10.12.H12",
        name="Trung tâm Phục vụ hành chính công phường An Xuyên",
        kind=Agency.Kind.ONE_STOP,
        admin_unit=commune,
        parent=pc,
    )
    return {"commune": commune, "pc": pc, "one_stop": one_stop}


def upload(name: str, content: bytes, ctype: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=ctype)


def step_url(draft, step: str) -> str:
    return reverse("portal:apply_step", args=[draft.pk, step])


def walk_to_review(client, catalog, place) -> object:
    """Fill steps 1–4 through the views; returns the draft."""
    from motcua.portal.models import ApplicationDraft

    case = catalog["case"]
    response = client.post(
        reverse("portal:apply", args=["1.001193"]),
        {"case": case.pk, "receiving_unit": place["one_stop"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = ApplicationDraft.objects.get()
    assert client.post(step_url(draft, "nguoi-nop"), APPLICANT_POST).status_code == 302
    comps = list(case.components.order_by("order"))
    files = {
        f"file_{comps[0].pk}": [upload("to-khai.pdf", PDF), upload("trang-2.png", PNG, "image/png")],
        f"file_{comps[1].pk}": upload("giay-chung-sinh.pdf", PDF),
        "action": "next",
    }
    response = client.post(step_url(draft, "thanh-phan"), files)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (
        client.post(step_url(draft, "cam-ket"), {"truthful": "on", "personal_data": "on"}).status_code == 302
    )
    draft.refresh_from_db()
    return draft
