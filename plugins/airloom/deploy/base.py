"""The deployment-target interface and the registry of known targets."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable


class DeploymentError(RuntimeError):
    """A deployment could not be made; nothing was changed."""


class DeploymentNotFound(DeploymentError, LookupError):
    """The target has no deployment of that name."""


class UnknownTargetError(ValueError):
    retryable = False  # the same name is unknown on every try (airloom.operators.failures)


@runtime_checkable
class DeploymentTarget(Protocol):
    """A place models are deployed to, shaped like ``mlflow.deployments.BaseDeploymentClient``.

    Deployments are dicts with at least ``name`` and ``model_uri``. ``create_deployment``
    returns once the deployment is ready; ``delete_deployment`` is idempotent;
    ``get_deployment`` raises :class:`DeploymentNotFound`; failures raise
    :class:`DeploymentError` with a message saying what and where. ``config`` carries the audit
    fields every target records: ``deployed_by``, ``reason`` and, from Airflow, ``workflow``
    and ``run_id``.
    """

    target_name: str

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]: ...

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]: ...

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None: ...

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]: ...

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]: ...

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any: ...


# Target name → "module:factory", imported on use so that naming a target stays cheap.
_TARGETS: dict[str, str | Callable[..., DeploymentTarget]] = {
    "registry": "airloom.deploy.registry_target:RegistryTarget",
    # Airloom's serving process on this machine (marketplace.serving).
    "local": "airloom.deploy.local_target:LocalTarget",
    # SageMaker real-time endpoints through MLflow's SageMaker deployment client.
    "sagemaker": "airloom.deploy.sagemaker_target:SageMakerTarget",
}


def register_target(name: str, factory: str | Callable[..., DeploymentTarget]) -> None:
    """Make target ``name`` available, as a factory or a "module:attribute" path to one."""
    _TARGETS[name] = factory


def known_targets() -> list[str]:
    return sorted(_TARGETS)


def get_target(name: str, **options: Any) -> DeploymentTarget:
    """The deployment target called ``name``, built with ``options``.

    Airloom passes every target ``tracking_uri`` and ``registry_uri`` (the MLflow server the
    model versions live in); a target may accept more options of its own.
    """
    if name not in _TARGETS:
        raise UnknownTargetError(
            f"unknown deployment target {name!r}; known targets: {', '.join(known_targets())}"
        )
    factory = _TARGETS[name]
    if isinstance(factory, str):
        module, _, attribute = factory.partition(":")
        factory = getattr(importlib.import_module(module), attribute)
    return factory(**options)
