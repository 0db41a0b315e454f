"""What a registered model version predicts, read from its signature in MLflow's registry.

Validation asks it of a scoring node's ``models:/`` URI, so a ``result_type`` that cannot hold
the predictions is refused before a run. It must answer quickly even when MLflow is slow or
away, or keeps its artifacts where the builder cannot read them (not proxied by the tracking
server): then the answer is "unknown", and the run itself meets the model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote, urlparse

import httpx
import structlog
import yaml

from airloom.ml.result_types import prediction_dtype

log = structlog.get_logger()

TIMEOUT_SECONDS = 5.0
MODEL_URI = re.compile(r"^models:/(?P<name>[^/@\s]+)(?:/(?P<version>\d+)|@(?P<alias>[\w\-]+))$")


def registry_predictions(tracking_uri: str | None) -> Callable[[str], str | None] | None:
    """A lookup: ``models:/name/version`` or ``models:/name@alias`` → the numpy type of its
    predictions (``int64``, ``float64``, ``str`` …), or None when it cannot be known."""
    if not tracking_uri:
        return None
    api = f"{tracking_uri.rstrip('/')}/api/2.0"

    @cache
    def predictions(model_uri: str) -> str | None:
        match = MODEL_URI.fullmatch(model_uri)
        if match is None:
            return None
        try:
            with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
                return _predictions(client, api, match["name"], match["version"], match["alias"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
            log.warning("model signature unreadable during validation", error=str(exc))
            return None

    return predictions


def _predictions(
    client: httpx.Client, api: str, name: str, version: str | None, alias: str | None
) -> str | None:
    if version is None:
        found = client.get(
            f"{api}/mlflow/registered-models/alias", params={"name": name, "alias": alias}
        )
        if found.status_code != 200:
            return None  # no such model or alias yet: the run will say
        version = str(found.json()["model_version"]["version"])
    located = client.get(
        f"{api}/mlflow/model-versions/get-download-uri", params={"name": name, "version": version}
    )
    if located.status_code != 200:
        return None
    artifacts = urlparse(located.json()["artifact_uri"])
    if artifacts.scheme != "mlflow-artifacts":
        return None  # stored where only the workers read it (s3://, a local path)
    path = quote(f"{artifacts.path.strip('/')}/MLmodel")
    mlmodel = client.get(f"{api}/mlflow-artifacts/artifacts/{path}")
    if mlmodel.status_code != 200:
        return None
    signature: dict[str, Any] = (yaml.safe_load(mlmodel.text) or {}).get("signature") or {}
    outputs = signature.get("outputs")
    return prediction_dtype(json.loads(outputs) if isinstance(outputs, str) else outputs)
