"""The report as one self-contained HTML page: charts inlined as data URIs, no external asset.

Jinja2 autoescapes everything: tenant, workflow names and insight sentences are data, so a
workflow called ``<script>`` shows as text and never runs.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from airloom.reports.charts import report_charts
from airloom.reports.layout import ROI_HEADINGS, kpi_tiles, roi_rows
from airloom.reports.model import ExecutiveReport


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("airloom.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,  # a misspelt field fails the render, never prints blank
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: ExecutiveReport) -> str:
    charts = [
        {
            "title": chart.title,
            "description": chart.description,
            "data": base64.b64encode(chart.png).decode("ascii"),
        }
        for chart in report_charts(report)
    ]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            tiles=kpi_tiles(report),
            headings=ROI_HEADINGS,
            rows=roi_rows(report),
            charts=charts,
        )
    )
