"""A model's whole journey on the real local stack, through the public interfaces only.

Demo events → the `customer_churn` DAG in the real scheduler → a model registered straight
through MLflow → both found in marketplace search → compared → validated and benchmarked →
deployed with one call and called → a second version, never validated, deployed with one call
that answers at once while the deployment validates it (validating → ready) → rolled back with
its history → bad input answered clearly. The tests run in file order and share one `Journey`;
each step is what a user would do with the `airloom` CLI, Airflow's REST API v2, MLflow's
own client and the marketplace's REST API.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest

from tests.harness.stack import LocalStack, run_airloom

pytestmark = pytest.mark.e2e

CHURN = "customer_churn"
DIRECT = "direct_churn_baseline"
ENDPOINT = "customer-churn"  # the default endpoint name derived from the model's name
WHO = "local-admin@default"  # the key `airloom up` creates: its name and tenant
# One DAG run on a shared, loaded 2-core machine: Spark, training, evaluation, promotion.
DAG_RUN_SECONDS = 1500.0
CHECK_SECONDS = 900.0  # a validation, benchmark or deployment run
# A deploy or rollback request only checks, claims the endpoint and starts a run.
ANSWER_SECONDS = 1.0
SEARCH_SECONDS = 60.0  # the catalog polls MLflow every 5 s
ACTIVE = ("queued", "running")
# The same columns as customer_churn's, so the two models compare side by side.
FEATURES = ["n_events", "n_logins", "n_purchases", "total_spend", "avg_spend",
            "n_support_tickets", "days_since_last_event", "active_days", "plan_pro",
            "plan_enterprise"]  # fmt: skip

T = TypeVar("T")


@dataclass
class Journey:
    """What earlier steps found out, for the later ones."""

    stack: LocalStack
    market: httpx.Client
    versions: dict[str, int] = field(default_factory=dict)  # "v1", "v2", "direct"
    example: dict[str, Any] = field(default_factory=dict)  # a dataframe_split payload

    def version(self, label: str) -> int:
        assert label in self.versions, f"an earlier step did not produce {label}"
        return self.versions[label]


@pytest.fixture(scope="module")
def journey(stack: LocalStack) -> Iterator[Journey]:
    market = httpx.Client(
        base_url=stack.url("AIRLOOM_MARKETPLACE_PORT"),
        headers={"X-API-Key": stack.credentials["marketplace_key"]},
        timeout=120.0,
    )
    with market:
        yield Journey(stack, market)


@pytest.fixture(scope="module")
def mlflow_client(stack: LocalStack) -> Iterator[Any]:
    """MLflow's own fluent API and client, aimed at the stack's tracking server."""
    import mlflow

    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_DISABLE_TELEMETRY", "true")  # no internet: its thread races
        env.setenv("MLFLOW_TRACKING_URI", stack.mlflow_url)
        previous = mlflow.get_tracking_uri()
        mlflow.set_tracking_uri(stack.mlflow_url)
        try:
            yield mlflow.MlflowClient(stack.mlflow_url)
        finally:
            mlflow.set_tracking_uri(previous)


def poll(what: str, read: Callable[[], T], done: Callable[[T], bool], timeout: float) -> T:
    """Read until ``done``; fail naming ``what`` and the last answer at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"{what}: not done after {timeout:.0f} s: {value}"
        time.sleep(3)


def ok(response: httpx.Response, status: int = 200) -> Any:
    request = f"{response.request.method} {response.request.url.path}"
    assert response.status_code == status, f"{request} → {response.status_code}: {response.text}"
    return response.json() if response.content else None


def run_churn_dag(stack: LocalStack) -> str:
    """Unpause, trigger and wait for customer_churn (and any run the scheduler made), pause."""
    airflow = stack.airflow()
    airflow.wait_for_dag(CHURN, timeout=300)
    airflow.set_paused(CHURN, False)
    try:
        run = airflow.trigger(CHURN)
        finished = airflow.wait_for_run(CHURN, run.run_id, timeout=DAG_RUN_SECONDS, poll=5)
        failed = [t.task_id for t in airflow.task_instances(CHURN, run.run_id)
                  if t.state != "success"]  # fmt: skip
        assert finished.state == "success", f"{CHURN} run {run.run_id}: {failed} did not succeed"
        # Unpausing an @daily DAG also lets the scheduler start the latest interval's run:
        # let it end too, so no training runs behind the later steps' backs.
        for other in airflow.list_runs(CHURN):
            other = airflow.wait_for_run(CHURN, other.run_id, timeout=DAG_RUN_SECONDS, poll=5)
            assert other.state == "success", f"{CHURN} run {other.run_id} ended {other.state}"
    finally:
        airflow.set_paused(CHURN, True)
    return run.run_id


