"""A generated week of report data, with names that must be shown as typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from airloom.reports.model import DailyPoint, ExecutiveReport, ReportKpis, WorkflowRoi

SCRIPT_NAME = "<script>alert('owned')</script>"
TOP_INSIGHT = "Cost of churn_scoring rose 35% week over week, to $10.84."


def sample_report(tenant: str = "acme", week: str = "2026-W48") -> ExecutiveReport:
    monday = date.fromisocalendar(int(week[:4]), int(week[-2:]), 1)
    return ExecutiveReport(
        tenant=tenant,
        week=week,
        generated_at=datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
        kpis=ReportKpis(runs=42, failures=3, predictions=12_500, cost_usd=12.34, value_usd=456.7),
        previous_kpis=ReportKpis(
            runs=30, failures=1, predictions=9_000, cost_usd=10.0, value_usd=300.0
        ),
        roi_by_workflow=[
            WorkflowRoi(
                workflow="churn_scoring",
                runs=39,
                failures=2,
                predictions=0,
                cost_usd=10.84,
                value_usd=436.7,
            ),
            WorkflowRoi(
                workflow=SCRIPT_NAME, runs=3, failures=1, predictions=0, cost_usd=1.5, value_usd=20
            ),
        ],
        insights=[TOP_INSIGHT, "Fraud endpoint p95 latency doubled after deployment v3."],
        daily=[
            DailyPoint(day=monday + timedelta(days=i), cost_usd=1 + i, value_usd=50 + 3 * i)
            for i in range(7)
        ],
    )
