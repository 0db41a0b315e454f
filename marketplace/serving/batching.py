"""Micro-batching: concurrent requests to one endpoint are predicted together.

The first request of a batch never waits for company: a batch is whatever has queued while
the previous one was predicting, plus the requests already being received (up to
``max_delay`` seconds for them), up to ``max_size`` requests. At concurrency 1
this adds no latency; under load, one ``predict`` serves many requests. Predictions run on one
thread per endpoint, so the event loop keeps receiving requests meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")

# The batch function returns, per item, either its result or the exception to raise for it.
BatchFunction = Callable[[Sequence[Any]], Sequence[Any]]


class MicroBatcher(Generic[Item]):
    def __init__(
        self, process: BatchFunction, *, name: str, max_size: int = 64, max_delay: float = 0.002
    ) -> None:
        self.process = process
        self.max_size = max_size
        self.max_delay = max_delay
        self._queue: list[tuple[Item, asyncio.Future]] = []
        self._wake = asyncio.Event()
        self._arriving = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"predict-{name}")
        self._task: asyncio.Task | None = None
        self.batches = 0
        self.items = 0

    @contextlib.contextmanager
    def arriving(self):
        """Mark a request as being received and decoded, so a forming batch may wait for it."""
        self._arriving += 1
        try:
            yield
        finally:
            self._arriving -= 1

    async def submit(self, item: Item) -> Any:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        future = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        self._wake.set()
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._queue:
                continue
            deadline = loop.time() + self.max_delay
            while (
                len(self._queue) < self.max_size and self._arriving > 0 and loop.time() < deadline
            ):
                await asyncio.sleep(0.0002)
            batch, self._queue = self._queue[: self.max_size], self._queue[self.max_size :]
            if self._queue:
                self._wake.set()
            items = [item for item, _ in batch]
            try:
                outcomes = await loop.run_in_executor(self._executor, self.process, items)
            except Exception as exc:  # noqa: BLE001 - every waiting request gets the error
                outcomes = [exc] * len(items)
            self.batches += 1
            self.items += len(items)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the client went away
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for _, future in self._queue:
            if not future.done():
                future.set_exception(RuntimeError("the endpoint was removed"))
        self._queue.clear()
        self._executor.shutdown(wait=False)
