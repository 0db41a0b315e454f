"""spark_stream on MWAA Serverless: a Glue streaming job where the deployment declares one, a
problem naming what it lacks where it does not."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from airloom.spark.glue import GlueJobError
from airloom.spark.glue_stream_entrypoint import StreamRequest, parse_arguments
from airloom.spark.glue_streaming import MSK_IAM_OPTIONS, kafka_options
from airloom.tenancy import Grants, TenantScope
from airloom.workflow.problems import InvalidWorkflow
from airloom.workflow.serverless import service_rules
from airloom.workflow.serverless.definition import compile_definition
from airloom.workflow.serverless.glue_streaming import GlueStreaming, GlueStreamingTask
from airloom.workflow.serverless.placement import ServerlessTarget
from airloom.workflow.serverless.schema_rules import definition_problems
from tests.unit.workflow.test_serverless_definition import load_as_the_service
from workflow_builder_api.core.config import TEMPLATES_FOLDER
from workflow_builder_api.services.templates import load_templates

TEMPLATE = load_templates(TEMPLATES_FOLDER)["fraud-detection-stream"]
SETUP = GlueStreaming(
    role_arn_pattern="arn:aws:iam::123456789012:role/airloom-{tenant}-glue",
    script_location="s3://airloom-code/glue/glue_stream_entrypoint.py",
    python_files="s3://airloom-code/glue/airloom.zip",
    network_connection="airloom-vpc",
)
MSK = {"private_network": True, "kafka_is_msk": True, "spark_on_emr_serverless": True}
DECLARED = ServerlessTarget(**MSK, spark_stream_on_glue=True, glue_streaming=SETUP)


def _scope(tenant: str) -> TenantScope:
    return TenantScope(tenant, Grants(connections=frozenset({"aws_default"})))


def _stream_only(tenant: str = "acme") -> dict[str, Any]:
    """The template's stream node alone (its training node is another redirect's)."""
    spec = TEMPLATE.spec_for("wf", tenant=tenant)
    spec["nodes"] = [node for node in spec["nodes"] if node["type"] == "spark_stream"]
    spec["edges"] = []
    return spec


def test_a_declared_deployment_runs_the_stream_as_the_tenants_glue_streaming_job() -> None:
    definition = compile_definition(
        _stream_only(), workflow_id="wf-1", version=1, scope=_scope("acme"), target=DECLARED
    )

    assert definition_problems(definition.yaml_text) == []
    (dag,) = yaml.safe_load(definition.yaml_text).values()
    task = dag["tasks"]["transactions"]
    assert task["operator"] == service_rules.GLUE_STREAM_OPERATOR
    assert task["glue_streaming"] == {
        "job_name": "airloom-stream.wf-acme-wf.transactions",
        "role_arn": "arn:aws:iam::123456789012:role/airloom-acme-glue",
        "script_location": "s3://airloom-code/glue/glue_stream_entrypoint.py",
        "python_files": "s3://airloom-code/glue/airloom.zip",
        "glue_version": "5.0",
        "worker_type": "G.1X",
        "number_of_workers": 2,
        "network_connection": "airloom-vpc",
        "aws_conn_id": "aws_default",
        "waiter_delay": 30,
        "waiter_max_attempts": 110,
        "kafka_auth": "msk_iam",
    }
    # The service's loader builds the redirect, with the names placed in the tenant's area.
    loaded = load_as_the_service(definition.yaml_text).get_task("transactions")
    assert type(loaded).__name__ == "GlueStreamingOperator"
    assert loaded.node_type == "spark_stream"
    assert loaded.node_params["topic"] == "acme.card_transactions"
    assert loaded.node_params["output_dataset"] == "tenants/acme/workflows/wf/transactions"
    assert loaded.glue_streaming.role_arn.endswith("role/airloom-acme-glue")
    assert [port.name for port in loaded.output_ports] == ["table"]  # downstream unchanged

    # Another tenant's definition names only its own role and job.
    globex = compile_definition(
        _stream_only("globex"),
        workflow_id="wf-2",
        version=1,
        scope=_scope("globex"),
        target=DECLARED,
    )
    assert "acme" not in globex.yaml_text
    assert "role/airloom-globex-glue" in globex.yaml_text


def test_without_the_declaration_the_stream_node_names_what_the_deployment_lacks() -> None:
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(
            _stream_only(),
            workflow_id="wf-1",
            version=1,
            scope=_scope("acme"),
            target=ServerlessTarget(**MSK),
        )
    (problem,) = refused.value.problems
    assert (problem.code, problem.node_id, problem.field) == (
        "SERVERLESS_UNREACHABLE",
        "transactions",
        "type",
    )
    assert "does not declare Glue streaming for Spark" in problem.message


def test_the_setup_is_the_platforms_never_the_designs() -> None:
    spec = _stream_only()
    spec["nodes"][0]["params"]["glue_streaming"] = {"role_arn": "arn:aws:iam::1:role/admin"}
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(
            spec, workflow_id="wf-1", version=1, scope=_scope("acme"), target=DECLARED
        )
    assert [(p.code, p.node_id, p.field) for p in refused.value.problems] == [
        ("INVALID_PARAMS", "transactions", "nodes.0.params.glue_streaming")
    ]

    # A redirect task with a key the redirect does not add is refused by the rules check.
    definition = compile_definition(
        _stream_only(), workflow_id="wf-1", version=1, scope=_scope("acme"), target=DECLARED
    )
    tampered = definition.yaml_text.replace(
        "  glue_streaming:", "  job_secret: x\n      glue_streaming:"
    )
    assert any("job_secret" in p for p in definition_problems(tampered))
    with pytest.raises(ValueError, match="unknown keys"):
        GlueStreamingTask.from_document({"job_name": "airloom-stream.x", "extra": 1})


@pytest.mark.parametrize(
    ("pattern", "script"),
    [
        ("arn:aws:iam::123456789012:role/airloom-glue", "s3://code/glue.py"),  # no {tenant}
        ("arn:aws:iam::123456789012:role/airloom-{tenant}", "/local/glue.py"),  # not S3
    ],
)
def test_a_setup_without_a_tenant_role_or_an_s3_script_is_refused(
    pattern: str, script: str
) -> None:
    with pytest.raises(ValueError, match="Glue streaming setup"):
        GlueStreaming(role_arn_pattern=pattern, script_location=script)
    with pytest.raises(ValueError, match="glue_streaming setup"):
        ServerlessTarget(spark_stream_on_glue=True)


def test_msk_iam_sends_only_the_bootstrap_address_and_no_secret_ever_travels() -> None:
    servers = "b-1.airloom.abc123.c2.kafka.eu-west-1.amazonaws.com:9098"
    extra = {"bootstrap.servers": servers, "oauth_cb": "airloom.kafka.msk_token"}
    assert kafka_options(extra, "msk_iam", conn_id="kafka_default", label="node 's'") == {
        "kafka.bootstrap.servers": servers,
        **MSK_IAM_OPTIONS,
    }
    plain = {"bootstrap.servers": "kafka:9093", "security.protocol": "SSL"}
    assert kafka_options(plain, "connection", conn_id="kafka_default", label="n") == {
        "kafka.bootstrap.servers": "kafka:9093",
        "kafka.security.protocol": "SSL",
    }
    secret = {**plain, "sasl.password": "hunter2"}
    with pytest.raises(GlueJobError, match=r"\['sasl.password'\]") as refused:
        kafka_options(secret, "connection", conn_id="kafka_default", label="node 's'")
    assert "hunter2" not in str(refused.value) and refused.value.retryable is False


def test_the_stream_request_stays_in_the_tenants_area_and_survives_glues_arguments() -> None:
    area = "s3://lake/tenants/acme"
    request = StreamRequest(
        label="node 's'",
        area=area,
        value_schema="id STRING",
        output_uri=f"{area}/fraud/raw",
        checkpoint_uri=f"{area}/_checkpoints/fraud/raw",
        result_folder=f"{area}/_stream_runs/job",
        options={"subscribe": "acme.tx"},
    )
    argv = ["--JOB_ID", "j_1", "--airloom_stream", request.to_argument(), "--JOB_RUN_ID", "jr_9"]
    assert parse_arguments(argv) == (request, "jr_9")
    assert request.result_uri("jr_9") == f"{area}/_stream_runs/job/jr_9.json"
    for outside in ("s3://lake/tenants/acme_corp/raw", f"{area}/../globex/raw"):
        with pytest.raises(ValueError, match="outside"):
            StreamRequest(**{**request.__dict__, "output_uri": outside})


def test_the_builders_settings_declare_glue_streaming_or_say_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workflow_builder_api.core.config import Settings
    from workflow_builder_api.services.serverless.publisher import ServerlessConfig

    base = {
        "publish_target": "mwaa_serverless",
        "serverless_definitions": "s3://airloom-definitions/workflows",
        "serverless_code_package": "s3://airloom-code/airloom-code.zip",
        "serverless_role_arn_pattern": "arn:aws:iam::123456789012:role/airloom-{tenant}-wf",
    }
    assert ServerlessConfig.from_settings(Settings(**base)).target.glue_streaming is None
    declared = Settings(
        **base,
        serverless_spark_stream_on_glue=True,
        serverless_glue_role_arn_pattern=SETUP.role_arn_pattern,
        serverless_glue_stream_script=SETUP.script_location,
        serverless_glue_worker_type="G.2X",
    )
    target = ServerlessConfig.from_settings(declared).target
    assert target.spark_stream_on_glue and target.glue_streaming is not None
    assert target.glue_streaming.role_arn("acme").endswith("role/airloom-acme-glue")
    assert target.glue_streaming.worker_type == "G.2X"

    lacking = Settings(**base, serverless_spark_stream_on_glue=True)
    with pytest.raises(ValueError, match="SERVERLESS_GLUE_ROLE_ARN_PATTERN"):
        ServerlessConfig.from_settings(lacking)
