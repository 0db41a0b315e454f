"""The node catalog: every Airloom operator is one node type of the workflow builder.

It is derived from the operators themselves (their params model, ports and description), so
there is no second list to keep in sync.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from airloom.catalog.params import NodeConfigError, NodeParams, ParamProblem, params_problems
from airloom.catalog.ports import Port, PortType

if TYPE_CHECKING:
    from airloom.operators.base import AirloomOperator

__all__ = [
    "NodeConfigError",
    "NodeParams",
    "NodeType",
    "ParamProblem",
    "Port",
    "PortType",
    "node_types",
    "params_problems",
]


@dataclass(frozen=True)
class NodeType:
    type: str
    category: str
    description: str
    params_schema: dict[str, Any]
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    operator: type[AirloomOperator]

    def input(self, name: str) -> Port | None:
        return next((port for port in self.inputs if port.name == name), None)

    def output(self, name: str) -> Port | None:
        return next((port for port in self.outputs if port.name == name), None)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


@cache
def node_types() -> dict[str, NodeType]:
    """Every concrete Airloom operator, keyed by its node type."""
    import airloom.operators
    from airloom.operators.base import AirloomOperator

    for module in pkgutil.iter_modules(airloom.operators.__path__):
        importlib.import_module(f"airloom.operators.{module.name}")
    catalog: dict[str, NodeType] = {}
    for operator in _subclasses(AirloomOperator):
        node_type = getattr(operator, "node_type", None)
        if not node_type or not operator.__module__.startswith("airloom.operators."):
            continue  # an abstract base, or a subclass defined outside Airloom's operators
        if node_type in catalog:
            raise TypeError(
                f"node type {node_type!r} is declared by both "
                f"{catalog[node_type].operator.__name__} and {operator.__name__}"
            )
        catalog[node_type] = NodeType(
            type=node_type,
            category=operator.category,
            description=operator.description,
            params_schema=operator.params_model.model_json_schema(),
            inputs=operator.input_ports,
            outputs=operator.output_ports,
            operator=operator,
        )
    return dict(sorted(catalog.items()))
