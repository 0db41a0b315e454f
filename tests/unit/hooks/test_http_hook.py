"""GuardedHttpHook: the HTTP provider's hook, kept off internal addresses its connection does
not allow, against real servers on loopback."""

from __future__ import annotations

import json
import re

import pytest

from airloom.hooks.http import GuardedHttpHook
from airloom.ingest.http_guard import AddressRefused, InvalidAllowedNetworks
from tests.harness.http_servers import RawListener, RecordingHandler, recording_server


def http_connection(monkeypatch: pytest.MonkeyPatch, conn_id: str, url: str, **extra) -> None:
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{conn_id.upper()}",
        json.dumps({"conn_type": "http", "host": url, "extra": extra}),
    )


def test_an_allowed_connection_reaches_its_server_without_sending_the_allowance(
    monkeypatch,
) -> None:
    with recording_server() as server:
        http_connection(
            monkeypatch,
            "api",
            server.url,
            **{"X-Api-Key": "k"},
            airloom_allowed_networks=["127.0.0.1"],
        )
        response = GuardedHttpHook(method="GET", http_conn_id="api").run("/v1/ping")
    assert response.json() == {}
    assert server.seen == ["GET /v1/ping"]
    assert server.headers[0]["X-Api-Key"] == "k"
    assert not {name.lower() for name in server.headers[0]} & {"airloom_allowed_networks"}


def test_a_connection_without_the_allowance_sends_nothing(monkeypatch) -> None:
    with recording_server() as server:
        http_connection(monkeypatch, "api", server.url)
        with pytest.raises(
            AddressRefused, match=re.escape("HTTP connection 'api' may not reach '127.0.0.1'")
        ):
            GuardedHttpHook(method="GET", http_conn_id="api").run("/v1/ping")
    assert server.seen == []


def test_a_redirect_to_https_elsewhere_is_guarded_like_the_base_scheme(monkeypatch) -> None:
    """The provider mounts its adapter on the base URL's scheme only; this hook on both."""
    listener = RawListener("127.0.0.2")

    class Redirect(RecordingHandler):
        def do_GET(self) -> None:
            self.send_json(302, {}, {"Location": f"https://127.0.0.2:{listener.port}/"})

    with recording_server(Redirect) as server:
        http_connection(monkeypatch, "api", server.url, airloom_allowed_networks="127.0.0.1/32")
        with pytest.raises(AddressRefused, match=re.escape("may not reach '127.0.0.2'")):
            GuardedHttpHook(method="GET", http_conn_id="api").run("/v1/ping")
    assert server.seen == ["GET /v1/ping"]
    assert listener.stop() == []


def test_a_wrong_allowance_fails_naming_the_connection(monkeypatch) -> None:
    http_connection(monkeypatch, "api", "http://127.0.0.1:9", airloom_allowed_networks=["x"])
    with pytest.raises(InvalidAllowedNetworks, match=re.escape("HTTP connection 'api': 'x' in")):
        GuardedHttpHook(method="GET", http_conn_id="api").run("/v1/ping")
