"""A tenant's names resolve inside its area, and what it was not granted is refused by field."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk import DAG

from airloom.catalog import NodeConfigError, NodeParams, node_types
from airloom.catalog.resources import AwsConnectionRef, KinesisStreamRef, S3LocationRef
from airloom.tenancy import Grants, TenantLimits, TenantScope
from airloom.workflow.validation import validate

ACME = TenantScope("acme")
SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}


def model(node_type: str) -> Any:
    return node_types()[node_type].operator.params_model


def problems(scope: TenantScope, node_type: str, **params: Any) -> dict[str, str]:
    return {p.field: f"{p.code}: {p.message}" for p in scope.problems(model(node_type), params)}


def test_names_a_design_holds_are_placed_in_the_tenants_area() -> None:
    placed = ACME.localise(
        model("kafka_ingest"),
        {"topic": "orders", "dataset": "sales/orders", "consumer_group": "nightly"},
    )
    assert placed["topic"] == "acme.orders"
    assert placed["dataset"] == "tenants/acme/sales/orders"
    assert placed["consumer_group"] == "acme.nightly"
    trained = ACME.localise(model("train"), {"registered_model_name": "churn"})
    # An experiment the designer never named is placed too: defaults are names as well.
    assert trained["experiment"] == "tenants/acme/airloom-training"
    assert trained["registered_model_name"] == "churn"  # models are owned, not renamed
    source = ACME.localise(model("file_ingest"), {"source": "lake://landing/./x/*.csv"})
    assert source["source"] == "lake://tenants/acme/landing/x/*.csv"


def test_a_granted_topic_is_used_as_named_and_others_stay_the_tenants_own() -> None:
    scope = TenantScope("acme", Grants(topics=frozenset({"card_transactions"})))
    assert scope.topic("card_transactions") == "card_transactions"
    assert scope.topic("alerts") == "acme.alerts"


@pytest.mark.parametrize(
    "source",
    [
        "/etc/passwd",
        "file:///etc/passwd",
        "lake://../../../etc/passwd",
        "lake://landing/../../victim/x.csv",
        "lake://tenants/victim/sales/*.parquet",
        "lake:///etc/passwd",
        "lake://",
    ],
)
def test_file_sources_outside_the_tenants_area_are_refused(source: str) -> None:
    found = problems(ACME, "file_ingest", source=source, format="csv", dataset="x")
    assert found["source"].startswith(("OUTSIDE_TENANT", "RESERVED_NAME")), found


def test_s3_sources_only_under_a_granted_location_read_with_its_connection() -> None:
    params = {"source": "s3://partner/exports/2026/*.csv", "format": "csv", "dataset": "x"}
    assert problems(ACME, "file_ingest", **params)["source"].startswith("NOT_GRANTED")
    granted = TenantScope("acme", Grants(s3_locations={"s3://partner/exports/": "aws_partner"}))
    assert problems(granted, "file_ingest", **params) == {}
    assert granted.localise(model("file_ingest"), params)["aws_conn_id"] == "aws_partner"
    sideways = {**params, "source": "s3://partner/exports/../secrets/key.csv"}
    assert problems(granted, "file_ingest", **sideways)["source"].startswith("OUTSIDE_TENANT")
    neighbour = {**params, "source": "s3://partner/exports-private/x.csv"}
    assert problems(granted, "file_ingest", **neighbour)["source"].startswith("NOT_GRANTED")
    chosen = {**params, "aws_conn_id": "aws_production"}
    assert problems(granted, "file_ingest", **chosen)["aws_conn_id"].startswith("NOT_GRANTED")


def test_connections_are_used_only_when_granted_and_platform_ones_are_airlooms() -> None:
    sql = {"sql": "SELECT 1", "conn_id": "crm", "dataset": "crm/customers"}
    assert "not granted to tenant 'acme'" in problems(ACME, "sql_ingest", **sql)["conn_id"]
    granted = TenantScope("acme", Grants(connections=frozenset({"crm"})))
    assert problems(granted, "sql_ingest", **sql) == {}
    # http_ingest's default connection is used when none is named: it needs a grant too.
    http = problems(ACME, "http_ingest", endpoint="/v1/orders", dataset="orders")
    assert "'http_default' is not granted" in http["http_conn_id"]
    platform = problems(granted, "sql_ingest", **sql, lake_conn_id="production_lake")
    assert "Airloom chooses lake_conn_id" in platform["lake_conn_id"]
    assert "lake_conn_id" not in granted.localise(model("sql_ingest"), {**sql, "lake_conn_id": "x"})


def test_reserved_tags_and_foreign_models_are_refused() -> None:
    tags = {"airloom.validation.status": "passed", "Airloom.Tenant": "victim", "team": "risk"}
    found = problems(ACME, "train", estimator="logistic_regression", target="y",
                     registered_model_name="churn", tags=tags)  # fmt: skip
    assert set(found) == {"tags.airloom.validation.status", "tags.Airloom.Tenant"}
    owners = {"victim_model": "victim", "acme_model": "acme"}
    scope = TenantScope("acme", model_owner=owners.get)
    taken = problems(scope, "train", estimator="logistic_regression", target="y",
                     registered_model_name="victim_model")  # fmt: skip
    assert taken["registered_model_name"].startswith("OWNED_BY_ANOTHER_TENANT")
    assert "victim" not in taken["registered_model_name"].split("belongs")[1]  # not by whom
    score = {"output_dataset": "scored"}
    assert problems(scope, "batch_score", model_uri="models:/acme_model@champion", **score) == {}
    foreign = problems(scope, "batch_score", model_uri="models:/victim_model/1", **score)
    assert foreign["model_uri"].startswith("OWNED_BY_ANOTHER_TENANT")
    runs = problems(scope, "batch_score", model_uri="runs:/0123abcd/model", **score)
    assert runs["model_uri"].startswith("OUTSIDE_TENANT")


def test_a_node_reaching_outside_its_tenant_fails_the_dag_at_parse() -> None:
    operator = node_types()["file_ingest"].operator
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        operator(
            task_id="steal",
            tenant_scope=ACME,
            source="lake://../victim_data/*.parquet",
            format="parquet",
            dataset="copy",
        )
    assert [p.field for p in error.value.problems] == ["source"]
    with DAG("t", schedule=None):
        task = operator(
            task_id="load", tenant_scope=ACME, source="lake://in/*.csv", format="csv", dataset="x"
        )
    assert task.node_params["dataset"] == "tenants/acme/x"
    assert [asset.uri for asset in task.outlets] == ["airloom://lake/tenants/acme/x"]


def design(**workflow: Any) -> dict[str, Any]:
    node = {"id": "load", "type": "file_ingest",
            "params": {"source": "lake://in/*.csv", "format": "csv", "dataset": "x"}}  # fmt: skip
    return {"metadata": {"name": "w", **workflow.pop("metadata", {})}, "nodes": [node], **workflow}


def test_validation_names_the_node_and_field_and_applies_the_quota() -> None:
    scope = TenantScope("acme", limits=TenantLimits(min_schedule_minutes=60))
    assert validate(design(schedule="@hourly"), scope) == []
    (too_often,) = validate(design(schedule="*/5 * * * *"), scope)
    assert (too_often.code, too_often.field) == ("QUOTA_EXCEEDED", "schedule")
    assert "every 5 minutes" in too_often.message
    assert [p.code for p in validate(design(schedule="@continuous"), scope)] == ["QUOTA_EXCEEDED"]
    (spoof,) = validate(design(metadata={"tags": ["tenant:victim"]}), scope)
    assert (spoof.code, spoof.field) == ("RESERVED_NAME", "metadata.tags.0")
    bad = design()
    bad["nodes"][0]["params"]["source"] = "/etc/passwd"
    (outside,) = validate(bad, scope)
    assert (outside.node_id, outside.field) == ("load", "nodes.0.params.source")


class AwsNodeParams(NodeParams):
    """The names an AWS node holds: a granted connection, a granted S3 prefix, a stream."""

    aws_conn_id: AwsConnectionRef = "aws_default"
    output_location: S3LocationRef | None = None
    stream: KinesisStreamRef | None = None


def test_an_aws_node_needs_a_granted_aws_connection_even_by_default() -> None:
    found = {p.field: p for p in ACME.problems(AwsNodeParams, {})}
    assert found["aws_conn_id"].code == "NOT_GRANTED"
    assert "an admin must configure an AWS connection and grant it" in (
        found["aws_conn_id"].message
    )
    granted = TenantScope("acme", Grants(connections=frozenset({"aws_acme"})))
    assert granted.problems(AwsNodeParams, {"aws_conn_id": "aws_acme"}) == []
    assert granted.problems(AwsNodeParams, {"aws_conn_id": "aws_globex"})[0].code == "NOT_GRANTED"


@pytest.mark.parametrize(
    ("location", "code"),
    [
        ("s3://media/acme/audio/", None),
        ("s3://media/acme/audio/2026/", None),
        ("s3://media/globex/audio/", "NOT_GRANTED"),
        ("s3://media/acme/audio/../../globex/", "OUTSIDE_TENANT"),
        ("lake://audio/", "OUTSIDE_TENANT"),
    ],
)
def test_s3_locations_only_under_a_granted_one(location: str, code: str | None) -> None:
    scope = TenantScope("acme", Grants(s3_locations={"s3://media/acme/": "aws_acme"}))
    found = scope.problems(AwsNodeParams, {"output_location": location})
    codes = [p.code for p in found if p.field == "output_location"]
    assert codes == ([code] if code else [])


def test_a_stream_is_always_the_tenants_own() -> None:
    placed = ACME.localise(AwsNodeParams, {"stream": "clicks"})
    assert placed["stream"] == "acme.clicks"
    # Naming another tenant's stream only names one of acme's own.
    assert ACME.localise(AwsNodeParams, {"stream": "globex.clicks"})["stream"] == (
        "acme.globex.clicks"
    )
    too_long = ACME.problems(AwsNodeParams, {"stream": "s" * 124})
    assert [p.code for p in too_long if p.field == "stream"] == ["INVALID_NAME"]
