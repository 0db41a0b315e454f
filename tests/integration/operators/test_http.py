"""HTTP ingestion against a real JSON API served on loopback, one per pagination style, and
the internal addresses it refuses unless the connection allows them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from airflow.sdk import DAG

from airloom.datasets import read_table
from airloom.operators.http import HttpIngestOperator
from tests.harness.airflow import run_dag_object
from tests.harness.http_servers import RecordingHandler, RecordingServer, recording_server
from tests.integration.operators.ingest_support import connect, unique_name

API_KEY = "test-key"
ORDERS = [{"id": i, "total": i * 2.5, "customer": {"name": f"c{i}"}} for i in range(1, 7)]
CUSTOMERS = [{"id": i, "name": f"customer {i}"} for i in range(1, 8)]
EVENTS = {None: ["signup", "login"], "b": ["click"], "c": ["logout", "login"]}


class ShopApi(RecordingHandler):
    """Three paginated resources, each in one style; every request needs the API key."""

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        if self.headers.get("X-Api-Key") != API_KEY:
            return self._send(401, {"error": "missing API key"})
        if url.path == "/v1/orders":  # page numbers, two per page, records under data.items
            page = int(query["page"])
            return self._send(200, {"data": {"items": ORDERS[(page - 1) * 2 : page * 2]}})
        if url.path == "/v1/customers":  # offset and limit
            offset, limit = int(query["offset"]), int(query["limit"])
            return self._send(200, CUSTOMERS[offset : offset + limit])
        if url.path == "/v1/events":  # a cursor in a next link, relative then absolute
            cursor = query.get("cursor")
            following = {None: "/v1/events?cursor=b", "b": f"{self.base}/v1/events?cursor=c"}
            body = {"items": [{"kind": kind} for kind in EVENTS[cursor]]}
            return self._send(200, body | {"links": {"next": following.get(cursor)}})
        if url.path == "/v1/elsewhere":
            return self._send(200, {"items": [], "links": {"next": "http://example.invalid/x"}})
        if url.path == "/v1/moved":  # a redirect to wherever the request asks
            return self.send_json(302, {}, {"Location": query["to"]})
        return self._send(500, {"error": "boom"})

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _send(self, status: int, body: object) -> None:
        self.send_json(status, body)


def http_connection(
    monkeypatch: pytest.MonkeyPatch, conn_id: str, host: str, port: int, **extra: object
) -> str:
    """An Airflow HTTP connection to ``host:port`` sending the API key, with ``extra`` added."""
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{conn_id.upper()}",
        json.dumps(
            {
                "conn_type": "http",
                "host": host,
                "port": port,
                "schema": "http",
                "extra": {"X-Api-Key": API_KEY, **extra},
            }
        ),
    )
    return conn_id


@pytest.fixture
def shop_server(monkeypatch: pytest.MonkeyPatch, lake: Path) -> Iterator[RecordingServer]:
    """The API on a free loopback port."""
    connect(monkeypatch, lake)
    with recording_server(ShopApi) as server:
        yield server


@pytest.fixture
def shop_api(monkeypatch: pytest.MonkeyPatch, shop_server: RecordingServer) -> str:
    """The Airflow HTTP connection 'shop_api': the API, which its admin allows on loopback."""
    port = shop_server.server_address[1]
    return http_connection(
        monkeypatch, "shop_api", "127.0.0.1", port, airloom_allowed_networks=["127.0.0.0/8"]
    )


def rows(lake: Path, dataset: str) -> list[dict]:
    return read_table(f"{lake.as_uri()}/{dataset}").to_pylist()


def test_every_page_of_each_pagination_style_lands_in_the_lake(
    airflow_db, shop_api: str, lake: Path
) -> None:
    names = {kind: unique_name(kind) for kind in ("orders", "customers", "events")}
    with DAG(unique_name("http"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        HttpIngestOperator(
            task_id="orders",
            http_conn_id=shop_api,
            endpoint="/v1/orders",
            records_path="data.items",
            pagination="page",
            dataset=names["orders"],
        )
        HttpIngestOperator(
            task_id="customers",
            http_conn_id=shop_api,
            endpoint="/v1/customers",
            pagination="offset",
            page_size=3,
            dataset=names["customers"],
        )
        HttpIngestOperator(
            task_id="events",
            http_conn_id=shop_api,
            endpoint="/v1/events",
            records_path="items",
            pagination="next_link",
            next_link_path="links.next",
            dataset=names["events"],
        )

    result = run_dag_object(dag)

    assert result.succeeded, result.task_states
    assert (result.xcoms["orders"]["rows"], result.xcoms["orders"]["pages"]) == (6, 4)
    assert sorted(rows(lake, names["orders"]), key=lambda r: r["id"]) == ORDERS
    assert result.xcoms["customers"]["pages"] == 3  # 3 + 3 + 1 records
    assert sorted(r["id"] for r in rows(lake, names["customers"])) == list(range(1, 8))
    assert result.xcoms["events"]["pages"] == 3
    assert [r["kind"] for r in rows(lake, names["events"])] == [
        "signup",
        "login",
        "click",
        "logout",
        "login",
    ]


def test_a_failing_page_or_a_foreign_link_fails_the_node_saying_where(
    airflow_db, shop_api: str, lake: Path, capfd: pytest.CaptureFixture
) -> None:
    with DAG(unique_name("bad_http"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        HttpIngestOperator(
            task_id="broken",
            http_conn_id=shop_api,
            endpoint="/v1/broken",
            dataset=unique_name("broken"),
        )
        HttpIngestOperator(
            task_id="elsewhere",
            http_conn_id=shop_api,
            endpoint="/v1/elsewhere",
            records_path="items",
            pagination="next_link",
            next_link_path="links.next",
            dataset=unique_name("elsewhere"),
        )
        HttpIngestOperator(
            task_id="wrong_path",
            http_conn_id=shop_api,
            endpoint="/v1/orders",
            records_path="data.rows",
            pagination="page",
            dataset=unique_name("wrong"),
        )

    result = run_dag_object(dag)

    assert set(result.task_states.values()) == {"failed"}
    task_logs = "".join(capfd.readouterr())
    port = json.loads(os.environ["AIRFLOW_CONN_SHOP_API"])["port"]
    broken_url = f"http://127.0.0.1:{port}/v1/broken"
    assert f"node 'broken': GET {broken_url} failed: 500:Internal Server Error" in task_logs
    assert "node 'elsewhere': the next link 'http://example.invalid/x' leaves" in task_logs
    assert "node 'wrong_path': page 1 (" in task_logs
    assert "has no 'data.rows' (missing 'rows')" in task_logs


def test_internal_addresses_fail_the_node_before_any_request_reaches_them(
    airflow_db,
    monkeypatch: pytest.MonkeyPatch,
    shop_server: RecordingServer,
    shop_api: str,
    capfd: pytest.CaptureFixture,
) -> None:
    port = shop_server.server_address[1]
    unallowed = http_connection(monkeypatch, "shop_unallowed", "127.0.0.1", port)
    by_name = http_connection(monkeypatch, "shop_by_name", "localhost", port)
    with recording_server(host="127.0.0.2") as internal:
        with DAG(unique_name("ssrf"), schedule=None, start_date=datetime(2026, 1, 1)) as dag:
            common = {"records_path": "data.items", "pagination": "page"}
            HttpIngestOperator(
                task_id="loopback",
                http_conn_id=unallowed,
                endpoint="/v1/orders",
                dataset=unique_name("loopback"),
                **common,
            )
            HttpIngestOperator(
                task_id="by_name",
                http_conn_id=by_name,
                endpoint="/v1/orders",
                dataset=unique_name("by_name"),
                **common,
            )
            HttpIngestOperator(  # allowed on loopback, but the redirect leaves its base URL
                task_id="moved",
                http_conn_id=shop_api,
                endpoint="/v1/moved",
                query={"to": f"{internal.url}/v1/orders"},
                dataset=unique_name("moved"),
            )

        result = run_dag_object(dag)

    assert set(result.task_states.values()) == {"failed"}
    assert [line.split("?")[0] for line in shop_server.seen] == ["GET /v1/moved"]
    assert internal.seen == []
    task_logs = "".join(capfd.readouterr())
    how_to_allow = (
        "Airloom refuses internal addresses unless the connection allows them: an Airflow admin "
        "can add '127.0.0.1/32' or a network holding it to the list under "
        "'airloom_allowed_networks' in the connection's extra"
    )
    assert (
        f"node 'loopback': GET http://127.0.0.1:{port}/v1/orders with {{'page': 1}} failed: "
        "HTTP connection 'shop_unallowed' may not reach '127.0.0.1': it resolves to 127.0.0.1, "
        f"a loopback address in 127.0.0.0/8. {how_to_allow}"
    ) in task_logs
    assert (
        "HTTP connection 'shop_by_name' may not reach 'localhost': it resolves to 127.0.0.1, "
        "a loopback address in 127.0.0.0/8."
    ) in task_logs
    assert f"node 'moved': http://127.0.0.1:{port}/v1/moved?to=" in task_logs
    assert (
        f"redirects to {internal.url}/v1/orders, outside the connection's base URL "
        f"http://127.0.0.1:{port}; Airloom does not follow it (the connection's credentials"
    ) in task_logs
