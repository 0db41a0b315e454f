"""The report's charts as PNG images, drawn with matplotlib's Agg backend (no display needed).

Figures are built with :class:`matplotlib.figure.Figure` rather than pyplot, so nothing global
is shared between two reports rendered in one worker. Names on axes are data: matplotlib's
math parsing is off for them, so a workflow called ``$x$`` shows as typed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airloom.reports.model import ExecutiveReport

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COST_COLOUR = "#c0504d"
VALUE_COLOUR = "#4f81bd"
MOST_WORKFLOWS = 10  # bars beyond this are unreadable on an A4 page
LONGEST_LABEL = 40  # characters; a longer name would squeeze the bars (the table has it whole)


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # the alt text: what the chart shows, for readers without the image
    png: bytes


def report_charts(report: ExecutiveReport) -> list[Chart]:
    """The charts the report has data for: cost and value per day, then per workflow."""
    charts = []
    if report.daily:
        charts.append(_daily_chart(report))
    if report.roi_by_workflow:
        charts.append(_workflow_chart(report))
    return charts


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)  # Figure.savefig uses the Agg canvas
    return buffer.getvalue()


def _label(name: str) -> str:
    return name if len(name) <= LONGEST_LABEL else f"{name[: LONGEST_LABEL - 1]}…"


def _daily_chart(report: ExecutiveReport) -> Chart:
    figure = _new_figure(7.5, 3.0)
    axes = figure.add_subplot()
    days = [point.day.strftime("%a %d") for point in report.daily]
    positions = range(len(days))
    axes.bar(
        [p - 0.2 for p in positions],
        [d.cost_usd for d in report.daily],
        0.4,
        label="Cost",
        color=COST_COLOUR,
    )
    axes.bar(
        [p + 0.2 for p in positions],
        [d.value_usd for d in report.daily],
        0.4,
        label="Value",
        color=VALUE_COLOUR,
    )
    axes.set_xticks(list(positions), days)
    axes.set_ylabel("USD")
    axes.legend(loc="upper left", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return Chart(
        title="Cost and value per day",
        description=f"Bars of cost and value for each day of {report.week}.",
        png=_png(figure),
    )


def _workflow_chart(report: ExecutiveReport) -> Chart:
    rows = sorted(report.roi_by_workflow, key=lambda r: r.value_usd + r.cost_usd, reverse=True)
    rows = list(reversed(rows[:MOST_WORKFLOWS]))  # barh draws bottom-up: biggest on top
    figure = _new_figure(7.5, 0.9 + 0.35 * len(rows))
    axes = figure.add_subplot()
    positions = range(len(rows))
    axes.barh(
        [p + 0.2 for p in positions],
        [r.cost_usd for r in rows],
        0.4,
        label="Cost",
        color=COST_COLOUR,
    )
    axes.barh(
        [p - 0.2 for p in positions],
        [r.value_usd for r in rows],
        0.4,
        label="Value",
        color=VALUE_COLOUR,
    )
    axes.set_yticks(list(positions), [_label(r.workflow) for r in rows])
    for label in axes.get_yticklabels():
        label.set_parse_math(False)  # a name is data, never mathtext
    axes.set_xlabel("USD")
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return Chart(
        title="Cost and value by workflow",
        description=f"Bars of cost and value of the {len(rows)} workflows that cost or "
        f"returned the most in {report.week}.",
        png=_png(figure),
    )
