"""Weekly executive summary per tenant: KPIs, ROI by workflow, top insights and charts.

Every Monday at 06:00 UTC it reports the ISO week that just ended (or the week given as
``{"week": "2026-W48"}`` in a manual run's conf). For each tenant with a token in the
``airloom_insights`` connection, one mapped task reads that tenant's figures from the insights
service with the tenant's own token, renders the report as HTML and PDF, and stores both under
``<lake root>/_airloom/reports/tenant=<tenant>/<week>.html|.pdf``, where the insights API lists
them. A rerun replaces that week's files.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, task

from airloom.connections import INSIGHTS_CONN_ID, LAKE_CONN_ID

WEEK_PATTERN = r"^\d{4}-W\d{2}$"


@dag(
    dag_id="airloom_executive_report",
    schedule="0 6 * * 1",  # Mondays 06:00 UTC: the week before is complete and landed
    start_date=datetime(2026, 1, 5, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["airloom", "insights"],
    params={
        "week": Param(
            None,
            type=["null", "string"],
            pattern=WEEK_PATTERN,
            description="ISO week to report, e.g. 2026-W48 (default: the last complete week)",
        )
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    doc_md=__doc__,
)
def airloom_executive_report():
    @task(execution_timeout=timedelta(minutes=1))
    def week_to_report(params: dict[str, Any] | None = None, dag_run: Any = None) -> str:
        from airflow.sdk.exceptions import AirflowFailException

        from airloom.reports.model import InvalidWeek, check_week, report_week

        chosen = (params or {}).get("week")
        if chosen:
            try:
                return check_week(chosen)
            except InvalidWeek as exc:
                raise AirflowFailException(str(exc)) from None
        moment = dag_run.logical_date or dag_run.run_after
        return report_week(moment)

    @task(execution_timeout=timedelta(minutes=1))
    def tenants_to_report() -> list[str]:
        from airflow.sdk.exceptions import AirflowFailException

        from airloom.reports.job import ReportSetupError, insights_target

        try:
            return sorted(insights_target(INSIGHTS_CONN_ID).tenant_tokens)
        except ReportSetupError as exc:  # the connection itself is wrong: retrying won't help
            raise AirflowFailException(str(exc)) from None

    @task(
        execution_timeout=timedelta(minutes=10),
        map_index_template="{{ report_tenant }}",  # the UI lists mapped tasks by tenant
    )
    def publish_report(tenant: str, week: str) -> dict[str, str]:
        from airflow.sdk import get_current_context
        from airflow.sdk.exceptions import AirflowFailException

        from airloom.lake import lake_root
        from airloom.reports.job import ReportSetupError, insights_target, publish_tenant_report

        get_current_context()["report_tenant"] = tenant  # type: ignore[typeddict-unknown-key]
        try:
            target = insights_target(INSIGHTS_CONN_ID)
            target.token(tenant)
        except ReportSetupError as exc:
            raise AirflowFailException(str(exc)) from None
        # An unreachable or failing service (InsightsUnavailable) is retried like any task.
        return publish_tenant_report(tenant, week, target, str(lake_root(LAKE_CONN_ID)))

    publish_report.partial(week=week_to_report()).expand(tenant=tenants_to_report())


airloom_executive_report()
