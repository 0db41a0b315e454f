"""Cross-tenant attacks on the real stack, each refused: the reproductions of issue 10.

Two tenants `airloom up` bootstrapped: ``victim`` and ``evil`` (editors in the builder, keys in
the marketplace). Each attack is what a tenant's editor can do through the builder's GraphQL;
what can be decided from the design is refused at validation, naming the node and the field,
and what cannot is refused by the task before it touches anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from mlflow import MlflowClient

from airloom import model_tags
from tests.e2e.stack_api import NO_RETRIES, Builder, codes, task_log, wait_until
from tests.harness.stack import LocalStack
from tests.integration.builder.specs import node, spec

pytestmark = pytest.mark.e2e


def loan_scoring(name: str, model: str, *, endpoint: str, note: str = "") -> dict[str, Any]:
    """CSV applications in the tenant's lake → train → deploy to a local endpoint."""
    return spec(
        name,
        defaults=NO_RETRIES,
        nodes=[
            node(
                "load",
                "file_ingest",
                {
                    "source": "lake://landing/loans/*.csv",
                    "format": "csv",
                    "dataset": "loans/applications",
                },
            ),
            node(
                "train",
                "train",
                {
                    "estimator": "logistic_regression",
                    "target": "approved",
                    "feature_columns": ["income", "debt", "years"],
                    "registered_model_name": model,
                    "tags": {"note": note} if note else {},
                },
            ),
            node(
                "serve",
                "deploy",
                {"target": "local", "endpoint": endpoint, "reason": "loan scoring"},
            ),
        ],
        edges=[
            {"source": "load.table", "target": "train.table"},
            {"source": "train.model", "target": "serve.model"},
        ],
    )


def test_a_design_cannot_name_what_lies_outside_its_tenant(tenants: dict[str, Any]) -> None:
    evil: Builder = tenants["evil_builder"]
    victim = tenants["victim"].name
    reads = {
        "passwd": "/etc/passwd",
        "file_url": "file:///etc/passwd",
        "climb": "lake://../../../etc/passwd",
        "neighbour": f"lake://tenants/{victim}/loans/applications/*.parquet",
        "bucket": "s3://production-lake/customers/*.parquet",
    }
    document = spec(
        "reach_out",
        schedule="* * * * *",
        metadata={"name": "reach_out", "tags": [f"tenant:{victim}"]},
        nodes=[
            *(
                node(
                    key,
                    "file_ingest",
                    {
                        "source": source,
                        "format": "csv",
                        "dataset": key,
                        "options": {"delimiter": ":"},
                    },
                )
                for key, source in reads.items()
            ),
            node(
                "crm",
                "sql_ingest",
                {"sql": "SELECT 1", "conn_id": "airloom_mlflow", "dataset": "crm"},
            ),
            node(
                "swap_lake",
                "sql_ingest",
                {
                    "sql": "SELECT 1",
                    "conn_id": "airloom_mlflow",
                    "dataset": "x",
                    "lake_conn_id": "prod_lake",
                },
            ),
            node("api", "http_ingest", {"endpoint": "/api/v2/connections", "dataset": "api"}),
            node(
                "forged",
                "train",
                {
                    "estimator": "logistic_regression",
                    "target": "y",
                    "registered_model_name": "evil_forged",
                    "tags": {
                        "airloom.validation.status": "passed",
                        "airloom.validation.run_id": "x",
                    },
                },
            ),
            node(
                "runs",
                "batch_score",
                {"model_uri": "runs:/0123456789abcdef/model", "output_dataset": "scored"},
            ),
        ],
        edges=[
            {"source": "passwd.table", "target": "forged.table"},
            {"source": "passwd.table", "target": "runs.table"},
        ],
    )
    found = codes(evil.problems(document))
    for key in reads:
        assert found[(key, f"nodes.{list(reads).index(key)}.params.source")] in (
            "OUTSIDE_TENANT",
            "RESERVED_NAME",
            "NOT_GRANTED",
        ), found
    base = len(reads)
    assert found[("crm", f"nodes.{base}.params.conn_id")] == "NOT_GRANTED"
    assert found[("swap_lake", f"nodes.{base + 1}.params.lake_conn_id")] == "NOT_GRANTED"
    assert found[("api", f"nodes.{base + 2}.params.http_conn_id")] == "NOT_GRANTED"
    forged = f"nodes.{base + 3}.params.tags.airloom.validation.status"
    assert found[("forged", forged)] == "RESERVED_NAME"
    assert found[("runs", f"nodes.{base + 4}.params.model_uri")] == "OUTSIDE_TENANT"
    assert found[("", "metadata.tags.0")] == "RESERVED_NAME"
    assert found[("", "schedule")] == "QUOTA_EXCEEDED"
    # Publishing says the same and writes nothing.
    workflow_id = evil.create(document)
    result = evil.publish(workflow_id)
    assert result["published"] is False and codes(result["problems"]) == found
    assert not list(evil.stack.workflows_repo.glob(f"{result['dagId']}.py"))


