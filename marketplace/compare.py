"""Side-by-side comparison of two to five model versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from airloom.model_checks.validation import metric_goal
from marketplace.catalog.queries import get_version
from marketplace.errors import InvalidInput
from marketplace.models import ListingVersion
from marketplace.schemas import (
    ComparedVersion,
    CompareResponse,
    SignatureCompatibility,
    VersionRef,
)


def _fields(schema: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Signature fields by name (unnamed tensors by position)."""
    return {str(spec.get("name") or f"#{index}"): spec for index, spec in enumerate(schema or [])}


def _type(spec: dict[str, Any]) -> str:
    if spec.get("type") == "tensor":
        tensor = spec.get("tensor-spec", {})
        return f"tensor<{tensor.get('dtype')}>{tuple(tensor.get('shape', ()))}"
    return str(spec.get("type"))


def signature_compatibility(
    baseline: dict[str, Any] | None, other: dict[str, Any] | None
) -> tuple[str, list[str]]:
    """Can a caller of ``baseline`` switch to ``other`` unchanged?

    Identical: same inputs and outputs. Compatible: every input ``other`` requires is one the
    baseline's callers send, with the same type, and the outputs agree. Incompatible otherwise.
    """
    if not baseline or not other:
        missing = "the baseline" if not baseline else "this version"
        return "unknown", [f"{missing} has no signature"]
    base_in, other_in = _fields(baseline.get("inputs")), _fields(other.get("inputs"))
    base_out, other_out = _fields(baseline.get("outputs")), _fields(other.get("outputs"))
    reasons = []
    for name, spec in other_in.items():
        sent = base_in.get(name)
        if sent is None:
            if spec.get("required", True):
                reasons.append(f"input {name!r} is required but the baseline has no such input")
        elif _type(sent) != _type(spec):
            reasons.append(f"input {name!r} is {_type(spec)}, the baseline sends {_type(sent)}")
    for name, spec in base_out.items():
        produced = other_out.get(name)
        if produced is None:
            reasons.append(f"output {name!r} is missing")
        elif _type(produced) != _type(spec):
            reasons.append(f"output {name!r} is {_type(produced)}, was {_type(spec)}")
    if reasons:
        return "incompatible", reasons
    if {k: _type(v) for k, v in base_in.items()} == {k: _type(v) for k, v in other_in.items()} and (
        {k: _type(v) for k, v in base_out.items()} == {k: _type(v) for k, v in other_out.items()}
    ):
        return "identical", []
    extra = sorted(set(base_in) - set(other_in))
    notes = [f"ignores input(s) {', '.join(extra)}"] if extra else []
    notes += [f"adds optional input {name!r}" for name in sorted(set(other_in) - set(base_in))]
    return "compatible", notes


def _benchmark_levels(row: ListingVersion) -> dict[str, Any] | None:
    if not row.benchmark:
        return None
    report = row.benchmark.get("report") or {}
    return {
        "status": row.benchmark.get("status"),
        "levels": report.get("levels", []),
        "mode": report.get("mode"),
    }


def compare(session: Session, tenant: str, refs: list[VersionRef]) -> CompareResponse:
    keys = [(ref.name, ref.version) for ref in refs]
    if len(set(keys)) != len(keys):
        raise InvalidInput("each version may appear only once in a comparison")
    rows = [get_version(session, tenant, ref.name, ref.version) for ref in refs]
    metric_names = sorted({key for row in rows for key in row.metrics})
    table = {key: [row.metrics.get(key) for row in rows] for key in metric_names}
    best = {}
    for key, values in table.items():
        goal = metric_goal(key)
        present = [(value, index) for index, value in enumerate(values) if value is not None]
        if goal and len(present) > 1:
            pick = max(present) if goal == "maximize" else min(present)
            best[key] = pick[1]
    baseline = rows[0]
    compatibility = []
    for ref, row in zip(refs, rows, strict=True):
        verdict, reasons = signature_compatibility(baseline.signature, row.signature)
        compatibility.append(
            SignatureCompatibility(
                name=ref.name, version=ref.version, verdict=verdict, reasons=reasons
            )
        )
    return CompareResponse(
        baseline=refs[0],
        versions=[
            ComparedVersion(
                name=ref.name,
                version=ref.version,
                framework=row.framework,
                metrics=row.metrics,
                size_bytes=row.size_bytes,
                signature=row.signature,
                validation_status=(row.validation or {}).get("status", "not_run"),
                benchmark=_benchmark_levels(row),
            )
            for ref, row in zip(refs, rows, strict=True)
        ],
        metrics=table,
        best=best,
        signature_compatibility=compatibility,
    )
