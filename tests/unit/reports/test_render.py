"""The executive report renders the same KPIs, insights, ROI table and charts in HTML and PDF,
and shows every name as typed: a workflow called ``<script>`` is text, never markup."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta

import pypdf
import pytest
from pydantic import ValidationError

from airloom.reports.html import render_html
from airloom.reports.model import ExecutiveReport, ReportKpis, report_week, week_bounds
from airloom.reports.pdf import render_pdf
from tests.unit.reports.sample import SCRIPT_NAME, TOP_INSIGHT, sample_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def test_html_escapes_a_workflow_named_script() -> None:
    html = render_html(sample_report())
    assert "<script" not in html.lower()  # no script element at all: the page runs nothing
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html


def test_html_shows_the_kpis_the_top_insight_and_the_roi_table() -> None:
    html = render_html(sample_report())
    for figure in ("42", "7.1%", "$12.34", "$456.70", "+3601%", "12,500", "+40% on last week"):
        assert figure in html
    assert TOP_INSIGHT.replace("'", "&#39;") in html
    assert html.index("churn_scoring") < html.index("&lt;script&gt;")  # best ROI first


def test_html_is_self_contained_with_its_charts_inlined() -> None:
    html = render_html(sample_report())
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 2  # cost and value per day, and by workflow
    assert all(base64.b64decode(data).startswith(PNG_SIGNATURE) for data in images)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere


def test_pdf_text_holds_the_kpis_the_top_insight_and_the_workflows() -> None:
    text = pdf_text(render_pdf(sample_report()))
    assert "Executive summary: acme" in text
    assert "Week 2026-W48 (23 Nov to 29 Nov 2026)" in text
    for figure in ("42", "7.1%", "$12.34", "$456.70", "+3601%", "12,500"):
        assert figure in text
    assert f"1. {TOP_INSIGHT}" in text
    assert SCRIPT_NAME in text and "churn_scoring" in text


def test_pdf_embeds_both_charts() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(sample_report())))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2
    assert "Cost and value per day" in pdf_text(render_pdf(sample_report()))


def test_a_quiet_week_renders_without_charts_or_rows() -> None:
    quiet = ExecutiveReport.model_validate(
        sample_report().model_dump() | {"roi_by_workflow": [], "daily": [], "insights": []}
    )
    quiet = quiet.model_copy(
        update={"kpis": ReportKpis(runs=0, failures=0, predictions=0, cost_usd=0, value_usd=0)}
    )
    html = render_html(quiet)
    assert "No workflow ran this week." in html and "<img" not in html
    text = pdf_text(render_pdf(quiet))
    assert "No workflow ran this week." in text and "n/a" in text  # no ROI without a cost


def test_a_name_in_another_script_renders_in_the_pdf() -> None:
    report = sample_report()
    renamed = report.roi_by_workflow[0].model_copy(update={"workflow": "прогноз_спроса"})
    text = pdf_text(render_pdf(report.model_copy(update={"roi_by_workflow": [renamed]})))
    assert "прогноз_спроса" in text


def test_weeks_are_iso_weeks() -> None:
    start, end = week_bounds("2026-W48")
    assert (start.isoformat(), end.isoformat()) == (
        "2026-11-23T00:00:00+00:00",
        "2026-11-30T00:00:00+00:00",
    )
    # The Monday 06:00 run reports the week that just ended; a mid-week run, the last whole one.
    assert report_week(end.replace(hour=6)) == "2026-W48"
    assert report_week(end + timedelta(days=2, hours=9)) == "2026-W48"
    with pytest.raises(ValidationError, match="'2025-W53' is not an ISO week"):
        sample_report().model_validate(sample_report().model_dump() | {"week": "2025-W53"})
