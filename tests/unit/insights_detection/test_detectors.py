"""The detectors on a real DuckDB whose tables have the contract's view columns, with figures
worked out by hand: what each finds, the sentence it says, what it leaves alone, and that a
tenant's findings never depend on, or show, another tenant's activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from insights.detection import detect_insights, synthetic
from insights.detection.models import VersionMetrics, compare
from insights.questions.query import parse_query
from tests.unit.insights_detection.tables import NOW, WEEK, read_model, run, weekly_runs
from tests.unit.insights_questions.read_model import contract_views

BASELINE = [20, 21, 19, 20, 22, 20, 19, 21]  # median 20, MAD 1


def acme_rows(tenant: str = "acme") -> dict[str, list[dict]]:
    runs = (
        weekly_runs(tenant, "churn", [*BASELINE, 48])
        + weekly_runs(tenant, "steady", [30.0] * 9)
        # Worth a look in ratio (2.25x) but not in dollars.
        + weekly_runs(tenant, "tiny", [0.4] * 8 + [0.9])
        + weekly_runs(tenant, "report", [20.0] * 8 + [0.0], duration_s=600.0)[7:]
        + weekly_runs(tenant, "report", [20.0], duration_s=1500.0)
    )
    etl = weekly_runs(tenant, "etl", [14.0] * 9, runs_per_week=14)
    for row in etl:
        if row["ended_at"] >= WEEK and row["ended_at"].weekday() < 5 and row["ended_at"].hour == 2:
            row["state"] = "failed"  # Monday to Friday's first run: 5 of 14
    invocations, deployments, calls = [], [], []
    for day in range(11):  # 19 Nov to 29 Nov, 100 requests a day
        start = WEEK - timedelta(days=4) + timedelta(days=day)
        slower = 2 if start >= WEEK + timedelta(days=3) else 1  # from 26 Nov
        for i in range(100):
            invocations.append(
                {
                    "tenant": tenant,
                    "endpoint": "scorer",
                    "model": "churn-model",
                    "model_version": "4" if slower == 2 else "3",
                    "at": start + timedelta(minutes=10 * i),
                    "predictions": 1,
                    "latency_ms": float(slower * (10 + i)),
                    "ok": True,
                    "cost_usd": 0.001 * slower,
                }
            )
    quiet = WEEK - timedelta(days=8)  # 15 Nov
    invocations += [
        {"tenant": tenant, "endpoint": "old-api", "at": quiet - timedelta(hours=h), "ok": True}
        for h in range(60)
    ] + [
        {"tenant": tenant, "endpoint": "test-api", "at": quiet - timedelta(hours=h), "ok": True}
        for h in range(10)
    ]
    for state, minutes in (("started", -5), ("ready", 0)):
        deployments.append(
            {
                "tenant": tenant,
                "endpoint": "scorer",
                "model": "churn-model",
                "model_version": "4",
                "action": "deploy",
                "state": state,
                "target": "local",
                "at": WEEK + timedelta(days=3, minutes=minutes),
            }
        )
    for tier, limited in (("free", 45), ("pro", 3)):
        for i in range(300):
            calls.append(
                {
                    "tenant": tenant,
                    "service": "marketplace",
                    "route": "/api/v1/models" if i % 2 else "/api/v1/models/{name}",
                    "method": "GET",
                    "status": 429 if i < limited else 200,
                    "tier": tier,
                    "rate_limited": i < limited,
                    "at": WEEK + timedelta(hours=6 + i % 150),
                }
            )
    return {
        "runs": runs + etl,
        "invocations": invocations,
        "deployments": deployments,
        "api_calls": calls,
    }


def globex_rows() -> dict[str, list[dict]]:
    """Another tenant with the same names (and wild figures) and names of its own."""
    rows = acme_rows("globex")
    rows["runs"] += weekly_runs("globex", "secret-plan", [1.0] * 8 + [900.0])
    rows["runs"] += weekly_runs("globex", "steady", [1.0] * 8 + [5000.0])
    rows["api_calls"] += [
        {"tenant": "globex", "tier": "free", "status": 429, "rate_limited": True, "at": WEEK}
    ] * 500
    return rows


@pytest.fixture(scope="module")
def acme():
    connection = read_model(acme_rows())
    yield {(i.kind, i.subject): i for i in detect_insights(connection, "acme", NOW)}
    connection.close()


def test_the_synthetic_tables_have_exactly_the_contracts_view_columns():
    assert {v: list(c) for v, c in synthetic.COLUMNS.items()} == contract_views()


def test_a_weekly_cost_jump_is_said_in_one_sentence_with_its_numbers(acme):
    insight = acme["cost_jump", "churn"]
    assert insight.sentence == (
        "The churn workflow cost $48.00 last week (23\u201329 Nov), 2.3\u00d7 the week before "
        "($21.00); its usual week costs $20.00."
    )
    assert insight.subject_kind == "workflow"
    assert insight.impact_usd == pytest.approx(28.0)
    assert (insight.period_start, insight.period_end) == (WEEK, WEEK + timedelta(weeks=1))
    figures = insight.evidence["figures"]
    # median 20, MAD 1: the spread is 1.4826, so (48 - 20) / 1.4826
    assert figures["robust_z"] == pytest.approx(28 / 1.4826, abs=0.01)
    assert figures["usual_cost_usd"] == 20 and figures["baseline_weeks"] == 8


def test_steady_and_tiny_changes_stay_out(acme):
    subjects = {subject for _, subject in acme}
    assert "steady" not in subjects
    assert "tiny" not in subjects  # 2.25x, but 50 cents


def test_a_duration_jump_prices_the_extra_time(acme):
    insight = acme["duration_jump", "report"]
    assert insight.sentence == (
        "Runs of the report workflow took 25.0 min (median) last week (23\u201329 Nov), "
        "2.5\u00d7 their usual 10.0 min."
    )
    assert insight.impact_usd == pytest.approx(20 * (1 - 600 / 1500))


def test_a_failure_spike_against_a_workflow_that_never_failed(acme):
    insight = acme["failure_spike", "etl"]
    assert insight.sentence == (
        "5 of 14 runs of the etl workflow failed last week (23\u201329 Nov): 36%, "
        "against a usual 0%."
    )


def test_latency_after_a_deployment_is_compared_with_the_week_before(acme):
    insight = acme["latency_regression", "scorer"]
    # 10..109 ms a day before, twice that after: p95 (interpolated) 104.05 -> 208.1 ms.
    assert insight.sentence == (
        "The scorer endpoint's p95 latency rose from 104 ms to 208 ms (2.0\u00d7) after "
        "churn-model version 4 was deployed on 26 Nov."
    )
    figures = insight.evidence["figures"]
    assert (figures["requests_before"], figures["requests_after"]) == (700, 400)
    assert figures["p95_before_ms"] == pytest.approx(104.05)
    assert figures["p95_after_ms"] == pytest.approx(208.1)
    assert insight.impact_usd == pytest.approx(400 * 0.001)


def test_an_endpoint_without_traffic_but_not_a_barely_used_one(acme):
    insight = acme["idle_endpoint", "old-api"]
    assert insight.sentence == (
        "The old-api endpoint has had no requests for 15 days (the last on 15 Nov)."
    )
    assert ("idle_endpoint", "test-api") not in acme  # 10 requests ever: not news
    assert ("idle_endpoint", "scorer") not in acme


def test_a_tier_hitting_its_rate_limit(acme):
    insight = acme["rate_limit_pressure", "free"]
    assert insight.sentence == (
        "15% of the free tier's API calls were refused by the rate limit in the last 7 days "
        "(45 of 300, most on /api/v1/models/{name})."
    )
    assert ("rate_limit_pressure", "pro") not in acme  # 1 %


def test_nothing_else_is_found_and_the_list_is_ranked(acme):
    assert set(acme) == {
        ("cost_jump", "churn"),
        ("duration_jump", "report"),
        ("failure_spike", "etl"),
        ("latency_regression", "scorer"),
        ("idle_endpoint", "old-api"),
        ("rate_limit_pressure", "free"),
    }
    connection = read_model(acme_rows())
    ranked = detect_insights(connection, "acme", NOW)
    assert [i.score for i in ranked] == sorted((i.score for i in ranked), reverse=True)
    assert all(0 < i.score <= 1 for i in ranked)


def test_each_insights_evidence_is_a_query_the_questions_service_accepts(acme):
    for insight in acme.values():
        query = parse_query(insight.evidence["query"])
        assert query.filters[0].values == (insight.subject,)


def test_a_tenants_insights_neither_show_nor_depend_on_another_tenants_activity(acme):
    both = {view: acme_rows()[view] + globex_rows().get(view, []) for view in acme_rows()}
    connection = read_model(both)
    shared = detect_insights(connection, "acme", NOW)
    assert {(i.kind, i.subject): i for i in shared} == acme
    globex = detect_insights(connection, "globex", NOW)
    assert ("cost_jump", "secret-plan") in {(i.kind, i.subject) for i in globex}
    assert all("secret-plan" not in i.sentence for i in shared)
    steady = next(i for i in globex if i.subject == "steady")
    assert "$5,030.00" in steady.sentence  # globex's own $30 a week and $5,000 more
    assert detect_insights(connection, "initech", NOW) == []


def test_a_challenger_that_clearly_beats_or_trails_its_champion():
    better = compare(
        "churn-model",
        VersionMetrics(4, {"roc_auc": 0.80, "f1": 0.70}),
        VersionMetrics(5, {"roc_auc": 0.88, "f1": 0.705}),
        now=NOW,
    )
    assert better.sentence == (
        "The challenger of the churn-model model (version 5) scores 0.88 roc_auc against the "
        "champion's 0.8 (version 4): 10% better."
    )
    worse = compare(
        "demand", VersionMetrics(2, {"rmse": 10.0}), VersionMetrics(3, {"rmse": 12.0}), now=NOW
    )
    assert worse.sentence.endswith("20% worse.")  # rmse: lower is better
    same = compare(
        "demand", VersionMetrics(2, {"rmse": 10.0}), VersionMetrics(3, {"rmse": 10.2}), now=NOW
    )
    assert same is None


def test_a_run_of_another_week_only_is_not_compared():
    # Fewer than MIN_BASELINE_WEEKS weeks of history: no median to trust, no finding.
    rows = {"runs": weekly_runs("acme", "new", [1.0, 1.0, 90.0])}
    assert detect_insights(read_model(rows), "acme", NOW) == []
    rows = {"runs": [run("acme", "once", WEEK + timedelta(days=1), 500.0)]}
    assert detect_insights(read_model(rows), "acme", NOW) == []


def test_a_built_in_dag_is_named_by_its_dag_id_and_a_missing_week_before_is_skipped():
    rows = weekly_runs("acme", "airloom_model_benchmark", [20.0] * 7 + [0.0] + [60.0])
    rows = rows[:7] + rows[14:]  # no run in the week before
    for row in rows:
        row["workflow"] = None  # built-in DAGs have no workflow name
    (insight,) = detect_insights(read_model({"runs": rows}), "acme", NOW)
    assert insight.sentence == (
        "The airloom_model_benchmark workflow cost $60.00 last week (23\u201329 Nov), "
        "3.0\u00d7 its usual week ($20.00)."
    )
    assert insight.evidence["filters"] == {"dag_id": "airloom_model_benchmark"}
    assert parse_query(insight.evidence["query"]).filters[0].dimension == "dag_id"
