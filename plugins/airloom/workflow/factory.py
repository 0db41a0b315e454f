"""Build an Airflow DAG from a workflow spec: the one function every published DAG file calls.

Each node becomes the Airloom operator of its type, with its params as keyword arguments and
its inputs wired to the upstream outputs its edges name. A spec that is not valid raises
here, so Airflow shows the problems as this file's import error and no other DAG is touched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from graphlib import TopologicalSorter
from typing import Any

from airflow.sdk import DAG

from airloom.catalog import node_types
from airloom.workflow.access import tenant_access_control
from airloom.workflow.spec import Edge, WorkflowSpec
from airloom.workflow.validation import ensure_valid

WORKFLOW_TAG = "airloom-workflow"
# A fixed, past start date: published workflows run from publication on (catchup is off).
START_DATE = datetime(2024, 1, 1, tzinfo=UTC)


def dag_id_for(tenant: str, name: str) -> str:
    return f"wf_{tenant}__{name}"


def build_dag_from_json(document: str) -> DAG:
    """Build the DAG from the JSON a published DAG file holds (see the compiler)."""
    published = json.loads(document)
    return build_dag(
        published["spec"],
        workflow_id=published["workflowId"],
        version=published["version"],
        tenant=published["tenant"],
    )


def build_dag(spec_document: dict[str, Any], *, workflow_id: str, version: int, tenant: str) -> DAG:
    spec = ensure_valid(spec_document)
    catalog = node_types()
    upstream: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for edge in spec.edges:
        source_node, source_port = Edge.split(edge.source)
        target_node, target_port = Edge.split(edge.target)
        upstream[target_node].append((target_port, source_node, source_port))
    order = TopologicalSorter(
        {node.id: {source for _, source, _ in upstream[node.id]} for node in spec.nodes}
    ).static_order()
    nodes = {node.id: node for node in spec.nodes}

    with _dag(spec, workflow_id=workflow_id, version=version, tenant=tenant) as dag:
        tasks: dict[str, Any] = {}
        for node_id in order:
            node = nodes[node_id]
            node_type = catalog[node.type]
            inputs: dict[str, Any] = {}
            for target_port, source_node, source_port in upstream[node_id]:
                reference = tasks[source_node].port(source_port)
                if node_type.input(target_port).many:
                    inputs.setdefault(target_port, []).append(reference)
                else:
                    inputs[target_port] = reference
            tasks[node_id] = node_type.operator(task_id=node_id, inputs=inputs, **node.params)
    return dag


def _dag(spec: WorkflowSpec, *, workflow_id: str, version: int, tenant: str) -> DAG:
    meta = spec.metadata
    return DAG(
        dag_id=dag_id_for(tenant, meta.name),
        dag_display_name=meta.title or meta.name,
        description=f"{meta.title or meta.name} (workflow version {version})",
        doc_md=meta.description or None,
        schedule=spec.schedule,
        start_date=START_DATE,
        catchup=False,
        access_control=tenant_access_control(tenant),
        max_active_runs=1,
        tags=[
            *meta.tags,
            WORKFLOW_TAG,
            f"tenant:{tenant}",
            f"version:{version}",
            f"workflow:{workflow_id}",
        ],
        default_args={
            "retries": spec.defaults.retries,
            "retry_delay": timedelta(seconds=spec.defaults.retry_delay_seconds),
        },
    )
