"""One-click deploy through the marketplace: a `model_deployment` DAG run (run with
dag.test()) started at once, its phases, a real serving process and MLflow server; then
predicting, a second version, rollback, history, deletion and other tenants trying to reach
it all."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from mlflow import MlflowClient

from airloom import model_tags
from airloom.activity import producer as activity
from airloom.activity.events import DeploymentEvent, InvocationEvent
from tests.harness.airflow import run_dag
from tests.harness.sagemaker import sagemaker_on_moto
from tests.integration.activity.reading import read_events
from tests.integration.marketplace.airflow_runs import DagTestAirflow
from tests.integration.marketplace.conftest import Marketplace, open_marketplace
from tests.integration.serving.support import expected, register_linear, serving_server

pytestmark = pytest.mark.usefixtures("airflow_db", "airloom_connections")

MODEL = "deploy-routes-churn"
ENDPOINT = "deploy-routes-churn"
ROWS = [[1.0, 2.0], [6.0, 1.0]]


@pytest.fixture(scope="module")
def airflow() -> DagTestAirflow:
    return DagTestAirflow()


@pytest.fixture(scope="module")
def market(mlflow, broker, tmp_path_factory, airflow) -> Iterator[Marketplace]:
    state = tmp_path_factory.mktemp("deploy-routes")
    with (
        serving_server(state / "serving", mlflow.url) as serving,
        pytest.MonkeyPatch.context() as env,
    ):
        # The marketplace's local target and the DAG's both find the serving process here.
        env.setenv("AIRLOOM_SERVING_URL", serving.url)
        env.setenv(activity.BOOTSTRAP_ENV, broker.url)  # both send their activity to it
        with open_marketplace(f"sqlite:///{state / 'marketplace.db'}", mlflow.url) as app:
            app.app.state.airflow = lambda: airflow
            yield app


@pytest.fixture(scope="module")
def versions(mlflow, market) -> dict[str, int]:
    """Versions 1 and 2 pass validation (by the real DAG); version 3 fails it."""
    tags = {model_tags.TENANT: "acme"}
    numbers = {}
    for label, slope in (("first", 2.0), ("second", 3.0), ("failing", 4.0)):
        numbers[label] = register_linear(mlflow.url, MODEL, slope=slope)
    MlflowClient(mlflow.url).set_registered_model_tag(
        MODEL, model_tags.TENANT, tags[model_tags.TENANT]
    )
    for label in ("first", "second"):
        result = run_dag("model_validation", {"model_name": MODEL, "version": numbers[label]})
        assert result.succeeded, result.task_states
    failing = run_dag(
        "model_validation",
        {
            "model_name": MODEL,
            "version": numbers["failing"],
            "thresholds": {"r2": {"goal": "maximize", "minimum": 1.5}},
        },
    )
    assert not failing.succeeded
    market.sync()
    return numbers


@pytest.fixture(scope="module")
def acme(market) -> dict[str, str]:
    return market.key("acme", "pro")


def _deploy(market, airflow, headers, version: int, **body) -> dict:
    response = market.client.post(
        f"/api/v1/models/{MODEL}/versions/{version}/deploy", json=body, headers=headers
    )
    assert response.status_code == 202, response.text
    started = response.json()
    assert (started["state"], started["phase"]) == ("queued", "queued"), started
    result = airflow.execute(started["run_id"])
    assert result.succeeded, result.task_states
    market.sync()
    return started


def _champion(mlflow) -> str:
    return MlflowClient(mlflow.url).get_model_version_by_alias(MODEL, "champion").version


def _predict(market, headers, payload) -> tuple[int, dict]:
    response = market.client.post(
        f"/api/v1/endpoints/{ENDPOINT}/invocations", json=payload, headers=headers
    )
    return response.status_code, response.json()


def _activity(broker, kind: type, count: int, timeout: float = 15, **fields) -> list:
    """This module's ``kind`` events (tenant acme, this model's endpoint) on the real broker."""

    def wanted(event) -> bool:
        mine = isinstance(event, kind) and event.tenant == "acme" and event.endpoint == ENDPOINT
        return mine and all(getattr(event, name) == value for name, value in fields.items())

    return read_events(broker.url, wanted, count=count, timeout=timeout)


def test_deploy_predict_deploy_again_roll_back_and_read_the_history(
    mlflow, broker, market, airflow, versions, acme
) -> None:
    started = _deploy(market, airflow, acme, versions["first"], reason="first release")

    assert started["status_url"] == f"/api/v1/deployments/{started['run_id']}"
    assert (started["target"], started["endpoint"], started["requested_by"]) == (
        "local",
        ENDPOINT,
        "test@acme",
    )
    progress = market.client.get(started["status_url"], headers=acme).json()
    assert (progress["state"], progress["phase"], progress["rolled_back"]) == (
        "success",
        "ready",
        False,
    )
    assert progress["model_uri"] == f"models:/{MODEL}/{versions['first']}"
    endpoint = market.client.get(f"/api/v1/endpoints/{ENDPOINT}", headers=acme).json()
    assert (endpoint["version"], endpoint["status"], endpoint["model"]) == (1, "ready", MODEL)
    assert _champion(mlflow) == str(versions["first"])
    for payload in (
        {"dataframe_split": {"columns": ["tenure", "spend"], "data": ROWS}},
        {"dataframe_records": [{"tenure": t, "spend": s} for t, s in ROWS]},
        {"instances": [{"tenure": t, "spend": s} for t, s in ROWS]},
        {"inputs": {"tenure": [r[0] for r in ROWS], "spend": [r[1] for r in ROWS]}},
    ):
        status, body = _predict(market, acme, payload)
        assert status == 200, body
        assert body["predictions"] == pytest.approx([expected(2.0, t, s) for t, s in ROWS])

    _deploy(market, airflow, acme, versions["second"], reason="better")
    status, body = _predict(market, acme, {"dataframe_records": [{"tenure": 1.0, "spend": 2.0}]})
    assert body["predictions"] == pytest.approx([expected(3.0, 1.0, 2.0)])
    assert _champion(mlflow) == str(versions["second"])

    rolled = market.client.post(
        f"/api/v1/endpoints/{ENDPOINT}/rollback", json={"reason": "complaints"}, headers=acme
    )
    assert rolled.status_code == 202, rolled.text
    assert (rolled.json()["version"], rolled.json()["action"]) == (versions["first"], "rollback")
    assert airflow.execute(rolled.json()["run_id"]).succeeded
    status, body = _predict(market, acme, {"dataframe_records": [{"tenure": 1.0, "spend": 2.0}]})
    assert body["predictions"] == pytest.approx([expected(2.0, 1.0, 2.0)])
    assert _champion(mlflow) == str(versions["first"])

    history = market.client.get(f"/api/v1/endpoints/{ENDPOINT}/history", headers=acme).json()
    moves = [
        (e["from_version"], e["version"], e["deployed_by"], e["reason"]) for e in history["events"]
    ]
    assert moves == [
        (None, "1", "test@acme", "first release"),
        ("1", "2", "test@acme", "better"),
        ("2", "1", "test@acme", "rollback from version 2 to 1: complaints"),
    ]
    assert all(e["deployed_at"] and e["target"] == "local" for e in history["events"])
    assert [r["action"] for r in history["runs"]] == ["rollback", "deploy", "deploy"]
    by_model = market.client.get(f"/api/v1/models/{MODEL}/deployments", headers=acme).json()
    assert [e["version"] for e in by_model["events"]] == ["1", "2", "1"]

    # Each prediction names the version that served it: four on the first, one on the second,
    # one after the rollback to the first (events of one tenant keep their order).
    calls = _activity(broker, InvocationEvent, count=6)
    first, second = versions["first"], versions["second"]
    assert [c.model_version for c in calls] == [first] * 4 + [second, first]


def test_a_version_that_failed_validation_is_accepted_then_fails_with_the_report(
    mlflow, broker, market, airflow, versions, acme
):
    champion_before = _champion(mlflow)

    response = market.client.post(
        f"/api/v1/models/{MODEL}/versions/{versions['failing']}/deploy", headers=acme
    )

    assert response.status_code == 202, response.text
    assert not airflow.execute(response.json()["run_id"]).succeeded
    status = market.client.get(response.json()["status_url"], headers=acme).json()
    assert (status["state"], status["phase"]) == ("failed", "failed"), status
    assert status["phase_reason"], status
    failed = [c["name"] for c in status["validation"]["checks"] if not c["passed"]]
    assert failed == ["metric_thresholds"]
    assert _champion(mlflow) == champion_before
    endpoint = market.client.get(f"/api/v1/endpoints/{ENDPOINT}", headers=acme).json()
    assert endpoint["version"] == int(champion_before)
    # The refused run reported its own end, once, though its status was read.
    # (one more asked for than expected: none comes within the timeout)
    ends = _activity(broker, DeploymentEvent, 3, timeout=5, model_version=versions["failing"])
    assert [(e.state, e.source) for e in ends] == [
        ("started", "marketplace"),
        ("failed", "airflow"),
    ]
    # The endpoint still serves the champion, and its predictions say so.
    status, _ = _predict(market, acme, {"dataframe_records": [{"tenure": 1.0, "spend": 2.0}]})
    assert status == 200
    latest = _activity(broker, InvocationEvent, count=7)[-1]
    assert latest.model_version == int(champion_before)


def test_a_version_never_validated_is_accepted_at_once_for_the_run_to_validate(
    mlflow, market, airflow, versions, acme
) -> None:
    version = register_linear(mlflow.url, MODEL, slope=9.0)
    market.sync()

    began = time.perf_counter()
    response = market.client.post(
        f"/api/v1/models/{MODEL}/versions/{version}/deploy",
        json={"endpoint": "never-validated"},
        headers=acme,
    )
    elapsed = time.perf_counter() - began

    assert response.status_code == 202, response.text
    assert elapsed < 1.0, f"the deploy request took {elapsed:.2f} s"
    run = airflow.runs[response.json()["run_id"]]
    assert (run["dag_id"], run["state"]) == ("model_deployment", "queued")
    assert run["conf"]["require_validation"] is True and run["conf"]["version"] == version
    again = market.client.post(
        f"/api/v1/models/{MODEL}/versions/{versions['first']}/deploy",
        json={"endpoint": "never-validated"},
        headers=acme,
    )
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    assert response.json()["run_id"] in again.json()["detail"]


def test_a_payload_that_breaks_the_signature_is_a_422_naming_the_column(market, acme) -> None:
    status, body = _predict(
        market, acme, {"dataframe_split": {"columns": ["tenure"], "data": [[1]]}}
    )

    assert (status, body["code"]) == (422, "invalid_input")
    assert "'spend'" in body["detail"]


def test_another_tenant_can_neither_see_nor_call_nor_change_the_endpoint(
    market, airflow, versions, acme
) -> None:
    globex = market.key("globex", "enterprise")
    run_id = next(iter(airflow.runs))
    attempts = [
        ("GET", f"/api/v1/endpoints/{ENDPOINT}", None),
        ("POST", f"/api/v1/endpoints/{ENDPOINT}/invocations", {"inputs": {"tenure": [1.0]}}),
        ("POST", f"/api/v1/endpoints/{ENDPOINT}/rollback", None),
        ("GET", f"/api/v1/endpoints/{ENDPOINT}/history", None),
        ("DELETE", f"/api/v1/endpoints/{ENDPOINT}", None),
        ("POST", f"/api/v1/models/{MODEL}/versions/{versions['first']}/deploy", None),
        ("GET", f"/api/v1/models/{MODEL}/deployments", None),
        ("GET", f"/api/v1/deployments/{run_id}", None),
    ]  # fmt: skip
    for method, path, body in attempts:
        response = market.client.request(method, path, json=body, headers=globex)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
    listed = market.client.get("/api/v1/endpoints", headers=globex).json()["endpoints"]
    assert listed == []
    assert market.client.get(f"/api/v1/endpoints/{ENDPOINT}", headers=acme).status_code == 200


def test_an_endpoint_name_in_use_by_another_tenant_cannot_be_taken(mlflow, market) -> None:
    version = register_linear(mlflow.url, "deploy-routes-globex", slope=1.0)
    MlflowClient(mlflow.url).set_registered_model_tag(
        "deploy-routes-globex", model_tags.TENANT, "globex"
    )
    market.sync()

    response = market.client.post(
        f"/api/v1/models/deploy-routes-globex/versions/{version}/deploy",
        json={"endpoint": ENDPOINT},
        headers=market.key("globex"),
    )

    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert f"endpoint name {ENDPOINT!r} is taken" in response.json()["detail"]


def test_refusals_name_the_problem(market, versions) -> None:
    free = market.key("acme", "free")
    path = f"/api/v1/models/{MODEL}/versions/{versions['first']}/deploy"

    sagemaker = market.client.post(path, json={"target": "sagemaker"}, headers=free)
    bad_name = market.client.post(path, json={"endpoint": "no_underscores"}, headers=free)
    unknown = market.client.post(f"/api/v1/models/{MODEL}/versions/99/deploy", headers=free)
    anonymous = market.client.post(f"/api/v1/endpoints/{ENDPOINT}/invocations", json={})

    assert (sagemaker.status_code, sagemaker.json()["code"]) == (403, "forbidden")
    assert "needs the pro or enterprise tier" in sagemaker.json()["detail"]
    assert bad_name.status_code == 422 and bad_name.json()["detail"][0]["field"] == "body.endpoint"
    assert unknown.status_code == 404 and "has no version 99" in unknown.json()["detail"]
    assert anonymous.status_code == 401


def test_a_deleted_endpoint_answers_404(market, acme) -> None:
    assert market.client.delete(f"/api/v1/endpoints/{ENDPOINT}", headers=acme).status_code == 204

    status, body = _predict(market, acme, {"inputs": {"tenure": [1.0], "spend": [1.0]}})
    again = market.client.delete(f"/api/v1/endpoints/{ENDPOINT}", headers=acme)
    read = market.client.get(f"/api/v1/endpoints/{ENDPOINT}", headers=acme)
    listed = market.client.get("/api/v1/endpoints", headers=acme).json()["endpoints"]

    assert (status, body["code"]) == (404, "not_found")
    assert again.status_code == 404 and read.status_code == 404
    assert ENDPOINT not in {e["name"] for e in listed}


def test_deploying_to_sagemaker_through_the_dag_and_calling_it(
    moto, mlflow, market, airflow, versions, acme
) -> None:
    """On moto (see tests/integration/deploy/test_sagemaker_target.py for what it covers):
    the endpoint is created through MLflow's SageMaker client and invocations reach the
    SageMaker runtime API, which answers what moto is told to answer."""
    with sagemaker_on_moto(moto.url, "airloom-marketplace-sm"):
        _deploy(market, airflow, acme, versions["first"], target="sagemaker", endpoint="acme-sm")
        endpoint = market.client.get("/api/v1/endpoints/acme-sm", headers=acme).json()
        httpx.post(
            f"{moto.url}/moto-api/static/sagemaker/endpoint-results",
            json={"results": [{"Body": json.dumps({"predictions": [4.0]}),
                               "ContentType": "application/json"}]},
        ).raise_for_status()  # fmt: skip
        called = market.client.post(
            "/api/v1/endpoints/acme-sm/invocations",
            json={"inputs": {"tenure": [1.0], "spend": [2.0]}},
            headers=acme,
        )
        history = market.client.get("/api/v1/endpoints/acme-sm/history", headers=acme).json()
        deleted = market.client.delete("/api/v1/endpoints/acme-sm", headers=acme)
        gone = market.client.get("/api/v1/endpoints/acme-sm", headers=acme)

    assert (endpoint["target"], endpoint["status"], endpoint["version"]) == (
        "sagemaker",
        "InService",
        versions["first"],
    )
    assert (called.status_code, called.json()) == (200, {"predictions": [4.0]})
    assert [(e["target"], e["endpoint"]) for e in history["events"]] == [("sagemaker", "acme-sm")]
    assert deleted.status_code == 204 and gone.status_code == 404
