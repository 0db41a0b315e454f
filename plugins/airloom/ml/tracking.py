"""Point mlflow's fluent API at a server for one block, then put its global state back.

mlflow keeps the tracking and registry URIs as module globals mirrored to environment
variables (so subprocesses inherit them). Airflow runs many tasks per worker process and the
services serve many requests per process, so nothing may leak from one block to the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow import MlflowClient

_VARIABLES = (
    "MLFLOW_TRACKING_URI",
    "MLFLOW_REGISTRY_URI",
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
)


@contextmanager
def mlflow_uris(
    tracking_uri: str,
    registry_uri: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> Iterator[None]:
    """Use ``tracking_uri`` (and ``registry_uri``, default the same) for the block."""
    import mlflow
    from mlflow.tracking import fluent
    from mlflow.tracking._model_registry import utils as registry_state
    from mlflow.tracking._tracking_service import utils as tracking_state

    # The private globals tell "never set" apart from "set to the default", which the public
    # getters cannot; restoring them exactly keeps whatever the caller had.
    saved_tracking = tracking_state._tracking_uri
    saved_registry = registry_state._registry_uri
    saved_env = {name: os.environ.get(name) for name in _VARIABLES}
    # An experiment set earlier belongs to the server set earlier: on this one that id may
    # not exist, or be another experiment.
    saved_experiment = fluent._active_experiment_id
    fluent._active_experiment_id = None
    try:
        if username:
            os.environ["MLFLOW_TRACKING_USERNAME"] = username
            os.environ["MLFLOW_TRACKING_PASSWORD"] = password or ""
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(registry_uri or tracking_uri)
        yield
    finally:
        mlflow.set_tracking_uri(saved_tracking)
        registry_state._registry_uri = saved_registry
        fluent._active_experiment_id = saved_experiment
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class TrackingServer:
    """An MLflow tracking server and registry by URI, without Airflow: what a training run
    needs wherever it runs (an Airflow task, or a SageMaker training job given the URIs).

    :param username: with ``password``, MLflow's basic-auth credentials inside :meth:`tracking`.
    """

    tracking_uri: str
    registry_uri: str | None = None
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    def client(self) -> MlflowClient:
        from mlflow import MlflowClient

        return MlflowClient(
            tracking_uri=self.tracking_uri, registry_uri=self.registry_uri or self.tracking_uri
        )

    def tracking(self) -> AbstractContextManager[None]:
        """mlflow's fluent API pointed at this server for one block (see :func:`mlflow_uris`)."""
        return mlflow_uris(self.tracking_uri, self.registry_uri, self.username, self.password)

    def experiment_id(self, name: str) -> str:
        """The id of experiment ``name``, created if it does not exist yet."""
        from mlflow.exceptions import MlflowException

        client = self.client()
        experiment = client.get_experiment_by_name(name)
        if experiment is not None:
            return experiment.experiment_id
        try:
            return client.create_experiment(name)
        except MlflowException:  # created concurrently by another task
            experiment = client.get_experiment_by_name(name)
            if experiment is None:
                raise
            return experiment.experiment_id
