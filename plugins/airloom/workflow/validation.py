"""Validate a workflow spec: every problem a designer can fix, with the node and field it concerns.

Validation never stops at the first problem: the builder shows them all at once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from graphlib import CycleError, TopologicalSorter
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from airloom.catalog import NodeType, node_types, params_problems
from airloom.tenancy import TenantScope
from airloom.workflow.graph_checks import Wire, graph_problems
from airloom.workflow.problems import InvalidWorkflow, Problem
from airloom.workflow.schedule import schedule_problems
from airloom.workflow.spec import (
    MAX_NODES,
    NAME_PATTERN,
    NODE_ID_PATTERN,
    RESERVED_TAG_PREFIXES,
    Edge,
    WorkflowSpec,
)

__all__ = ["InvalidWorkflow", "Problem", "ensure_valid", "parse_spec", "validate", "validate_spec"]


def parse_spec(document: Mapping[str, Any]) -> tuple[WorkflowSpec | None, list[Problem]]:
    """The typed spec, or the schema problems that stop it from being one."""
    try:
        return WorkflowSpec.model_validate(dict(document)), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            node_id = None
            if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
                nodes = document.get("nodes") or []
                if loc[1] < len(nodes) and isinstance(nodes[loc[1]], Mapping):
                    node_id = nodes[loc[1]].get("id")
            field = ".".join(str(part) for part in loc)
            problems.append(Problem("INVALID_DOCUMENT", error["msg"], node_id, field))
        return None, problems


def validate(document: Mapping[str, Any], scope: TenantScope | None = None) -> list[Problem]:
    """Every problem in ``document``; an empty list means it can be published.

    :param scope: the tenant the workflow runs for: every name must resolve inside it.
    """
    spec, problems = parse_spec(document)
    if spec is None:
        return problems
    return validate_spec(spec, scope)


def validate_spec(
    spec: WorkflowSpec, scope: TenantScope | None = None, *, structure_only: bool = False
) -> list[Problem]:
    """Every problem of ``spec`` in ``scope``.

    :param structure_only: only the graph (node ids, types, ports, edges, cycles): for a DAG
        file being parsed, whose operators check their own params and scope as they are built
        and whose quotas were checked when it was published.
    """
    problems: list[Problem] = []
    if not re.fullmatch(NAME_PATTERN, spec.metadata.name):
        problems.append(
            Problem(
                "INVALID_NAME",
                f"workflow name {spec.metadata.name!r} must start with a letter and use only "
                "lower-case letters, digits and '_' (at most 63)",
                field="metadata.name",
            )
        )
    if not spec.nodes and not structure_only:
        problems.append(
            Problem(
                "EMPTY_WORKFLOW",
                "the workflow has no nodes, so a run would do nothing; add a node from the catalog",
                field="nodes",
            )
        )
    if len(spec.nodes) > MAX_NODES:
        problems.append(
            Problem(
                "TOO_MANY_NODES",
                f"a workflow has at most {MAX_NODES} nodes; this one has {len(spec.nodes)}",
                field="nodes",
            )
        )
    problems += _tag_problems(spec.metadata.tags)
    quota = scope.limits.min_schedule_minutes if scope and not structure_only else None
    problems += [
        Problem(code, message, field="schedule")
        for code, message in schedule_problems(spec.schedule, quota)
    ]
    node_problems, nodes, sound = _node_problems(spec, scope, structure_only=structure_only)
    problems += node_problems
    edge_problems, wires, miswired = _edge_problems(spec.edges, nodes)
    problems += edge_problems
    problems += _unconnected_inputs(spec, nodes, wires)
    problems += _cycle_problems(spec.edges, nodes)
    if not structure_only:
        # Only nodes whose own params are sound and whose every edge in is whole: a check
        # across nodes on a half-known design would report what the designer already sees.
        problems += graph_problems(spec, nodes, wires, sound - miswired, scope)
    return problems


def _node_problems(
    spec: WorkflowSpec, scope: TenantScope | None, *, structure_only: bool
) -> tuple[list[Problem], dict[str, NodeType | None], set[str]]:
    """Each node's own problems; its type by id; the ids of nodes with sound params."""
    problems: list[Problem] = []
    catalog = node_types()
    nodes: dict[str, NodeType | None] = {}
    sound: set[str] = set()
    for index, node in enumerate(spec.nodes):
        where = f"nodes.{index}"
        if node.id in nodes:
            problems.append(
                Problem(
                    "DUPLICATE_NODE_ID",
                    f"node id {node.id!r} is used twice",
                    node.id,
                    f"{where}.id",
                )
            )
            continue
        if not re.fullmatch(NODE_ID_PATTERN, node.id):
            problems.append(
                Problem(
                    "UNSAFE_NODE_ID",
                    f"node id {node.id!r} must start with a letter and use only lower-case "
                    "letters, digits and '_' (at most 63)"
                    + ("; '.' separates a node from its port in edges" if "." in node.id else ""),
                    node.id,
                    f"{where}.id",
                )
            )
        node_type = catalog.get(node.type)
        nodes[node.id] = node_type
        if node_type is None:
            problems.append(
                Problem(
                    "UNKNOWN_NODE_TYPE",
                    f"unknown node type {node.type!r}; known types: {', '.join(catalog)}",
                    node.id,
                    f"{where}.type",
                )
            )
            continue
        if structure_only:
            continue
        model = node_type.operator.params_model
        own = [
            Problem("INVALID_PARAMS", p.message, node.id, _params_field(where, p.field))
            for p in params_problems(model, node.params, strict=True)
        ]
        if scope is not None:
            own += [
                Problem(p.code, p.message, node.id, _params_field(where, p.field))
                for p in scope.problems(model, node.params)
            ]
        problems += own
        if not own:
            sound.add(node.id)
    return problems, nodes, sound


