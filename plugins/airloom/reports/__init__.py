"""The weekly executive summary report of a tenant: KPIs, ROI by workflow, top insights, charts.

Rendered in pure Python (Jinja2 for HTML, fpdf2 for PDF, matplotlib's Agg backend for charts),
so the report DAG runs the same on a local Airflow and on MWAA. Reports are stored in the lake
under ``<lake root>/_airloom/reports/tenant=<tenant>/<ISO week>.html|.pdf``.
"""

from airloom.reports.model import (
    DailyPoint,
    ExecutiveReport,
    ReportKpis,
    WorkflowRoi,
    check_week,
    report_week,
    week_bounds,
)

__all__ = [
    "DailyPoint",
    "ExecutiveReport",
    "ReportKpis",
    "WorkflowRoi",
    "check_week",
    "report_week",
    "week_bounds",
]
