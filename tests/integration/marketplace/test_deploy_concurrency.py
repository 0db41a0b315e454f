"""Concurrent deploys to one endpoint: exactly one starts a run, the others get a 409 naming it.

The marketplace is served by uvicorn and sent parallel requests from threads, on SQLite and
(when AIRLOOM_TEST_POSTGRES_URL is set) PostgreSQL, for a new endpoint name (the insert race)
and for an existing one (the conditional update race). Airflow is the recording stand-in of
`airflow_runs.py`, whose runs execute the real `model_deployment` DAG against a real serving
process and MLflow server.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from mlflow import MlflowClient

from airloom import model_tags
from marketplace.access import create_key
from marketplace.core.config import Settings
from marketplace.main import create_app
from marketplace.models import Endpoint
from servicekit.airflow_client import AirflowApiError
from tests.harness.airflow import run_dag
from tests.harness.asgi_server import serve_app
from tests.integration.marketplace.airflow_runs import DagTestAirflow
from tests.integration.marketplace.conftest import fresh_postgres_database
from tests.integration.serving.support import register_linear, serving_server

pytestmark = pytest.mark.usefixtures("airflow_db", "airloom_connections")

MODEL = "race-churn"
TENANT = "race"
RACERS = 12
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("AIRLOOM_TEST_POSTGRES_URL") else [])


@dataclass
class Served:
    url: str
    key: str
    app: object
    airflow: DagTestAirflow

    def deploy(self, version: int, endpoint: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/api/v1/models/{MODEL}/versions/{version}/deploy",
            json={"endpoint": endpoint, "reason": "race"},
            headers={"X-API-Key": self.key},
            timeout=60,
        )

    def row(self, endpoint: str) -> Endpoint | None:
        with self.app.state.session_factory() as session:
            return session.get(Endpoint, endpoint)


@pytest.fixture(scope="module")
def version(mlflow) -> int:
    """A validated version (a run validating it would wait for a model_validation run, which
    dag.test() does not execute)."""
    number = register_linear(mlflow.url, MODEL, slope=2.0)
    MlflowClient(mlflow.url).set_registered_model_tag(MODEL, model_tags.TENANT, TENANT)
    validated = run_dag("model_validation", {"model_name": MODEL, "version": number})
    assert validated.succeeded, validated.task_states
    return number


@pytest.fixture(scope="module", params=DATABASES)
def served(request, mlflow, version, tmp_path_factory) -> Iterator[Served]:
    state = tmp_path_factory.mktemp(f"race-{request.param}")
    if request.param == "sqlite":
        database = f"sqlite:///{state / 'marketplace.db'}"
    else:
        database = fresh_postgres_database(os.environ["AIRLOOM_TEST_POSTGRES_URL"])
    airflow = DagTestAirflow()
    with (
        serving_server(state / "serving", mlflow.url) as serving,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("AIRLOOM_SERVING_URL", serving.url)
        settings = Settings(
            database_url=database,
            mlflow_tracking_uri=mlflow.url,
            sync_enabled=False,
            log_level="WARNING",
            rate_limits={tier: "100000/minute" for tier in ("free", "pro", "enterprise")},
        )
        app = create_app(settings)
        app.state.airflow = lambda: airflow
        with serve_app(app) as url:
            app.state.catalog_sync.run_once(full=True)
            with app.state.session_factory() as session:
                key = create_key(session, TENANT, "pro", name="racer")
                session.commit()
            yield Served(url, key.key, app, airflow)


def race(served: Served, version: int, endpoint: str) -> list[httpx.Response]:
    """RACERS deploy requests to ``endpoint``, released at the same instant."""
    start = threading.Barrier(RACERS)
    answers: list[httpx.Response] = []

    def racer() -> None:
        start.wait()
        answers.append(served.deploy(version, endpoint))

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def one_winner(served: Served, answers: list[httpx.Response], endpoint: str) -> str:
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [202] + [409] * (RACERS - 1), [a.text for a in answers]
    (winner,) = [a.json() for a in answers if a.status_code == 202]
    for answer in answers:
        if answer.status_code == 409:
            body = answer.json()
            assert body["code"] == "conflict" and "in flight" in body["detail"], body
            assert winner["run_id"] in body["detail"], body  # names the run to follow
    runs = [r for r in served.airflow.runs.values() if r["conf"]["endpoint"] == endpoint]
    assert [r["dag_run_id"] for r in runs if r["state"] == "queued"] == [winner["run_id"]]
    row = served.row(endpoint)
    assert row is not None and (row.run_id, row.busy, row.tenant) == (
        winner["run_id"],
        True,
        TENANT,
    )
    return winner["run_id"]


def test_parallel_deploys_of_a_new_endpoint_start_one_run(served, version) -> None:
    answers = race(served, version, "race-new")

    run_id = one_winner(served, answers, "race-new")

    assert served.airflow.execute(run_id).succeeded
    status = httpx.get(
        f"{served.url}/api/v1/deployments/{run_id}", headers={"X-API-Key": served.key}
    ).json()
    assert (status["state"], status["phase"]) == ("success", "ready"), status
    assert served.row("race-new").busy is False  # the read released the endpoint


def test_parallel_deploys_of_an_existing_endpoint_start_one_run(served, version) -> None:
    first = served.deploy(version, "race-again")
    assert first.status_code == 202, first.text
    assert served.airflow.execute(first.json()["run_id"]).succeeded

    answers = race(served, version, "race-again")

    run_id = one_winner(served, answers, "race-again")
    assert run_id != first.json()["run_id"]


def test_a_run_airflow_refuses_to_start_leaves_the_endpoint_as_it_was(served, version) -> None:
    class Refusing(DagTestAirflow):
        def trigger(self, dag_id, conf=None, run_id=None):  # type: ignore[no-untyped-def]
            raise AirflowApiError(400, "POST", f"/dags/{dag_id}/dagRuns", "paused for upkeep")

    served.app.state.airflow = lambda: Refusing()
    try:
        refused = served.deploy(version, "race-refused")
    finally:
        served.app.state.airflow = lambda: served.airflow

    assert (refused.status_code, refused.json()["code"]) == (503, "unavailable")
    assert "paused for upkeep" in refused.json()["detail"]
    assert served.row("race-refused") is None  # nothing half-applied
    accepted = served.deploy(version, "race-refused")
    assert accepted.status_code == 202, accepted.text
