"""boto3 clients for AWS AI services, from an Airflow AWS connection.

The connection (its credentials, region, ``endpoint_url`` and per-service ``service_config``)
is the Amazon provider's: :class:`~airflow.providers.amazon.aws.hooks.base_aws.AwsBaseHook`
builds the client, so a tenant's granted connection decides the account and region, and a
test's connection points at moto or a loopback stand-in the same way. Throttling is left to
botocore's ``adaptive`` retry mode: exponential back-off with jitter on throttling errors, and
a client-side token bucket that slows down after one.
"""

from __future__ import annotations

from typing import Any

# Attempts per request, the first included: throttling is retried with back-off up to this.
MAX_ATTEMPTS = 8


def retry_config(max_attempts: int = MAX_ATTEMPTS) -> Any:
    """botocore's adaptive retries: back-off on throttling and a client-side rate limiter."""
    from botocore.config import Config

    return Config(retries={"mode": "adaptive", "max_attempts": max_attempts})


def aws_client(
    service: str, aws_conn_id: str, *, region_name: str | None = None, hook_class: Any = None
) -> Any:
    """A client of ``service`` through connection ``aws_conn_id``.

    :param service: the boto3 service name, e.g. ``comprehend``, ``bedrock-runtime``.
    :param hook_class: the provider's hook for the service where one exists (e.g.
        ``ComprehendHook``); :class:`AwsBaseHook` otherwise.
    """
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    if hook_class is None:
        hook = AwsBaseHook(
            aws_conn_id=aws_conn_id,
            client_type=service,
            region_name=region_name,
            config=retry_config(),
        )
    else:
        hook = hook_class(aws_conn_id=aws_conn_id, region_name=region_name, config=retry_config())
    return hook.conn


def retries_of(response: dict[str, Any]) -> int:
    """How many times botocore retried the request behind ``response`` (throttling included)."""
    return int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)
