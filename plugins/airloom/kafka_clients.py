"""Kafka clients as Airloom uses them, without Airflow: an idempotent producer, consumers that
never auto-commit, an admin client and topic creation that tolerates an existing topic.

:class:`KafkaClientSet` builds them from whatever ``client_config`` a subclass gives: the
Airflow hook (:class:`airloom.hooks.kafka.KafkaHook`) reads it from a connection, and
:class:`KafkaClients` from a bootstrap address (services have no Airflow, whose imports cost
seconds), with IAM authentication on Amazon MSK as the Kafka provider sets it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

# An Amazon MSK bootstrap address names its region: b-1.x.kafka.eu-west-1.amazonaws.com:9098.
MSK_BOOTSTRAP = re.compile(
    r"\.kafka(?:-serverless)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?(?=$|,)",
    re.IGNORECASE,
)


def msk_iam_settings(bootstrap_servers: str) -> dict[str, Any]:
    """On MSK, IAM authentication (SASL OAUTHBEARER with a token signed for the region), as
    the Kafka provider's hook sets it for the pipelines; elsewhere nothing."""
    match = MSK_BOOTSTRAP.search(bootstrap_servers)
    if match is None:
        return {}
    region = match["region"]

    def token(_config: str) -> tuple[str, float]:
        from aws_msk_iam_sasl_signer import MSKAuthTokenProvider

        value, expiry_ms = MSKAuthTokenProvider.generate_auth_token(region)
        return value, expiry_ms / 1000  # librdkafka wants seconds

    return {"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER", "oauth_cb": token}


class KafkaClientSet:
    """Producer, consumer and admin clients from :meth:`client_config`."""

    def client_config(self, **overrides: Any) -> dict[str, Any]:
        raise NotImplementedError

    def admin(self) -> AdminClient:
        return AdminClient(self.client_config())

    def producer(self, **overrides: Any) -> Producer:
        """An idempotent producer: retries never duplicate or reorder a record."""
        return Producer(
            self.client_config(**{"enable.idempotence": True, "acks": "all", **overrides})
        )

    def consumer(self, group_id: str, **overrides: Any) -> Consumer:
        """A consumer whose offsets move only when the caller commits them."""
        settings = {
            "group.id": group_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            **overrides,
        }
        return Consumer(self.client_config(**settings))

    def ensure_topic(self, topic: str, partitions: int = 1, timeout: float = 30.0) -> None:
        """Create ``topic`` unless it exists (where topics are managed, it already does)."""
        admin = self.admin()  # keep a reference: a collected client cancels its futures
        described = admin.list_topics(topic, timeout=timeout).topics.get(topic)
        if described is not None and described.error is None and described.partitions:
            return
        self.create_topic(topic, partitions, timeout, admin)

    def create_topic(
        self, topic: str, partitions: int = 1, timeout: float = 30.0, admin: Any = None
    ) -> None:
        """Create ``topic``; one that already exists is left as it is."""
        admin = admin or self.admin()  # keep a reference: a collected client cancels futures
        futures = admin.create_topics(
            [NewTopic(topic, num_partitions=partitions, replication_factor=1)],
            operation_timeout=timeout,
        )
        try:
            futures[topic].result(timeout=timeout)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise


class KafkaClients(KafkaClientSet):
    """Clients for a bootstrap address, e.g. the insights service's activity consumer.

    :param bootstrap_servers: ``host:port[,host:port…]``.
    :param config: more confluent-kafka settings (TLS, SASL) for every client.
    """

    def __init__(self, bootstrap_servers: str, config: Mapping[str, Any] | None = None) -> None:
        given = dict(config or {})
        # Security settings given explicitly win over the MSK default.
        iam = {} if "security.protocol" in given else msk_iam_settings(bootstrap_servers)
        self.config = {"bootstrap.servers": bootstrap_servers, **iam, **given}

    def client_config(self, **overrides: Any) -> dict[str, Any]:
        return {**self.config, **overrides}
