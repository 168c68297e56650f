"""The shipped JSON Schemas match the code's schemas, and the example files satisfy them."""

import json
from pathlib import Path

import jsonschema
import yaml

from generator.schemas import SHIPPED, schema_files
from generator.yamlfile import _Loader

ROOT = Path(__file__).parents[1]


def test_shipped_schemas_are_up_to_date():
    for name, text in schema_files().items():
        assert (SHIPPED / name).read_text(encoding="utf-8") == text, (
            f"{name} is out of date: run `perfpages schemas`")


def test_example_files_validate_and_reference_their_schema():
    cases = [("config.schema.json", [ROOT / "config.yaml"]),
             ("service.schema.json", sorted((ROOT / "content/services").glob("*.yaml"))),
             ("organisation.schema.json", sorted((ROOT / "content/organisations").glob("*.yaml")))]
    for name, files in cases:
        schema = json.loads((SHIPPED / name).read_text())
        jsonschema.Draft7Validator.check_schema(schema)
        validator = jsonschema.Draft7Validator(schema)
        for path in files:
            text = path.read_text(encoding="utf-8")
            assert text.startswith("# yaml-language-server: $schema=") and name in text.splitlines()[0], path
            assert list(validator.iter_errors(yaml.load(text, Loader=_Loader))) == [], path


def test_schema_flags_what_the_validator_flags():
    schema = json.loads((SHIPPED / "service.schema.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    bad = {"name": "X", "organisation": "o", "description": "d", "targets": {"digital_take_up": 120},
           "colour": "blue", "not_requested": ["speed"]}
    messages = " ".join(e.message for e in validator.iter_errors(bad))
    assert "120" in messages and "colour" in messages and "speed" in messages


def test_language_tags_of_bcp_47_are_taken_and_names_are_not():
    """lang= is what screen readers go by: a tag's rarer parts (an extended language, a private part)
    are taken as they are; a language's name, or a locale written with an underscore, is not a tag."""
    from generator.schema import LANGUAGE_RE

    for tag in ("en-GB", "cy", "gd", "ga-IE", "zh-yue", "zh-Hant-HK", "en-GB-x-plain", "de-CH-1996"):
        assert LANGUAGE_RE.fullmatch(tag), tag
    for text in ("English", "Welsh", "en_GB", "en-", "e", ""):
        assert not LANGUAGE_RE.fullmatch(text), text
