"""HTTP requests for Airloom's operators that never reach an internal address by accident.

Connection handling (base URL, auth, headers and request options in the extra) is the HTTP
provider's ``HttpHook``; this hook adds one thing: every request, redirect hop and new socket
goes through a ``GuardedAdapter``, which refuses loopback, private, link-local, metadata and
other internal addresses unless the connection's ``airloom_allowed_networks`` allows them.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from requests import Session

from airloom.ingest.guarded_transport import GuardedAdapter
from airloom.ingest.http_guard import ALLOWED_NETWORKS_EXTRA, AddressGuard


class GuardedHttpHook(HttpHook):
    """An ``HttpHook`` whose sessions reach only what the connection's admin allows.

    :param method: the HTTP method.
    :param http_conn_id: Airflow HTTP connection: base URL, auth, headers, and optionally
        ``airloom_allowed_networks`` (CIDRs of internal networks it may reach) in its extra.
    """

    _guarded_adapter: GuardedAdapter | None = None

    def get_conn(
        self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None
    ) -> Session:
        session = super().get_conn(headers, extra_options)
        # HttpHook sends the extra's unknown keys as headers; this one is for Airloom alone.
        session.headers.pop(ALLOWED_NETWORKS_EXTRA, None)
        # Both schemes: the provider mounts its adapter on the base URL's only, and a redirect
        # may switch.
        adapter = self.guarded_adapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def guarded_adapter(self) -> GuardedAdapter:
        """One adapter per hook, so pages reuse its connections."""
        if self._guarded_adapter is None:
            connection = self.get_connection(self.http_conn_id)
            keep_alive = self.keep_alive_adapter
            self._guarded_adapter = GuardedAdapter(
                AddressGuard.for_connection(self.http_conn_id, connection.extra_dejson),
                socket_options=keep_alive.socket_options if keep_alive else None,
            )
        return self._guarded_adapter
