"""What changed between two versions of a design: nodes, edges, params and settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
SETTINGS = ("metadata", "schedule", "defaults")
NODE_FIELDS = ("type", "params", "ui", "retries", "timeoutSeconds")


@dataclass(frozen=True)
class ValueChange:
    path: str  # dotted, e.g. "checks.0.max" in a node's params, or "schedule"
    change: str  # added | removed | changed
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class NodeChange:
    node_id: str
    fields: tuple[str, ...]  # which of NODE_FIELDS changed


@dataclass(frozen=True)
class ParamChange:
    node_id: str
    value: ValueChange


@dataclass
class SpecDiff:
    nodes_added: list[str] = field(default_factory=list)
    nodes_removed: list[str] = field(default_factory=list)
    nodes_changed: list[NodeChange] = field(default_factory=list)
    edges_added: list[tuple[str, str]] = field(default_factory=list)
    edges_removed: list[tuple[str, str]] = field(default_factory=list)
    params: list[ParamChange] = field(default_factory=list)
    settings: list[ValueChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.nodes_added,
                self.nodes_removed,
                self.nodes_changed,
                self.edges_added,
                self.edges_removed,
                self.params,
                self.settings,
            )
        )


def diff_specs(before: Mapping[str, Any], after: Mapping[str, Any]) -> SpecDiff:
    result = SpecDiff()
    old_nodes, new_nodes = _nodes(before), _nodes(after)
    result.nodes_added = [node_id for node_id in new_nodes if node_id not in old_nodes]
    result.nodes_removed = [node_id for node_id in old_nodes if node_id not in new_nodes]
    for node_id, new in new_nodes.items():
        old = old_nodes.get(node_id)
        if old is None:
            continue
        changed = tuple(key for key in NODE_FIELDS if old.get(key) != new.get(key))
        if changed:
            result.nodes_changed.append(NodeChange(node_id, changed))
        result.params += [
            ParamChange(node_id, change)
            for change in diff_values(old.get("params") or {}, new.get("params") or {})
        ]
    old_edges, new_edges = _edges(before), _edges(after)
    result.edges_added = [edge for edge in new_edges if edge not in old_edges]
    result.edges_removed = [edge for edge in old_edges if edge not in new_edges]
    for key in SETTINGS:
        result.settings += diff_values(
            {key: before.get(key)} if key in before else {},
            {key: after.get(key)} if key in after else {},
        )
    return result


def diff_values(before: Any, after: Any, path: str = "") -> list[ValueChange]:
    """Leaf-level changes between two JSON values, each with its dotted path."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        changes: list[ValueChange] = []
        for key in [*before, *(k for k in after if k not in before)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in after:
                changes.append(ValueChange(where, REMOVED, before=before[key]))
            elif key not in before:
                changes.append(ValueChange(where, ADDED, after=after[key]))
            else:
                changes += diff_values(before[key], after[key], where)
        return changes
    if before == after:
        return []
    return [ValueChange(path, CHANGED, before=before, after=after)]


def _nodes(spec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nodes = spec.get("nodes") or []
    return {str(node["id"]): node for node in nodes if isinstance(node, Mapping) and "id" in node}


def _edges(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    edges = spec.get("edges") or []
    return [
        (str(edge.get("source")), str(edge.get("target")))
        for edge in edges
        if isinstance(edge, Mapping)
    ]
