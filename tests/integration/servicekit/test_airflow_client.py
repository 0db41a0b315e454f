"""One contract for both ways Airloom's services reach Airflow: REST API v2 and MWAA.

Both run against a real Airflow (the local stack's api-server and scheduler); the MWAA client
goes through the MWAA stand-in, which forwards InvokeRestApi to that same Airflow.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config

from servicekit.airflow_client import AirflowApiError, AirflowClient
from servicekit.mwaa_airflow_client import MwaaAirflowClient
from tests.harness.servers import mwaa_server
from tests.harness.stack import LocalStack

pytestmark = pytest.mark.e2e
DAG_ID = "airloom_stack_check"


@pytest.fixture(scope="module")
def mwaa_client(stack: LocalStack) -> Iterator[MwaaAirflowClient]:
    with mwaa_server(stack.airflow_url, "admin", stack.admin_password) as server:
        mwaa = boto3.client(
            "mwaa",
            region_name="us-east-1",
            endpoint_url=server.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(inject_host_prefix=False),
        )
        mwaa.create_environment(
            Name="airloom-test",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/airloom-mwaa",
            SourceBucketArn="arn:aws:s3:::airloom-mwaa",
            DagS3Path="dags",
            NetworkConfiguration={"SubnetIds": ["subnet-1", "subnet-2"]},
        )
        yield MwaaAirflowClient("airloom-test", mwaa)


@pytest.fixture(params=["rest", "mwaa"])
def client(request: pytest.FixtureRequest, stack: LocalStack) -> AirflowClient:
    if request.param == "rest":
        return stack.airflow()
    return request.getfixturevalue("mwaa_client")


def test_a_triggered_run_succeeds_and_reports_every_task(client: AirflowClient) -> None:
    dag = client.wait_for_dag(DAG_ID)
    assert dag["dag_id"] == DAG_ID
    client.set_paused(DAG_ID, False)
    run = client.trigger(DAG_ID, conf={"requested_by": "contract-test"})
    assert run.state in {"queued", "running"}
    assert run.conf == {"requested_by": "contract-test"}

    finished = client.wait_for_run(DAG_ID, run.run_id, timeout=240)
    assert finished.state == "success"
    tasks = {ti.task_id: ti for ti in client.task_instances(DAG_ID, run.run_id)}
    assert set(tasks) == {"kafka_round_trip", "mlflow_health", "lake_write_read"}
    assert all(ti.state == "success" and ti.try_number >= 1 for ti in tasks.values())
    assert all(ti.log_url.startswith(client.ui_url) for ti in tasks.values())
    assert run.run_id in {r.run_id for r in client.list_runs(DAG_ID)}

    # What the builder reads of a run: Airflow's listing, the DAG's source, a log, an XCom.
    (listed,) = [found for found in client.runs_of([DAG_ID]) if found.run_id == run.run_id]
    assert listed.run_type == "manual" and listed.dag_versions
    assert f'dag_id="{DAG_ID}"' in (client.dag_source(DAG_ID, listed.dag_versions[0]) or "")
    assert any(
        isinstance(entry, dict) and entry.get("event")
        for entry in client.task_log(DAG_ID, run.run_id, "lake_write_read", 1)
    )
    assert client.task_log(DAG_ID, run.run_id, "lake_write_read", 9) == []
    assert client.xcom_value(DAG_ID, run.run_id, "lake_write_read", "no_such_key") is None
    # And runs a task of it again.
    cleared = client.clear_tasks(DAG_ID, run.run_id, ["lake_write_read"], only_failed=False)
    assert "lake_write_read" in cleared and "mlflow_health" not in cleared
    assert client.wait_for_run(DAG_ID, run.run_id, timeout=240).state == "success"
    again = {ti.task_id: ti.try_number for ti in client.task_instances(DAG_ID, run.run_id)}
    assert again["lake_write_read"] == tasks["lake_write_read"].try_number + 1


def test_unknown_dags_are_reported_not_raised_or_hidden(client: AirflowClient) -> None:
    assert client.get_dag("no_such_dag") is None
    with pytest.raises(AirflowApiError) as error:
        client.trigger("no_such_dag")
    assert error.value.status == 404


def test_a_cancelled_run_ends_failed(client: AirflowClient) -> None:
    client.set_paused(DAG_ID, True)  # keep the run queued so the cancel wins the race
    try:
        run = client.trigger(DAG_ID)
        cancelled = client.cancel(DAG_ID, run.run_id)
        assert cancelled.state == "failed"
        assert client.get_run(DAG_ID, run.run_id).state == "failed"
    finally:
        client.set_paused(DAG_ID, False)
