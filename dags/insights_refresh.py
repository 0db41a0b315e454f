"""Hourly automated insights: ask the insights service to run its detectors for each tenant.

One mapped task per tenant calls ``POST /api/v1/insights/refresh`` through the
``airloom_insights`` connection (a platform token in its password refreshes every tenant with
activity; otherwise each tenant of its ``tenant_tokens`` extra, with that tenant's own editor
token). See :mod:`airloom.insights_refresh`. A tenant that fails is retried on its own and does
not hold up the others.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

from airloom.connections import INSIGHTS_CONN_ID


@dag(
    dag_id="airloom_insights_refresh",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,  # insights are about now: a missed hour is not worth running late
    max_active_runs=1,
    tags=["airloom", "insights"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2)},
    doc_md=__doc__,
)
def airloom_insights_refresh():
    @task(execution_timeout=timedelta(minutes=2))
    def tenants_to_refresh() -> list[str]:
        from airflow.sdk.exceptions import AirflowFailException

        from airloom import insights_refresh
        from airloom.reports.job import ReportSetupError

        try:
            return insights_refresh.tenants_to_refresh(
                insights_refresh.refresh_target(INSIGHTS_CONN_ID)
            )
        except ReportSetupError as exc:  # the connection itself is wrong: retrying won't help
            raise AirflowFailException(str(exc)) from None

    @task(
        execution_timeout=timedelta(minutes=5),
        map_index_template="{{ refresh_tenant }}",  # the UI lists mapped tasks by tenant
    )
    def refresh(tenant: str) -> dict[str, Any]:
        from airflow.sdk import get_current_context

        from airloom import insights_refresh

        get_current_context()["refresh_tenant"] = tenant  # type: ignore[typeddict-unknown-key]
        target = insights_refresh.refresh_target(INSIGHTS_CONN_ID)
        return insights_refresh.refresh_tenant(target, tenant)

    refresh.expand(tenant=tenants_to_refresh())


airloom_insights_refresh()
