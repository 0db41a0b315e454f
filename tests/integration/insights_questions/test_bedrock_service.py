"""The insights service reading questions with Bedrock when its settings say so: over HTTP, with
activity sent through the real broker, the model's reading answers from the caller's own data,
the prompt holds only the caller's names, and a throttled model never fails the request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.insights.conftest import (
    Insights,
    event,
    eventually,
    insights_settings,
    open_insights,
)
from tests.integration.insights_questions.bedrock_stand_in import (
    BedrockStandIn,
    ErrorAnswer,
    ToolAnswer,
    bedrock_stand_in,
)

MODEL = "amazon.nova-lite-v1:0"


def finished_run(tenant: str, workflow: str, run_id: str) -> list[dict]:
    at = datetime.now(UTC) - timedelta(hours=2)
    common = {"dag_id": workflow, "run_id": run_id, "workflow": workflow, "state": "success"}
    return [
        event("task_run", tenant, at, task_id="t", node_type="python", duration_s=60, **common),
        event("dag_run", tenant, at, ended_at=at.isoformat(), duration_s=60, **common),
    ]


def last_days(days: int) -> dict[str, str]:
    end = datetime.now(UTC) + timedelta(hours=1)
    return {"start": (end - timedelta(days=days)).isoformat(), "end": end.isoformat()}


@pytest.fixture(scope="module")
def stand_in() -> Iterator[BedrockStandIn]:
    with bedrock_stand_in() as server:
        yield server


@pytest.fixture(scope="module")
def service(broker, stand_in, tmp_path_factory) -> Iterator[Insights]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bedrock-service")
    settings = insights_settings(
        broker.url,
        folder / "lake",
        f"sqlite:///{folder / 'insights.db'}",
        translator="bedrock",
        bedrock_model_id=MODEL,
        bedrock_region="eu-west-1",
        bedrock_endpoint_url=stand_in.url,
        bedrock_max_attempts=2,
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "AKIAAIRLOOMTEST00000")
        env.setenv("AWS_SECRET_ACCESS_KEY", "airloom-test-secret")
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("AWS_CONFIG_FILE", str(folder / "no-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "no-credentials"))
        with open_insights(settings) as running:
            running.send(
                *finished_run("acme", "churn", "a1"),
                *finished_run("acme", "churn", "a2"),
                *finished_run("globex", "secret-merger", "g1"),
            )
            viewer = running.headers("acme", "viewer")
            eventually(lambda: ask(running, viewer, "runs last 7 days")["rows"] == [[2]])
            yield running


def ask(insights: Insights, headers: dict[str, str], question: str) -> dict:
    response = insights.client.post(
        "/api/v1/questions", json={"question": question}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_service_reads_questions_with_the_model_its_settings_name(service, stand_in):
    reading = {"metrics": ["runs"], "group_by": ["workflow"], "time_range": last_days(7)}
    stand_in.answer(ToolAnswer(reading))
    answer = ask(service, service.headers("acme", "viewer"), "which workflows ran this week?")
    assert answer["status"] == "understood", answer["message"]
    assert answer["message"].startswith(f"Read by the Bedrock model {MODEL}: Runs per workflow")
    assert answer["rows"] == [["churn", 2]]  # globex's run is not acme's
    [call] = stand_in.calls
    assert call.model_id == MODEL
    assert '"churn"' in call.body["messages"][0]["content"][0]["text"]
    assert "secret-merger" not in str(call.body)  # another tenant's names never reach the model


def test_a_reading_of_another_tenants_workflow_is_not_run(service, stand_in):
    reading = {"metrics": ["runs"], "filters": [{"dimension": "workflow", "values": ["churn"]}]}
    stand_in.answer(ToolAnswer(reading))
    answer = ask(service, service.headers("globex", "viewer"), "how often did churn run")
    assert answer["status"] == "not_understood"
    assert "workflow churn is not one of yours" in answer["message"]
    assert answer["rows"] == [] and answer["sql"] is None


def test_a_throttled_model_leaves_the_answer_to_the_offline_translator(service, stand_in):
    stand_in.answer(otherwise=ErrorAnswer(429, "ThrottlingException", "Too many requests"))
    answer = ask(service, service.headers("acme", "viewer"), "runs last 7 days")
    assert len(stand_in.calls) == 2
    assert answer["status"] == "understood" and answer["rows"] == [[2]]
    assert "offline translator because" in answer["message"]
    assert "(ThrottlingException)" in answer["message"]
