"""The reports API lists and serves only the caller tenant's weekly reports, from the lake
where the report DAG stored them; another tenant's week is a 404 like one never reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airloom.reports.job import store_report
from insights.core.config import Settings
from tests.integration.insights.conftest import AUTH_SECRET, Insights, open_insights
from tests.unit.reports.sample import sample_report


@pytest.fixture(scope="module")
def insights(tmp_path_factory) -> Iterator[Insights]:
    """The service without its consumer: these routes read reports, not activity."""
    folder = tmp_path_factory.mktemp("insights-reports")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'insights.db'}",
        lake_uri=(folder / "lake").as_uri(),
        consume_enabled=False,
        log_level="WARNING",
        identity={"secret": AUTH_SECRET},
    )
    with open_insights(settings) as running:
        for tenant, week in (("acme", "2026-W47"), ("acme", "2026-W48"), ("globex", "2026-W46")):
            store_report(sample_report(tenant, week), settings.lake_uri)
        yield running


def test_the_list_holds_the_callers_weeks_newest_first(insights: Insights) -> None:
    response = insights.client.get("/api/v1/reports", headers=insights.headers("acme", "viewer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tenant"] == "acme"
    assert [r["week"] for r in body["reports"]] == ["2026-W48", "2026-W47"]
    newest = body["reports"][0]
    assert newest["formats"] == ["html", "pdf"]
    assert newest["week_start"].startswith("2026-11-23T00:00:00")
    assert newest["links"]["pdf"] == "/api/v1/reports/2026-W48.pdf"


def test_a_report_downloads_in_both_formats(insights: Insights) -> None:
    headers = insights.headers("acme", "viewer")
    pdf = insights.client.get("/api/v1/reports/2026-W48.pdf", headers=headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="airloom-acme-2026-W48.pdf"' in pdf.headers["content-disposition"]
    html = insights.client.get("/api/v1/reports/2026-W48.html", headers=headers)
    assert html.headers["content-type"].startswith("text/html")
    assert "Executive summary: acme" in html.text
    assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none'


def test_one_tenant_never_sees_anothers_reports(insights: Insights) -> None:
    globex = insights.headers("globex", "admin")
    listed = insights.client.get("/api/v1/reports", headers=globex).json()
    assert [r["week"] for r in listed["reports"]] == ["2026-W46"]
    stolen = insights.client.get("/api/v1/reports/2026-W48.pdf", headers=globex)
    assert stolen.status_code == 404
    assert stolen.json() == {
        "detail": "tenant 'globex' has no pdf report for week 2026-W48",
        "code": "not_found",
    }
    # And a tenant with nothing reported yet sees an empty list, not an error.
    empty = insights.client.get("/api/v1/reports", headers=insights.headers("initech"))
    assert empty.json() == {"tenant": "initech", "reports": []}


def test_bad_weeks_and_formats_say_what_is_wrong(insights: Insights) -> None:
    headers = insights.headers("acme", "viewer")
    missing = insights.client.get("/api/v1/reports/2026-W01.html", headers=headers)
    assert missing.status_code == 404 and "week 2026-W01" in missing.json()["detail"]
    bad_week = insights.client.get("/api/v1/reports/2025-W53.pdf", headers=headers)
    assert bad_week.status_code == 422
    assert "'2025-W53' is not an ISO week" in bad_week.json()["detail"]
    climbing = insights.client.get("/api/v1/reports/..%2F..%2Fsecrets.pdf", headers=headers)
    assert climbing.status_code in (404, 422)
    bad_format = insights.client.get("/api/v1/reports/2026-W48.docx", headers=headers)
    assert bad_format.status_code == 422
    assert bad_format.json()["detail"][0]["field"] == "path.fmt"


def test_reports_need_a_token(insights: Insights) -> None:
    assert insights.client.get("/api/v1/reports").status_code == 401
    assert insights.client.get("/api/v1/reports/2026-W48.pdf").status_code == 401
