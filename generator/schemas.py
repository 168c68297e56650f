"""JSON Schema files for config.yaml, services and organisations, made from the schemas the code validates with.

The files are shipped in ``generator/schemas/`` and referenced from the example
YAML (``# yaml-language-server: $schema=...``) so editors autocomplete keys
and flag mistakes. A test fails if the shipped files drift from the code.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.config import CONFIG_SCHEMA
from generator.content import ORGANISATION_SCHEMA, SERVICE_SCHEMA

SHIPPED = Path(__file__).resolve().parent / "schemas"
SCHEMAS = {
    "config.schema.json": CONFIG_SCHEMA,
    "service.schema.json": SERVICE_SCHEMA,
    "organisation.schema.json": ORGANISATION_SCHEMA,
}


def schema_files() -> dict[str, str]:
    """File name to JSON text, deterministic."""
    out = {}
    for name, schema in SCHEMAS.items():
        document = {"$schema": "http://json-schema.org/draft-07/schema#", **schema.json_schema()}
        out[name] = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
