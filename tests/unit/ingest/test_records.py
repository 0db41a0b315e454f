"""Record schemas: which values are malformed and why, and the columns valid ones become."""

import json

import pyarrow as pa
import pytest

from airloom.ingest.records import RecordSchema, RecordSchemaError, schema_problems

ORDER = {
    "type": "object",
    "required": ["order_id", "amount"],
    "properties": {
        "order_id": {"type": "integer"},
        "amount": {"type": "number", "minimum": 0},
        "customer": {"type": ["string", "null"]},
        "paid": {"type": "boolean"},
        "items": {"type": "array"},
        "note": {},
    },
}


def test_a_valid_value_is_returned_as_a_record() -> None:
    record, reason = RecordSchema(ORDER).check(b'{"order_id": 7, "amount": 12.5}')
    assert reason is None
    assert record == {"order_id": 7, "amount": 12.5}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"{not json", "not JSON: "),
        (b"\xff\xfe\x00garbage", "not JSON: "),
        (b"[1, 2]", "not a JSON object: a JSON list"),
        (None, "no value (a tombstone record)"),
        (b'{"order_id": 7, "amount": -1}', "schema: $.amount: -1 is less than the minimum"),
        (b'{"amount": 1}', 'schema: $: "order_id" is a required property'),
    ],
)
def test_a_malformed_value_gets_a_reason_saying_what_and_where(
    value: bytes | None, expected: str
) -> None:
    record, reason = RecordSchema(ORDER).check(value)
    assert record is None
    assert reason is not None and expected in reason


def test_every_schema_violation_is_listed_with_its_path() -> None:
    _, reason = RecordSchema(ORDER).check(b'{"order_id": "seven", "amount": -1}')
    assert "$.order_id: " in reason and "$.amount: " in reason


def test_columns_are_typed_from_the_schema_whatever_a_batch_contains() -> None:
    schema = RecordSchema(ORDER)
    assert schema.arrow_schema() == pa.schema(
        [
            ("order_id", pa.int64()),
            ("amount", pa.float64()),
            ("customer", pa.string()),
            ("paid", pa.bool_()),
            ("items", pa.string()),
            ("note", pa.string()),
        ]
    )
    # A batch of records that all lack the optional fields still gets typed, null columns.
    arrays, unfit = schema.to_arrays([{"order_id": 1, "amount": 2}])
    assert unfit == [""]
    table = pa.Table.from_arrays(arrays, schema=schema.arrow_schema())
    assert table.to_pylist() == [
        {"order_id": 1, "amount": 2.0, "customer": None, "paid": None, "items": None, "note": None}
    ]


def test_an_enum_without_a_type_is_typed_by_its_values() -> None:
    schema = RecordSchema(
        {
            "properties": {
                "currency": {"enum": ["EUR", "USD"]},
                "level": {"enum": [1, 2, None]},
                "anything": {"enum": ["a", 1]},
            }
        }
    )
    assert schema.arrow_schema() == pa.schema(
        [("currency", pa.string()), ("level", pa.int64()), ("anything", pa.string())]
    )
    arrays, _ = schema.to_arrays([{"currency": "EUR", "level": 2, "anything": 1}])
    assert [array.to_pylist() for array in arrays] == [["EUR"], [2], ["1"]]


def test_arrays_objects_and_untyped_values_are_kept_as_json_text() -> None:
    arrays, _ = RecordSchema(ORDER).to_arrays(
        [
            {"order_id": 1, "amount": 1, "items": [{"sku": "a"}], "note": {"x": 1}},
            {"order_id": 2, "amount": 1, "note": "plain text"},
        ]
    )
    items, note = arrays[4].to_pylist(), arrays[5].to_pylist()
    assert json.loads(items[0]) == [{"sku": "a"}] and items[1] is None
    assert note == ['{"x":1}', "plain text"]


def test_a_value_too_big_for_its_column_is_reported_and_the_others_kept() -> None:
    records = [
        {"order_id": 1, "amount": 1},
        {"order_id": 2**70, "amount": 1},
        {"order_id": 3, "amount": 2},
    ]
    arrays, unfit = RecordSchema(ORDER).to_arrays(records)
    assert unfit[0] == "" and unfit[2] == ""
    assert "$.order_id: " in unfit[1] and "int64" in unfit[1]
    assert arrays[0].to_pylist() == [1, 3]
    assert arrays[1].to_pylist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "objekt", "properties": {"a": {}}}, "not a valid JSON Schema at $.type"),
        ({"type": "object"}, "must declare 'properties'"),
        ({"properties": {"ingest_date": {}}}, "declares ingest_date"),
        (["not", "a", "schema"], "must be a JSON Schema object"),
    ],
)
def test_an_unusable_record_schema_is_refused_with_the_reason(schema, problem: str) -> None:
    assert problem in schema_problems(schema)[0]
    with pytest.raises(RecordSchemaError, match="record_schema"):
        RecordSchema(schema)
