"""What this package's tests share: the builder's settings for MWAA Serverless, the GraphQL
they send, and a tickets workflow (files from the tenant's lake area into a quality gate)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.harness.aws_stand_ins.server import REGION, StandIn
from tests.harness.servers import RunningServer
from tests.integration.builder import queries
from tests.integration.builder.api import Api, Builder, Tenant, running_builder
from workflow_builder_api.core.config import Settings

GROUP = "builder/mwaa_serverless"  # the modules' one xdist group: the package's fixtures
ROLE = "arn:aws:iam::123456789012:role/airloom-{tenant}-workflows"
CODE_KEY = "code/airloom-code.zip"
LOG_GROUP = "/airloom-test/workflows/{tenant}"  # each tenant's own, as Terraform makes them
PUBLISH = """mutation($id: ID!, $version: Int!) {
  publishWorkflow(id: $id, version: $version) {
    published dagId dagFile problems { code message nodeId field }
    workflow { publishedVersion publishedDagFile publishTarget }
  }
}"""
RUN = """query($id: ID!) {
  run(id: $id) { id version state nodes { nodeId state tryNumber error logUrl } }
}"""
TARGET = "query($id: ID!) { workflow(id: $id) { publishTarget publishedVersion } }"


def serverless_builder(
    folder: Path, moto: RunningServer, stand_in: StandIn, bucket: str, code_key: str = CODE_KEY
) -> Any:
    settings = Settings(
        database_url=f"sqlite:///{folder / 'builder.db'}",
        templates_folder=folder,
        publish_target="mwaa_serverless",
        serverless_definitions=f"s3://{bucket}/definitions",
        serverless_code_package=f"s3://{bucket}/{code_key}",
        serverless_role_arn_pattern=ROLE,
        serverless_endpoint_url=stand_in.url,
        aws_endpoint_url=moto.url,
        aws_region=REGION,
        run_poll_seconds=0.3,
        serverless_private_network=True,  # sql_ingest may be placed (the revocation test)
        serverless_log_group=LOG_GROUP,
    )
    return running_builder(settings)


def tickets_spec(name: str, *, channels: list[str], recheck: bool = False) -> dict[str, Any]:
    """Files from the tenant's lake area into a dataset and a quality gate on it (optionally
    a second gate downstream); no retries, so a failure is final."""
    gate = {
        "checks": [{"check": "allowed_values", "column": "channel", "values": channels}],
        "output_dataset": f"{name}/checked",
    }
    nodes: list[dict[str, Any]] = [
        {
            "id": "tickets",
            "type": "file_ingest",
            "params": {
                "source": "lake://landing/tickets/*.jsonl",
                "format": "jsonl",
                "dataset": f"{name}/tickets",
            },
        },
        {"id": "checked", "type": "quality_gate", "params": gate},
    ]
    edges = [{"source": "tickets.table", "target": "checked.table"}]
    if recheck:
        params = {"checks": [{"check": "row_count", "min": 1}], "output_dataset": f"{name}/again"}
        nodes.append({"id": "rechecked", "type": "quality_gate", "params": params})
        edges.append({"source": "checked.table", "target": "rechecked.table"})
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": name, "title": name.title(), "description": "Support tickets"},
        "defaults": {"retries": 0},
        "nodes": nodes,
        "edges": edges,
    }


def stage_tickets(lake: Path, tenant: str, channels: list[str]) -> None:
    folder = lake / "tenants" / tenant / "landing" / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"id": i, "channel": c}) for i, c in enumerate(channels)]
    (folder / "part-1.jsonl").write_text("\n".join(lines) + "\n")


def create(api: Api, spec: dict[str, Any]) -> str:
    name = spec["metadata"]["name"]
    return api.data(queries.CREATE, input={"name": name, "spec": spec})["createWorkflow"]["id"]


def publish(api: Api, workflow_id: str, version: int = 1) -> dict[str, Any]:
    return api.data(PUBLISH, id=workflow_id, version=version)["publishWorkflow"]


def trigger(api: Api, workflow_id: str, conf: dict[str, Any] | None = None) -> dict[str, Any]:
    return api.data(queries.TRIGGER, id=workflow_id, conf=conf)["triggerRun"]


def finished(api: Api, run_id: str, seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        run = api.data(RUN, id=run_id)["run"]
        if run["state"] in {"success", "failed"} or time.monotonic() > deadline:
            return run
        time.sleep(0.3)


def node_states(run: dict[str, Any]) -> dict[str, str | None]:
    return {node["nodeId"]: node["state"] for node in run["nodes"]}


def published_tickets(builder: Builder, lake: Path, **spec: Any) -> tuple[Tenant, str, str]:
    """A fresh tenant with tickets in its lake area and a published tickets workflow."""
    tenant = builder.tenant()
    stage_tickets(lake, tenant.name, ["mail", "phone", "mail"])
    workflow_id = create(
        tenant.editor, tickets_spec("tickets", **{"channels": ["mail", "phone"], **spec})
    )
    result = publish(tenant.editor, workflow_id)
    assert result["published"], result["problems"]
    return tenant, workflow_id, result["dagId"]
