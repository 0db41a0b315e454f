"""What every Airloom operator guarantees: validated params, typed ports, outputs in XCom."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk import DAG

from airloom.catalog import NodeConfigError, NodeParams, Port, PortType
from airloom.operators.base import AirloomOperator


class ScaleParams(NodeParams):
    factor: int
    label: str = "scaled"


class Produce(AirloomOperator):
    node_type = "test_produce"
    params_model = ScaleParams
    output_ports = (Port("table", PortType.TABLE, "a dataset"),)

    def run(self, params: Any, inputs: Any, context: Any) -> dict[str, Any]:
        return {"table": f"file:///lake/{params.label}"}


class Consume(AirloomOperator):
    node_type = "test_consume"
    params_model = ScaleParams
    input_ports = (Port("table", PortType.TABLE, "a dataset"),)


def test_params_are_validated_when_the_dag_is_parsed() -> None:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        Produce(task_id="produce", factor="three")
    assert error.value.node_id == "produce"
    assert [p.field for p in error.value.problems] == ["factor"]
    assert "node 'produce': factor:" in str(error.value)


def test_params_are_data_never_rendered_as_templates() -> None:
    text = "{{ conn.airloom_lake.extra }} {{ var.value.secret }} {% print 1 %}"
    with DAG("t", schedule=None):
        task = Produce(task_id="produce", factor=1, label=text)
    # What Airflow calls before execute: a tenant's text must come through as it was written.
    task.render_template_fields({"conn": {"airloom_lake": {"extra": "SECRET"}}, "ds": "x"})
    assert task.node_params == {"factor": 1, "label": text}


def test_a_template_is_not_a_number() -> None:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        Produce(task_id="produce", factor="{{ params.factor }}")
    assert [p.field for p in error.value.problems] == ["factor"]


def test_required_input_must_be_connected_and_ports_must_exist() -> None:
    with DAG("t", schedule=None), pytest.raises(NodeConfigError) as error:
        Consume(task_id="consume", factor=1, inputs={"tabel": "file:///x"})
    fields = {p.field: p.message for p in error.value.problems}
    assert "no input port 'tabel'" in fields["inputs.tabel"]
    assert fields["inputs.table"] == "required input is not connected"


def test_an_output_port_wires_upstream_to_downstream() -> None:
    with DAG("t", schedule=None):
        produce = Produce(task_id="produce", factor=1)
        consume = Consume(task_id="consume", factor=2, inputs={"table": produce.port("table")})
    assert consume.upstream_task_ids == {"produce"}
    with pytest.raises(KeyError, match="no output port 'model'"):
        produce.port("model")
