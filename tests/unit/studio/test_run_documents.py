"""Studio's GraphQL documents for runs and versions (studio/src/api/runs.ts, versions.ts) are
valid against the builder's own schema: a renamed field fails here, not in a person's browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from workflow_builder_api.core.config import Settings
from workflow_builder_api.graphql.schema import build_schema

STUDIO_API = Path(__file__).resolve().parents[3] / "studio" / "src" / "api"
DOCUMENT = re.compile(r"gql`([^`]*)`")
OPERATION = re.compile(r"(?:query|mutation|subscription)\s+(\w+)")


def documents() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in ("runs.ts", "versions.ts"):
        for text in DOCUMENT.findall((STUDIO_API / name).read_text()):
            assert "${" not in text, f"{name}: a document with interpolation cannot be checked"
            found[OPERATION.search(text).group(1)] = text
    return found


def test_the_documents_are_found():
    assert {
        "StudioPublishWorkflow",
        "StudioTriggerRun",
        "StudioRetryRun",
        "StudioCancelRun",
        "StudioRuns",
        "StudioRun",
        "StudioRunSpec",
        "StudioNodeDetail",
        "StudioRunUpdates",
        "StudioVersions",
        "StudioCompareVersions",
        "StudioRestoreVersion",
    } <= set(documents())


@pytest.mark.parametrize("name", sorted(documents()))
def test_each_document_is_valid_against_the_builder_schema(name: str):
    schema = build_schema(Settings())._schema
    assert validate(schema, parse(documents()[name])) == []
