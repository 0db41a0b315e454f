"""The activity producer against a real broker: what is emitted can be read back, keyed by
tenant; a broker that is down never raises into the caller and is counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from airloom.activity import producer as activity
from airloom.activity.events import ApiCallEvent, InvocationEvent, WorkflowPublishedEvent
from tests.harness.servers import RunningServer, free_port
from tests.integration.activity.reading import new_tenant, read_events


def _failures(kind: str) -> float:
    value = REGISTRY.get_sample_value("airloom_activity_send_failures_total", {"kind": kind})
    return value or 0.0


def test_emitted_events_arrive_on_the_activity_topic_keyed_by_tenant(
    broker: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(activity.BOOTSTRAP_ENV, broker.url)
    acme, globex = new_tenant("acme"), new_tenant("globex")
    for tenant, version in ((acme, 1), (globex, 1), (acme, 2)):
        activity.emit(
            WorkflowPublishedEvent(
                tenant=tenant, workflow="churn", workflow_version=version, actor="ann"
            )
        )
    assert activity.flush(10) == 0

    mine = read_events(broker.url, lambda e: e.tenant == acme, count=2)
    assert [e.workflow_version for e in mine] == [1, 2]  # one tenant's events keep their order
    assert all(isinstance(e, WorkflowPublishedEvent) and e.actor == "ann" for e in mine)
    theirs = read_events(broker.url, lambda e: e.tenant == globex, count=1)
    assert len(theirs) == 1


def test_an_event_that_breaks_the_contract_is_counted_not_raised(
    broker: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(activity.BOOTSTRAP_ENV, broker.url)
    before = _failures("invocation")
    activity.emit_new(
        InvocationEvent, tenant="acme", endpoint="churn", predictions=-5, latency_ms=1, ok=True
    )
    assert _failures("invocation") == before + 1


def test_a_broker_that_is_down_never_raises_and_counts_the_failure() -> None:
    nowhere = f"127.0.0.1:{free_port()}"  # nothing listens there
    producer = activity.ActivityProducer({"bootstrap.servers": nowhere, "message.timeout.ms": 1500})
    before = _failures("api_call")
    event = ApiCallEvent(
        tenant="acme",
        source="marketplace",
        service="marketplace",
        route="/api/v1/models/{name}",
        method="GET",
        status=200,
        rate_limited=False,
    )
    producer.emit(event)  # returns at once: the send happens (and fails) in the background
    producer.emit(event)
    assert producer.flush(10) == 0  # delivery gave up, so nothing is left waiting
    assert _failures("api_call") == before + 2


def test_without_a_broker_emitting_does_nothing_and_says_so_once() -> None:
    # A fresh process, as a tool without Kafka would be: no environment, no Airflow.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRLOOM_", "AIRFLOW_CONN"))}
    script = (
        "import logging, time; logging.basicConfig(level=logging.INFO)\n"
        "from airloom.activity import emit, flush\n"
        "from airloom.activity.events import WorkflowPublishedEvent as E\n"
        "started = time.monotonic()\n"
        "for v in (1, 2): emit(E(tenant='acme', workflow='w', workflow_version=v))\n"
        "flush(); print('took', time.monotonic() - started)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("activity events are off") == 1
    assert float(done.stdout.split()[-1]) < 1.0


def test_a_forked_task_process_sends_its_own_events_before_it_exits(
    broker: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Airflow's supervisor forks each task's process, which ends with os._exit once the
    # listener's before_stopping hook has run: the child must not reuse the parent's producer
    # (librdkafka's threads do not survive fork) and must send before it goes.
    from airloom.activity.listener import ActivityListener

    monkeypatch.setenv(activity.BOOTSTRAP_ENV, broker.url)
    parent, child = new_tenant("parent"), new_tenant("child")
    activity.emit(WorkflowPublishedEvent(tenant=parent, workflow="w", workflow_version=1))
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            activity.emit(WorkflowPublishedEvent(tenant=child, workflow="w", workflow_version=1))
            ActivityListener().before_stopping(component=None)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert len(read_events(broker.url, lambda e: e.tenant == child, count=1, timeout=10)) == 1
    assert len(read_events(broker.url, lambda e: e.tenant == parent, count=1, timeout=10)) == 1


def test_inside_airflow_the_kafka_connection_says_where_the_broker_is(
    broker: RunningServer, airflow_db: Path
) -> None:
    # As on MWAA: no AIRLOOM_KAFKA_BOOTSTRAP_SERVERS, Airloom's connection from a secrets
    # backend (here the environment's AIRFLOW_CONN_*), read in a process running Airflow.
    tenant = new_tenant("mwaa")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRLOOM_", "AIRFLOW_CONN"))}
    env["AIRFLOW_CONN_AIRLOOM_KAFKA"] = json.dumps(
        {"conn_type": "kafka", "extra": {"bootstrap.servers": broker.url}}
    )
    script = (
        "import airflow.sdk\n"
        "from airloom.activity import emit, flush\n"
        "from airloom.activity.events import WorkflowPublishedEvent as E\n"
        f"emit(E(tenant={tenant!r}, workflow='w', workflow_version=1))\n"
        "assert flush(10) == 0\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert len(read_events(broker.url, lambda e: e.tenant == tenant, count=1)) == 1
