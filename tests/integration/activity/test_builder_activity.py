"""The builder on a real store sends ``workflow_published`` when a version is published and one
``api_call`` per GraphQL request with a token, each as the caller's tenant's activity."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airloom.activity import producer as activity
from airloom.activity.events import ApiCallEvent, WorkflowPublishedEvent
from servicekit.airflow_client import RestAirflowClient
from tests.harness.servers import RunningServer, free_port
from tests.integration.activity.reading import read_events
from tests.integration.builder import queries
from tests.integration.builder.api import Builder, running_builder
from tests.integration.builder.specs import pipeline
from workflow_builder_api.core.config import Settings


@pytest.fixture(scope="module")
def builder(broker: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builder]:
    folder = tmp_path_factory.mktemp("builder")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'builder.db'}",
        dags_folder=str(folder / "dags"),
        templates_folder=folder / "templates",
    )
    nowhere = f"http://127.0.0.1:{free_port()}"  # no Airflow: publishing does not need it
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(activity.BOOTSTRAP_ENV, broker.url)
        with running_builder(
            settings, airflow_factory=lambda: RestAirflowClient(nowhere, "admin", "unused")
        ) as running:
            yield running


def test_publishing_a_version_is_the_tenants_workflow_published_event(
    builder: Builder, broker: RunningServer
) -> None:
    tenant, other = builder.tenant(), builder.tenant()
    editor = tenant.editor
    created = editor.data(queries.CREATE, input={"name": "orders", "spec": pipeline("orders")})
    workflow_id = created["createWorkflow"]["id"]
    assert editor.data(queries.PUBLISH, id=workflow_id, version=1)["publishWorkflow"]["published"]
    other.viewer.call(queries.PUBLISH, id=workflow_id, version=1)  # refused: not theirs

    [published] = read_events(
        broker.url, lambda e: isinstance(e, WorkflowPublishedEvent) and e.tenant == tenant.name, 1
    )
    assert (published.workflow, published.workflow_version) == ("orders", 1)
    assert published.actor == f"{tenant.name}-editor" and published.source == "builder"

    calls = read_events(
        broker.url, lambda e: isinstance(e, ApiCallEvent) and e.tenant == tenant.name, 2
    )
    assert [(c.route, c.method, c.status, c.tier) for c in calls] == [
        ("/graphql", "POST", 200, None)
    ] * 2
    # The other tenant's refused attempt is its own call; it published nothing.
    theirs = read_events(broker.url, lambda e: e.tenant == other.name, 1)
    assert [type(e) for e in theirs] == [ApiCallEvent]
    assert not read_events(
        broker.url,
        lambda e: isinstance(e, WorkflowPublishedEvent) and e.tenant == other.name,
        1,
        timeout=2,
    )
