"""Which batch_score result type holds a model's predictions, as spark_udf will decide it."""

from __future__ import annotations

import pytest

from airloom.ml.result_types import (
    RESULT_TYPES,
    fitting_result_types,
    prediction_dtype,
    result_type_problem,
)


@pytest.mark.parametrize(
    ("dtype", "fitting"),
    [
        ("int64", ("double", "float", "long", "string")),
        ("long", ("double", "float", "long", "string")),  # MLflow's column type for int64
        ("int32", ("double", "float", "integer", "string")),
        ("int16", ("double", "float", "long", "integer", "string")),
        ("float64", ("double", "float", "string")),
        ("bool", ("string", "boolean")),
        ("str", ("string",)),
    ],
)
def test_each_prediction_type_fits_the_result_types_spark_udf_keeps_it_in(
    dtype: str, fitting: tuple[str, ...]
) -> None:
    assert fitting_result_types(dtype) == fitting
    assert set(fitting) <= set(RESULT_TYPES)


def test_a_mismatch_names_the_type_to_use() -> None:
    assert result_type_problem("integer", "int64", "models:/loans/3") == (
        "result_type 'integer' cannot hold the predictions of models:/loans/3, which are int64: "
        "use 'long' (types that fit: double, float, long, string)"
    )
    assert result_type_problem("long", "int64", "models:/loans/3") is None
    assert "use 'boolean'" in (result_type_problem("double", "bool", "m") or "")


def test_the_prediction_type_is_read_from_a_signature() -> None:
    tensor = [{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]
    assert prediction_dtype(tensor) == "int64"
    assert prediction_dtype([{"type": "double", "name": "y", "required": True}]) == "float64"
    assert prediction_dtype([{"type": "string"}]) == "str"
    assert prediction_dtype(None) is None
    assert prediction_dtype([{"type": "long"}, {"type": "double"}]) is None  # which one: unknown
