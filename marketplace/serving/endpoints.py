"""Endpoints: a name, the model version it serves, and the batcher in front of that model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marketplace.serving import protocol
from marketplace.serving.batching import MicroBatcher

ENDPOINT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Reply:
    """What one invocation answers: a status and a JSON (or MLflow's own) body."""

    status: int
    body: bytes
    media_type: str = "application/json"


@dataclass(frozen=True)
class RawRequest:
    """A request served exactly as ``mlflow models serve`` does (CSV, params, tensors …)."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class LoadedModel:
    model_uri: str
    model: Any
    signature: protocol.Signature
    # The version's own request example (MLflow's serving_input_example.json), if logged.
    serving_input: str | None = None
    folder: Any = field(default=None, repr=False)  # keeps the downloaded files while served

    @classmethod
    def load(cls, model_uri: str) -> LoadedModel:
        import tempfile

        import mlflow.artifacts
        import mlflow.pyfunc
        from mlflow.models import Model

        folder = tempfile.TemporaryDirectory(prefix="airloom-serving-")
        path = mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=folder.name)
        model = mlflow.pyfunc.load_model(path)
        example = Model.load(path).get_serving_input(path)
        return cls(model_uri, model, protocol.Signature.of(model), example, folder)


def error_reply(exc: BaseException) -> Reply:
    """A request's failure as MLflow's error body (``error_code``, ``message``)."""
    from mlflow.exceptions import MlflowException

    if isinstance(exc, protocol.PayloadError):
        status, code, message = exc.status, "BAD_REQUEST", exc.message
    elif isinstance(exc, MlflowException):
        message = exc.message
        status = exc.get_http_status_code()
        if "Failed to enforce schema" in message:
            # MLflow repeats the whole payload first; the reason (with the column) is last.
            status, message = (
                422,
                "payload does not match the model signature: "
                + (message.rsplit("Error: ", 1)[-1].strip()),
            )
        code = "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR"
    else:  # as MLflow's scoring server: the model refused this input
        status, code = 400, "BAD_REQUEST"
        message = f"the model could not score this input: {type(exc).__name__}: {exc}"
    import json

    return Reply(status, json.dumps({"error_code": code, "message": message}).encode())


@dataclass
class Endpoint:
    name: str
    model_uri: str
    config: dict[str, Any] = field(default_factory=dict)
    status: str = "loading"  # loading | ready | failed
    error: str | None = None
    created_at: str = field(default_factory=utc_now)
    updated_at: str = field(default_factory=utc_now)
    loaded: LoadedModel | None = None
    batcher: MicroBatcher | None = None

    def describe(self) -> dict[str, Any]:
        name = version = None
        if self.model_uri.startswith("models:/"):
            name, _, version = self.model_uri.removeprefix("models:/").partition("/")
        serving = self.loaded.model_uri if self.loaded else None
        return {
            "name": self.name,
            "model_uri": self.model_uri,
            "model_name": name,
            "version": version or None,
            "serving_model_uri": serving,
            "status": self.status,
            "error": self.error,
            "config": self.config,
            "has_example": bool(self.loaded and self.loaded.serving_input),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "batches": self.batcher.batches if self.batcher else 0,
            "requests": self.batcher.items if self.batcher else 0,
        }

    def predict_batch(self, items: Sequence[protocol.Request | RawRequest]) -> list[Any]:
        """Runs on the endpoint's predict thread: one Reply (or error) per item."""
        loaded = self.loaded
        if loaded is None:
            return [RuntimeError(f"endpoint {self.name!r} has no model loaded")] * len(items)
        replies: list[Any] = [None] * len(items)
        groups: dict[tuple, list[int]] = {}
        for index, item in enumerate(items):
            if isinstance(item, RawRequest):
                replies[index] = _invoke_unbatched(loaded, item)
            else:
                groups.setdefault(item.merge_key, []).append(index)
        for indexes in groups.values():
            members = [items[index] for index in indexes]
            for index, reply in zip(indexes, _predict_group(loaded, members), strict=True):
                replies[index] = reply
        return replies


def _predict_group(loaded: LoadedModel, members: list[protocol.Request]) -> list[Reply]:
    try:
        frame = protocol.parse(protocol.merge(members), loaded.signature)
        predictions = loaded.model.predict(frame)
        total = sum(member.rows for member in members)
        if len(members) > 1 and len(predictions) != total:
            raise ValueError(f"{len(predictions)} predictions for {total} rows")
    except Exception as exc:  # noqa: BLE001 - isolated below, or reported to the one caller
        if len(members) == 1:
            return [error_reply(exc)]
        # One bad request must not fail the others: predict each on its own.
        return [reply for member in members for reply in _predict_group(loaded, [member])]
    replies, start = [], 0
    for member in members:
        rows = protocol.slice_rows(predictions, start, start + member.rows)
        replies.append(Reply(200, protocol.encode_predictions(rows)))
        start += member.rows
    return replies


def _invoke_unbatched(loaded: LoadedModel, item: RawRequest) -> Reply:
    from mlflow.pyfunc import scoring_server

    try:
        result = scoring_server.invocations(
            item.body, item.content_type, loaded.model, loaded.signature.schema
        )
    except Exception as exc:  # noqa: BLE001 - reported to the caller
        return error_reply(exc)
    return Reply(result.status, result.response.encode(), result.mimetype)
