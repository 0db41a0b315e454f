"""Whether a caller of one model version can switch to another unchanged."""

from __future__ import annotations

from marketplace.compare import signature_compatibility


def _signature(inputs, outputs=None):
    return {"inputs": inputs, "outputs": outputs or [{"type": "long", "required": True}]}


TENURE = {"name": "tenure", "type": "double", "required": True}
SPEND = {"name": "spend", "type": "double", "required": True}


def test_the_same_fields_are_identical() -> None:
    assert signature_compatibility(_signature([TENURE, SPEND]), _signature([TENURE, SPEND])) == (
        "identical",
        [],
    )


def test_dropping_an_input_or_adding_an_optional_one_stays_compatible() -> None:
    optional = {"name": "region", "type": "string", "required": False}

    verdict, notes = signature_compatibility(
        _signature([TENURE, SPEND]), _signature([TENURE, optional])
    )

    assert verdict == "compatible"
    assert notes == ["ignores input(s) spend", "adds optional input 'region'"]


def test_a_new_required_input_a_changed_type_or_output_is_incompatible() -> None:
    as_string = {"name": "tenure", "type": "string", "required": True}
    age = {"name": "age", "type": "long", "required": True}

    verdict, reasons = signature_compatibility(
        _signature([TENURE, SPEND]),
        _signature([as_string, SPEND, age], outputs=[{"type": "double"}]),
    )

    assert verdict == "incompatible"
    assert reasons == [
        "input 'tenure' is string, the baseline sends double",
        "input 'age' is required but the baseline has no such input",
        "output '#0' is double, was long",
    ]


def test_without_a_signature_nothing_can_be_said() -> None:
    assert signature_compatibility(_signature([TENURE]), None) == (
        "unknown",
        ["this version has no signature"],
    )
