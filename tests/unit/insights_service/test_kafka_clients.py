"""The consumer's Kafka settings: plain on the local broker, IAM authentication on MSK (as
the pipelines' hook does), and explicit security settings win."""

from __future__ import annotations

from insights.activity.kafka_clients import KafkaClients

MSK = ",".join(f"b-{n}.airloom.abc123.c2.kafka.eu-west-1.amazonaws.com:9098" for n in (1, 2))


def test_the_local_broker_needs_no_authentication():
    assert KafkaClients("127.0.0.1:9092").config == {"bootstrap.servers": "127.0.0.1:9092"}


def test_msk_gets_iam_authentication_for_its_region():
    config = KafkaClients(MSK).config
    assert config["security.protocol"] == "SASL_SSL"
    assert config["sasl.mechanism"] == "OAUTHBEARER"
    assert callable(config["oauth_cb"])


def test_security_settings_given_explicitly_win():
    config = KafkaClients(MSK, {"security.protocol": "SSL"}).config
    assert config["security.protocol"] == "SSL" and "oauth_cb" not in config
