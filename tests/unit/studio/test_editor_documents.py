"""The canvas editor's GraphQL documents (studio/src/api/editor.ts: node types, validation,
saving) are valid against the builder's own schema: a renamed field fails here, not in a
person's browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from workflow_builder_api.core.config import Settings
from workflow_builder_api.graphql.schema import build_schema

EDITOR_API = Path(__file__).resolve().parents[3] / "studio" / "src" / "api" / "editor.ts"
DOCUMENT = re.compile(r"gql`([^`]*)`")
OPERATION = re.compile(r"(?:query|mutation|subscription)\s+(\w+)")


def documents() -> dict[str, str]:
    found: dict[str, str] = {}
    for text in DOCUMENT.findall(EDITOR_API.read_text()):
        assert "${" not in text, "a document with interpolation cannot be checked"
        found[OPERATION.search(text).group(1)] = text
    return found


def test_the_documents_are_found():
    assert set(documents()) == {
        "StudioNodeTypes",
        "StudioValidateWorkflow",
        "StudioUpdateWorkflow",
    }


@pytest.mark.parametrize("name", sorted(documents()))
def test_each_document_is_valid_against_the_builder_schema(name: str):
    schema = build_schema(Settings())._schema
    assert validate(schema, parse(documents()[name])) == []
