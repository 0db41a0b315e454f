"""MWAA Serverless definitions: every template, the service's rules, placement, literal text.

A definition is loaded here as the service loads one, by dag-factory (the format AWS's own
converter writes), into a DAG of Airloom's operators: so the tests see what the worker would.
"""

from __future__ import annotations

import copy
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from airloom.catalog import node_types
from airloom.tenancy import Grants, TenantLimits, TenantScope
from airloom.workflow.problems import InvalidWorkflow
from airloom.workflow.serverless import service_rules
from airloom.workflow.serverless.definition import (
    compile_definition,
    render_definition,
    serverless_problems,
)
from airloom.workflow.serverless.placement import NODE_PLACEMENTS, ServerlessTarget
from airloom.workflow.serverless.schema_rules import definition_problems
from airloom.workflow.spec import WorkflowSpec
from airloom.workflow.validation import ensure_valid
from workflow_builder_api.core.config import TEMPLATES_FOLDER
from workflow_builder_api.services.templates import load_templates

TEMPLATES = load_templates(TEMPLATES_FOLDER)
AWS_CONN_ID = "aws_default"
# A deployment that placed its workflows in Airloom's VPC, with MSK and Spark on EMR Serverless.
CONFIGURED = ServerlessTarget(
    private_network=True, internet=True, kafka_is_msk=True, spark_on_emr_serverless=True
)
UNREACHABLE = "SERVERLESS_UNREACHABLE"
# What keeps each template off MWAA Serverless in a deployment with a VPC, MSK and EMR
# Serverless but neither SageMaker training nor Glue streaming declared: training and Spark
# streaming belong on those services (test_serverless_sagemaker.py declares SageMaker).
EXPECTED_ON_CONFIGURED = {
    "customer-churn": {("train", UNREACHABLE)},
    "document-retrieval": {("embedder", UNREACHABLE)},
    "document-retrieval-aws": {("embedder", UNREACHABLE)},
    "fraud-detection-stream": {("transactions", UNREACHABLE)},
    "retail-demand-forecast": {("train", UNREACHABLE)},
    "support-analytics": {("train", UNREACHABLE)},
    "support-analytics-aws": {("train", UNREACHABLE)},
}
# A bare deployment (no VPC, Spark local): MLflow, Kafka and local Spark are out of reach too.
EXPECTED_CHURN_ON_BARE = {
    ("ingest_events", UNREACHABLE),
    ("features", UNREACHABLE),
    ("train", UNREACHABLE),
    ("evaluate", UNREACHABLE),
    ("promote", UNREACHABLE),
}
# Text a careless or hostile designer might type, for YAML, Jinja and the loader alike.
SPECIALS = [
    "${AIRLOOM_TEST_SECRET}",
    "$AIRLOOM_TEST_SECRET and $$",
    "{{ conn.aws_default.password }}",
    "{% for x in range(9) %}x{% endfor %}",
    "!!python/object/apply:os.system ['true']",
    "&anchor *anchor",
    "null",
    "yes",
    "~",
    "0o17",
    "'single' \"double\" \\back",
    "# not a comment\nsecond line: value",
    "- a list? no",
    "+upstream",
]


def scope_for(tenant: str = "acme") -> TenantScope:
    return TenantScope(tenant, Grants(connections=frozenset({AWS_CONN_ID})))


def template_spec(template_id: str, tenant: str = "acme") -> dict[str, Any]:
    return TEMPLATES[template_id].spec_for("wf", tenant=tenant)


def worker_sized_spec(values: list[str] | None = None) -> dict[str, Any]:
    """Files into the lake, then a quality gate: work an MWAA Serverless worker can do."""
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "tickets", "title": "Tickets"},
        "schedule": "0 6 * * 1-5",
        "defaults": {"retries": 2, "retryDelaySeconds": 120},
        "nodes": [
            {
                "id": "tickets",
                "type": "file_ingest",
                "params": {
                    "source": "lake://landing/tickets/*.jsonl",
                    "format": "jsonl",
                    "dataset": "support/tickets",
                },
            },
            {
                "id": "checked",
                "type": "quality_gate",
                "timeoutSeconds": 900,
                "params": {
                    "checks": [
                        {
                            "check": "allowed_values",
                            "column": "channel",
                            "values": values or ["mail", "phone"],
                        }
                    ],
                    "output_dataset": "support/tickets_checked",
                },
            },
        ],
        "edges": [{"source": "tickets.table", "target": "checked.table"}],
    }


