"""What the hourly ``airloom_insights_refresh`` DAG does: ask the insights service to run its
detectors for each tenant now (``POST /api/v1/insights/refresh``), so the dashboard's insights
list and the weekly report's top insights are at most an hour old.

It uses the connection the weekly report DAG reads, ``airloom_insights`` (HTTP): its host is
the service's URL. Whose insights are refreshed, and with which token:

- a **platform** token in the connection's password refreshes every tenant with activity (the
  service lists them: ``GET /api/v1/insights/tenants``);
- otherwise each tenant in the ``tenant_tokens`` extra is refreshed with its own token, which
  must have the editor role (a viewer's token, enough for reports, is refused with a 403).

Tokens stay in the connection (masked in logs, in Secrets Manager on MWAA); only tenant names
pass through XCom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airloom.connections import INSIGHTS_CONN_ID

TIMEOUT_S = 120.0  # a refresh reads the tenant's activity: seconds, not minutes


class RefreshFailed(RuntimeError):
    """The service could not be reached, or refused; says which request and why."""


@dataclass(frozen=True)
class RefreshTarget:
    base_url: str
    platform_token: str | None
    tenant_tokens: Mapping[str, str]

    def token(self, tenant: str) -> str:
        if self.platform_token:
            return self.platform_token
        if tenant not in self.tenant_tokens:
            raise RefreshFailed(
                f"connection {INSIGHTS_CONN_ID!r} has neither a platform token (password) nor "
                f"a token for tenant {tenant!r} in its tenant_tokens extra"
            )
        return self.tenant_tokens[tenant]


def refresh_target(conn_id: str = INSIGHTS_CONN_ID) -> RefreshTarget:
    """The service's URL and tokens, from the Airflow connection (as the report DAG reads it)."""
    from airflow.sdk import BaseHook

    from airloom.reports.job import insights_target

    target = insights_target(conn_id)
    password = BaseHook.get_connection(conn_id).password or None
    return RefreshTarget(target.base_url, password, dict(target.tenant_tokens))


def _call(target: RefreshTarget, method: str, path: str, token: str, **kwargs: Any) -> Any:
    import httpx

    url = f"{target.base_url}/api/v1{path}"
    try:
        response = httpx.request(
            method,
            url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_S,
            **kwargs,
        )
    except httpx.HTTPError as exc:
        raise RefreshFailed(f"cannot reach the insights service at {url}: {exc}") from exc
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = response.text[:500]
        raise RefreshFailed(f"{method} {url} answered {response.status_code}: {detail}")
    return response.json()


def tenants_to_refresh(target: RefreshTarget) -> list[str]:
    """Every tenant with activity (platform token), else the tenants the connection names."""
    if target.platform_token:
        body = _call(target, "GET", "/insights/tenants", target.platform_token)
        return sorted(body["tenants"])
    return sorted(target.tenant_tokens)


def refresh_tenant(target: RefreshTarget, tenant: str) -> dict[str, Any]:
    """Refresh ``tenant``'s insights; returns how many there are and the top one."""
    body = _call(target, "POST", "/insights/refresh", target.token(tenant), json={"tenant": tenant})
    insights = body["insights"]
    return {
        "tenant": body["tenant"],
        "insights": len(insights),
        "top": insights[0]["sentence"] if insights else None,
    }
