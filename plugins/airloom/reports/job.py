"""What the weekly report DAG does for one tenant: read its week, render it twice, store both.

The connection ``airloom_insights`` (HTTP) says where the insights service is (its host, e.g.
``http://127.0.0.1:8004``) and holds one token per tenant to report in its extra:
``{"tenant_tokens": {"acme": "ali_…"}}``. Each tenant's figures are read with that tenant's own
token, so the service itself keeps one tenant out of another's report. Tokens stay in the
connection (masked in logs, in Secrets Manager on MWAA); only tenant names pass through XCom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from airloom.connections import INSIGHTS_CONN_ID
from airloom.reports.html import render_html
from airloom.reports.model import ExecutiveReport
from airloom.reports.pdf import render_pdf
from airloom.reports.store import ReportStore
from airloom.tenancy import TENANT_PATTERN

TOKENS_EXTRA = "tenant_tokens"


class ReportSetupError(ValueError):
    """The insights connection is missing something a report needs; says what."""


@dataclass(frozen=True)
class InsightsTarget:
    base_url: str
    tenant_tokens: Mapping[str, str]

    def token(self, tenant: str) -> str:
        try:
            return self.tenant_tokens[tenant]
        except KeyError:
            raise ReportSetupError(
                f"connection {INSIGHTS_CONN_ID!r} has no token for tenant {tenant!r} in its "
                f"{TOKENS_EXTRA!r} extra"
            ) from None


def insights_target(conn_id: str = INSIGHTS_CONN_ID) -> InsightsTarget:
    """Where the insights service is and the tenants' tokens, from the Airflow connection."""
    from airflow.sdk import BaseHook

    connection = BaseHook.get_connection(conn_id)
    host = (connection.host or "").rstrip("/")
    if not host:
        raise ReportSetupError(f"connection {conn_id!r} has no host (the insights service URL)")
    if "://" not in host:
        port = f":{connection.port}" if connection.port else ""
        host = f"{connection.schema or 'http'}://{host}{port}"
    tokens = connection.extra_dejson.get(TOKENS_EXTRA) or {}
    if not isinstance(tokens, dict):
        raise ReportSetupError(f"{TOKENS_EXTRA!r} of connection {conn_id!r} must be an object")
    bad = sorted(t for t in tokens if not TENANT_PATTERN.fullmatch(str(t)))
    if bad:
        raise ReportSetupError(
            f"{TOKENS_EXTRA!r} of connection {conn_id!r} names no tenant: {', '.join(bad)}"
        )
    return InsightsTarget(base_url=host, tenant_tokens=dict(tokens))


def store_report(report: ExecutiveReport, lake_uri: str) -> dict[str, str]:
    """Render ``report`` as HTML and PDF and store both; returns each format's URI."""
    store = ReportStore(lake_uri)
    rendered = {"html": render_html(report).encode("utf-8"), "pdf": render_pdf(report)}
    return {
        fmt: store.write(report.tenant, report.week, fmt, content)
        for fmt, content in rendered.items()
    }


def publish_tenant_report(
    tenant: str, week: str, target: InsightsTarget, lake_uri: str, now: datetime | None = None
) -> dict[str, str]:
    """Read ``tenant``'s ``week`` from the insights service, then render and store it."""
    from airloom.reports.source import InsightsClient, fetch_report

    with InsightsClient(target.base_url, target.token(tenant)) as client:
        report = fetch_report(client, tenant, week, now)
    return store_report(report, lake_uri)
