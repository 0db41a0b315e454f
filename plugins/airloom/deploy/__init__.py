"""Deployment targets: one interface for every place a model version can be deployed.

A target follows MLflow's ``BaseDeploymentClient`` (create, update, delete, get, list,
predict). The ``DeployModelOperator`` and the marketplace both go through :func:`get_target`,
so a deployment means the same thing whichever of them starts it.
"""

from airloom.deploy.base import (
    DeploymentError,
    DeploymentNotFound,
    DeploymentTarget,
    UnknownTargetError,
    get_target,
    known_targets,
    register_target,
)

__all__ = [
    "DeploymentError",
    "DeploymentNotFound",
    "DeploymentTarget",
    "UnknownTargetError",
    "get_target",
    "known_targets",
    "register_target",
]
