"""Templates: every JSON file in the templates folder, listed and used to start workflows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.builder import queries
from tests.integration.builder.api import Builder, write_template
from tests.integration.builder.specs import template_spec
from workflow_builder_api.core.config import TEMPLATES_FOLDER
from workflow_builder_api.services.templates import TemplateError, load_templates

TEMPLATES = """
query Templates($industry: String) {
  templates(industry: $industry) { id title industry description spec problems { code } }
}"""


def test_templates_are_listed_with_their_design(builder: Builder) -> None:
    api = builder.tenant().viewer
    (template,) = api.data(TEMPLATES)["templates"]
    assert template["id"] == "tiny_pipeline"
    assert template["industry"] == "testing"
    assert template["spec"] == template_spec()
    assert template["problems"] == []
    assert api.data(TEMPLATES, industry="testing")["templates"] == [template]
    assert api.data(TEMPLATES, industry="retail")["templates"] == []


def test_a_workflow_starts_from_a_template(builder: Builder) -> None:
    tenant = builder.tenant()
    created = tenant.editor.data(
        queries.CREATE, input={"name": "my_orders", "templateId": "tiny_pipeline"}
    )["createWorkflow"]
    assert created["templateId"] == "tiny_pipeline"
    assert created["title"] == "Tiny pipeline"
    (version,) = tenant.viewer.data(queries.WORKFLOW, id=created["id"])["workflow"]["versions"]
    expected = template_spec()
    assert version["spec"]["metadata"]["name"] == "my_orders"
    assert version["spec"]["nodes"] == expected["nodes"]
    assert version["spec"]["edges"] == expected["edges"]
    assert version["message"] == "created from template tiny_pipeline"
    result = tenant.editor.data(queries.PUBLISH, id=created["id"], version=1)["publishWorkflow"]
    assert result["published"] is True
    found = tenant.viewer.data(queries.WORKFLOWS, filter={"templateId": "tiny_pipeline"})
    assert [item["id"] for item in found["workflows"]["nodes"]] == [created["id"]]

    error = tenant.editor.error(queries.CREATE, input={"name": "x", "templateId": "nope"})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "tiny_pipeline" in error["message"]


def test_a_malformed_template_file_is_named(tmp_path: Path) -> None:
    write_template(tmp_path, "good", template_spec())
    (tmp_path / "broken.json").write_text('{"id": "broken", "title": "B"}')
    with pytest.raises(TemplateError, match=r"broken\.json: missing industry, description, spec"):
        load_templates(tmp_path)
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(TemplateError, match=r"broken\.json: cannot be read as JSON"):
        load_templates(tmp_path)


def test_every_shipped_template_loads_and_validates() -> None:
    from airloom.workflow.validation import validate

    for template in load_templates(TEMPLATES_FOLDER).values():
        assert validate(template.spec_for("check")) == [], template.id
