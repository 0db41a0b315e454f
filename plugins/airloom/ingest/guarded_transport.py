"""A requests transport adapter that sends only to addresses an ``AddressGuard`` allows.

Before each request, and so before each redirect hop (requests sends every hop through the
adapter), it checks every address the URL's host resolves to. Each new socket's peer is checked
again right after connect, before a byte is sent, so DNS rebinding between the two does not get
through. Through a proxy the socket's peer is the proxy the admin configured, so only the first
check applies; the proxy's own egress rules cover the rest.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection

from airloom.ingest.http_guard import AddressGuard

DEFAULT_PORTS = {"http": 80, "https": 443}


class _PeerCheckedConnection:
    """Mixin for urllib3 connections: refuse a connected socket whose peer is not allowed."""

    host: str

    def __init__(self, *args: Any, address_guard: AddressGuard, **kwargs: Any) -> None:
        self.address_guard = address_guard
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        try:
            self.address_guard.check_address(self.host, sock.getpeername()[0], "connected to")
        except BaseException:
            sock.close()
            raise
        return sock


class PeerCheckedHTTPConnection(_PeerCheckedConnection, HTTPConnection):
    pass


class PeerCheckedHTTPSConnection(_PeerCheckedConnection, HTTPSConnection):
    pass


class PeerCheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PeerCheckedHTTPConnection


class PeerCheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PeerCheckedHTTPSConnection


class PeerCheckedPoolManager(PoolManager):
    """A pool manager whose connections check their peer's address with ``address_guard``."""

    def __init__(self, address_guard: AddressGuard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.address_guard = address_guard
        self.pool_classes_by_scheme = {
            "http": PeerCheckedHTTPConnectionPool,
            "https": PeerCheckedHTTPSConnectionPool,
        }

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> HTTPConnectionPool:
        # urllib3 documents _new_pool as the place to customise pools. The guard goes to each
        # connection here rather than through connection_pool_kw, which also keys the pools.
        context = dict(self.connection_pool_kw if request_context is None else request_context)
        context["address_guard"] = self.address_guard
        return super()._new_pool(scheme, host, port, context)


class GuardedAdapter(HTTPAdapter):
    """Mount on ``http://`` and ``https://`` of a session to keep it off refused addresses.

    :param address_guard: what may be reached.
    :param socket_options: socket options for new connections (TCP keep-alive, say).
    """

    def __init__(
        self,
        address_guard: AddressGuard,
        socket_options: list[tuple[int, int, int]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.address_guard = address_guard  # before HTTPAdapter.__init__ builds the pool manager
        self.socket_options = (
            list(HTTPConnection.default_socket_options)
            if socket_options is None
            else list(socket_options)
        )
        super().__init__(**kwargs)

    def init_poolmanager(
        self,
        connections: int,
        maxsize: int,
        block: bool = DEFAULT_POOLBLOCK,
        **pool_kwargs: Any,
    ) -> None:
        # What HTTPAdapter.init_poolmanager does, with the peer-checking pool manager.
        self._pool_connections = connections
        self._pool_maxsize = maxsize
        self._pool_block = block
        self.poolmanager = PeerCheckedPoolManager(
            self.address_guard,
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            socket_options=self.socket_options,
            **pool_kwargs,
        )

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        url = urlsplit(request.url or "")
        self.address_guard.check_host(url.hostname, url.port or DEFAULT_PORTS.get(url.scheme, 80))
        return super().send(request, *args, **kwargs)
