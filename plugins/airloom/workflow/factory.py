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
from airloom.tenancy import Grants, TenantLimits, TenantScope
from airloom.workflow.access import tenant_access_control
from airloom.workflow.spec import Edge, Node, WorkflowSpec
from airloom.workflow.validation import ensure_valid

WORKFLOW_TAG = "airloom-workflow"
# A fixed, past start date: published workflows run from publication on (catchup is off).
START_DATE = datetime(2024, 1, 1, tzinfo=UTC)


def dag_id_for(tenant: str, name: str) -> str:
    """A workflow's DAG id. '-' is in neither a tenant's nor a workflow's name, so no two
    (tenant, name) pairs can share one."""
    return f"wf-{tenant}-{name}"


def legacy_dag_id(tenant: str, name: str) -> str:
    """The DAG id files published before tenants' ids could not collide carry (no dagId)."""
    return f"wf_{tenant}__{name}"


def build_dag_from_json(document: str) -> DAG:
    """Build the DAG from the JSON a published DAG file holds (see the compiler)."""
    published = json.loads(document)
    tenant = published["tenant"]
    scope = TenantScope(
        tenant,
        Grants.from_document(published.get("grants")),
        TenantLimits.from_document(published.get("limits")),
    )
    return build_dag(
        published["spec"],
        workflow_id=published["workflowId"],
        version=published["version"],
        scope=scope,
        dag_id=published.get("dagId")
        or legacy_dag_id(tenant, published["spec"]["metadata"]["name"]),
    )


def build_dag(
    spec_document: dict[str, Any],
    *,
    workflow_id: str,
    version: int,
    scope: TenantScope,
    dag_id: str | None = None,
) -> DAG:
    """The DAG of one workflow version, every node confined to ``scope``'s tenant."""
    # The graph here; each operator checks its params and its tenant scope as it is built.
    spec = ensure_valid(spec_document, scope, structure_only=True)
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

    dag_id = dag_id or dag_id_for(scope.tenant, spec.metadata.name)
    with _dag(spec, dag_id=dag_id, workflow_id=workflow_id, version=version, scope=scope) as dag:
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
            tasks[node_id] = node_type.operator(
                task_id=node_id,
                inputs=inputs,
                tenant_scope=scope,
                **_run_settings(node),
                **node.params,
            )
    return dag


def _run_settings(node: Node) -> dict[str, Any]:
    """The node's own retries and timeout, where it overrides the design's defaults."""
    settings: dict[str, Any] = {}
    if node.retries is not None:
        settings["retries"] = node.retries
    if node.timeout_seconds is not None:
        settings["execution_timeout"] = timedelta(seconds=node.timeout_seconds)
    return settings


def _dag(
    spec: WorkflowSpec, *, dag_id: str, workflow_id: str, version: int, scope: TenantScope
) -> DAG:
    meta = spec.metadata
    tenant = scope.tenant
    return DAG(
        dag_id=dag_id,
        dag_display_name=meta.title or meta.name,
        description=f"{meta.title or meta.name} (workflow version {version})",
        doc_md=meta.description or None,
        schedule=spec.schedule,
        start_date=START_DATE,
        catchup=False,
        access_control=tenant_access_control(tenant),
        max_active_runs=scope.limits.max_active_runs,
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
            "execution_timeout": (
                timedelta(seconds=spec.defaults.timeout_seconds)
                if spec.defaults.timeout_seconds is not None
                else None
            ),
        },
    )