@pytest.fixture(scope="module")
def victim_serving(stack: LocalStack, tenants: dict[str, Any]) -> dict[str, Any]:
    """The victim's loan model, trained and served on its own endpoint by its workflow."""
    builder: Builder = tenants["victim_builder"]
    victim = tenants["victim"].name
    model, endpoint = f"{victim}_loans", f"{victim}-loans"
    jinja = "{{ conn.airloom_mlflow.host }} {{ conn.airloom_lake.extra }} {{ var.value.x }}"
    workflow_id, _ = builder.create_and_publish(
        loan_scoring("loans", model, endpoint=endpoint, note=jinja)
    )
    dag_id, run_id, states = builder.run(workflow_id)
    assert states == {"load": "success", "train": "success", "serve": "success"}, (
        f"{states}\n{stack.task_logs(dag_id, run_id)}"
    )
    return {"model": model, "endpoint": endpoint, "jinja": jinja, "dag_id": dag_id}


def serving(stack: LocalStack, endpoint: str) -> dict[str, Any]:
    response = httpx.get(stack.url("AIRLOOM_SERVING_PORT", f"/endpoints/{endpoint}"), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_workflows_model_and_endpoint_belong_to_its_tenant_and_text_stays_data(
    stack: LocalStack, tenants: dict[str, Any], victim_serving: dict[str, Any]
) -> None:
    client = MlflowClient(stack.mlflow_url)
    victim = tenants["victim"].name
    model = client.get_registered_model(victim_serving["model"])
    assert model.tags[model_tags.TENANT] == victim
    champion = client.get_model_version_by_alias(victim_serving["model"], "champion")
    # The Jinja a designer typed came back exactly as typed: nothing was rendered.
    assert champion.tags["note"] == victim_serving["jinja"]
    endpoint = serving(stack, victim_serving["endpoint"])
    assert endpoint["config"]["tenant"] == victim
    assert endpoint["model_uri"].endswith(f"/{champion.version}")


def test_another_tenant_cannot_take_the_model_or_the_live_endpoint(
    stack: LocalStack, tenants: dict[str, Any], victim_serving: dict[str, Any]
) -> None:
    evil: Builder = tenants["evil_builder"]
    evil_name = tenants["evil"].name
    client = MlflowClient(stack.mlflow_url)
    champion_before = client.get_model_version_by_alias(victim_serving["model"], "champion")
    served_before = serving(stack, victim_serving["endpoint"])["model_uri"]

    # Adding versions to the victim's model: known at validation.
    hijack = loan_scoring("hijack", victim_serving["model"], endpoint=f"{evil_name}-own")
    found = codes(evil.problems(hijack))
    assert found[("train", "nodes.1.params.registered_model_name")] == "OWNED_BY_ANOTHER_TENANT"

    # Taking over the victim's live endpoint: refused by the deploy task before it touches it.
    takeover = loan_scoring("takeover", f"{evil_name}_loans", endpoint=victim_serving["endpoint"])
    workflow_id, _ = evil.create_and_publish(takeover)
    dag_id, run_id, states = evil.run(workflow_id)
    assert states == {"load": "success", "train": "success", "serve": "failed"}, states
    log = task_log(stack, dag_id, run_id, "serve")
    assert "belongs to another tenant" in log, log[-2000:]

    assert serving(stack, victim_serving["endpoint"])["model_uri"] == served_before
    champion_after = client.get_model_version_by_alias(victim_serving["model"], "champion")
    assert champion_after.version == champion_before.version
    evil_model = client.get_registered_model(f"{evil_name}_loans")
    assert evil_model.tags[model_tags.TENANT] == evil_name


def test_lake_names_resolve_inside_the_tenants_own_area(
    stack: LocalStack, tenants: dict[str, Any], victim_serving: dict[str, Any]
) -> None:
    """The victim's dataset, named as the victim names it, is not what evil's workflow reads."""
    evil: Builder = tenants["evil_builder"]
    lake = stack.home / "lake"
    victim_area = lake / "tenants" / tenants["victim"].name / "loans" / "applications"
    victim_files = sorted(p.name for p in victim_area.glob("*.parquet"))
    copy = spec(
        "copy_victim",
        defaults=NO_RETRIES,
        nodes=[
            node(
                "copy",
                "file_ingest",
                {
                    "source": "lake://loans/applications/*.parquet",
                    "format": "parquet",
                    "dataset": "stolen",
                },
            )
        ],
    )
    workflow_id, dag_id = evil.create_and_publish(copy)
    dag_id, run_id, states = evil.run(workflow_id)
    assert states == {"copy": "failed"}
    assert f"tenants/{tenants['evil'].name}/loans/applications" in task_log(
        stack, dag_id, run_id, "copy"
    )
    assert not (lake / "tenants" / tenants["evil"].name / "stolen").exists()
    assert sorted(p.name for p in victim_area.glob("*.parquet")) == victim_files


def test_dag_ids_of_two_tenants_cannot_collide(stack: LocalStack, tenants: dict[str, Any]) -> None:
    """Tenant X's ``eu__sales`` and tenant X__eu's ``sales`` once shared one DAG file."""
    victim = tenants["victim"].name
    eu_token = _token_for(stack, f"{victim}__eu")  # a tenant whose name ends in victim's
    first = Builder(stack, tenants["victim"].builder_token)
    second = Builder(stack, eu_token)
    one = spec("eu__sales", defaults=NO_RETRIES, nodes=[_lake_load("one")])
    two = spec("sales", defaults=NO_RETRIES, nodes=[_lake_load("two")])
    _, first_dag = first.create_and_publish(one)
    second_id, second_dag = second.create_and_publish(two)
    assert first_dag != second_dag
    assert (stack.workflows_repo / f"{first_dag}.py").exists() and (
        stack.workflows_repo / f"{second_dag}.py"
    ).exists()
    airflow = stack.airflow()
    for dag_id, task in ((first_dag, "one"), (second_dag, "two")):
        assert airflow.wait_for_dag(dag_id, timeout=240)
        assert [t["task_id"] for t in airflow.request("GET", f"/dags/{dag_id}/tasks")["tasks"]] == [
            task
        ]
    second.data("mutation($id: ID!) { unpublishWorkflow(id: $id) { id } }", id=second_id)
    assert (stack.workflows_repo / f"{first_dag}.py").exists()
    assert not (stack.workflows_repo / f"{second_dag}.py").exists()


def _lake_load(node_id: str) -> dict[str, Any]:
    return node(
        node_id,
        "file_ingest",
        {"source": "lake://landing/loans/*.csv", "format": "csv", "dataset": node_id},
    )


def _token_for(stack: LocalStack, tenant: str) -> str:
    import subprocess
    import sys

    command = ["create-token", "--tenant", tenant, "--role", "editor", "--name", "attacks"]
    created = subprocess.run(
        [sys.executable, "-m", "workflow_builder_api", *command],
        env={
            **stack.env,
            "AIRLOOM_BUILDER_DATABASE_URL": f"sqlite:///{stack.home / 'builder' / 'builder.db'}",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip().splitlines()[-1]


def test_a_forged_validation_record_does_not_open_the_deployment_gate(
    stack: LocalStack, tenants: dict[str, Any], victim_serving: dict[str, Any]
) -> None:
    """Were a "passed" tag ever written on a version by anything but the validation DAG, the
    deployment refuses it: the record must be a successful model_validation run's."""
    victim = tenants["victim"]
    client = MlflowClient(stack.mlflow_url)
    version = client.get_model_version_by_alias(victim_serving["model"], "champion").version
    for key, value in {
        model_tags.VALIDATION_STATUS: "passed",
        model_tags.VALIDATION_RUN_ID: "manual__forged",
        model_tags.VALIDATION_REPORT: json.dumps({"checks": []}),
    }.items():
        client.set_model_version_tag(victim_serving["model"], version, key, value)
    market = httpx.Client(
        base_url=stack.url("AIRLOOM_MARKETPLACE_PORT", "/api/v1"),
        headers={"X-API-Key": victim.marketplace_key},
        timeout=120,
    )
    status = f"/models/{victim_serving['model']}/versions/{version}/validation"
    # The marketplace lists what the registry holds; the gate below is what refuses it.
    wait_until(lambda: market.get(status).json().get("status") == "passed", timeout=180)
    started = market.post(
        f"/models/{victim_serving['model']}/versions/{version}/deploy",
        json={"target": "local", "endpoint": f"{victim.name}-forged"},
    )
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    stack.airflow().wait_for_run("model_deployment", run_id, timeout=300)
    states = {
        ti.task_id: ti.state for ti in stack.airflow().task_instances("model_deployment", run_id)
    }
    assert states["rollout"] == "failed", states
    log = task_log(stack, "model_deployment", run_id, "rollout")
    assert "no successful model_validation run recorded" in log, log[-2000:]
    missing = httpx.get(
        stack.url("AIRLOOM_SERVING_PORT", f"/endpoints/{victim.name}-forged"), timeout=30
    )
    assert missing.status_code == 404


def test_the_stacks_lake_keeps_each_tenant_in_its_own_folder(
    stack: LocalStack, tenants: dict[str, Any], victim_serving: dict[str, Any]
) -> None:
    lake: Path = stack.home / "lake"
    for name in (tenants["victim"].name, tenants["evil"].name):
        assert (lake / "tenants" / name / "loans" / "applications").is_dir()
    assert not (lake / "loans").exists()
