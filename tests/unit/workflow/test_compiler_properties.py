"""User text never becomes Python source: hypothesis throws code-like text at the compiler."""

from __future__ import annotations

import ast
import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airloom.tenancy import TenantScope
from airloom.workflow.compiler import compile_workflow
from airloom.workflow.validation import validate
from tests.harness.airflow import load_dag_file

# Text a hostile or careless designer might type: quotes, escapes, code and Jinja.
NASTY = st.sampled_from(
    [
        '"""; import os; os.system("rm -rf /") #',
        "'''\nraise SystemExit\n'''",
        "\\\" + __import__('os').getcwd() + \"",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "\x00\x1b[31m",
        "' or 1=1; --",
        "\n\nWORKFLOW = None\ndag = None\n",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=60), st.tuples(NASTY, st.text(max_size=20)).map("".join))
NODE_ID = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)


def spark_string(text: str) -> str:
    """``text`` as a Spark SQL string literal, so the SQL stays one valid query around it.

    ``${`` is split: Spark would substitute it, so Airloom refuses it anywhere in SQL.
    """
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("${", "$ {")
    return f"'{escaped}'"


@st.composite
def designs(draw: Any) -> dict[str, Any]:
    ids = draw(st.lists(NODE_ID, min_size=1, max_size=4, unique=True))
    nodes = [
        {
            "id": node_id,
            "type": "spark_transform",
            "params": {
                # The text goes where SQL holds any text: in a string literal.
                "sql": f"SELECT {spark_string(draw(TEXT))} AS x",
                "output_dataset": f"fuzz/{node_id}",
            },
            "ui": {"x": draw(st.floats(-1e6, 1e6)), "y": 0},
        }
        for node_id in ids
    ]
    # A chain a → b → c: every node after the first reads its predecessor.
    edges = [{"source": f"{a}.table", "target": f"{b}.tables"} for a, b in itertools.pairwise(ids)]
    first = {
        "id": ids[0],
        "type": "kafka_ingest",
        "params": {
            "topic": "fuzz",
            "dataset": f"fuzz/{ids[0]}_in",
            "record_schema": {
                "type": "object",
                "description": draw(TEXT),
                "properties": {"id": {"type": "string", "description": draw(TEXT)}},
            },
        },
        "ui": {"x": 0, "y": 0},
    }
    return {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {
            "name": "fuzzed",
            "title": draw(TEXT)[:200],
            "description": draw(TEXT),
            "tags": draw(st.lists(TEXT.map(lambda t: t[:50]), max_size=3)),
        },
        "nodes": [first, *nodes[1:]],
        "edges": edges,
    }


def _structure(source: str) -> str:
    """The compiled file must be exactly: docstring, one import, one constant, one call."""
    module = ast.parse(source)
    doc, imported, constant, call = module.body
    assert isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
    assert isinstance(imported, ast.ImportFrom)
    assert imported.module == "airloom.workflow.factory"
    assert [alias.name for alias in imported.names] == ["build_dag_from_json"]
    assert isinstance(constant, ast.Assign) and isinstance(constant.value, ast.Constant)
    assert [t.id for t in constant.targets] == ["WORKFLOW"]
    assert isinstance(call, ast.Assign) and isinstance(call.value, ast.Call)
    assert call.value.func.id == "build_dag_from_json"
    assert [a.id for a in call.value.args] == ["WORKFLOW"] and not call.value.keywords
    return constant.value.value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(design=designs())
def test_code_like_text_stays_data_and_the_dag_imports(design: dict[str, Any]) -> None:
    assert validate(design) == []
    compiled = compile_workflow(design, workflow_id="wf-1", version=3, scope=TenantScope("acme"))
    published = json.loads(_structure(compiled.source))
    assert published["spec"]["metadata"] == design["metadata"] | {
        "tags": design["metadata"]["tags"]
    }
    assert [n["params"] for n in published["spec"]["nodes"]] == [
        n["params"] for n in design["nodes"]
    ]

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / compiled.file_name
        path.write_text(compiled.source)
        dag = load_dag_file(path, compiled.dag_id)
    assert set(dag.task_ids) == {node["id"] for node in design["nodes"]}
    assert dag.dag_display_name == (design["metadata"]["title"] or "fuzzed")
    assert "version:3" in dag.tags


@settings(max_examples=50, deadline=None)
@given(node_id=TEXT.filter(lambda t: not t.isidentifier() or not t.islower()))
def test_unsafe_node_ids_never_compile(node_id: str) -> None:
    design = {
        "apiVersion": "airloom/v1",
        "kind": "Workflow",
        "metadata": {"name": "fuzzed"},
        "nodes": [{"id": node_id, "type": "kafka_publish", "params": {"topic": "t"}}],
    }
    codes = {problem.code for problem in validate(design)}
    assert codes & {"UNSAFE_NODE_ID", "INVALID_DOCUMENT"}
