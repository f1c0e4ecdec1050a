"""The Cà Mau demo catalog: 77 real procedures of the national TTHC database.

``data/demo_catalog.json`` is generated once by ``data/build_demo.py`` from the shared reference
data and loaded here through the normal import. Decision numbers and applied (cut) limits in it
are illustrative, not Cà Mau's; see docs/catalog.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from .importexport import ImportResult, catalog_import

DEMO_FILE = Path(__file__).with_name("data") / "demo_catalog.json"


def catalog_load_demo() -> ImportResult:
    """Load the demo catalog; idempotent. Agencies missing from the org tables are skipped with a warning."""
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return catalog_import(document)
