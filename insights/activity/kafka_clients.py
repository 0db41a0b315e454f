"""Kafka clients for the activity consumer: Airloom's own, from a bootstrap address."""

from __future__ import annotations

from airloom.kafka_clients import KafkaClients, msk_iam_settings

__all__ = ["KafkaClients", "msk_iam_settings"]
