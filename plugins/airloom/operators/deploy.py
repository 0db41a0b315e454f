"""The deploy node: roll a model version out to a target and promote it to ``champion``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow.sdk import Context
from pydantic import Field

from airloom.catalog import NodeParams, Port, PortType
from airloom.catalog.resources import EndpointRef, PlatformConnection
from airloom.connections import MLFLOW_CONN_ID
from airloom.operators.base import AirloomOperator


class DeployParams(NodeParams):
    target: str = Field(
        default="local",
        min_length=1,
        description="Where to serve the model (deployment targets: registry, local, sagemaker…); "
        "the version is promoted to champion in every case.",
    )
    endpoint: EndpointRef | None = Field(
        default=None, description="Deployment (endpoint) name; default the model's name."
    )
    reason: str = Field(default="", description="Why this version is deployed, for the audit.")
    mlflow_conn_id: PlatformConnection = MLFLOW_CONN_ID


class DeployModelOperator(AirloomOperator):
    """Promote a version to ``champion`` and deploy it to a target, on record.

    :param target: deployment target name.
    :param endpoint: deployment name at the target.
    :param reason: why, for the audit trail.
    """

    node_type = "deploy"
    category = "deploy"
    description = (
        "Deploys a model version to a target and promotes it to 'champion' in the registry, "
        "recording who deployed it, when, from which previous version and why, on the version "
        "and in the registered model's deployment history."
    )
    params_model = DeployParams
    input_ports = (Port("model", PortType.MODEL, "The version to deploy."),)
    output_ports = (Port("model", PortType.MODEL, "The deployed version."),)
    ui_color = "#f8cecc"

    def run(self, params: DeployParams, inputs: Mapping[str, Any], context: Context) -> dict:
        from airloom.deploy import get_target
        from airloom.deploy.ownership import claim_endpoint
        from airloom.deploy.rollout import default_endpoint_name, serve
        from airloom.hooks.mlflow import MlflowHook
        from airloom.ml.registry import ModelRef

        ref = ModelRef.parse(inputs["model"])
        hook = MlflowHook(params.mlflow_conn_id)
        uris = {"tracking_uri": hook.tracking_uri, "registry_uri": hook.registry_uri}
        # Resolve every target first: an unknown one fails before anything changes.
        registry = get_target("registry", **uris)
        serving = None if params.target == "registry" else get_target(params.target, **uris)
        scope = self.tenant_scope
        endpoint = None if serving is None else params.endpoint or default_endpoint_name(ref.name)
        config = {
            "deployed_by": getattr(context["dag_run"], "triggering_user_name", None) or "airflow",
            "reason": params.reason,
            "target": params.target,
            "endpoint": endpoint,
            "workflow": context["dag"].dag_id,
            "run_id": context["run_id"],
            "tenant": scope.tenant if scope else None,
        }
        with hook.tracking():
            self.require_model(hook.client(), ref.name)
            if serving is not None:
                # The marketplace's rule: an endpoint is its creator's tenant's, at its target.
                if scope is not None:
                    claim_endpoint(serving, endpoint, scope.tenant)
                serve(serving, endpoint, ref.uri, config)
            deployment = registry.create_deployment(ref.name, ref.uri, config=config)
        self.log.info(
            "Promoted %s to champion (previous: %s) by %s: %s",
            ref,
            deployment["previous_version"] or "none",
            deployment["deployed_by"],
            params.reason or "no reason given",
        )
        return {"model": ref.uri}
