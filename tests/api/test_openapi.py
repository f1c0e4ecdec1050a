"""Contract test: the OpenAPI document the code produces is the committed one."""

import json
import re
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


def test_docs_page_is_served_offline(client):
    """The Swagger page loads only assets served by motcua itself (the product works offline)."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert client.get(assets[-1]).status_code == 200
