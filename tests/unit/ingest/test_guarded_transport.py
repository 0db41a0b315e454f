"""The guarded transport against real servers on loopback: refused means nothing was sent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from airloom.ingest.guarded_transport import GuardedAdapter, PeerCheckedPoolManager
from airloom.ingest.http_guard import AddressGuard, AddressRefused, parse_allowed_networks
from tests.harness.http_servers import RawListener, RecordingHandler, recording_server


def guarded_session(*allowed: str) -> requests.Session:
    adapter = GuardedAdapter(AddressGuard("api", parse_allowed_networks(list(allowed), "api")))
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@contextmanager
def redirecting_to(location: str) -> Iterator[str]:
    class Redirect(RecordingHandler):
        def do_GET(self) -> None:
            self.send_json(302, {}, {"Location": location})

    with recording_server(Redirect) as server:
        yield server


def test_an_allowed_address_is_reached() -> None:
    with recording_server() as server:
        response = guarded_session("127.0.0.1/32").get(f"{server.url}/v1/ping")
    assert response.status_code == 200
    assert server.seen == ["GET /v1/ping"]


def test_a_refused_address_is_never_connected_to() -> None:
    with recording_server() as server, pytest.raises(AddressRefused) as error:
        guarded_session().get(f"{server.url}/v1/ping")
    assert "may not reach '127.0.0.1': it resolves to 127.0.0.1, a loopback address" in str(
        error.value
    )
    assert server.seen == []


def test_a_redirect_hop_to_a_refused_address_is_not_followed() -> None:
    with (
        recording_server(host="127.0.0.2") as internal,
        redirecting_to(f"{internal.url}/admin") as allowed,
        pytest.raises(AddressRefused) as error,
    ):
        guarded_session("127.0.0.1/32").get(f"{allowed.url}/v1/orders")
    assert allowed.seen == ["GET /v1/orders"]
    assert internal.seen == []
    assert "may not reach '127.0.0.2': it resolves to 127.0.0.2" in str(error.value)


def test_a_redirect_to_another_scheme_is_guarded_too() -> None:
    listener = RawListener("127.0.0.2")
    with (
        redirecting_to(f"https://127.0.0.2:{listener.port}/") as allowed,
        pytest.raises(AddressRefused, match=re.escape("may not reach '127.0.0.2'")),
    ):
        guarded_session("127.0.0.1/32").get(f"{allowed.url}/v1/orders")
    assert listener.stop() == []  # not even connected to


def test_the_connected_peer_is_checked_before_a_request_is_sent() -> None:
    """The check that defeats DNS rebinding: whatever a name resolved to at first, the socket's
    peer is judged right after connect. The pool manager alone skips the first check."""
    with recording_server() as server:
        manager = PeerCheckedPoolManager(AddressGuard("api"))
        with pytest.raises(AddressRefused) as error:
            manager.request("GET", f"{server.url}/v1/ping", retries=False)
    assert "may not reach '127.0.0.1': it connected to 127.0.0.1, a loopback address" in str(
        error.value
    )
    assert server.seen == []


def test_an_https_peer_is_checked_before_the_tls_handshake() -> None:
    listener = RawListener()
    manager = PeerCheckedPoolManager(AddressGuard("api"))
    with pytest.raises(AddressRefused, match=re.escape("it connected to 127.0.0.1")):
        manager.request("GET", f"https://127.0.0.1:{listener.port}/", retries=False)
    assert listener.stop() == [b""]  # connected, then closed without a ClientHello
