"""Bounds on what a field's arguments may hold: string lengths, and nesting in JSON arguments.

GraphQL itself bounds numbers (Int is 32-bit) but not strings: a 50,000-character search or
name would reach the store and come back quoted in an error. :class:`InputLimits` checks
every argument of every field before its resolver runs, input objects included, and answers
a user error that names the argument and its limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    get_named_type,
    get_nullable_type,
)
from strawberry.extensions import SchemaExtension

from workflow_builder_api.services.errors import InvalidInput

# Longest value of a String argument, by argument (or input field) name; IDs and any other
# string get the defaults below.
STRING_LIMITS: Mapping[str, int] = {
    "search": 200,
    "after": 200,  # a page cursor
    "name": 100,
    "title": 200,
    "templateId": 100,
    "industry": 100,
    "role": 20,
    "message": 1000,
}
ID_LIMIT = 64
DEFAULT_STRING_LIMIT = 1000


class InputTooLarge(InvalidInput):
    """An argument longer, or a JSON argument deeper, than the schema allows."""


def nesting_depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value``, walked with a stack instead of recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        pending.extend((child, depth) for child in children)
    return deepest


def _values(
    definitions: Mapping[str, GraphQLArgument | GraphQLInputField],
    values: Mapping[str, Any],
    path: str,
) -> Iterator[tuple[str, str, GraphQLNamedType, Any]]:
    """(path, name, named type, value) of every argument value, input-object fields included."""
    pending = [(definitions, values, path)]
    while pending:
        fields, given, prefix = pending.pop()
        for name, value in given.items():
            definition = fields.get(name)
            if definition is None or value is None:
                continue
            where = f"{prefix}{name}"
            named = get_named_type(definition.type)
            listed = isinstance(get_nullable_type(definition.type), GraphQLList)
            for item in value if listed and isinstance(value, list) else [value]:
                if isinstance(named, GraphQLInputObjectType) and isinstance(item, Mapping):
                    pending.append((named.fields, item, f"{where}."))
                else:
                    yield where, name, named, item


def check_arguments(
    definitions: Mapping[str, GraphQLArgument], values: Mapping[str, Any], max_json_depth: int
) -> None:
    for where, name, named, value in _values(definitions, values, ""):
        if isinstance(value, str) and named in (GraphQLString, GraphQLID):
            limit = (
                ID_LIMIT if named is GraphQLID else STRING_LIMITS.get(name, DEFAULT_STRING_LIMIT)
            )
            if "\x00" in value:  # no text column (PostgreSQL's, for one) can hold it
                raise InvalidInput(f"argument {where} contains a NUL character")
            if len(value) > limit:
                raise InputTooLarge(
                    f"argument {where} is {len(value):,} characters long; "
                    f"the limit is {limit:,} characters"
                )
        elif isinstance(named, GraphQLScalarType) and isinstance(value, dict | list):
            depth = nesting_depth(value)
            if depth > max_json_depth:
                raise InputTooLarge(
                    f"argument {where} nests {depth} levels deep; "
                    f"the limit is {max_json_depth} levels of lists and objects"
                )


class InputLimits(SchemaExtension):
    """Refuse arguments past the limits before any resolver sees them."""

    def __init__(self, *, max_json_depth: int) -> None:
        self.max_json_depth = max_json_depth

    def resolve(
        self, _next: Callable, root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any
    ) -> Any:
        if kwargs:
            field = info.parent_type.fields[info.field_name]
            check_arguments(field.args, kwargs, self.max_json_depth)
        return _next(root, info, *args, **kwargs)