def load_as_the_service(yaml_text: str) -> Any:
    """The DAG dag-factory builds from ``yaml_text``, as the service's loader would."""
    from dagfactory import load_yaml_dags

    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="airloom-serverless-") as folder:
        path = Path(folder) / "definition.yaml"
        path.write_text(yaml_text)
        load_yaml_dags(found, config_filepath=str(path), defaults_config_path=folder)
    (dag,) = found.values()
    return dag


# -- every template -----------------------------------------------------------------------------


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_template_is_written_within_the_service_rules(template_id: str) -> None:
    scope = scope_for()
    spec = ensure_valid(template_spec(template_id), scope)
    definition = render_definition(spec, workflow_id="wf-1", version=3, scope=scope)

    assert definition_problems(definition.yaml_text) == []
    ((dag_id, dag),) = yaml.safe_load(definition.yaml_text).items()
    assert dag_id == definition.dag_id == definition.workflow_name == "wf-acme-wf"
    catalog = node_types()
    for node in spec.nodes:
        task = dag["tasks"][node.id]
        operator = catalog[node.type].operator
        assert task["operator"] == f"{operator.__module__}.{operator.__qualname__}"
        assert task["tenant_scope"]["tenant"] == "acme"
    assert set(definition.task_ids) == set(dag["tasks"])
    # The service's loader builds the same tasks, each confined to the tenant.
    loaded = load_as_the_service(definition.yaml_text)
    assert set(loaded.task_ids) == set(definition.task_ids)
    assert all(task.tenant_scope == scope for task in loaded.tasks)


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_template_gets_exactly_the_placement_problems_of_its_nodes(
    template_id: str,
) -> None:
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(
            template_spec(template_id),
            workflow_id="wf-1",
            version=1,
            scope=scope_for(),
            target=CONFIGURED,
        )
    found = {(p.node_id, p.code) for p in refused.value.problems}
    assert found == EXPECTED_ON_CONFIGURED[template_id]
    for problem in refused.value.problems:
        assert "this deployment does not declare" in problem.message
        assert problem.field == "type"


def test_a_bare_deployment_names_every_node_it_cannot_reach() -> None:
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(
            template_spec("customer-churn"), workflow_id="wf-1", version=1, scope=scope_for()
        )
    problems = {p.node_id: p for p in refused.value.problems}
    assert {(p.node_id, p.code) for p in refused.value.problems} == EXPECTED_CHURN_ON_BARE
    assert "Amazon MSK" in problems["ingest_events"].message
    assert "EMR Serverless" in problems["features"].message
    assert "VPC" in problems["evaluate"].message


def test_every_node_type_has_a_declared_placement_and_no_param_named_like_a_task_key() -> None:
    reserved = (
        service_rules.TASK_SERVICE_KEYS
        | service_rules.TASK_STRUCTURE_KEYS
        | service_rules.AIRLOOM_OPERATOR_KEYS
        | service_rules.LOADER_TASK_KEYS
    )
    assert set(node_types()) == set(NODE_PLACEMENTS)
    for node_type in node_types().values():
        assert not reserved & set(node_type.operator.params_model.model_fields), node_type.type


# -- a workflow the service can run --------------------------------------------------------------


