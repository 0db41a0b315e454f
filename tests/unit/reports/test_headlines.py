"""The report's top insights: the service's automated findings about the week first, then
sentences from the week's own figures, the ones concerning the most dollars first."""

from __future__ import annotations

from airloom.reports.headlines import headline_insights
from airloom.reports.model import ReportKpis, WorkflowRoi, week_bounds
from airloom.reports.source import _automated

KPIS = ReportKpis(runs=40, failures=4, predictions=0, cost_usd=200.0, value_usd=900.0)
BEFORE = ReportKpis(runs=40, failures=1, predictions=0, cost_usd=100.0, value_usd=800.0)
ROWS = [
    WorkflowRoi(workflow="churn", runs=30, failures=1, predictions=0, cost_usd=50, value_usd=900),
    WorkflowRoi(workflow="forecast", runs=10, failures=3, predictions=0, cost_usd=150, value_usd=0),
]


def test_sentences_are_ranked_by_the_dollars_they_concern() -> None:
    sentences = headline_insights(KPIS, BEFORE, ROWS)
    assert sentences == [
        "The week returned $900.00 in value on $200.00 of cost (ROI +350%).",
        "churn returned the most: $900.00 for $50.00 of cost.",
        "forecast cost $150.00 and returned $0.00: set or check its value definition.",
        "Cost rose 100% on last week, from $100.00 to $200.00.",
        "4 of 40 runs failed (10.0%), against 2.5% last week.",
    ]


def test_automated_insights_come_first_and_the_list_is_short() -> None:
    found = ["Cost of forecast jumped 3x week over week."]
    sentences = headline_insights(KPIS, BEFORE, ROWS, found, most=3)
    assert sentences[0] == found[0] and len(sentences) == 3


def test_a_week_without_activity_has_nothing_to_say() -> None:
    empty = ReportKpis(runs=0, failures=0, predictions=0, cost_usd=0, value_usd=0)
    assert headline_insights(empty, None, []) == []


def test_only_the_services_findings_about_the_week_are_kept() -> None:
    start, end = week_bounds("2026-W48")
    body = {
        "tenant": "acme",
        "insights": [
            {
                "sentence": "p95 latency of churn-api doubled after deployment v3.",
                "period_start": "2026-11-24T00:00:00Z",
                "period_end": "2026-12-01T06:00:00Z",
            },
            {
                "sentence": "An old finding about October.",
                "period_start": "2026-10-01T00:00:00+00:00",
                "period_end": "2026-10-08T00:00:00+00:00",
            },
            {"sentence": "   "},
        ],
    }
    assert _automated(body, start, end) == ["p95 latency of churn-api doubled after deployment v3."]
    assert _automated(None, start, end) == []  # a service without the route
