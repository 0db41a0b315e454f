"""`airloom demo-data` really lands events on the broker and files in the lake."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from confluent_kafka import Consumer

from airloom_cli.demo.churn import EVENT_SCHEMA
from airloom_cli.demo.publish import (
    CHURN_TOPIC,
    RETAIL_LANDING,
    Destination,
    load_churn,
    load_retail,
)
from airloom_cli.stack.settings import StackSettings


def _consume_all(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "demo-check", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    values: list[bytes] = []
    try:
        for _ in range(60):  # bounded: a minute at most
            batch = consumer.consume(num_messages=1000, timeout=1.0)
            values += [message.value() for message in batch if not message.error()]
            if len(values) >= expected:
                break
    finally:
        consumer.close()
    return values


def test_churn_events_are_published_with_a_few_malformed(own_broker, tmp_path: Path) -> None:
    import jsonschema

    settings = StackSettings(kafka_port=own_broker.port, home=tmp_path)
    loaded = load_churn(Destination(settings), customers=60)
    values = _consume_all(own_broker.url, CHURN_TOPIC, loaded.count)
    assert len(values) == loaded.count
    good = []
    for value in values:
        try:
            event = json.loads(value)
            jsonschema.validate(event, EVENT_SCHEMA)
            good.append(event)
        except (ValueError, jsonschema.ValidationError):
            continue
    assert 0.9 * len(values) < len(good) < len(values)
    assert len({event["customer_id"] for event in good}) == 60


def test_retail_sales_land_as_csv_files(tmp_path: Path) -> None:
    settings = StackSettings(home=tmp_path)
    loaded = load_retail(Destination(settings), customers=0)
    files = sorted((settings.lake_dir / RETAIL_LANDING).glob("sales_*.csv"))
    assert len(files) == 5
    rows = [row for path in files for row in csv.DictReader(path.open())]
    assert len(rows) == loaded.count
    assert {"store_id", "product_id", "date", "units_sold", "price", "promo"} == set(rows[0])

    # Loading again leaves the files as they were: ingestion would take a touched file as new.
    stamps = [path.stat().st_mtime_ns for path in files]
    load_retail(Destination(settings), customers=0)
    assert [path.stat().st_mtime_ns for path in files] == stamps


def test_support_conversations_and_articles_land_as_json_lines(tmp_path: Path) -> None:
    from airloom_cli.demo.publish import HELP_CENTRE_LANDING, SUPPORT_LANDING, load_support

    settings = StackSettings(home=tmp_path)
    loaded = load_support(Destination(settings), customers=0)
    lines = (settings.lake_dir / SUPPORT_LANDING / "conversations.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == loaded.count
    escalated = sum(row["escalated"] for row in rows)
    assert 0.1 * len(rows) < escalated < 0.6 * len(rows)
    articles = (settings.lake_dir / HELP_CENTRE_LANDING / "articles.jsonl").read_text()
    assert "reset-password" in articles


def test_for_a_tenant_the_data_goes_where_its_workflows_read(own_broker, tmp_path: Path) -> None:
    settings = StackSettings(kafka_port=own_broker.port, home=tmp_path)
    to = Destination(settings, tenant="acme")
    loaded = load_churn(to, customers=20)
    assert loaded.where == "topic acme.customer_events"
    assert len(_consume_all(own_broker.url, "acme.customer_events", loaded.count)) == loaded.count
    load_retail(to, customers=0)
    assert len(list((settings.lake_dir / "tenants/acme" / RETAIL_LANDING).glob("*.csv"))) == 5
    assert not (settings.lake_dir / RETAIL_LANDING).exists()
