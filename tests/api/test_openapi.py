"""Contract test: the OpenAPI document the code produces is the committed one."""

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from motcua.cli.management.commands.openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"


def test_committed_document_is_up_to_date():
    assert COMMITTED.exists(), "run: motcua openapi > docs/api/openapi.json"
    committed = COMMITTED.read_text(encoding="utf-8")
    assert openapi_document() == committed, "run: motcua openapi > docs/api/openapi.json"


def test_command_prints_the_document():
    out = StringIO()
    call_command("openapi", stdout=out)
    assert out.getvalue() == openapi_document()
    document = json.loads(out.getvalue())
    assert document["info"] == {
        "title": "motcua API",
        "version": "1",
        "description": document["info"]["description"],
    }
    assert "Cà Mau" in out.getvalue()  # ensure_ascii=False: Vietnamese stays readable


def test_served_document_is_the_same(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(openapi_document())


def test_every_error_response_uses_the_error_schema():
    document = json.loads(openapi_document())
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorOut", (path, method, status)


def test_docs_page_is_off_without_bundled_assets(client, settings):
    # ninja would load Swagger UI from a CDN unless "ninja" is an installed app (offline rule).
    assert "ninja" not in settings.INSTALLED_APPS
    assert client.get("/api/v1/docs").status_code == 404
