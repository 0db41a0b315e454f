"""The AWS template variants publish through the builder once a tenant has an AWS connection
(compiled and imported by DagBag), and name the connection it lacks until then.

``document-retrieval-aws`` is also run end to end by the Bedrock answers tests
(tests/integration/aws_nodes/bedrock/test_answers.py).
"""

from __future__ import annotations

import pytest

from tests.harness.designs import Designer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from workflow_builder_api.core.config import TEMPLATES_FOLDER
from workflow_builder_api.services.templates import load_templates

TEMPLATES = load_templates(TEMPLATES_FOLDER)
VARIANTS = {
    "support-analytics-aws": {"moods": "comprehend"},
    "document-retrieval-aws": {"extract": "textract", "answer": "bedrock"},
}


@pytest.mark.parametrize("template_id", sorted(VARIANTS))
def test_a_variant_publishes_with_a_granted_aws_connection_and_names_it_without(
    design: Designer, template_id: str
) -> None:
    stranger = design.tenant()
    spec = TEMPLATES[template_id].spec_for("variant", tenant=stranger.name)
    problems = design.problems(stranger, spec)
    assert {(p["nodeId"], p["code"]) for p in problems} == {
        (node, "NOT_GRANTED") for node in VARIANTS[template_id]
    }

    granted = design.tenant(connections=(AWS_CONN_ID,))
    spec = TEMPLATES[template_id].spec_for("variant", tenant=granted.name)
    for node in spec["nodes"]:
        if node["id"] in VARIANTS[template_id]:
            assert node["type"] == VARIANTS[template_id][node["id"]]
            node["params"]["aws_conn_id"] = AWS_CONN_ID  # the name the admin gave it
    published = design.publish(granted, spec)
    # The DAG file holds the design as data, the granted connection with it.
    assert AWS_CONN_ID in published.path.read_text()
