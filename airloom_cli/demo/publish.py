"""Load demo data into the local stack: events onto Kafka, files into the lake's landing area.

Without a tenant the data is the built-in DAGs' (plain topics, the lake's own landing folder);
for a tenant it goes where that tenant's workflows read: its prefixed topics and its area of
the lake, so the builder's templates run on it unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from airloom.tenancy import TenantScope
from airloom_cli.demo import churn, fraud, retail, support
from airloom_cli.demo.landing import land_file
from airloom_cli.stack.settings import StackSettings

CHURN_TOPIC = "customer_events"
FRAUD_TOPIC = "card_transactions"
RETAIL_LANDING = "landing/retail_sales"
FRAUD_HISTORY_LANDING = "landing/fraud_history"
SUPPORT_LANDING = "landing/support_conversations"
HELP_CENTRE_LANDING = "landing/help_centre"


@dataclass(frozen=True)
class Destination:
    """Where demo data goes: the platform's own names, or one tenant's."""

    settings: StackSettings
    tenant: str | None = None

    def folder(self, landing: str) -> Path:
        scope = TenantScope(self.tenant) if self.tenant else None
        return self.settings.lake_dir / (scope.dataset(landing) if scope else landing)

    def topic(self, name: str) -> str:
        return TenantScope(self.tenant).topic(name) if self.tenant else name

    @property
    def kafka_bootstrap(self) -> str:
        return self.settings.kafka_bootstrap


@dataclass(frozen=True)
class Loaded:
    what: str
    count: int
    where: str


def _produce(bootstrap: str, topic: str, records: Iterable[tuple[bytes, bytes]]) -> int:
    from confluent_kafka import KafkaError, KafkaException, Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])[
            topic
        ].result(timeout=30)
    except KafkaException as exc:
        if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    failures: list[str] = []
    count = 0
    for key, value in records:
        producer.produce(
            topic,
            key=key,
            value=value,
            on_delivery=lambda err, _msg: failures.append(str(err)) if err else None,
        )
        producer.poll(0)
        count += 1
    if producer.flush(60) or failures:
        raise RuntimeError(f"could not deliver every record to {topic}: {failures[:3]}")
    return count


def load_churn(to: Destination, customers: int) -> Loaded:
    records = ((r.key, r.value) for r in churn.customer_events(customers=customers))
    topic = to.topic(CHURN_TOPIC)
    count = _produce(to.kafka_bootstrap, topic, records)
    return Loaded("customer events (about 3% malformed)", count, f"topic {topic}")


def load_retail(to: Destination, customers: int) -> Loaded:
    folder = to.folder(RETAIL_LANDING)
    rows = retail.daily_sales()
    files = retail.write_sales_files(folder, rows)
    return Loaded(f"daily sales rows in {len(files)} CSV files", len(rows), str(folder))


def load_fraud(to: Destination, customers: int) -> Loaded:
    history = fraud.transactions(count=8000, seed=5, labelled=True)
    folder = to.folder(FRAUD_HISTORY_LANDING)
    folder.mkdir(parents=True, exist_ok=True)
    land_file(folder / "transactions.jsonl", fraud.as_json_lines(history))
    live = fraud.transactions(count=500, seed=6, labelled=False)
    records = (
        (str(row["card_id"]).encode(), fraud.as_json_lines([row]).strip().encode()) for row in live
    )
    topic = to.topic(FRAUD_TOPIC)
    count = _produce(to.kafka_bootstrap, topic, records)
    return Loaded(
        f"labelled transactions in {folder}, and live transactions", count, f"topic {topic}"
    )


def load_support(to: Destination, customers: int) -> Loaded:
    conversations = to.folder(SUPPORT_LANDING)
    conversations.mkdir(parents=True, exist_ok=True)
    rows = support.conversations()
    land_file(conversations / "conversations.jsonl", support.as_json_lines(rows))
    help_centre = to.folder(HELP_CENTRE_LANDING)
    help_centre.mkdir(parents=True, exist_ok=True)
    land_file(help_centre / "articles.jsonl", support.as_json_lines(support.articles()))
    return Loaded("support conversations, and help-centre articles", len(rows), str(conversations))


LOADERS: dict[str, Callable[[Destination, int], Loaded]] = {
    "churn": load_churn,
    "retail": load_retail,
    "fraud": load_fraud,
    "support": load_support,
}