def version_trained_by(journey: Journey, airflow_run_id: str) -> int:
    """The customer_churn version whose lineage names this Airflow run, once listed."""

    def find() -> int | None:
        listing = journey.market.get(f"/api/v1/models/{CHURN}")
        if listing.status_code == 404:
            return None
        for summary in ok(listing)["versions"]:
            detail = ok(journey.market.get(f"/api/v1/models/{CHURN}/versions/{summary['version']}"))
            if detail["lineage"].get("airflow_run_id") == airflow_run_id:
                return detail["version"]
        return None

    found = poll(f"the version trained by {airflow_run_id}", find, bool, SEARCH_SECONDS)
    assert found is not None
    return found


def run_check(journey: Journey, kind: str, version: int, body: dict | None = None) -> dict:
    """POST …/validate or …/benchmark (202), then follow its status URL until it ends."""
    path = f"/api/v1/models/{CHURN}/versions/{version}/{kind}"
    started = ok(journey.market.post(path, json=body), 202)
    assert started["status_url"].endswith("/validation" if kind == "validate" else "/benchmark")
    return poll(
        f"{kind} of {CHURN} v{version} (run {started['run_id']})",
        lambda: ok(journey.market.get(started["status_url"])),
        lambda status: status["status"] not in (*ACTIVE, "not_run"),
        CHECK_SECONDS,
    )


def timed(send: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    began = time.perf_counter()
    response = send()
    return response, time.perf_counter() - began


def follow_deployment(journey: Journey, started: dict) -> tuple[dict, list[str]]:
    """Poll the status URL until the run ends: its last status and the phases seen, in order."""
    assert started["status_url"] == f"/api/v1/deployments/{quote(started['run_id'], safe='')}"
    phases: list[str] = []

    def read() -> dict:
        status = ok(journey.market.get(started["status_url"]))
        if not phases or phases[-1] != status["phase"]:
            phases.append(status["phase"])
        return status

    finished = poll(
        f"{started['action']} of {CHURN} v{started['version']} to {started['endpoint']}",
        read,
        lambda run: run["state"] not in ACTIVE,
        CHECK_SECONDS,
    )
    assert finished["state"] == "success", (
        f"deployment ended {finished['state']}: {finished}\n"
        + journey.stack.task_logs(finished["dag_id"], finished["run_id"])
    )
    assert phases[-1] == "ready" and "failed" not in phases, phases
    order = ["queued", "validating", "deploying", "ready"]
    assert phases == sorted(phases, key=order.index), f"phases out of order: {phases}"
    return finished, phases


def deploy(journey: Journey, version: int, reason: str) -> tuple[dict, list[str]]:
    body = {"target": "local", "reason": reason}
    path = f"/api/v1/models/{CHURN}/versions/{version}/deploy"
    response, elapsed = timed(lambda: journey.market.post(path, json=body))
    started = ok(response, 202)
    assert elapsed < ANSWER_SECONDS, f"the deploy request took {elapsed:.2f} s"
    assert started["endpoint"] == ENDPOINT and started["action"] == "deploy", started
    return follow_deployment(journey, started)


def predict(journey: Journey, payload: dict) -> httpx.Response:
    return journey.market.post(f"/api/v1/endpoints/{ENDPOINT}/invocations", json=payload)


def served_version(journey: Journey) -> int | None:
    return ok(journey.market.get(f"/api/v1/endpoints/{ENDPOINT}"))["version"]


def test_demo_events_train_customer_churn_in_the_scheduler(journey: Journey) -> None:
    loaded = run_airloom(journey.stack.env, "demo-data", "--only", "churn")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "churn:" in loaded.stdout and "topic customer_events" in loaded.stdout, loaded.stdout

    run_id = run_churn_dag(journey.stack)

    journey.versions["v1"] = version_trained_by(journey, run_id)


def test_models_from_the_dag_and_from_mlflow_directly_are_both_found(
    journey: Journey, mlflow_client: Any
) -> None:
    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, roc_auc_score

    rows = [[3 + i, 1 + i % 4, i % 3, 20.0 * i, 6.5 + i, i % 2, (i * 7) % 40, 1 + i % 9,
             int(i % 3 == 1), int(i % 5 == 0)] for i in range(16)]  # fmt: skip
    features = pd.DataFrame(rows, columns=FEATURES)
    churned = (features["days_since_last_event"] > 18).astype(int)
    model = LogisticRegression(max_iter=1000).fit(features, churned)
    # An explicit experiment: mlflow.set_experiment would leave MLFLOW_EXPERIMENT_ID set for
    # every later test in this process, pointing at an experiment other servers lack.
    experiment = mlflow_client.create_experiment("direct-registration")
    with mlflow.start_run(experiment_id=experiment, run_name="direct churn baseline"):
        mlflow.log_metrics(
            {
                "roc_auc": roc_auc_score(churned, model.predict_proba(features)[:, 1]),
                "accuracy": accuracy_score(churned, model.predict(features)),
            }
        )
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(features, model.predict(features)),
            input_example=features.head(3),
            registered_model_name=DIRECT,
        )
    registered = time.monotonic()
    journey.versions["direct"] = int(info.registered_model_version)

    def names() -> set[str]:
        page = ok(journey.market.get("/api/v1/models", params={"q": "churn"}))
        return {item["name"] for item in page["items"]}

    found = poll("search for 'churn'", names, lambda n: {CHURN, DIRECT} <= n, SEARCH_SECONDS)
    elapsed = time.monotonic() - registered
    assert {CHURN, DIRECT} <= found, f"after {elapsed:.0f} s search finds only {found}"
    direct = ok(journey.market.get(f"/api/v1/models/{DIRECT}"))
    assert direct["framework"] == "sklearn" and direct["metrics"]["roc_auc"] > 0.5, direct


