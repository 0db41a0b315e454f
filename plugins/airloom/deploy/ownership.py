"""Who owns a serving endpoint: the tenant recorded with it at its target.

An endpoint name is unique at its target (the serving process, a SageMaker region), whoever
deploys to it. The tenant that created an endpoint is kept with the endpoint itself — in the
serving process's record, as a SageMaker tag — so the marketplace and a workflow's ``deploy``
node read the same answer from the same place. An endpoint recorded without a tenant (made by a
person through the ``model_deployment`` DAG) belongs to the ``default`` tenant.
"""

from __future__ import annotations

from typing import Any

from airloom import model_tags
from airloom.deploy.base import DeploymentNotFound, DeploymentTarget
from airloom.tenancy.rules import TenantAccessDenied


def endpoint_owner(deployment: dict[str, Any]) -> str:
    """The tenant a deployment (as a target describes it) belongs to."""
    return deployment.get("tenant") or model_tags.DEFAULT_TENANT


def claim_endpoint(target: DeploymentTarget, name: str, tenant: str) -> dict[str, Any] | None:
    """What ``name`` serves now if ``tenant`` owns it, None if it is free; refuse otherwise."""
    try:
        current = target.get_deployment(name)
    except DeploymentNotFound:
        return None
    if endpoint_owner(current) != tenant:
        raise TenantAccessDenied(
            f"endpoint {name!r} at the {target.target_name} target belongs to another tenant; "
            "choose another endpoint name"
        )
    return current
