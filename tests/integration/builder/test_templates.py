"""Templates: every JSON file in the templates folder, listed and used to start workflows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airloom.catalog import node_types
from airloom.catalog.resources import Resource, resource_fields
from airloom.tenancy import Grants, TenantScope
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
        assert validate(template.spec_for("check", tenant="acme")) == [], template.id
        assert validate(template.spec_for(template.default_name, tenant="acme")) == []


def test_every_template_that_registers_a_model_fills_in_its_listing() -> None:
    catalog = node_types()
    listed = []
    for template in load_templates(TEMPLATES_FOLDER).values():
        spec = template.spec_for("check", tenant="acme")
        for node in spec["nodes"]:
            if "listing" not in catalog[node["type"]].operator.params_model.model_fields:
                continue
            listing = node["params"].get("listing", {})
            assert set(listing) == {"description", "task", "industry", "licence", "owner"}, (
                template.id
            )
            assert listing["owner"] == "acme"  # the instance's tenant
            listed.append(template.id)
    assert sorted(listed) == [
        "customer-churn",
        "document-retrieval",
        "document-retrieval-aws",
        "retail-demand-forecast",
        "support-analytics",
        "support-analytics-aws",
    ]


# What the AWS variants need: an AWS connection an admin configured and granted.
AWS_GRANTED = Grants(connections=frozenset({"aws_default"}))


def test_the_aws_variants_say_they_need_a_granted_aws_connection_until_one_is() -> None:
    from airloom.workflow.validation import validate

    templates = load_templates(TEMPLATES_FOLDER)
    for template_id, aws_nodes in (
        ("support-analytics-aws", {"moods"}),
        ("document-retrieval-aws", {"extract", "answer"}),
    ):
        spec = templates[template_id].spec_for("variant", tenant="acme")
        problems = validate(spec, TenantScope("acme"))
        assert {(p.code, p.node_id) for p in problems} == {
            ("NOT_GRANTED", node) for node in aws_nodes
        }, template_id
        assert all("an admin must configure an AWS connection" in p.message for p in problems)
        assert validate(spec, TenantScope("acme", AWS_GRANTED)) == []


# What a workflow owns, rather than reads: the datasets, models, endpoints and checkpoints it
# writes, and the topics it publishes to.
OWNED = {Resource.DATASET, Resource.MODEL, Resource.ENDPOINT, Resource.CHECKPOINT}


def owned_names(spec: dict[str, Any], scope: TenantScope) -> set[str]:
    """Each name the workflow owns, placed where its tenant's scope puts it (the lake path of a
    dataset, the broker's name of a topic; a model's name is the registry's)."""
    catalog = node_types()
    found = set()
    for node in spec["nodes"]:
        model = catalog[node["type"]].operator.params_model
        placed = scope.localise(model, node["params"])
        for name, kind in resource_fields(model).items():
            publishes = node["type"] == "kafka_publish" and name == "topic"
            if name in node["params"] and (kind in OWNED or publishes):
                found.add(placed[name])
    return found


def test_two_instances_of_a_template_share_no_dataset_model_or_topic() -> None:
    from airloom.workflow.validation import validate

    for template in load_templates(TEMPLATES_FOLDER).values():
        owned = []
        for tenant, name in (("acme", "orders_a"), ("acme", "orders_b"), ("beta", "orders_a")):
            scope = TenantScope(tenant, AWS_GRANTED)
            spec = template.spec_for(name, tenant=tenant)
            assert validate(spec, scope) == [], template.id
            names = owned_names(spec, scope)
            assert names and all(name in value for value in names), (template.id, names)
            owned.append(names)
        first, second, other_tenant = owned
        assert not first & second and not first & other_tenant, template.id


def test_placeholders_are_filled_as_data_never_evaluated(tmp_path: Path) -> None:
    spec = template_spec()
    spec["nodes"][1]["params"]["output_dataset"] = "{workflow}/{tenant}/{other}/{{workflow}}"
    write_template(tmp_path, "placeholders", spec)
    (template,) = load_templates(tmp_path).values()
    filled = template.spec_for("my_orders", tenant="acme")
    assert filled["nodes"][1]["params"]["output_dataset"] == "my_orders/acme/{other}/{my_orders}"
    assert template.spec["nodes"][1]["params"]["output_dataset"].startswith("{workflow}/")
    for bad_name, bad_tenant in (("../x", "acme"), ("ok", "Acme {workflow}")):
        with pytest.raises(ValueError, match="is not a"):
            template.spec_for(bad_name, tenant=bad_tenant)
