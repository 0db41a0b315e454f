"""Which Spark type holds a model's predictions: ``batch_score``'s ``result_type``, early.

``mlflow.pyfunc.spark_udf`` keeps only the prediction columns the requested type can hold
(``integer``: integers of at most 32 bits; ``long``: of 64 bits or fewer, but not 32; ``float``
and ``double``: any number; ``boolean``: booleans; ``string``: anything) and fails at run time
otherwise, with a hint to use strings. Knowing the predictions' type from the model's
signature, validation says which type fits before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

RESULT_TYPES = ("double", "float", "long", "integer", "string", "boolean")
ResultType = Literal["double", "float", "long", "integer", "string", "boolean"]

# What each result type holds, as a Spark type and the numpy types that fit it.
ABOUT: Mapping[str, str] = {
    "double": "DoubleType, any number as a 64-bit float (regressors' predictions)",
    "float": "FloatType, any number as a 32-bit float",
    "long": "LongType, 8- to 16-bit and 64-bit integers (int64 class labels)",
    "integer": "IntegerType, integers of at most 32 bits (int32 class labels)",
    "string": "StringType, any prediction as text (string class labels)",
    "boolean": "BooleanType, true/false predictions",
}

_SMALL_INTEGERS = frozenset({"int8", "uint8", "int16", "uint16"})
_NUMBERS = frozenset({"int32", "int64", "uint32", "uint64", "float16", "float32", "float64"})
# MLflow's column types (ColSpec) as the numpy types its tensors (TensorSpec) name.
_MLFLOW_TYPES: Mapping[str, str] = {
    "boolean": "bool",
    "integer": "int32",
    "long": "int64",
    "float": "float32",
    "double": "float64",
    "string": "str",
    "binary": "bytes",
    "datetime": "datetime64",
}
# The type to use for predictions of each numpy type: the one that keeps them as they are.
_BEST: Mapping[str, str] = {
    "int8": "integer",
    "uint8": "integer",
    "int16": "integer",
    "uint16": "integer",
    "int32": "integer",
    "int64": "long",
    "uint32": "double",
    "uint64": "double",
    "float16": "float",
    "float32": "float",
    "float64": "double",
    "bool": "boolean",
}


def fitting_result_types(dtype: str) -> tuple[str, ...]:
    """The result types that hold predictions of numpy type ``dtype`` (``int64``, ``str`` …)."""
    kind = _MLFLOW_TYPES.get(dtype, dtype)
    fitting = {"string"}
    if kind in _SMALL_INTEGERS or kind in _NUMBERS:
        fitting |= {"float", "double"}
    if kind in _SMALL_INTEGERS or kind == "int32":
        fitting.add("integer")
    if kind in _SMALL_INTEGERS or kind == "int64":
        fitting.add("long")
    if kind == "bool":
        fitting.add("boolean")
    return tuple(name for name in RESULT_TYPES if name in fitting)


def best_result_type(dtype: str) -> str:
    return _BEST.get(_MLFLOW_TYPES.get(dtype, dtype), "string")


def result_type_problem(result_type: str, dtype: str, model: str) -> str | None:
    """Why ``result_type`` cannot hold ``model``'s predictions of type ``dtype``, or None.

    :param model: what the predictions come from, for the message (``models:/churn/3``).
    """
    fitting = fitting_result_types(dtype)
    if result_type in fitting:
        return None
    kind = _MLFLOW_TYPES.get(dtype, dtype)
    return (
        f"result_type {result_type!r} cannot hold the predictions of {model}, which are "
        f"{kind}: use {best_result_type(dtype)!r} (types that fit: {', '.join(fitting)})"
    )


def prediction_dtype(outputs: Sequence[Mapping[str, Any]] | None) -> str | None:
    """The numpy type of a model's predictions, from its MLflow signature's ``outputs``
    (as the MLmodel file holds them); None unless there is exactly one output of a known type.
    """
    if not outputs or len(outputs) != 1:
        return None
    (output,) = outputs
    if output.get("type") == "tensor":
        dtype = (output.get("tensor-spec") or {}).get("dtype")
        return "str" if dtype in ("object", "str_") else dtype
    kind = output.get("type")
    return _MLFLOW_TYPES.get(kind) if isinstance(kind, str) else None
