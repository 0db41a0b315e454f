"""The ``local`` target: endpoints served by Airloom's serving process on this machine.

The serving process (``marketplace.serving``, ``airloom up`` runs it on port 8003) loads model
versions from the MLflow registry and serves each as ``/endpoints/<name>/invocations`` in
MLflow's scoring protocol. This target tells it what to serve through its control API and
returns from :meth:`LocalTarget.create_deployment` only once the endpoint answers a real
request: the version's own input example, when it has one. With ``config={"synchronous":
False}`` (MLflow's SageMaker client's option) it returns once the version is loaded, and the
caller checks :meth:`LocalTarget.readiness` itself: the deployment rollout does so in a trigger.
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import quote

import httpx

from airloom.deploy.base import DeploymentError, DeploymentNotFound

DEFAULT_SERVING_URL = "http://127.0.0.1:8003"
# The audit fields worth keeping with the endpoint itself.
_KEPT_CONFIG = ("deployed_by", "reason", "tenant", "workflow", "run_id")
# What readiness says: answering, not yet, or never will (a broken model stays broken).
READY, PENDING, FAILED = "ready", "pending", "failed"


def default_serving_url() -> str:
    """Where the serving process listens: ``AIRLOOM_SERVING_URL``, else the stack's default."""
    return os.environ.get("AIRLOOM_SERVING_URL", DEFAULT_SERVING_URL).rstrip("/")


class LocalTarget:
    """Endpoints in Airloom's serving process, shaped like MLflow's ``BaseDeploymentClient``.

    :param tracking_uri: the MLflow server the serving process loads versions from (it is
        configured with the same one; kept for the common target signature).
    :param registry_uri: the model registry, if not the tracking server.
    :param serving_url: the serving process (default ``AIRLOOM_SERVING_URL``).
    :param ready_timeout: seconds to wait for a deployed endpoint to answer.
    """

    target_name = "local"

    def __init__(
        self,
        tracking_uri: str | None = None,
        registry_uri: str | None = None,
        serving_url: str | None = None,
        ready_timeout: float = 120.0,
    ) -> None:
        self.tracking_uri = tracking_uri
        self.registry_uri = registry_uri or tracking_uri
        self.url = (serving_url or default_serving_url()).rstrip("/")
        self.ready_timeout = ready_timeout
        # Loading a model can take a while: the PUT waits for it.
        self.http = httpx.Client(base_url=self.url, timeout=httpx.Timeout(30.0, read=600.0))

    def invocations_url(self, name: str) -> str:
        return f"{self.url}{_path(name)}/invocations"

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Serve ``model_uri`` as ``name``; return once the endpoint answers (or, with
        ``config["synchronous"]`` false, once the serving process has loaded it)."""
        kept = {key: value for key, value in (config or {}).items() if key in _KEPT_CONFIG}
        response = self._call("PUT", _path(name), json={"model_uri": model_uri, "config": kept})
        if response.status_code >= 400:
            raise DeploymentError(
                f"the serving process at {self.url} refused to serve {model_uri} as "
                f"{name!r}: {_message(response)}"
            )
        if (config or {}).get("synchronous", True):
            self.wait_until_answering(name, model_uri)
        return self.get_deployment(name)

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Swap the version an endpoint serves; the old one answers until the new is loaded."""
        if model_uri is None:
            return self.get_deployment(name)
        self.get_deployment(name)  # DeploymentNotFound for an endpoint that does not exist
        return self.create_deployment(name, model_uri, flavor, config, endpoint)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        """Stop serving ``name``; nothing to do if it is not served."""
        response = self._call("DELETE", _path(name))
        if response.status_code not in (204, 404):
            raise DeploymentError(f"could not delete endpoint {name!r}: {_message(response)}")

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        response = self._call("GET", "/endpoints")
        if response.status_code >= 400:
            raise DeploymentError(f"could not list endpoints: {_message(response)}")
        return [self._describe(item) for item in response.json()["endpoints"]]

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        response = self._call("GET", _path(name))
        if response.status_code == 404:
            raise DeploymentNotFound(f"the serving process at {self.url} has no endpoint {name!r}")
        if response.status_code >= 400:
            raise DeploymentError(f"could not read endpoint {name!r}: {_message(response)}")
        return self._describe(response.json())

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> Any:
        """Score ``inputs`` (a DataFrame, or a scoring-protocol dict) on an endpoint."""
        from mlflow.deployments import PredictionsResponse
        from mlflow.utils.proto_json_utils import dump_input_data

        if deployment_name is None:
            raise DeploymentError("predict needs the deployment (endpoint) name")
        status, body, _ = self.invoke(
            deployment_name, dump_input_data(inputs).encode(), "application/json"
        )
        if status != 200:
            raise DeploymentError(f"endpoint {deployment_name!r} answered {status}: {body[:500]!r}")
        return PredictionsResponse.from_json(body.decode())

    def invoke(self, name: str, body: bytes, content_type: str) -> tuple[int, bytes, str]:
        """Pass one scoring request through unchanged: (status, body, media type)."""
        response = self._call(
            "POST",
            f"{_path(name)}/invocations",
            content=body,
            headers={"content-type": content_type or "application/json"},
        )
        media_type = response.headers.get("content-type", "application/json")
        return response.status_code, response.content, media_type

    def readiness(self, name: str, model_uri: str) -> tuple[str, str | None]:
        """(READY, None) once ``name`` serves ``model_uri`` and scores its input example;
        (PENDING, why) while it may still get there; (FAILED, why) when it will not: the
        version failed to load, or it answered its own input example with an error."""
        try:
            current = self.get_deployment(name)
            if current["model_uri"] != model_uri:
                return PENDING, f"serving {current['model_uri']} ({current['status']})"
            if current["status"] == FAILED:
                return FAILED, f"{model_uri} failed to load: {current.get('error')}"
            if current["status"] != READY:
                return PENDING, f"{model_uri} is {current['status']}"
            if not current["has_example"]:
                return READY, None  # nothing to score with: loaded and ready is the best proof
            example = self._call("GET", f"{_path(name)}/example")
            status, body, _ = self.invoke(name, example.content, "application/json")
        except DeploymentError as exc:  # unreachable for now: a later look may succeed
            return PENDING, str(exc)
        if status == 200:
            return READY, None
        return FAILED, f"{model_uri} answered its own input example with {status}: {body[:300]!r}"

    def probe(self, name: str, model_uri: str) -> str | None:
        """None when ``name`` serves ``model_uri`` and scores its input example; else why not."""
        state, problem = self.readiness(name, model_uri)
        return None if state == READY else problem

    def wait_until_answering(self, name: str, model_uri: str) -> None:
        """Block until ``name`` serves ``model_uri`` and scores its own input example."""
        deadline = time.monotonic() + self.ready_timeout
        while (problem := self.probe(name, model_uri)) is not None:
            if time.monotonic() > deadline:
                raise DeploymentError(
                    f"endpoint {name!r} did not answer with {model_uri} within "
                    f"{self.ready_timeout} s: {problem}"
                )
            time.sleep(0.5)

    def _describe(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            **item,
            "target": self.target_name,
            "url": self.invocations_url(item["name"]),
            "tenant": (item.get("config") or {}).get("tenant"),
        }

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise DeploymentError(
                f"the serving process at {self.url} cannot be reached ({exc}); is it running "
                "(`airloom up` starts it) and is AIRLOOM_SERVING_URL right?"
            ) from exc


def _path(name: str) -> str:
    return f"/endpoints/{quote(name, safe='')}"


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:300]}"
    return f"{response.status_code} {body.get('message') or body.get('detail') or body}"
