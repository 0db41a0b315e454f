"""Checks that need a node's neighbours: what a node's inputs give it, known before it runs.

- ``spark_transform``'s and ``glue_job``'s SQL reads only the views its inputs provide. An input
  is a view named after the last path segment of the dataset its upstream node writes: the
  dataset params a node type declares (``written_datasets``) are, in order, those of its table
  output ports.
- ``batch_score``'s ``result_type`` holds the model's predictions: a regressor trained
  upstream predicts floats; a registered version's signature says what it predicts when the
  tenant scope can read it.

A check runs only for a node whose own params are sound and whose every edge in is whole, and
says nothing when what it needs is not known yet (a dataset name a node derives when it runs,
a classifier's labels): such a design is checked again when it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from airloom.catalog import NodeType, PortType
from airloom.tenancy import TenantScope
from airloom.workflow.problems import Problem
from airloom.workflow.spec import Node, WorkflowSpec


@dataclass(frozen=True)
class Wire:
    """An edge that joins an output to an input of the same port type."""

    index: int
    source_node: str
    source_port: str
    target_node: str
    target_port: str


@dataclass(frozen=True)
class Neighbourhood:
    """One node as a check sees it: itself, its place in the spec, and the graph around it."""

    node: Node
    index: int
    node_type: NodeType
    nodes: Mapping[str, tuple[Node, NodeType | None]]
    wires: list[Wire]
    scope: TenantScope | None

    def field(self, param: str) -> str:
        return f"nodes.{self.index}.params.{param}"

    def param(self, name: str) -> Any:
        default = self.node_type.operator.params_model.model_fields[name].get_default(
            call_default_factory=True
        )
        return self.node.params.get(name, default)

    def feeding(self, node_id: str, port: str) -> list[Wire]:
        return [w for w in self.wires if w.target_node == node_id and w.target_port == port]

    def dataset_of(self, wire: Wire) -> str | None:
        """The dataset name the wire's source writes on its port, when the design says it."""
        node, node_type = self.nodes[wire.source_node]
        if node_type is None:
            return None
        tables = [port.name for port in node_type.outputs if port.type is PortType.TABLE]
        if wire.source_port not in tables:
            return None
        written = node_type.operator.written_datasets(node.params)
        position = tables.index(wire.source_port)
        name = written[position] if position < len(written) else None
        return name if isinstance(name, str) and name.strip() else None


Check = Callable[[Neighbourhood], list[Problem]]


def graph_problems(
    spec: WorkflowSpec,
    nodes: Mapping[str, NodeType | None],
    wires: list[Wire],
    checkable: set[str],
    scope: TenantScope | None,
) -> list[Problem]:
    """The problems of every checkable node with a check of its type."""
    seen: dict[str, tuple[Node, NodeType | None]] = {}
    for node in spec.nodes:
        seen.setdefault(node.id, (node, nodes.get(node.id)))
    problems: list[Problem] = []
    for index, node in enumerate(spec.nodes):
        node_type = nodes.get(node.id)
        check = CHECKS.get(node.type)
        if check is None or node_type is None or node.id not in checkable:
            continue
        if seen[node.id][0] is not node:
            continue  # a duplicate id, already reported
        problems += check(Neighbourhood(node, index, node_type, seen, wires, scope))
    return problems


def view_name(dataset: str) -> str:
    """The view an input dataset is in Spark SQL (as :func:`airloom.spark.transform.view_name`)."""
    return dataset.rstrip("/").rpartition("/")[2]


def sql_views(here: Neighbourhood) -> list[Problem]:
    sql = here.param("sql")
    feeding = here.feeding(here.node.id, "tables")
    if not isinstance(sql, str) or not feeding:
        return []  # a job instead of SQL, or no input yet (reported as unconnected)
    datasets = [here.dataset_of(wire) for wire in feeding]
    if None in datasets:
        return []  # a name known only when the upstream node runs
    from airloom.user_sql import spark_query_problem

    views = {view_name(name) for name in datasets if name}
    problem = spark_query_problem(sql, views)
    if problem is None:
        return []
    return [Problem("UNKNOWN_VIEW", f"the SQL {problem}", here.node.id, here.field("sql"))]


def result_type(here: Neighbourhood) -> list[Problem]:
    from airloom.ml.result_types import result_type_problem

    predictions = _predictions(here)
    if predictions is None:
        return []
    dtype, model = predictions
    problem = result_type_problem(here.param("result_type"), dtype, model)
    if problem is None:
        return []
    return [Problem("RESULT_TYPE_MISMATCH", problem, here.node.id, here.field("result_type"))]


def _predictions(here: Neighbourhood) -> tuple[str, str] | None:
    """The numpy type of the scored model's predictions and what the model is, if known."""
    uri = here.param("model_uri")
    if isinstance(uri, str) and uri:
        lookup = here.scope.model_predictions if here.scope is not None else None
        dtype = lookup(uri) if lookup is not None else None
        return (dtype, uri) if dtype else None
    node_id, port = here.node.id, "model"
    for _ in range(len(here.nodes)):  # through nodes that pass a model on (evaluate, deploy)
        feeding = here.feeding(node_id, port)
        if len(feeding) != 1:
            return None
        node, node_type = here.nodes[feeding[0].source_node]
        if node_type is None:
            return None
        if node.type == "train":
            return _trained(node)
        passes_on = [p.name for p in node_type.inputs if p.type is PortType.MODEL]
        if len(passes_on) != 1:
            return None
        node_id, port = node.id, passes_on[0]
    return None


def _trained(node: Node) -> tuple[str, str] | None:
    from airloom.ml.estimators import task_type

    estimator = node.params.get("estimator")
    if not isinstance(estimator, str) or task_type(estimator) != "regression":
        return None  # a classifier predicts its labels' type, known from the data only
    return "float64", f"node {node.id!r} (a {estimator}, which predicts numbers)"


CHECKS: Mapping[str, Check] = {
    "spark_transform": sql_views,
    "glue_job": sql_views,
    "batch_score": result_type,
}
