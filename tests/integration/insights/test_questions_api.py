"""POST /api/v1/questions: an understood question is answered with its reading, SQL, numbers and
chart from the caller's own activity; one it did not understand gets readings and no numbers;
another tenant's data is refused; a reading sent back is run as it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.insights.conftest import Insights, event, eventually

HOUR = 3600
WORKER = 0.06  # insights/rates/local.yaml: a worker-hour, for node types without their own


def finished_run(tenant: str, workflow: str, run_id: str, seconds: float) -> list[dict]:
    at = datetime.now(UTC) - timedelta(hours=2)
    common = {"dag_id": workflow, "run_id": run_id, "workflow": workflow, "state": "success"}
    return [
        event(
            "task_run", tenant, at, task_id="t", node_type="python", duration_s=seconds, **common
        ),
        event("dag_run", tenant, at, ended_at=at.isoformat(), duration_s=seconds, **common),
    ]


@pytest.fixture(scope="module")
def activity(insights: Insights) -> None:
    insights.send(
        *finished_run("acme", "churn", "a1", HOUR),
        *finished_run("acme", "churn", "a2", HOUR),
        *finished_run("acme", "billing", "a3", HOUR / 2),
        *finished_run("globex", "secret-merger", "g1", 10 * HOUR),
    )
    viewer = insights.headers("acme", "viewer")
    eventually(lambda: ask(insights, viewer, "runs last 7 days")["rows"] == [[3]])
    eventually(
        lambda: ask(insights, insights.headers("globex"), "runs last 7 days")["rows"] == [[1]]
    )


def ask(insights: Insights, headers: dict[str, str], question: str | None = None, **body) -> dict:
    payload = {"question": question} if question is not None else body
    response = insights.client.post("/api/v1/questions", json=payload, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_understood_question_answers_in_words_sql_numbers_and_chart(insights, activity):
    answer = ask(insights, insights.headers("acme", "viewer"), "cost by workflow last 7 days")
    assert answer["status"] == "understood"
    assert answer["interpretation"]["text"].startswith("Cost per workflow, the last 7 days")
    assert answer["confidence"] >= 0.8 and answer["chart"] == "bar"
    assert "$tenant" in answer["sql"] and "acme" not in answer["sql"]  # bound, not pasted
    assert answer["columns"] == ["workflow", "cost"]
    assert answer["rows"] == [
        ["churn", pytest.approx(2 * WORKER)],
        ["billing", pytest.approx(WORKER / 2)],
    ]


def test_roi_follows_the_value_definitions(insights, activity):
    editor = insights.headers("acme", "editor")
    body = {"target_kind": "workflow", "target": "billing", "basis": "per_run", "amount_usd": "3"}
    assert insights.client.post("/api/v1/values", json=body, headers=editor).status_code == 201
    answer = ask(insights, editor, "roi of billing last 7 days")
    assert answer["status"] == "understood"
    assert answer["rows"] == [[pytest.approx((3 - WORKER / 2) / (WORKER / 2))]]


def test_a_question_it_did_not_understand_gets_readings_and_no_numbers(insights, activity):
    viewer = insights.headers("acme", "viewer")
    answer = ask(insights, viewer, "cost of churn excluding weekends last 7 days")
    assert answer["status"] == "not_understood"
    assert answer["rows"] == [] and answer["sql"] is None and answer["columns"] == []
    assert answer["alternatives"], answer["message"]
    # Picking a reading asks exactly it.
    picked = answer["alternatives"][0]
    again = ask(insights, viewer, query=picked["query"])
    assert again["status"] == "understood"
    assert again["interpretation"]["text"] == picked["text"]
    assert again["rows"]


def test_another_tenants_data_is_never_answered(insights, activity):
    acme = insights.headers("acme", "viewer")
    for question in ("show globex's costs", "cost per tenant last 7 days", "globex runs"):
        answer = ask(insights, acme, question)
        assert answer["status"] == "refused", question
        assert answer["rows"] == [] and "only be about your own tenant" in answer["message"]
    everything = ask(insights, acme, "runs per workflow last 7 days")
    assert {row[0] for row in everything["rows"]} == {"churn", "billing"}
    # The other tenant's name does not make acme's query about it: the compiler binds acme.
    theirs = ask(insights, acme, query={"metrics": ["runs"], "group_by": ["workflow"]})
    assert "secret-merger" not in {row[0] for row in theirs["rows"]}
    globex = ask(insights, insights.headers("globex"), "runs per workflow last 7 days")
    assert globex["rows"] == [["secret-merger", 1]]


def test_the_body_is_a_question_or_a_reading_and_a_token_is_needed(insights):
    headers = insights.headers("acme", "viewer")
    for body in ({}, {"question": "runs", "query": {"metrics": ["runs"]}}, {"question": ""}):
        response = insights.client.post("/api/v1/questions", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["code"] == "invalid_input"
    unknown = {"query": {"metrics": ["bananas"]}}
    response = insights.client.post("/api/v1/questions", json=unknown, headers=headers)
    assert response.status_code == 422 and "bananas" in response.text
    response = insights.client.post("/api/v1/questions", json={"question": "runs"})
    assert response.status_code == 401