def _params_field(where: str, field: str) -> str:
    return f"{where}.params.{field}" if field else f"{where}.params"


def _tag_problems(tags: list[str]) -> list[Problem]:
    return [
        Problem(
            "RESERVED_NAME",
            f"tag {tag!r}: tags starting with {', '.join(map(repr, RESERVED_TAG_PREFIXES))} "
            "are the platform's",
            field=f"metadata.tags.{index}",
        )
        for index, tag in enumerate(tags)
        if tag.lower().startswith(RESERVED_TAG_PREFIXES)
    ]


def _split(endpoint: str, nodes: Mapping[str, Any]) -> tuple[str, str]:
    """'node.port' as (node, port); a node id that itself holds a '.' (already reported as
    unsafe) still names its node, so an edge to it is not also reported as dangling."""
    node_id, port = Edge.split(endpoint)
    if "." in port:
        known = [n for n in nodes if "." in n and endpoint.startswith(f"{n}.")]
        if known:
            node_id = max(known, key=len)
            port = endpoint[len(node_id) + 1 :]
    return node_id, port


def _edge_problems(
    edges: list[Edge], nodes: Mapping[str, NodeType | None]
) -> tuple[list[Problem], list[Wire], set[str]]:
    """The edges' problems, the edges that join two existing ports of one type, and the nodes
    with an edge in that does not."""
    problems: list[Problem] = []
    wires: list[Wire] = []
    miswired: set[str] = set()  # nodes with an edge in that is not a wire
    connected: dict[tuple[str, str], int] = defaultdict(int)
    for index, edge in enumerate(edges):
        source_node, source_port = _split(edge.source, nodes)
        target_node, target_port = _split(edge.target, nodes)
        ends = []
        for role, node_id, port_name in (
            ("source", source_node, source_port),
            ("target", target_node, target_port),
        ):
            field = f"edges.{index}.{role}"
            if node_id not in nodes:
                problems.append(
                    Problem(
                        "MISSING_NODE",
                        f"edge {role} {getattr(edge, role)!r} names no node",
                        node_id or None,
                        field,
                    )
                )
                ends.append(None)
                continue
            node_type = nodes[node_id]
            if node_type is None:
                ends.append(None)  # already reported as an unknown type
                continue
            port = node_type.output(port_name) if role == "source" else node_type.input(port_name)
            if port is None:
                kind = "output" if role == "source" else "input"
                names = [
                    p.name for p in (node_type.outputs if role == "source" else node_type.inputs)
                ]
                problems.append(
                    Problem(
                        "MISSING_PORT",
                        f"{node_type.type} has no {kind} port {port_name!r} "
                        f"(its {kind} ports: {', '.join(names) or 'none'})",
                        node_id,
                        field,
                    )
                )
            ends.append(port)
        source, target = ends
        if source is None or target is None:
            miswired.add(target_node)
            continue
        if source.type != target.type:
            miswired.add(target_node)
            problems.append(
                Problem(
                    "INCOMPATIBLE_PORTS",
                    f"{edge.source} gives a {source.type.value} but {edge.target} takes a "
                    f"{target.type.value}",
                    target_node,
                    f"edges.{index}",
                )
            )
            continue
        connected[(target_node, target_port)] += 1
        if connected[(target_node, target_port)] > 1 and not target.many:
            problems.append(
                Problem(
                    "DUPLICATE_INPUT",
                    f"input {edge.target} takes one edge but is connected more than once",
                    target_node,
                    f"edges.{index}.target",
                )
            )
            miswired.add(target_node)
            continue
        wires.append(Wire(index, source_node, source_port, target_node, target_port))
    return problems, wires, miswired