def test_a_worker_sized_workflow_loads_as_the_same_dag_of_airloom_operators() -> None:
    definition = compile_definition(
        worker_sized_spec(), workflow_id="wf-7", version=2, scope=scope_for()
    )
    assert definition_problems(definition.yaml_text) == []

    dag = load_as_the_service(definition.yaml_text)
    assert dag.dag_id == "wf-acme-tickets"
    assert dag.schedule == "0 6 * * 1-5"
    assert dag.max_active_runs == 1
    tickets, checked = dag.get_task("tickets"), dag.get_task("checked")
    assert type(tickets).__name__ == "FileIngestOperator"
    assert checked.upstream_task_ids == {"tickets"}
    assert checked.inputs == {"table": "{{ ti.xcom_pull(task_ids='tickets', key='table') }}"}
    # The design's run settings, not the service's defaults (one retry after 300 s, 3600 s).
    assert (checked.retries, checked.retry_delay.total_seconds()) == (2, 120)
    assert checked.execution_timeout.total_seconds() == 900
    assert tickets.execution_timeout.total_seconds() == 3600
    # The tenant's scope travels with each task; its names are placed in the tenant's area.
    assert tickets.tenant_scope == scope_for()
    assert tickets.node_params["dataset"] == "tenants/acme/support/tickets"
    assert tickets.node_params["source"] == "lake://tenants/acme/landing/tickets/*.jsonl"
    assert checked.node_params["output_dataset"] == "tenants/acme/support/tickets_checked"


def test_the_same_design_gives_the_same_bytes_whatever_its_order() -> None:
    spec = worker_sized_spec()
    first = compile_definition(spec, workflow_id="wf-7", version=2, scope=scope_for())
    shuffled = copy.deepcopy(spec)
    random.Random(7).shuffle(shuffled["nodes"])
    shuffled["nodes"][0]["params"] = dict(reversed(shuffled["nodes"][0]["params"].items()))
    again = compile_definition(shuffled, workflow_id="wf-7", version=2, scope=scope_for())
    assert again.yaml_text.encode() == first.yaml_text.encode()
    assert "version 2" in first.yaml_text
    # The header comment cannot escape anything: an id that could break out is refused.
    with pytest.raises(ValueError, match="not a workflow id"):
        compile_definition(spec, workflow_id="wf\nx: 1", version=2, scope=scope_for())


def test_user_text_stays_literal_through_yaml_jinja_and_the_loader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIRLOOM_TEST_SECRET", "leaked")
    definition = compile_definition(
        worker_sized_spec(values=SPECIALS), workflow_id="wf-7", version=2, scope=scope_for()
    )
    assert "$" not in definition.yaml_text  # no $ left for the loader to expand
    assert definition_problems(definition.yaml_text) == []
    task = yaml.safe_load(definition.yaml_text)["wf-acme-tickets"]["tasks"]["checked"]
    assert task["checks"][0]["values"] == SPECIALS

    dag = load_as_the_service(definition.yaml_text)
    checked = dag.get_task("checked")
    assert checked.node_params["checks"][0]["values"] == SPECIALS
    assert "leaked" not in repr(checked.node_params)
    # Params are never templates: only the upstream references are rendered.
    assert tuple(checked.template_fields) == ("inputs",)


def test_a_loader_key_in_a_param_is_refused_where_it_is() -> None:
    # Today's params models refuse such keys already; this holds even for one that took any
    # mapping, since the check looks at the data the definition would carry.
    spec = worker_sized_spec()
    spec["nodes"][1]["params"]["checks"][0]["values"] = [{"__type__": "os.system"}]
    problems = serverless_problems(
        WorkflowSpec.model_validate(spec), scope_for(), ServerlessTarget()
    )
    assert [(p.code, p.node_id, p.field) for p in problems] == [
        ("LOADER_KEY_IN_PARAMS", "checked", "params.checks[0].values[0]")
    ]
    assert "'__type__'" in problems[0].message


# -- tenants -----------------------------------------------------------------------------------


def test_a_tenant_cannot_reach_another_tenants_connection_or_bucket() -> None:
    spec = worker_sized_spec()
    spec["nodes"][0]["params"].update(source="s3://globex-private/tickets/*.jsonl")
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(spec, workflow_id="wf-7", version=2, scope=scope_for("acme"))
    assert {(p.code, p.node_id) for p in refused.value.problems} >= {("NOT_GRANTED", "tickets")}

    # A definition carries only its own tenant's grants, whoever else has which.
    globex = TenantScope("globex", Grants(connections=frozenset({"globex_warehouse"})))
    definition = compile_definition(
        worker_sized_spec(), workflow_id="wf-7", version=2, scope=scope_for("acme")
    )
    assert "globex" not in definition.yaml_text
    other = compile_definition(worker_sized_spec(), workflow_id="wf-8", version=1, scope=globex)
    assert other.workflow_name == "wf-globex-tickets" != definition.workflow_name
    assert "tenants/acme" not in other.yaml_text and "aws_default" not in other.yaml_text


