"""Each workflow says where it is published (Studio shows it): on this deployment, as DAG files."""

from __future__ import annotations

from tests.integration.builder import queries
from tests.integration.builder.api import Builder
from tests.integration.builder.specs import pipeline

TARGET = "query($id: ID!) { workflow(id: $id) { publishTarget publishedVersion } }"


def test_a_workflow_says_it_is_published_as_a_dag_file(builder: Builder) -> None:
    tenant = builder.tenant()
    created = tenant.editor.data(
        queries.CREATE, input={"name": "targeted", "spec": pipeline("targeted")}
    )["createWorkflow"]
    # Unpublished: where publishing would put it, the deployment's target.
    found = tenant.viewer.data(TARGET, id=created["id"])["workflow"]
    assert found == {"publishTarget": "DAG_FILE", "publishedVersion": None}
    tenant.editor.data(queries.PUBLISH, id=created["id"], version=1)
    found = tenant.viewer.data(TARGET, id=created["id"])["workflow"]
    assert found == {"publishTarget": "DAG_FILE", "publishedVersion": 1}
    info = tenant.viewer.data("{ serviceInfo { publishTarget } }")["serviceInfo"]
    assert info == {"publishTarget": "DAG_FILE"}
