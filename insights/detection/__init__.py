"""Automated insights: detectors over the read model's views that say what changed, in one
sentence each, ranked by impact (docs/insights.md, "Automated insights")."""

from insights.detection.insight import KINDS, SUBJECT_KINDS, Insight
from insights.detection.run import detect_insights

__all__ = ["KINDS", "SUBJECT_KINDS", "Insight", "detect_insights"]
