"""Deployment targets are looked up by name; an unknown name lists the ones there are."""

from __future__ import annotations

from typing import Any

import pytest

from airloom.deploy import DeploymentTarget, UnknownTargetError, get_target, known_targets
from airloom.deploy.base import _TARGETS, register_target


class EchoTarget:
    """A minimal target, as the marketplace registers its serving targets."""

    target_name = "echo"

    def __init__(self, tracking_uri: str, registry_uri: str | None = None) -> None:
        self.deployments: dict[str, dict[str, Any]] = {}

    def create_deployment(self, name, model_uri, flavor=None, config=None, endpoint=None):
        self.deployments[name] = {"name": name, "model_uri": model_uri}
        return self.deployments[name]

    def update_deployment(self, name, model_uri=None, flavor=None, config=None, endpoint=None):
        return self.create_deployment(name, model_uri)

    def delete_deployment(self, name, config=None, endpoint=None):
        self.deployments.pop(name, None)

    def list_deployments(self, endpoint=None):
        return list(self.deployments.values())

    def get_deployment(self, name, endpoint=None):
        return self.deployments[name]

    def predict(self, deployment_name=None, inputs=None, endpoint=None):
        return inputs


def test_an_unknown_target_names_the_known_ones() -> None:
    with pytest.raises(UnknownTargetError) as error:
        get_target("kubernetes", tracking_uri="http://mlflow")
    assert str(error.value) == (
        f"unknown deployment target 'kubernetes'; known targets: {', '.join(known_targets())}"
    )
    assert "registry" in known_targets()


def test_a_registered_target_is_built_with_the_tracking_uris() -> None:
    register_target("echo", EchoTarget)
    try:
        target = get_target("echo", tracking_uri="http://mlflow", registry_uri=None)
        assert isinstance(target, DeploymentTarget)  # it has every method of the protocol
        assert target.create_deployment("churn", "models:/churn/3")["model_uri"] == (
            "models:/churn/3"
        )
        assert "echo" in known_targets()
    finally:
        _TARGETS.pop("echo")
