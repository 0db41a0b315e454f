"""Connections on the real stack: a tenant uses one only while it is granted, and even then
cannot aim it at the platform's own services."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.stack_api import NO_RETRIES, codes, task_log
from tests.harness.stack import LocalStack
from tests.integration.builder.specs import node, spec

pytestmark = pytest.mark.e2e


def test_connections_are_used_only_while_granted(
    stack: LocalStack, tenants: dict[str, Any]
) -> None:
    """A granted connection is usable; revoked, the workflows that need it are withdrawn."""
    evil, platform = tenants["evil_builder"], tenants["platform"]
    evil_name = tenants["evil"].name
    database = stack.home / "evil_crm.db"
    import sqlite3

    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS customers (id INTEGER, name TEXT)")
        connection.execute("INSERT INTO customers VALUES (1, 'ada'), (2, 'grace')")
    airflow = stack.airflow()
    conn_id = f"{evil_name}_crm"
    airflow.request(
        "POST",
        "/connections",
        json={"connection_id": conn_id, "conn_type": "sqlite", "host": str(database)},
    )
    crm = spec(
        "crm_copy",
        defaults=NO_RETRIES,
        nodes=[
            node(
                "customers",
                "sql_ingest",
                {"sql": "SELECT id, name FROM customers", "conn_id": conn_id, "dataset": "crm"},
            )
        ],
    )
    assert codes(evil.problems(crm)) == {("customers", "nodes.0.params.conn_id"): "NOT_GRANTED"}
    # A tenant's own people cannot grant themselves anything.
    denied = evil.call(
        "mutation($input: GrantInput!) { grant(input: $input) { id } }",
        input={"tenant": evil_name, "kind": "connection", "name": conn_id},
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    grant = platform.data(
        "mutation($input: GrantInput!) { grant(input: $input) { id } }",
        input={"tenant": evil_name, "kind": "connection", "name": conn_id},
    )["grant"]
    assert evil.problems(crm) == []
    workflow_id, dag_id = evil.create_and_publish(crm)
    _, _, states = evil.run(workflow_id)
    assert states == {"customers": "success"}

    revoked = platform.data(
        """mutation($id: ID!) { revokeGrant(id: $id) {
             withdrawn { workflow { id publishedVersion } problems { code field } } } }""",
        id=grant["id"],
    )["revokeGrant"]
    (withdrawn,) = revoked["withdrawn"]
    assert withdrawn["workflow"] == {"id": workflow_id, "publishedVersion": None}
    assert withdrawn["problems"] == [{"code": "NOT_GRANTED", "field": "nodes.0.params.conn_id"}]
    assert not (stack.workflows_repo / f"{dag_id}.py").exists()


def test_http_sources_cannot_reach_the_platforms_own_services(
    stack: LocalStack, tenants: dict[str, Any]
) -> None:
    """Even through a granted connection, an internal address is refused unless its admin
    lists the network on the connection."""
    evil, platform = tenants["evil_builder"], tenants["platform"]
    evil_name = tenants["evil"].name
    conn_id = f"{evil_name}_api"
    stack.airflow().request(
        "POST",
        "/connections",
        json={"connection_id": conn_id, "conn_type": "http", "host": stack.airflow_url},
    )
    platform.data(
        "mutation($input: GrantInput!) { grant(input: $input) { id } }",
        input={"tenant": evil_name, "kind": "connection", "name": conn_id},
    )
    probe = spec(
        "probe",
        defaults=NO_RETRIES,
        nodes=[
            node(
                "probe",
                "http_ingest",
                {"endpoint": "/api/v2/monitor/health", "http_conn_id": conn_id, "dataset": "probe"},
            )
        ],
    )
    workflow_id, _ = evil.create_and_publish(probe)
    dag_id, run_id, states = evil.run(workflow_id)
    assert states == {"probe": "failed"}
    log = task_log(stack, dag_id, run_id, "probe")
    assert "may not reach" in log and "loopback" in log, log[-2000:]
