"""How well the detectors find planted anomalies: recall, and false positives on clean series.

Every subject is judged every evaluated week for each kind that applies to it (a *cell*). A
finding matching a planted anomaly (kind, subject, week) is a hit; a finding on a subject
and week with nothing planted is a false positive; a finding of another kind on a planted
subject and week is a side effect (a doubled backfill also costs more) and counted apart.
The false-positive rate is false positives over the clean cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from insights.detection import synthetic
from insights.detection.insight import Insight
from insights.detection.run import detect_insights


@dataclass
class Evaluation:
    planted: int = 0
    found: int = 0
    clean_cells: int = 0
    false_positives: list[Insight] = field(default_factory=list)
    side_effects: list[Insight] = field(default_factory=list)
    missed: list[synthetic.Planted] = field(default_factory=list)
    per_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [found, planted]

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def false_positive_rate(self) -> float:
        return len(self.false_positives) / self.clean_cells if self.clean_cells else 0.0


def _cells(history: synthetic.History) -> list[tuple[str, str]]:
    return (
        [(k, s) for s in history.workflows for k in synthetic.WORKFLOW_KINDS]
        + [(k, s) for s in history.endpoints for k in synthetic.ENDPOINT_KINDS]
        + [(k, s) for s in history.tiers for k in synthetic.TIER_KINDS]
    )


def evaluate(histories: list[synthetic.History], result: Evaluation | None = None) -> Evaluation:
    """Run the detectors at each evaluated week of each history (one tenant each)."""
    result = result or Evaluation()
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        synthetic.load(connection, histories)
        for history in histories:
            _evaluate_one(connection, history, result)
    finally:
        connection.close()
    return result


def _evaluate_one(connection, history: synthetic.History, result: Evaluation) -> None:
    for week_end in history.evaluated:
        planted = {(p.kind, p.subject) for p in history.planted if p.week_end == week_end}
        anomalous = {subject for _, subject in planted}
        found = detect_insights(connection, history.tenant, week_end)
        reported = {(i.kind, i.subject) for i in found}
        for kind, subject in planted:
            counts = result.per_kind.setdefault(kind, [0, 0])
            counts[1] += 1
            result.planted += 1
            if (kind, subject) in reported:
                counts[0] += 1
                result.found += 1
            else:
                result.missed.append(synthetic.Planted(kind, subject, week_end))
        result.clean_cells += sum(
            1 for kind, subject in _cells(history) if subject not in anomalous
        )
        for insight in found:
            if (insight.kind, insight.subject) in planted:
                continue
            if insight.subject in anomalous:
                result.side_effects.append(insight)
            else:
                result.false_positives.append(insight)
