"""Deployment: the targets a model version is served at, and the one rollout that gets it there.

A target follows MLflow's ``BaseDeploymentClient`` (create, update, delete, get, list,
predict) and is built by name with :func:`get_target`. Every deployment, whether a workflow's
``deploy`` node, the marketplace's deploy or rollback button or a person in the Airflow UI
starts it, is the same rollout (:mod:`airloom.deploy.pipeline`, run by
``airloom.operators.deploy.DeployModelOperator`` in one deferrable task): gate on the version
and its validation, serve at the target, wait in the triggerer until the endpoint answers
(:mod:`airloom.deploy.triggers`) or roll it back, then promote to ``champion`` on record.
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
