"""On AWS the lake is S3: activity lands there and the read model reads it through pyarrow's
own S3 filesystem (moto in server mode stands in for S3)."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from insights.activity.consumer import ActivityConsumer
from insights.readmodel.rates import load_rates
from insights.readmodel.views import ReadModel
from tests.harness.kafka_topics import publish
from tests.integration.insights.conftest import event, insights_settings


@pytest.fixture
def s3_lake(moto, monkeypatch) -> str:
    for name, value in {
        "AWS_ENDPOINT_URL": moto.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/root"


def test_activity_lands_in_s3_and_is_priced_at_aws_rates(broker, tmp_path, s3_lake):
    settings = insights_settings(
        broker.url, tmp_path, "sqlite://", lake_uri=s3_lake, rates_environment="aws"
    )
    events = [
        event(
            "task_run",
            "acme",
            dag_id="wf",
            run_id="r1",
            task_id="t",
            node_type="spark_transform",
            state="success",
            duration_s=1800,
        ),
        event("dag_run", "acme", dag_id="wf", run_id="r1", state="success", duration_s=1800),
        event("dag_run", "globex", dag_id="wf", run_id="g1", state="success", duration_s=60),
    ]
    publish(broker.url, settings.activity_topic, [json.dumps(e).encode() for e in events])
    consumer = ActivityConsumer(settings)
    assert consumer.run_once().written == 3
    consumer.stop()
    # aws.yaml: EMR Serverless, 4 vCPU at 0.052624 and 16 GB at 0.0057785 per hour, half an hour.
    expected = 0.5 * (4 * 0.052624 + 16 * 0.0057785)
    with ReadModel(settings.activity_uri, load_rates("aws")).connect("acme") as db:
        assert db.execute("SELECT run_id, cost_usd FROM runs").fetchall() == [
            ("r1", pytest.approx(expected))
        ]
