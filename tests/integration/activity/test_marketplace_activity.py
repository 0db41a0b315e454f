"""A one-click deploy through a real marketplace (its run executed by ``dag.test()``, a real
serving process and MLflow) sends ``deployment`` started (the marketplace) and ready (the run
itself, whether or not anybody reads its status); a run that fails sends failed. Each relayed
prediction is one ``invocation`` of the endpoint's tenant naming the version served, and another
tenant's attempt is none."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from mlflow import MlflowClient

from airloom import model_tags
from airloom.activity import producer as activity
from airloom.activity.events import DeploymentEvent, InvocationEvent
from marketplace.activity import deployment_event, predictions_in
from marketplace.models import CheckRun
from tests.harness.airflow import run_dag
from tests.harness.servers import RunningServer
from tests.integration.activity.reading import new_tenant, read_events
from tests.integration.marketplace.airflow_runs import DagTestAirflow
from tests.integration.marketplace.conftest import Marketplace, open_marketplace
from tests.integration.serving.support import register_linear, serving_server

pytestmark = pytest.mark.usefixtures("airflow_db", "airloom_connections")


@pytest.fixture(scope="module")
def airflow() -> DagTestAirflow:
    return DagTestAirflow()


@pytest.fixture(scope="module")
def market(
    mlflow: RunningServer, broker: RunningServer, tmp_path_factory, airflow: DagTestAirflow
) -> Iterator[Marketplace]:
    state = tmp_path_factory.mktemp("activity-deploy")
    with (
        serving_server(state / "serving", mlflow.url) as serving,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("AIRLOOM_SERVING_URL", serving.url)
        env.setenv(activity.BOOTSTRAP_ENV, broker.url)
        with open_marketplace(f"sqlite:///{state / 'marketplace.db'}", mlflow.url) as app:
            app.app.state.airflow = lambda: airflow
            yield app


def test_a_deploy_and_its_predictions_are_the_tenants_activity(
    mlflow: RunningServer, broker: RunningServer, market: Marketplace, airflow: DagTestAirflow
) -> None:
    tenant, other = new_tenant("acme"), new_tenant("globex")
    model = endpoint = f"activity-{uuid.uuid4().hex[:8]}"
    version = register_linear(mlflow.url, model, slope=2.0)
    MlflowClient(mlflow.url).set_registered_model_tag(model, model_tags.TENANT, tenant)
    validated = run_dag("model_validation", {"model_name": model, "version": version})
    assert validated.succeeded, validated.task_states
    market.sync()
    mine, theirs = market.key(tenant, "pro"), market.key(other, "pro")

    started = market.client.post(
        f"/api/v1/models/{model}/versions/{version}/deploy",
        json={"endpoint": endpoint},
        headers=mine,
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    assert airflow.execute(run_id).succeeded

    # The run's end is reported by the run itself: nobody has read its status yet.
    def mine_deployments(event: object) -> bool:
        return isinstance(event, DeploymentEvent) and event.tenant == tenant

    deployments = read_events(broker.url, mine_deployments, count=2, timeout=15)
    assert [(d.state, d.action, d.source) for d in deployments] == [
        ("started", "deploy", "marketplace"),
        ("ready", "deploy", "airflow"),
    ]
    assert {(d.endpoint, d.model, d.model_version, d.target) for d in deployments} == {
        (endpoint, model, version, "local")
    }
    for _ in range(2):  # reading the status, twice, adds no event
        status = market.client.get(f"/api/v1/deployments/{run_id}", headers=mine).json()
        assert status["phase"] == "ready", status

    rows = {"dataframe_split": {"columns": ["tenure", "spend"], "data": [[1.0, 2.0], [3.0, 4.0]]}}
    url = f"/api/v1/endpoints/{endpoint}/invocations"
    assert market.client.post(url, json=rows, headers=mine).status_code == 200
    assert market.client.post(url, json=rows, headers=theirs).status_code == 404

    [call] = read_events(
        broker.url, lambda e: isinstance(e, InvocationEvent) and e.tenant == tenant, count=1
    )
    assert (call.endpoint, call.model, call.predictions, call.ok) == (endpoint, model, 2, True)
    assert call.model_version == version
    assert call.latency_ms > 0 and call.target == "local"
    # The other tenant's refused attempt is not an invocation of this endpoint, nor theirs.
    assert not read_events(
        broker.url,
        lambda e: (
            isinstance(e, InvocationEvent)
            and (e.tenant == other or e.endpoint == endpoint)
            and e.event_id != call.event_id
        ),
        count=1,
        timeout=2,
    )
    # Still the two deployment events, after the status reads (the invocation came later).
    assert len(read_events(broker.url, mine_deployments, count=3, timeout=2)) == 2


def test_a_deployment_run_that_fails_before_it_reports_a_phase_still_reports_its_end(
    broker: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(activity.BOOTSTRAP_ENV, broker.url)
    # A conf the rollout refuses (an unknown key): the task fails before it pushes any phase.
    tenant = new_tenant("acme")
    conf = {"model_name": "churn", "version": 7, "tenant": tenant, "endpoint": "churn-eu"}
    result = run_dag("model_deployment", {**conf, "colour": "blue"})
    assert result.state == "failed"

    events = read_events(broker.url, lambda e: e.tenant == tenant, count=4, timeout=8)
    [end] = [e for e in events if isinstance(e, DeploymentEvent)]
    assert (end.state, end.source, end.action) == ("failed", "airflow", "deploy")
    assert (end.endpoint, end.model, end.model_version, end.target) == (
        "churn-eu",
        "churn",
        7,
        "local",
    )


def test_a_sagemaker_deployment_names_the_instance_type_its_hours_cost(
    broker: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(activity.BOOTSTRAP_ENV, broker.url)
    tenant = new_tenant("acme")
    conf = {"target": "sagemaker", "endpoint": "churn", "action": "rollback"}
    run = CheckRun(tenant=tenant, model_name="churn", version=3, endpoint="churn", conf=conf)
    deployment_event(run, "started")
    [event] = read_events(broker.url, lambda e: e.tenant == tenant, count=1)
    assert isinstance(event, DeploymentEvent)
    assert (event.target, event.instance_type, event.action) == (
        "sagemaker",
        "ml.m5.large",
        "rollback",
    )


@pytest.mark.parametrize(
    ("answer", "rows"),
    [
        (b'{"predictions": [1, 2, 3]}', 3),
        (b'{"predictions": {"label": [0, 1], "score": [0.1, 0.9]}}', 2),
        (b'{"predictions": []}', 0),
        (b"not json", 0),
    ],
)
def test_rows_predicted_are_counted_from_the_answer(answer: bytes, rows: int) -> None:
    assert predictions_in(answer) == rows
