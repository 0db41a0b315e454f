"""The deployment targets the marketplace talks to: who holds a name, live state, invocations.

Invocations of the ``local`` target go straight to the serving process over one pooled aiohttp
session, so a prediction holds no worker thread (httpx's async pool spent more CPU choosing a
connection than relaying: a third of aiohttp's throughput at 32 concurrent calls); other
targets' clients are synchronous and run in the threadpool.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import structlog
from starlette.concurrency import run_in_threadpool

from airloom.deploy import DeploymentError, DeploymentNotFound, DeploymentTarget, get_target
from airloom.deploy.ownership import endpoint_owner
from marketplace.errors import Unavailable

log = structlog.get_logger()
# Connections to the serving process: enough for a busy replica's concurrent calls.
POOL_SIZE = 256
# A model may take a while to answer a large batch.
TIMEOUT = aiohttp.ClientTimeout(total=600, sock_connect=30)


class Targets:
    """The deployment targets, built once each."""

    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        self._built: dict[str, DeploymentTarget] = {}
        self._http: aiohttp.ClientSession | None = None

    def get(self, name: str) -> DeploymentTarget:
        if name not in self._built:
            try:
                self._built[name] = get_target(name, tracking_uri=self.tracking_uri)
            except Exception as exc:
                raise Unavailable(f"deployment target {name!r} is not available: {exc}") from exc
        return self._built[name]

    def holder(self, endpoint: str, target: str) -> str | None:
        """The tenant holding ``endpoint`` at ``target`` (None: free), as the target records it.

        :raises Unavailable: the target cannot say, so the name is not given away.
        """
        try:
            return endpoint_owner(self.get(target).get_deployment(endpoint))
        except DeploymentNotFound:
            return None
        except DeploymentError as exc:
            raise Unavailable(
                f"the {target} target cannot say whether endpoint {endpoint!r} is free: {exc}"
            ) from exc

    def live_state(self, target_name: str, endpoint: str) -> dict[str, Any]:
        """What the target says of ``endpoint``: DeploymentNotFound, or Unavailable when the
        target cannot be asked (unreachable, no credentials, any failure of its own)."""
        try:
            return self.get(target_name).get_deployment(endpoint)
        except (DeploymentNotFound, Unavailable):
            raise
        except DeploymentError as exc:
            raise Unavailable(f"the {target_name} target cannot be asked about it: {exc}") from exc
        except Exception as exc:  # a target breaking its contract must not take the API down
            log.exception("deployment target failed", target=target_name, endpoint=endpoint)
            raise Unavailable(
                f"the {target_name} target cannot be asked about it: {type(exc).__name__}: {exc}"
            ) from exc

    async def invoke(
        self, target_name: str, endpoint: str, body: bytes, content_type: str
    ) -> tuple[int, bytes, str]:
        """One scoring request passed through: (status, body, media type)."""
        target = self.get(target_name)
        url = getattr(target, "invocations_url", None)
        if target_name != "local" or url is None:
            return await run_in_threadpool(target.invoke, endpoint, body, content_type)
        if self._http is None:  # made on the event loop it will serve
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=POOL_SIZE), timeout=TIMEOUT
            )
        headers = {"content-type": content_type}
        async with self._http.post(url(endpoint), data=body, headers=headers) as response:
            answer = await response.read()
            return response.status, answer, response.headers.get("Content-Type", "application/json")

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
