"""The detectors find the anomalies planted in a generated activity history (recall at least
0.9) and stay quiet on clean series (false positives at most 5 %), on a fixed seed; the same
figures bench/insights_detection.py prints over more seeds."""

from __future__ import annotations

from insights.detection import synthetic
from insights.detection.evaluation import Evaluation, evaluate


def test_planted_anomalies_are_found_and_clean_series_stay_quiet():
    result = Evaluation()
    # Two tenants in one read model: each is judged on its own rows only.
    tenants = [synthetic.generate(11, tenant="acme"), synthetic.generate(12, tenant="globex")]
    evaluate(tenants, result)
    evaluate([synthetic.generate(13, tenant="initech", plant=False)], result)
    assert result.planted >= 30
    assert set(result.per_kind) == {
        "cost_jump",
        "duration_jump",
        "failure_spike",
        "latency_regression",
        "idle_endpoint",
        "rate_limit_pressure",
    }
    assert result.recall >= 0.9, result.missed
    assert result.false_positive_rate <= 0.05, result.false_positives
