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
# `const NAME ... = gql`...``: a fragment is interpolated by its constant's name, ${NAME}.
DOCUMENT = re.compile(r"const (\w+)\b[^=]*= gql`([^`]*)`")
OPERATION = re.compile(r"(?:query|mutation|subscription)\s+(\w+)")
INTERPOLATION = re.compile(r"\$\{(\w+)\}")


def documents() -> dict[str, str]:
    """Each operation's full text, with the fragments of its module it interpolates."""
    found: dict[str, str] = {}
    for module in sorted(STUDIO_API.glob("*.ts")):
        constants = dict(DOCUMENT.findall(module.read_text()))
        fragments = {name: text for name, text in constants.items() if "fragment " in text}
        for text in constants.values():
            operation = OPERATION.search(text)
            if operation is None:
                continue
            name = operation.group(1)
            assert name not in found, f"{module.name}: a second operation named {name}"
            used = INTERPOLATION.findall(text)
            found[name] = INTERPOLATION.sub("", text) + "".join(fragments[f] for f in used)
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
