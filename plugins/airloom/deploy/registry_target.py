"""The ``registry`` target: deploying a version means making it the ``champion``, on record.

Promotion moves the ``champion`` alias and writes the audit in the registry itself: tags on
the promoted version, and one tag per event on the registered model (``airloom.deployment.
<UTC timestamp>``, a JSON record of who, when, what, from which version and why), so the
history needs no read-modify-write and survives concurrent deployments.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from airloom.deploy.base import DeploymentError, DeploymentNotFound
from airloom.ml.registry import ModelRef, get_version, version_by_alias
from airloom.model_tags import (
    CHALLENGER_ALIAS as CHALLENGER,
)
from airloom.model_tags import (
    CHAMPION_ALIAS as CHAMPION,
)
from airloom.model_tags import (
    DEPLOY_REASON,
    DEPLOYED_AT,
    DEPLOYED_BY,
    DEPLOYMENT_EVENT_PREFIX,
    PROMOTED_FROM,
)

AUDIT_FIELDS = ("deployed_by", "reason", "target", "endpoint", "workflow", "run_id")


def deployment_history(client: Any, name: str) -> list[dict[str, Any]]:
    """Every recorded deployment event of registered model ``name``, oldest first."""
    tags = client.get_registered_model(name).tags
    keys = sorted(key for key in tags if key.startswith(DEPLOYMENT_EVENT_PREFIX))
    return [json.loads(tags[key]) for key in keys]


class RegistryTarget:
    """Promotion in the MLflow model registry, with an audit trail.

    A deployment's name is the registered model's name.

    :param tracking_uri: the MLflow tracking server.
    :param registry_uri: the model registry, if not the tracking server.
    """

    target_name = "registry"

    def __init__(self, tracking_uri: str, registry_uri: str | None = None) -> None:
        from mlflow import MlflowClient

        self.tracking_uri = tracking_uri
        self.registry_uri = registry_uri or tracking_uri
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=self.registry_uri)

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        try:
            ref = ModelRef.parse(model_uri)
        except ValueError as exc:
            raise DeploymentError(str(exc)) from None
        if ref.name != name:
            raise DeploymentError(
                f"deployment {name!r} is registered model {name!r}; {model_uri} is another model"
            )
        return self._promote(ref, dict(config or {}))

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        if model_uri is None:
            return self.get_deployment(name)
        return self.create_deployment(name, model_uri, flavor, config, endpoint)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        """Retire the champion (the alias goes, the version stays); nothing to do if none."""
        champion = version_by_alias(self.client, name, CHAMPION)
        if champion is None:
            return
        self.client.delete_registered_model_alias(name, CHAMPION)
        self._record(name, "retire", champion.version, champion.version, dict(config or {}))

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        champion = version_by_alias(self.client, name, CHAMPION)
        if champion is None:
            raise DeploymentNotFound(f"registered model {name!r} has no {CHAMPION!r} version")
        tags = champion.tags or {}
        return {
            "name": name,
            "model_uri": ModelRef(name, champion.version).uri,
            "version": champion.version,
            "alias": CHAMPION,
            "deployed_at": tags.get(DEPLOYED_AT),
            "deployed_by": tags.get(DEPLOYED_BY),
            "reason": tags.get(DEPLOY_REASON),
            "previous_version": _none_if_absent(tags.get(PROMOTED_FROM)),
        }

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        models = []
        page_token = None
        while True:
            page = self.client.search_registered_models(page_token=page_token)
            models += [m.name for m in page if CHAMPION in (m.aliases or {})]
            page_token = page.token
            if not page_token:
                break
        return [self.get_deployment(name) for name in models]

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        import mlflow.pyfunc

        from airloom.ml.tracking import mlflow_uris

        if deployment_name is None:
            raise DeploymentError("predict needs the deployment (registered model) name")
        self.get_deployment(deployment_name)  # a clear error when there is no champion
        with mlflow_uris(self.tracking_uri, self.registry_uri):
            model = mlflow.pyfunc.load_model(f"models:/{deployment_name}@{CHAMPION}")
            return model.predict(inputs)

    def _promote(self, ref: ModelRef, config: dict[str, Any]) -> dict[str, Any]:
        try:
            get_version(self.client, ref)
        except LookupError as exc:
            raise DeploymentError(str(exc)) from None
        previous = version_by_alias(self.client, ref.name, CHAMPION)
        from_version = previous.version if previous else None
        version = str(ref.version)  # as MLflow writes versions, in the records and answers
        self.client.set_registered_model_alias(ref.name, CHAMPION, version)
        try:
            record = self._record(ref.name, "promote", version, from_version, config)
            for key, value in {
                DEPLOYED_AT: record["deployed_at"],
                DEPLOYED_BY: record["deployed_by"],
                DEPLOY_REASON: record["reason"],
                PROMOTED_FROM: from_version or "none",
            }.items():
                self.client.set_model_version_tag(ref.name, version, key, value)
        except Exception as exc:  # put the champion back: no promotion without its record
            if from_version is None:
                self.client.delete_registered_model_alias(ref.name, CHAMPION)
            else:
                self.client.set_registered_model_alias(ref.name, CHAMPION, from_version)
            raise DeploymentError(f"could not record the promotion of {ref}: {exc}") from exc
        challenger = version_by_alias(self.client, ref.name, CHALLENGER)
        if challenger is not None and challenger.version == version:
            self.client.delete_registered_model_alias(ref.name, CHALLENGER)  # it has won
        return {
            "name": ref.name,
            "model_uri": ref.uri,
            "version": version,
            "alias": CHAMPION,
            "previous_version": from_version,
            **{key: record[key] for key in ("deployed_at", "deployed_by", "reason")},
        }

    def _record(
        self,
        name: str,
        action: str,
        version: str,
        from_version: str | None,
        config: dict[str, Any],
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        record = {
            "action": action,
            "model": name,
            "version": version,
            "from_version": from_version,
            "deployed_at": now.isoformat(),
            **{key: config.get(key) for key in AUDIT_FIELDS},
        }
        record["deployed_by"] = record["deployed_by"] or "unknown"
        record["reason"] = record["reason"] or ""
        record["target"] = record["target"] or self.target_name
        key = f"{DEPLOYMENT_EVENT_PREFIX}{now:%Y%m%dT%H%M%S%fZ}"
        self.client.set_registered_model_tag(name, key, json.dumps(record))
        return record


def _none_if_absent(value: str | None) -> str | None:
    return None if value in (None, "none") else value
