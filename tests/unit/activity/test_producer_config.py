"""Where activity goes: a plain broker address as is; Amazon MSK's IAM listener with IAM auth,
its tokens signed by the process's AWS credentials."""

from __future__ import annotations

import time

import pytest

from airloom.activity.producer import environment_config

MSK = "b-1.airloom.ab12cd.c2.kafka.eu-west-1.amazonaws.com:9098"


def test_a_plain_address_is_used_as_is() -> None:
    assert environment_config("127.0.0.1:9092") == {"bootstrap.servers": "127.0.0.1:9092"}


def test_an_msk_tls_listener_without_iam_gets_no_iam_auth() -> None:
    address = "b-1.airloom.ab12cd.c2.kafka.eu-west-1.amazonaws.com:9094"
    assert "sasl.mechanism" not in environment_config(address)


def test_msks_iam_listener_gets_signed_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    # Signing is local (SigV4 with the process's credentials); no AWS call is made here.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    config = environment_config(f"{MSK},b-2.airloom.ab12cd.c2.kafka.eu-west-1.amazonaws.com:9098")
    assert (config["security.protocol"], config["sasl.mechanism"]) == ("SASL_SSL", "OAUTHBEARER")
    token, expires = config["oauth_cb"]("")
    assert isinstance(token, str) and token
    assert time.time() < expires < time.time() + 3600
