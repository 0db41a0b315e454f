"""What both renderers lay out: the KPI tiles and the ROI table's cells, already formatted."""

from __future__ import annotations

from dataclasses import dataclass

from airloom.reports import formatting
from airloom.reports.model import ExecutiveReport, ReportKpis

ROI_HEADINGS = ("Workflow", "Runs", "Failure rate", "Cost", "Value", "ROI")


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    change: str


def kpi_tiles(report: ExecutiveReport) -> list[Tile]:
    """Runs, failure rate, cost, value, ROI and predictions, each with its change on last week."""
    now, before = report.kpis, report.previous_kpis

    def change(figure: str) -> str:
        if before is None:
            return ""
        return formatting.change(getattr(now, figure), getattr(before, figure))

    return [
        Tile("runs", "Runs", formatting.count(now.runs), change("runs")),
        Tile(
            "failure_rate",
            "Failure rate",
            formatting.percent(now.failure_rate),
            f"{formatting.count(now.failures)} failed",
        ),
        Tile("cost", "Cost", formatting.money(now.cost_usd), change("cost_usd")),
        Tile("value", "Value", formatting.money(now.value_usd), change("value_usd")),
        Tile("roi", "ROI", formatting.roi(now.roi), _roi_before(before)),
        Tile(
            "predictions", "Predictions", formatting.count(now.predictions), change("predictions")
        ),
    ]


def _roi_before(before: ReportKpis | None) -> str:
    if before is None or before.roi is None:
        return ""
    return f"{formatting.roi(before.roi)} last week"


def roi_rows(report: ExecutiveReport) -> list[tuple[str, ...]]:
    """One row per workflow, the best return first (those with no cost last)."""
    ordered = sorted(
        report.roi_by_workflow,
        key=lambda r: (r.roi is None, -(r.roi or 0), -r.value_usd, r.workflow),
    )
    return [
        (
            row.workflow,
            formatting.count(row.runs),
            formatting.percent(row.failure_rate),
            formatting.money(row.cost_usd),
            formatting.money(row.value_usd),
            formatting.roi(row.roi),
        )
        for row in ordered
    ]
