"""The serving process: many model endpoints in one process, `uvicorn marketplace.serving.app:app`.

``POST /endpoints/{name}/invocations`` speaks MLflow's scoring protocol and batches concurrent
requests. A small control API (``PUT``/``GET``/``DELETE /endpoints/{name}``) says what to
serve; ``PUT`` returns once the model is loaded, and an endpoint being replaced keeps serving
its previous version until then. Endpoints are kept in a store on disk and loaded again from
MLflow's registry when the process starts. This process trusts its callers (it listens on
loopback or a private network): tenancy and API keys are the marketplace's job.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import Counter, Histogram
from pydantic import BaseModel, Field

import airloom
from marketplace.serving import protocol
from marketplace.serving.batching import MicroBatcher
from marketplace.serving.config import ServingSettings, get_settings
from marketplace.serving.endpoints import (
    ENDPOINT_NAME,
    Endpoint,
    LoadedModel,
    RawRequest,
    Reply,
    error_reply,
    utc_now,
)
from marketplace.serving.store import EndpointStore
from servicekit import create_service_app
from servicekit.body_guard import BodyGuard

log = structlog.get_logger()
BATCH_SIZE = Histogram(
    "airloom_serving_batch_requests",
    "Requests predicted together in one batch",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
INVOCATIONS = Counter(
    "airloom_serving_invocations_total", "Invocations answered", ["endpoint", "status"]
)


class EndpointSpec(BaseModel):
    model_uri: str = Field(min_length=1, description="e.g. models:/churn/3")
    config: dict[str, Any] = Field(default_factory=dict, description="Kept with the endpoint.")


class Serving:
    """The endpoints this process serves, and their store."""

    def __init__(self, settings: ServingSettings) -> None:
        self.settings = settings
        self.store = EndpointStore(settings.state_dir)
        self.endpoints: dict[str, Endpoint] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.loaders: set[asyncio.Task] = set()

    def batcher_for(self, endpoint: Endpoint) -> MicroBatcher:
        def process(items):  # type: ignore[no-untyped-def]
            BATCH_SIZE.observe(len(items))
            return endpoint.predict_batch(items)

        return MicroBatcher(
            process,
            name=endpoint.name,
            max_size=self.settings.max_batch_size,
            max_delay=self.settings.max_batch_delay_ms / 1000,
        )

    async def deploy(self, name: str, spec: EndpointSpec) -> tuple[Endpoint, bool]:
        """Load ``spec.model_uri`` and serve it as ``name``; the old model serves until then."""
        async with self.locks.setdefault(name, asyncio.Lock()):
            loaded = await asyncio.to_thread(LoadedModel.load, spec.model_uri)
            existing = self.endpoints.get(name)
            endpoint = existing or Endpoint(name=name, model_uri=spec.model_uri)
            endpoint.model_uri, endpoint.config = spec.model_uri, spec.config
            endpoint.status, endpoint.error = "ready", None
            endpoint.updated_at = utc_now()
            self.store.put(name, _record(endpoint))
            endpoint.loaded = loaded
            if endpoint.batcher is None:
                endpoint.batcher = self.batcher_for(endpoint)
            self.endpoints[name] = endpoint
            return endpoint, existing is None

    async def remove(self, name: str) -> bool:
        async with self.locks.setdefault(name, asyncio.Lock()):
            endpoint = self.endpoints.pop(name, None)
            stored = self.store.remove(name)
            if endpoint is not None and endpoint.batcher is not None:
                await endpoint.batcher.close()
            return endpoint is not None or stored

    def restore(self) -> None:
        """Serve every stored endpoint again, loading models in the background (MLflow may
        still be starting)."""
        for name, record in self.store.load().items():
            endpoint = Endpoint(
                name=name,
                model_uri=record["model_uri"],
                config=record.get("config", {}),
                created_at=record.get("created_at", utc_now()),
                updated_at=record.get("updated_at", utc_now()),
            )
            endpoint.batcher = self.batcher_for(endpoint)
            self.endpoints[name] = endpoint
            task = asyncio.create_task(self._load_stored(endpoint))
            self.loaders.add(task)
            task.add_done_callback(self.loaders.discard)

    async def _load_stored(self, endpoint: Endpoint) -> None:
        for attempt in range(1, self.settings.load_attempts + 1):
            try:
                loaded = await asyncio.to_thread(LoadedModel.load, endpoint.model_uri)
            except Exception as exc:  # noqa: BLE001 - retried, then reported on the endpoint
                endpoint.error = f"cannot load {endpoint.model_uri}: {exc}"
                log.warning("endpoint load failed", endpoint=endpoint.name, attempt=attempt)
                await asyncio.sleep(self.settings.load_retry_seconds)
                continue
            if self.endpoints.get(endpoint.name) is endpoint and endpoint.loaded is None:
                endpoint.loaded, endpoint.status, endpoint.error = loaded, "ready", None
                log.info("endpoint restored", endpoint=endpoint.name, model=endpoint.model_uri)
            return
        endpoint.status = "failed"

    async def close(self) -> None:
        for task in list(self.loaders):
            task.cancel()
        for endpoint in self.endpoints.values():
            if endpoint.batcher is not None:
                await endpoint.batcher.close()


def _record(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "model_uri": endpoint.model_uri,
        "config": endpoint.config,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def _reply(reply: Reply) -> Response:
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type)


def _not_found(name: str) -> JSONResponse:
    return JSONResponse(
        {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"no endpoint named {name!r}"},
        status_code=404,
    )


def _mlflow_refusal(_status: int, _code: str, message: str) -> dict[str, str]:
    """The body guard's 413 or 422 in MLflow's error shape, as the scoring protocol answers."""
    return {"error_code": "BAD_REQUEST", "message": message}


def create_app(settings: ServingSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    serving = Serving(settings)
    app = create_service_app(
        name="serving",
        title="Airloom model serving",
        version=airloom.__version__,
        description="Model endpoints speaking MLflow's scoring protocol, with request batching.",
        checks={"store": serving.store.check},
        log_level=settings.log_level,
    )
    app.state.serving = serving
    app.add_middleware(
        BodyGuard,
        max_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        render=_mlflow_refusal,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import mlflow

        mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
        mlflow.set_registry_uri(settings.mlflow_tracking_uri)
        serving.restore()
        try:
            yield
        finally:
            await serving.close()

    app.router.lifespan_context = lifespan

    @app.get("/endpoints", tags=["control"], summary="Every endpoint served")
    def list_endpoints() -> dict[str, Any]:
        return {"endpoints": [e.describe() for e in serving.endpoints.values()]}

    @app.get("/endpoints/{name}", tags=["control"], summary="One endpoint")
    def get_endpoint(name: str) -> Response:
        endpoint = serving.endpoints.get(name)
        return JSONResponse(endpoint.describe()) if endpoint else _not_found(name)

    @app.get("/endpoints/{name}/example", tags=["control"], summary="A request that scores")
    def endpoint_example(name: str) -> Response:
        """The served version's own input example as a scoring request (a readiness probe)."""
        endpoint = serving.endpoints.get(name)
        if endpoint is None or endpoint.loaded is None or not endpoint.loaded.serving_input:
            return _not_found(name)
        return Response(endpoint.loaded.serving_input, media_type="application/json")

    @app.put("/endpoints/{name}", tags=["control"], summary="Serve a model version as `name`")
    async def put_endpoint(name: str, spec: EndpointSpec) -> JSONResponse:
        if not ENDPOINT_NAME.match(name):
            return JSONResponse(
                {"error_code": "INVALID_PARAMETER_VALUE", "message": f"bad name {name!r}"}, 400
            )
        try:
            endpoint, created = await serving.deploy(name, spec)
        except Exception as exc:  # noqa: BLE001 - the model could not be loaded: say why
            message = f"cannot load {spec.model_uri} for endpoint {name!r}: {exc}"
            log.warning("endpoint deploy failed", endpoint=name, error=str(exc))
            return JSONResponse({"error_code": "INVALID_PARAMETER_VALUE", "message": message}, 422)
        return JSONResponse(endpoint.describe(), status_code=201 if created else 200)

    @app.delete("/endpoints/{name}", tags=["control"], summary="Stop serving `name`")
    async def delete_endpoint(name: str) -> Response:
        return Response(status_code=204) if await serving.remove(name) else _not_found(name)

    @app.post("/endpoints/{name}/invocations", tags=["scoring"], summary="Predict (MLflow)")
    async def invocations(name: str, request: Request) -> Response:
        endpoint = serving.endpoints.get(name)
        if endpoint is None or endpoint.batcher is None:
            return _not_found(name)
        loaded = endpoint.loaded
        if loaded is None:
            detail = endpoint.error or "the model is still loading"
            body = {"error_code": "TEMPORARILY_UNAVAILABLE", "message": detail}
            return JSONResponse(body, status_code=503, headers={"Retry-After": "3"})
        batcher = endpoint.batcher
        with batcher.arriving():
            body = await request.body()
            content_type = request.headers.get("content-type") or ""
            try:
                item = protocol.decode(body, content_type, loaded.signature)
            except protocol.PayloadError as exc:
                INVOCATIONS.labels(name, str(exc.status)).inc()
                return _reply(error_reply(exc))
        try:
            reply = await batcher.submit(
                item if item is not None else RawRequest(body, content_type)
            )
        except Exception as exc:  # noqa: BLE001 - e.g. the endpoint was removed meanwhile
            reply = error_reply(exc)
        INVOCATIONS.labels(name, str(reply.status)).inc()
        return _reply(reply)

    return app


app = create_app()