def _unconnected_inputs(
    spec: WorkflowSpec, nodes: Mapping[str, NodeType | None], wires: list[Wire]
) -> list[Problem]:
    connected = {(wire.target_node, wire.target_port) for wire in wires}
    problems = []
    for index, node in enumerate(spec.nodes):
        node_type = nodes.get(node.id)
        if node_type is None:
            continue
        for port in node_type.inputs:
            if port.required and (node.id, port.name) not in connected:
                problems.append(
                    Problem(
                        "UNCONNECTED_INPUT",
                        f"required input {port.name!r} ({port.type.value}) is not connected",
                        node.id,
                        f"nodes.{index}.inputs.{port.name}",
                    )
                )
    return problems


def _cycle_problems(edges: list[Edge], nodes: Mapping[str, Any]) -> list[Problem]:
    graph: dict[str, set[str]] = {node_id: set() for node_id in nodes}
    ends = [(_split(edge.source, nodes)[0], _split(edge.target, nodes)[0]) for edge in edges]
    for source, target in ends:
        if source in graph and target in graph:
            graph[target].add(source)
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        cycle = list(exc.args[1])
        indexes = [index for index, pair in enumerate(ends) if pair in set(pairwise(cycle))]
        if not indexes:  # listed against the edges' direction
            cycle.reverse()
            indexes = [index for index, pair in enumerate(ends) if pair in set(pairwise(cycle))]
        listed = ", ".join(
            f"edges.{index} ({edges[index].source} → {edges[index].target})" for index in indexes
        )
        closing = indexes[-1]
        return [
            Problem(
                "CYCLE",
                f"the edges form a cycle: {' → '.join(cycle)}; remove one of {listed}",
                ends[closing][1],
                f"edges.{closing}",
            )
        ]
    return []


def ensure_valid(
    document: Mapping[str, Any],
    scope: TenantScope | None = None,
    *,
    structure_only: bool = False,
) -> WorkflowSpec:
    """The typed spec if ``document`` is valid; otherwise raise with every problem."""
    spec, problems = parse_spec(document)
    if spec is None:
        raise InvalidWorkflow(problems)
    problems = validate_spec(spec, scope, structure_only=structure_only)
    if problems:
        raise InvalidWorkflow(problems)
    return spec
