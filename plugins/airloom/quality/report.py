"""The data-quality report: one result per check, an overall status, as JSON, HTML and text."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["passed", "warned", "failed"]

_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Data quality: {{ r.dataset }}</title>
<style>
body { font-family: sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; }
.pass { background: #e6f4ea; } .warn { background: #fef7e0; } .fail { background: #fce8e6; }
</style></head><body>
<h1>Data quality {{ r.status | upper }}: {{ r.dataset }}</h1>
<p>{{ r.row_count }} rows checked, {{ r.quarantined_rows }} quarantined, at {{ r.created_at }}
{%- for key, value in r.context.items() %}; {{ key }} {{ value }}{% endfor %}.</p>
<table>
<tr><th>check</th><th>kind</th><th>column</th><th>severity</th><th>result</th>
<th>failed rows</th><th>details</th><th>examples (row: value)</th></tr>
{%- for c in r.checks %}
<tr class="{{ c.verdict }}"><td>{{ c.name }}</td><td>{{ c.kind }}</td><td>{{ c.column or "" }}</td>
<td>{{ c.severity }}</td><td>{{ c.verdict }}</td><td>{{ c.failed_rows }}</td>
<td>{{ c.message }}</td>
<td>{% for e in c.examples %}{{ e.row }}: {{ e.value }}{% if not loop.last %}<br>{% endif %}
{%- endfor %}</td></tr>
{%- endfor %}
</table></body></html>
"""


@dataclass(frozen=True)
class CheckResult:
    name: str
    kind: str
    column: str | None
    severity: str
    passed: bool
    failed_rows: int
    examples: list[dict[str, Any]]
    message: str

    @property
    def verdict(self) -> str:
        """'pass', or the severity of the failure ('warn' or 'fail')."""
        return "pass" if self.passed else self.severity


@dataclass
class QualityReport:
    dataset: str
    row_count: int
    checks: list[CheckResult]
    quarantined_rows: int
    created_at: str
    context: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        verdicts = {check.verdict for check in self.checks}
        if "fail" in verdicts:
            return "failed"
        return "warned" if "warn" in verdicts else "passed"

    @property
    def counts(self) -> dict[str, int]:
        verdicts = [check.verdict for check in self.checks]
        return {
            "checks": len(self.checks),
            "passed": verdicts.count("pass"),
            "warned": verdicts.count("warn"),
            "failed": verdicts.count("fail"),
            "rows": self.row_count,
            "quarantined_rows": self.quarantined_rows,
            "validated_rows": self.row_count - self.quarantined_rows,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "status": self.status,
            "counts": self.counts,
            "created_at": self.created_at,
            "context": self.context,
            "checks": [asdict(check) | {"verdict": check.verdict} for check in self.checks],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)

    def to_html(self) -> str:
        import jinja2

        template = jinja2.Environment(autoescape=True).from_string(_HTML)
        return template.render(r=self)

    def summary(self) -> str:
        """A few lines a person reads in a task log: the verdict, then each check not passed."""
        counts = self.counts
        lines = [
            f"Data quality {self.status.upper()} for {self.dataset}: {counts['failed']} failed, "
            f"{counts['warned']} warned, {counts['passed']} passed of {counts['checks']} checks; "
            f"{self.quarantined_rows} of {self.row_count} rows quarantined."
        ]
        for check in self.checks:
            if check.passed:
                continue
            examples = ", ".join(f"row {e['row']}: {e['value']!r}" for e in check.examples)
            lines.append(
                f"  {check.verdict.upper():4} {check.name}: {check.message}"
                + (f" (e.g. {examples})" if examples else "")
            )
        return "\n".join(lines)
