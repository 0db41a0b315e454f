"""Whose activity a DAG's run, task or model change is: one rule for the listener and the
operators alike.

A published workflow's DAG carries ``tenant:…`` and ``version:…`` tags (see
:mod:`airloom.workflow.factory`) and its id names the workflow; a built-in DAG is the
platform's ``default`` tenant's, except a run whose conf names a tenant (the marketplace's
deploy, validation and benchmark runs), which is that tenant's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airloom.model_tags import DEFAULT_TENANT
from airloom.tenancy import TENANT_PATTERN

TENANT_TAG = "tenant:"
VERSION_TAG = "version:"


@dataclass(frozen=True)
class Owner:
    """Whose DAG it is: tenant, workflow (name, or a built-in DAG's id) and version."""

    tenant: str
    workflow: str
    workflow_version: int | None


def owner_of(dag_id: str, tags: Iterable[str], conf: Mapping[str, Any] | None) -> Owner:
    """The tenant, workflow and version of a run of ``dag_id`` with ``tags`` and ``conf``."""
    tags = list(tags)
    tenant = _tag(tags, TENANT_TAG)
    if tenant is not None:
        version = _tag(tags, VERSION_TAG)
        return Owner(
            tenant=tenant,
            workflow=_workflow_name(dag_id, tenant),
            workflow_version=int(version) if version and version.isdigit() else None,
        )
    named = (conf or {}).get("tenant")
    if isinstance(named, str) and TENANT_PATTERN.fullmatch(named):
        return Owner(tenant=named, workflow=dag_id, workflow_version=None)
    return Owner(tenant=DEFAULT_TENANT, workflow=dag_id, workflow_version=None)


def owner_in(context: Mapping[str, Any]) -> Owner:
    """The owner of the task an Airflow ``context`` belongs to."""
    dag = context["dag"]
    conf = getattr(context.get("dag_run"), "conf", None)
    return owner_of(dag.dag_id, dag.tags or (), conf if isinstance(conf, Mapping) else None)


def _tag(tags: Iterable[str], prefix: str) -> str | None:
    return next((tag.removeprefix(prefix) for tag in tags if tag.startswith(prefix)), None)


def _workflow_name(dag_id: str, tenant: str) -> str:
    # The ids airloom.workflow.factory gives (dag_id_for, and legacy_dag_id before it).
    for prefix in (f"wf-{tenant}-", f"wf_{tenant}__"):
        if dag_id.startswith(prefix):
            return dag_id.removeprefix(prefix)
    return dag_id


def node_type_of(task: Any) -> str:
    """The builder's node type of the operator, or its class name for tasks that are not nodes."""
    if task is None:
        return "unknown"
    return getattr(type(task), "node_type", "") or type(task).__name__
