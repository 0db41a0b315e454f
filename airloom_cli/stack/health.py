"""Health probes: each answers (healthy, detail) without raising."""

from __future__ import annotations

from collections.abc import Callable

import httpx

Probe = Callable[[], tuple[bool, str]]


def http_ok(url: str) -> Probe:
    def probe() -> tuple[bool, str]:
        try:
            response = httpx.get(url, timeout=3.0)
        except httpx.HTTPError as exc:
            return False, f"{url}: {type(exc).__name__}"
        return response.status_code == 200, f"{url}: HTTP {response.status_code}"

    return probe


def airflow_component(api_url: str, component: str) -> Probe:
    """Airflow reports each component's heartbeat through the API server's health endpoint."""
    url = f"{api_url}/api/v2/monitor/health"

    def probe() -> tuple[bool, str]:
        try:
            response = httpx.get(url, timeout=3.0)
            status = response.json().get(component, {}).get("status")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            return False, f"{url}: {type(exc).__name__}"
        return status == "healthy", f"{component}: {status or 'no heartbeat yet'}"

    return probe


def kafka_broker(bootstrap: str) -> Probe:
    def probe() -> tuple[bool, str]:
        from confluent_kafka.admin import AdminClient

        try:
            metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=3)
        except Exception as exc:  # noqa: BLE001 - KafkaException and transport errors alike
            return False, f"{bootstrap}: {exc}"
        return True, f"{bootstrap}: {len(metadata.brokers)} broker(s)"

    return probe
