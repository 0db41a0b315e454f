"""MLflow tracking and model registry for Airloom's operators, through one Airflow connection.

The connection's ``host`` is the tracking server's URL (``http://127.0.0.1:5000`` locally, the
load balancer's URL on AWS); ``login``/``password``, when set, become MLflow's basic-auth
credentials. An optional ``registry_uri`` extra points the model registry elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from airflow.sdk import BaseHook

from airloom.connections import MLFLOW_CONN_ID
from airloom.ml.tracking import TrackingServer, mlflow_uris

if TYPE_CHECKING:
    from mlflow import MlflowClient


class MlflowHook(BaseHook):
    """Clients for the MLflow tracking server and model registry named by one connection.

    Models move through aliases (``champion``, ``challenger``) and tags, never stages.

    :param mlflow_conn_id: Airflow connection whose ``host`` is the tracking URI.
    """

    conn_name_attr = "mlflow_conn_id"
    default_conn_name = MLFLOW_CONN_ID
    conn_type = "http"
    hook_name = "Airloom MLflow"

    def __init__(self, mlflow_conn_id: str = MLFLOW_CONN_ID) -> None:
        super().__init__()
        self.mlflow_conn_id = mlflow_conn_id
        self._connection = None

    @property
    def connection(self):
        if self._connection is None:
            self._connection = self.get_connection(self.mlflow_conn_id)
        return self._connection

    @property
    def tracking_uri(self) -> str:
        """The tracking server's URI, from the connection's host (and schema/port if split)."""
        conn = self.connection
        host = (conn.host or "").strip().rstrip("/")
        if not host:
            raise ValueError(
                f"connection {self.mlflow_conn_id!r} has no host: set it to the MLflow tracking "
                "URL, e.g. http://127.0.0.1:5000"
            )
        if "://" not in host:
            host = f"{conn.schema or 'http'}://{host}"
        if conn.port and urlsplit(host).port is None:
            host = f"{host}:{conn.port}"
        return host

    @property
    def registry_uri(self) -> str:
        return self.connection.extra_dejson.get("registry_uri") or self.tracking_uri

    def client(self) -> MlflowClient:
        """A client bound to this connection's tracking server and registry.

        With credentials on the connection, use it inside :meth:`tracking` (MLflow reads them
        from the environment on each request).
        """
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.registry_uri)

    @contextmanager
    def tracking(self) -> Iterator[None]:
        """Point mlflow's fluent API (``mlflow.start_run``, ``log_model`` …) at this server.

        mlflow keeps the URIs as process-wide state; the previous values are restored when the
        block ends. The connection's login/password apply as basic-auth credentials inside it.
        """
        with mlflow_uris(
            self.tracking_uri,
            self.registry_uri,
            username=self.connection.login or None,
            password=self.connection.password or None,
        ):
            yield

    def experiment_id(self, name: str) -> str:
        """The id of experiment ``name``, created if it does not exist yet."""
        return self.server().experiment_id(name)

    def server(self) -> TrackingServer:
        """The connection's server and credentials, for code that runs without Airflow."""
        return TrackingServer(
            self.tracking_uri,
            self.registry_uri,
            username=self.connection.login or None,
            password=self.connection.password or None,
        )
