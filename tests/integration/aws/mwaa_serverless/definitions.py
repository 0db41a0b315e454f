"""What this package's tests share: tenants, and a tickets workflow (files from the lake into a
quality gate) compiled by Airloom for one tenant, uploaded and created on the stand-in."""

from __future__ import annotations

import uuid
from typing import Any

from airloom.tenancy import TenantScope
from airloom.workflow.serverless.definition import compile_definition

GROUP = "aws/mwaa_serverless"  # the modules' one xdist group: the package's fixtures
ROLE = "arn:aws:iam::123456789012:role/airloom-tenant-{tenant}"


def tenant_name() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


def tickets_spec(*, values: list[str], recheck: bool = False) -> dict[str, Any]:
    """Files from the lake into a dataset, a quality gate on it, optionally a second gate
    downstream: work an MWAA Serverless worker does. No retries, so a failure is final."""
    gate = {
        "checks": [{"check": "allowed_values", "column": "channel", "values": values}],
        "output_dataset": "support/tickets_checked",
    }
    nodes: list[dict[str, Any]] = [
        {
            "id": "tickets",
            "type": "file_ingest",
            "params": {
                "source": "lake://landing/tickets/*.jsonl",
                "format": "jsonl",
                "dataset": "support/tickets",
            },
        },
        {"id": "checked", "type": "quality_gate", "params": gate},
    ]
    edges = [{"source": "tickets.table", "target": "checked.table"}]
    if recheck:
        rows = {"check": "row_count", "min": 1}
        params = {"checks": [rows], "output_dataset": "support/tickets_rechecked"}
        nodes.append({"id": "rechecked", "type": "quality_gate", "params": params})
        edges.append({"source": "checked.table", "target": "rechecked.table"})
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "tickets", "title": "Tickets"},
        "schedule": None,
        "defaults": {"retries": 0},
        "nodes": nodes,
        "edges": edges,
    }


def definition(tenant: str, version: int = 1, **spec: Any) -> tuple[str, str]:
    """(workflow name, definition text) as Airloom compiles them for ``tenant``."""
    compiled = compile_definition(
        tickets_spec(**{"values": ["mail", "phone"], **spec}),
        workflow_id="wf-1",
        version=version,
        scope=TenantScope(tenant),
    )
    return compiled.workflow_name, compiled.yaml_text


def put(s3: Any, bucket: str, key: str, body: str | bytes) -> str:
    """Uploads ``body``; its S3 version id."""
    return s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]


def create(serverless: Any, s3: Any, bucket: str, tenant: str, **spec: Any) -> dict[str, Any]:
    name, text = definition(tenant, **spec)
    put(s3, bucket, f"{tenant}/definition.yaml", text)
    return serverless.create_workflow(
        Name=name,
        DefinitionS3Location={"Bucket": bucket, "ObjectKey": f"{tenant}/definition.yaml"},
        RoleArn=ROLE.format(tenant=tenant),
    )
