"""Every GraphQL document in Studio (studio/src/api/*.ts) is valid against the builder's own
schema: a renamed field fails here, not in a person's browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, parse, validate

from workflow_builder_api.core.config import Settings
from workflow_builder_api.graphql.schema import build_schema

STUDIO_API = Path(__file__).resolve().parents[3] / "studio" / "src" / "api"
DOCUMENT = re.compile(r"gql`([^`]*)`")
OPERATION = re.compile(r"(?:query|mutation|subscription)\s+(\w+)")


def documents() -> dict[str, str]:
    found: dict[str, str] = {}
    for module in sorted(STUDIO_API.glob("*.ts")):
        for text in DOCUMENT.findall(module.read_text()):
            assert "${" not in text, f"{module.name}: a document with interpolation"
            name = OPERATION.search(text).group(1)
            assert name not in found, f"{module.name}: a second operation named {name}"
            found[name] = text
    return found


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def test_the_documents_of_each_part_of_studio_are_found():
    assert {
        "StudioWorkflows",
        "StudioCreateWorkflow",
        "StudioTemplates",
        "StudioNodeTypes",
        "StudioValidateWorkflow",
        "StudioUpdateWorkflow",
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
def test_each_document_is_valid_against_the_builder_schema(name: str, schema: GraphQLSchema):
    assert validate(schema, parse(documents()[name])) == []