def test_compare_shows_metrics_of_both(journey: Journey) -> None:
    body = {"versions": [{"name": CHURN, "version": journey.version("v1")},
                         {"name": DIRECT, "version": journey.version("direct")}]}  # fmt: skip
    compared = ok(journey.market.post("/api/v1/compare", json=body))

    assert [(v["name"], v["version"]) for v in compared["versions"]] == [
        (CHURN, journey.version("v1")),
        (DIRECT, journey.version("direct")),
    ]
    for version in compared["versions"]:
        assert version["metrics"], f"no metrics for {version['name']}: {compared}"
    assert all(value is not None for value in compared["metrics"]["roc_auc"]), compared
    assert compared["best"]["roc_auc"] in (0, 1), compared
    verdicts = {c["name"]: c["verdict"] for c in compared["signature_compatibility"]}
    assert verdicts[CHURN] == "identical" and verdicts[DIRECT] != "unknown", verdicts


def test_validation_passes_and_the_benchmark_reports_each_concurrency(journey: Journey) -> None:
    version = journey.version("v1")
    validation = run_check(journey, "validate", version)
    checks = {c["name"]: c["passed"] for c in validation["result"]["report"]["checks"]}
    assert validation["status"] == "passed", f"validation of v{version}: {validation}"
    assert all(checks.values()) and "loads_in_fresh_environment" in checks, checks

    benchmark = run_check(journey, "benchmark", version)
    assert benchmark["status"] == "completed", f"benchmark of v{version}: {benchmark}"
    levels = {level["concurrency"]: level for level in benchmark["result"]["report"]["levels"]}
    assert sorted(levels) == [1, 8, 32], levels
    for concurrency, level in levels.items():
        assert 0 < level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"], (concurrency, level)
        assert level["throughput_rps"] > 0 and level["requests"] >= 2, (concurrency, level)
    listed = ok(journey.market.get(f"/api/v1/models/{CHURN}/versions/{version}"))
    assert (listed["validation_status"], listed["benchmark_status"]) == ("passed", "completed")