# -- schedules and limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "cron"),
    [("@daily", "0 0 * * *"), ("@hourly", "0 * * * *"), ("15 2 * * 1", "15 2 * * 1"), (None, None)],
)
def test_a_schedule_becomes_cron_or_none(schedule: str | None, cron: str | None) -> None:
    spec = worker_sized_spec()
    spec["schedule"] = schedule
    definition = compile_definition(spec, workflow_id="wf-7", version=2, scope=scope_for())
    assert yaml.safe_load(definition.yaml_text)["wf-acme-tickets"]["schedule"] == cron


@pytest.mark.parametrize("schedule", ["@once", "@continuous"])
def test_a_schedule_no_cron_can_express_is_refused(schedule: str) -> None:
    spec = worker_sized_spec()
    spec["schedule"] = schedule
    # A tenant whose quota allows continuous runs, so only the service says no.
    unlimited = TenantScope("acme", scope_for().grants, TenantLimits(min_schedule_minutes=0))
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(spec, workflow_id="wf-7", version=2, scope=unlimited)
    (problem,) = refused.value.problems
    assert (problem.code, problem.field) == ("SCHEDULE_NOT_SUPPORTED", "schedule")
    assert schedule in problem.message and "cron" in problem.message


def test_run_settings_past_the_service_limits_are_refused_per_node() -> None:
    spec = worker_sized_spec()
    spec["defaults"]["retryDelaySeconds"] = 600
    spec["nodes"][0]["retries"] = 5
    spec["nodes"][1]["timeoutSeconds"] = 7200
    with pytest.raises(InvalidWorkflow) as refused:
        compile_definition(spec, workflow_id="wf-7", version=2, scope=scope_for())
    assert {(p.code, p.node_id, p.field) for p in refused.value.problems} == {
        ("SERVERLESS_LIMIT", None, "defaults.retryDelaySeconds"),
        ("SERVERLESS_LIMIT", "tickets", "retries"),
        ("SERVERLESS_LIMIT", "checked", "timeoutSeconds"),
    }


# -- the rules checker on its own -----------------------------------------------------------------

BROKEN = """\
wf-acme-x:
  dag_id: wf-acme-x
  schedule: "every day"
  catchup: false
  tasks:
    a:
      task_id: a
      operator: airflow.providers.standard.operators.bash.BashOperator
      bash_command: "echo $HOME"
      dependencies: [b]
    b:
      task_id: b
      operator: airloom.operators.quality.DataQualityOperator
      retries: 4
      retry_delay: 301
      execution_timeout: 7200
      on_failure_callback: os.system
      tenant_scope: {tenant: acme}
      dependencies: [a, ghost]
"""


def test_the_checker_names_each_broken_rule_and_where() -> None:
    found = "\n".join(definition_problems(BROKEN))
    for expected in [
        "holds '$'",
        "wf-acme-x.catchup: not a DAG parameter",
        "wf-acme-x.schedule: 'every day' is not a five-field cron",
        "tasks.a.operator: 'airflow.providers.standard.operators.bash.BashOperator' is not an "
        "Airloom operator",
        "tasks.b.retries: must be 0 to 3",
        "tasks.b.retry_delay: must be 0 to 300 seconds",
        "tasks.b.execution_timeout: must be a datetime.timedelta",
        "tasks.b.on_failure_callback: a key the loader turns into code",
        "tasks.b.tenant_scope: must be the tenant scope built by",
        "tasks.b.dependencies: 'ghost' is not a task of this workflow",
        "dependencies form a cycle",
    ]:
        assert expected in found
    assert definition_problems("a: [unclosed")[0].startswith("definition: not YAML")
    assert definition_problems("- one\n- two\n") == [
        "definition: must be a mapping with exactly one workflow"
    ]
