"""Sentences that say what the week's figures mean, for the report's top insights.

They come from the same figures the report shows (never a new query), ranked by how many dollars
they concern; the insights service's own automated insights, when it has them, go first.
"""

from __future__ import annotations

from collections.abc import Sequence

from airloom.reports import formatting
from airloom.reports.model import ReportKpis, WorkflowRoi


def _return_sentence(kpis: ReportKpis) -> tuple[float, str] | None:
    if not kpis.cost_usd and not kpis.value_usd:
        return None
    sentence = (
        f"The week returned {formatting.money(kpis.value_usd)} in value on "
        f"{formatting.money(kpis.cost_usd)} of cost"
    )
    if kpis.roi is not None:
        sentence += f" (ROI {formatting.roi(kpis.roi)})"
    return kpis.value_usd + kpis.cost_usd, sentence + "."


def _cost_change(kpis: ReportKpis, previous: ReportKpis | None) -> tuple[float, str] | None:
    if previous is None or not previous.cost_usd or kpis.cost_usd == previous.cost_usd:
        return None
    direction = "rose" if kpis.cost_usd > previous.cost_usd else "fell"
    share = abs(kpis.cost_usd - previous.cost_usd) / previous.cost_usd
    return abs(kpis.cost_usd - previous.cost_usd), (
        f"Cost {direction} {share:.0%} on last week, from {formatting.money(previous.cost_usd)} "
        f"to {formatting.money(kpis.cost_usd)}."
    )


def _failures(kpis: ReportKpis, previous: ReportKpis | None) -> tuple[float, str] | None:
    if not kpis.failures:
        return None
    sentence = (
        f"{formatting.count(kpis.failures)} of {formatting.count(kpis.runs)} runs failed "
        f"({formatting.percent(kpis.failure_rate)})"
    )
    if previous is not None and previous.runs:
        sentence += f", against {formatting.percent(previous.failure_rate)} last week"
    # A failed run's cost bought nothing: weigh the sentence by the share of cost it wasted.
    return (kpis.failure_rate or 0) * kpis.cost_usd, sentence + "."


def _best_and_worst(rows: list[WorkflowRoi]) -> list[tuple[float, str]]:
    found = []
    earning = [row for row in rows if row.value_usd > 0]
    if earning:
        best = max(earning, key=lambda r: (r.value_usd - r.cost_usd, r.workflow))
        found.append(
            (
                best.value_usd,
                f"{best.workflow} returned the most: {formatting.money(best.value_usd)} for "
                f"{formatting.money(best.cost_usd)} of cost.",
            )
        )
    losing = [row for row in rows if row.cost_usd > row.value_usd]
    if losing:
        worst = max(losing, key=lambda r: (r.cost_usd - r.value_usd, r.workflow))
        found.append(
            (
                worst.cost_usd - worst.value_usd,
                f"{worst.workflow} cost {formatting.money(worst.cost_usd)} and returned "
                f"{formatting.money(worst.value_usd)}: set or check its value definition.",
            )
        )
    return found


def headline_insights(
    kpis: ReportKpis,
    previous: ReportKpis | None,
    rows: list[WorkflowRoi],
    automated: Sequence[str] = (),
    most: int = 5,
) -> list[str]:
    """Up to ``most`` sentences: the service's automated insights, then the largest figures."""
    candidates = [
        _return_sentence(kpis),
        _cost_change(kpis, previous),
        _failures(kpis, previous),
        *_best_and_worst(rows),
    ]
    ranked = sorted((c for c in candidates if c is not None), key=lambda c: -c[0])
    return [*automated, *(sentence for _, sentence in ranked)][:most]