def test_one_call_deploys_and_the_endpoint_predicts(journey: Journey, mlflow_client: Any) -> None:
    from mlflow.models import Model

    version = journey.version("v1")
    finished, _ = deploy(journey, version, reason="first churn model")
    assert finished["model_uri"] == f"models:/{CHURN}/{version}", finished
    assert served_version(journey) == version

    uri = f"models:/{CHURN}/{version}"
    example = Model.load(uri).load_input_example(uri)
    assert example is not None and len(example) > 0, f"{uri} has no input example"
    journey.example = {"dataframe_split": json.loads(example.to_json(orient="split", index=False))}
    answer = ok(predict(journey, journey.example))
    assert len(answer["predictions"]) == len(example), answer
    assert set(answer["predictions"]) <= {0, 1}, answer


def test_a_second_version_never_validated_deploys_and_one_call_rolls_back(
    journey: Journey,
) -> None:
    v1 = journey.version("v1")
    # No new events: the ingest adds nothing, and training runs again on the lake's events.
    run_id = run_churn_dag(journey.stack)
    v2 = journey.versions["v2"] = version_trained_by(journey, run_id)
    assert v2 > v1
    listed = ok(journey.market.get(f"/api/v1/models/{CHURN}/versions/{v2}"))
    assert listed["validation_status"] == "not_run", listed

    started_at = datetime.now().astimezone()
    finished, phases = deploy(journey, v2, reason="retrained churn model")
    # The deployment validated v2 itself, then served it.
    assert "validating" in phases, phases
    assert finished["validation_run_id"] and finished["validation"], finished
    assert all(check["passed"] for check in finished["validation"]["checks"]), finished
    assert (finished["model_uri"], finished["previous_model_uri"]) == (
        f"models:/{CHURN}/{v2}",
        f"models:/{CHURN}/{v1}",
    ), finished
    assert served_version(journey) == v2
    assert len(ok(predict(journey, journey.example))["predictions"]) > 0

    because = {"reason": "v2 flags loyal customers"}
    response, elapsed = timed(
        lambda: journey.market.post(f"/api/v1/endpoints/{ENDPOINT}/rollback", json=because)
    )
    started = ok(response, 202)
    assert elapsed < ANSWER_SECONDS, f"the rollback request took {elapsed:.2f} s"
    assert (started["action"], started["version"]) == ("rollback", v1), started
    _, phases = follow_deployment(journey, started)
    assert "validating" not in phases, phases  # v1 is what it served before: no gate
    assert served_version(journey) == v1, "the endpoint does not serve v1 after the rollback"
    assert len(ok(predict(journey, journey.example))["predictions"]) > 0

    history = ok(journey.market.get(f"/api/v1/endpoints/{ENDPOINT}/history"))
    events = history["events"]
    assert [int(e["version"]) for e in events] == [v1, v2, v1], events
    # What the endpoint served before each move, though the DAG itself promoted v2 first.
    assert [e["from_version"] for e in events] == [None, str(v1), str(v2)], events
    assert [e["reason"] for e in events] == [
        "first churn model",
        "retrained churn model",
        f"rollback from version {v2} to {v1}: v2 flags loyal customers",
    ], events
    assert all(e["deployed_by"] == WHO and e["target"] == "local" for e in events), events
    times = [datetime.fromisoformat(e["deployed_at"]) for e in events]
    assert times == sorted(times) and times[1] >= started_at, times
    assert [r["action"] for r in history["runs"]] == ["rollback", "deploy", "deploy"], history


def test_bad_input_is_answered_clearly(journey: Journey) -> None:
    market = journey.market
    unknown = market.get("/api/v1/models/no_such_churn_model")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found", unknown.text
    missing = market.post("/api/v1/models/no_such_churn_model/versions/1/deploy", json={})
    assert missing.status_code == 404, missing.text

    split = journey.example["dataframe_split"]
    assert split, "an earlier step found no input example"
    dropped = split["columns"].index("total_spend")
    broken = {"dataframe_split": {
        "columns": [c for c in split["columns"] if c != "total_spend"],
        "data": [[v for i, v in enumerate(row) if i != dropped] for row in split["data"]],
    }}  # fmt: skip
    refused = predict(journey, broken)
    assert 400 <= refused.status_code < 500, refused.text
    assert "total_spend" in str(refused.json()["detail"]), refused.text

    ok(market.delete(f"/api/v1/endpoints/{ENDPOINT}"), 204)
    gone = predict(journey, journey.example)
    assert gone.status_code == 404, gone.text
    assert market.get(f"/api/v1/endpoints/{ENDPOINT}").status_code == 404
