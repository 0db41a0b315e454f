"""A tenant's week, read from the insights service's REST API with that tenant's own token.

The service answers only for the token's tenant, so a report can hold no other tenant's
figures whatever this module asks. Routes used: ``/api/v1/kpis``, ``/api/v1/roi`` and the
automated insights (``/api/v1/insights``: the latest the service found, kept if about the week).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from airloom.reports.headlines import headline_insights
from airloom.reports.model import DailyPoint, ExecutiveReport, ReportKpis, WorkflowRoi, week_bounds


class InsightsUnavailable(RuntimeError):
    """The insights service could not be reached or refused the request; says which and why."""


class InsightsClient:
    """The few insights routes a report needs.

    :param base_url: the service's root (``http://127.0.0.1:8004``), without ``/api/v1``.
    :param token: an API or sign-in token of the tenant being reported (a viewer is enough).
    """

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.http = httpx.Client(
            base_url=f"{base_url.rstrip('/')}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    def __enter__(self) -> InsightsClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()

    def get(self, path: str, optional: bool = False, **params: Any) -> Any:
        """The JSON of ``GET path``; None for a missing ``optional`` route."""
        try:
            response = self.http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise InsightsUnavailable(
                f"cannot reach the insights service at {self.http.base_url}: {exc}"
            ) from exc
        if optional and response.status_code in (404, 405):
            return None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:500]
            raise InsightsUnavailable(
                f"GET {self.http.base_url}{path} answered {response.status_code}: {detail}"
            )
        return response.json()


def _kpis(body: dict[str, Any]) -> ReportKpis:
    return ReportKpis.model_validate({k: body[k] for k in ReportKpis.model_fields})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _workflow_rows(body: dict[str, Any]) -> list[WorkflowRoi]:
    # One row per workflow and week; the report's range is one week, but sum to be safe.
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in body["rows"]:
        for figure in ReportKpis.model_fields:
            totals[row["key"]][figure] += row[figure]
    return [
        WorkflowRoi.model_validate({"workflow": key, **figures})
        for key, figures in sorted(totals.items())
    ]


def _daily(body: dict[str, Any], start: datetime) -> list[DailyPoint]:
    by_day: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in body["rows"]:
        day = datetime.fromisoformat(row["period_start"]).date().isoformat()
        for figure in ("cost_usd", "value_usd", "runs"):
            by_day[day][figure] += row[figure]
    days = [(start + timedelta(days=i)).date() for i in range(7)]
    return [
        DailyPoint(
            day=day,
            cost_usd=by_day[day.isoformat()]["cost_usd"],
            value_usd=by_day[day.isoformat()]["value_usd"],
            runs=int(by_day[day.isoformat()]["runs"]),
        )
        for day in days
    ]


def _automated(body: Any, start: datetime, end: datetime) -> list[str]:
    """The sentences of ``/insights`` (ranked by the service) about the report's week.

    The service keeps each tenant's latest findings; one whose period does not overlap the
    week (a re-rendered old week, say) is about another time and stays out.
    """
    if not isinstance(body, dict):
        return []
    sentences = []
    for item in body.get("insights") or []:
        sentence = item.get("sentence") if isinstance(item, dict) else None
        if not isinstance(sentence, str) or not sentence.strip():
            continue
        try:
            begins = datetime.fromisoformat(item["period_start"])
            ends = datetime.fromisoformat(item["period_end"])
        except (KeyError, TypeError, ValueError):
            begins, ends = start, end  # no period given: take it as the week's
        begins, ends = (m if m.tzinfo else m.replace(tzinfo=UTC) for m in (begins, ends))
        if begins < end and ends > start:
            sentences.append(sentence.strip())
    return sentences


def fetch_report(
    client: InsightsClient, tenant: str, week: str, now: datetime | None = None
) -> ExecutiveReport:
    """The report of ``tenant`` for ISO ``week``, from the service ``client`` speaks to."""
    start, end = week_bounds(week)
    before = start - timedelta(weeks=1)
    this_week = {"since": _iso(start), "until": _iso(end)}
    kpis_body = client.get("/kpis", **this_week)
    previous = _kpis(client.get("/kpis", since=_iso(before), until=_iso(start)))
    rows = _workflow_rows(client.get("/roi", by="workflow", grain="week", **this_week))
    daily = _daily(client.get("/roi", by="tenant", grain="day", **this_week), start)
    automated = _automated(client.get("/insights", optional=True, limit=10), start, end)
    kpis = _kpis(kpis_body)
    return ExecutiveReport(
        tenant=tenant,
        week=week,
        generated_at=now or datetime.now(UTC),
        rates_environment=kpis_body.get("rates_environment", "local"),
        kpis=kpis,
        previous_kpis=previous,
        roi_by_workflow=rows,
        insights=headline_insights(kpis, previous, rows, automated),
        daily=daily,
    )
