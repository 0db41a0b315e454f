"""Each activity event lands in the lake once: a restart, a replay of the whole topic, a crash
between the Parquet write and the offset commit, or two consumers at once add nothing twice."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest

from airloom.datasets import dataset_schema, read_table
from insights.activity.consumer import ActivityConsumer
from insights.activity.landing import activity_ingestion
from insights.readmodel.rates import load_rates
from insights.readmodel.views import ReadModel
from tests.harness.kafka_topics import publish
from tests.integration.insights.conftest import event, eventually, insights_settings


@pytest.fixture
def settings(broker, tmp_path):
    return insights_settings(broker.url, tmp_path / "lake", "sqlite://")


def send(settings, events) -> None:
    publish(
        settings.kafka_bootstrap_servers,
        settings.activity_topic,
        [json.dumps(e).encode() for e in events],
    )


def landed_ids(settings) -> Counter:
    """How often each event_id is in the lake's files (the views would count each once)."""
    if dataset_schema(settings.activity_uri) is None:  # no file landed yet
        return Counter()
    return Counter(read_table(settings.activity_uri, columns=["event_id"])["event_id"].to_pylist())


def runs_in_views(settings, tenant: str) -> int:
    read_model = ReadModel(settings.activity_uri, load_rates("local"))
    with read_model.connect(tenant) as db:
        return db.execute("SELECT count(*) FROM runs").fetchone()[0]


def finished_runs(tenant: str, count: int) -> list[dict]:
    return [
        event("dag_run", tenant, dag_id="wf", run_id=f"r{i}", state="success", duration_s=60)
        for i in range(count)
    ]


def test_a_restart_and_a_replay_of_the_topic_add_nothing(settings):
    events = finished_runs("acme", 20)
    send(settings, [*events, events[0]])  # the first also sent again, as a producer retry would
    first = ActivityConsumer(settings)
    assert first.run_once().written == 21
    first.stop()
    again = ActivityConsumer(settings)  # a restart: starts from the committed offsets
    assert again.run_once().consumed == 0
    again.stop()
    # A replay: another consumer group reads the topic from its start into the same lake.
    replay = ActivityConsumer(settings.model_copy(update={"consumer_group": "insights-replay"}))
    summary = replay.run_once()
    replay.stop()
    assert (summary.consumed, summary.written, summary.already_stored) == (21, 0, 21)
    ids = landed_ids(settings)
    assert len(ids) == 20 and ids[events[0]["event_id"]] == 2  # the retry's copy, once
    assert runs_in_views(settings, "acme") == 20  # and the views count each event once


def test_a_crash_between_the_write_and_the_commit_adds_nothing(settings):
    events = finished_runs("acme", 5)
    send(settings, events)
    consumer = ActivityConsumer(settings)
    consumer.clients.ensure_topic(settings.activity_topic)
    crashed = activity_ingestion(settings, consumer.clients, "a run that dies before committing")
    batch = crashed.consume()
    crashed.write_valid(crashed.prepare(batch))
    crashed.close()  # gone without committing its offsets
    assert len(landed_ids(settings)) == 5
    summary = consumer.run_once()
    consumer.stop()
    assert (summary.written, summary.already_stored) == (0, 5)
    assert set(landed_ids(settings).values()) == {1}


def test_two_consumers_at_once_land_each_event_once(settings):
    first, second = ActivityConsumer(settings), ActivityConsumer(settings)
    first.start()
    second.start()
    try:
        sent: list[dict] = []
        senders = []
        for wave in range(4):
            events = finished_runs("acme", 25)
            for item in events:
                item["run_id"] = f"{wave}-{item['run_id']}"
            sent += events
            senders.append(threading.Thread(target=send, args=(settings, events)))
            senders[-1].start()
        for sender in senders:
            sender.join()
        eventually(lambda: len(landed_ids(settings)) == 100, timeout=30)
    finally:
        first.stop()
        second.stop()
    ids = landed_ids(settings)
    assert set(ids) == {item["event_id"] for item in sent}
    assert set(ids.values()) == {1}


def test_events_that_break_the_contract_are_quarantined_not_landed(settings):
    good = finished_runs("acme", 1)
    bad = [
        {**finished_runs("acme", 1)[0], "tenant": "../globex"},  # not a tenant name
        {**finished_runs("acme", 1)[0], "kind": "dag_runs"},  # not a kind
        {**finished_runs("acme", 1)[0], "at": "yesterday"},  # not a time
        event("invocation", "acme"),  # an invocation names its endpoint
    ]
    send(settings, [*good, *bad])
    consumer = ActivityConsumer(settings)
    summary = consumer.run_once()
    consumer.stop()
    assert (summary.written, summary.quarantined) == (1, 4)
    quarantined = read_table(settings.quarantine_uri, columns=["_reason"])["_reason"].to_pylist()
    assert any("tenant" in reason for reason in quarantined)
    assert any("endpoint" in reason for reason in quarantined)
    assert runs_in_views(settings, "acme") == 1
