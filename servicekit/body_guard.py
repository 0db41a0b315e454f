"""Refuse request bodies that are too large or nest JSON too deeply, before any handler reads them.

Python's ``json`` module parses recursively: a body of a few thousand ``[`` raises
``RecursionError`` inside whichever handler decodes it, and a body of any size is read into
memory. :class:`BodyGuard` answers such requests itself — **413** past the size limit, **422**
past the nesting limit — with a body in the service's own error shape. Its depth check scans
the bytes without recursion, so the guard itself cannot overflow.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Mapping
from itertools import accumulate
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# (status, code, message) -> the JSON body a service answers with.
ErrorRenderer = Callable[[int, str, str], Any]
TOO_LARGE, TOO_DEEP = "payload_too_large", "too_deeply_nested"

# A JSON string, escapes included; an unterminated one runs to the end of the body.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
# Openers become +1 and closers -1 (0xFF read as a signed byte).
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in ``body``, counted in one pass without recursion.

    Brackets inside strings do not count. The body need not be valid JSON: the parser that
    reads it later reports what else is wrong.
    """
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets.translate(_STEPS))), default=0)


def is_json(content_type: str | None) -> bool:
    """JSON bodies, and bodies that do not say (handlers such as invocations assume JSON)."""
    if not content_type:
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def default_renderer(status: int, code: str, message: str) -> dict[str, str]:
    return {"detail": message, "code": code}


class BodyGuard:
    """ASGI middleware: at most ``max_bytes`` per request body and ``max_json_depth`` levels of
    JSON nesting.

    :param path_limits: a larger (or smaller) byte limit for paths matching a regular
        expression, e.g. model invocations, whose batches are legitimately large.
    :param render: builds the error body in the service's shape.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_json_depth: int,
        path_limits: Mapping[str, int] | None = None,
        render: ErrorRenderer = default_renderer,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_depth = max_json_depth
        self.path_limits = [
            (re.compile(path), limit) for path, limit in (path_limits or {}).items()
        ]
        self.render = render

    def limit_for(self, path: str) -> int:
        return next((limit for rule, limit in self.path_limits if rule.match(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit_for(scope["path"])
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, 413, TOO_LARGE, _too_large(limit))
            return
        body, disconnected = await _read_body(receive, limit)
        if body is None:
            await self._refuse(scope, receive, send, 413, TOO_LARGE, _too_large(limit))
            return
        if body and is_json(headers.get("content-type")):
            depth = json_depth(body)
            if depth > self.max_json_depth:
                message = (
                    f"the JSON body nests {depth} levels deep; the limit is "
                    f"{self.max_json_depth} levels of arrays and objects"
                )
                await self._refuse(scope, receive, send, 422, TOO_DEEP, message)
                return
        await self.app(scope, _replay(body, disconnected, receive), send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
    ) -> None:
        response = JSONResponse(self.render(status, code, message), status_code=status)
        await response(scope, receive, send)


def _too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit:,} bytes"


async def _read_body(receive: Receive, limit: int) -> tuple[bytes | None, bool]:
    """The whole body (None past ``limit``), and whether the client went away meanwhile."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None, False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, disconnected: bool, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then the client's own events."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if disconnected:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
