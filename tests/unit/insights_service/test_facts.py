"""The priced facts follow the lake: a batch that lands is priced and added to what was priced
before, a run's cost follows its tasks as they land, and files rewritten are priced again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from insights.activity.landing import activity_folder
from insights.readmodel.facts import FactsCache
from insights.readmodel.lake import ActivityCache
from insights.readmodel.rates import RatesFile
from tests.unit.insights_service.activity_files import RATES, SERVING, TRAIN, land


def task(run_id: str, seconds: float) -> dict:
    return {"dag_id": "wf_churn", "run_id": run_id, "workflow": "churn", "task_id": "fit",
            "node_type": "train", "state": "success", "duration_s": seconds}  # fmt: skip


def run_ended(run_id: str) -> dict:
    return {"dag_id": "wf_churn", "run_id": run_id, "workflow": "churn", "state": "success",
            "at": "2026-12-03T10:00:00+00:00", "duration_s": 60.0}  # fmt: skip


def call(latency_ms: float) -> dict:
    return {"endpoint": "churn", "latency_ms": latency_ms, "ok": True, "predictions": 2,
            "target": "local", "at": "2026-12-03T10:00:00+00:00"}  # fmt: skip


@pytest.fixture
def activity(tmp_path: Path) -> str:
    return str(tmp_path / "_airloom" / "activity")


def test_each_batch_is_priced_once_and_added_to_what_was_priced(activity: str):
    facts = FactsCache(ActivityCache(activity), RATES)
    land(activity, "invocation", "acme", [call(1000.0), call(2000.0)])
    first = facts.facts("acme").invocations
    assert first["cost_usd"].to_pylist() == pytest.approx([SERVING / 3600, 2 * SERVING / 3600])
    land(activity, "invocation", "acme", [call(3600.0)])
    second = facts.facts("acme").invocations
    assert second.num_rows == 3
    assert second.slice(0, 2).equals(first)  # what was priced stays as it was
    assert second["cost_usd"][2].as_py() == pytest.approx(SERVING / 1000)


def test_a_runs_cost_follows_its_tasks_as_they_land(activity: str):
    facts = FactsCache(ActivityCache(activity), RATES)
    land(activity, "dag_run", "acme", [run_ended("r1")])
    land(activity, "task_run", "acme", [task("r1", 1800.0)])
    assert facts.facts("acme").runs["cost_usd"].to_pylist() == pytest.approx([TRAIN / 2])
    land(activity, "task_run", "acme", [task("r1", 1800.0)])  # a retry's try, landed later
    assert facts.facts("acme").runs["cost_usd"].to_pylist() == pytest.approx([TRAIN])


def test_files_rewritten_are_priced_again_and_tenants_stay_apart(activity: str):
    facts = FactsCache(ActivityCache(activity), RATES)
    land(activity, "invocation", "acme", [call(1000.0)])
    land(activity, "invocation", "globex", [call(5000.0), call(5000.0)])
    assert facts.facts("acme").invocations.num_rows == 1
    shutil.rmtree(activity_folder(activity, "invocation", "acme"))
    land(activity, "invocation", "acme", [call(7200.0)])
    again = facts.facts("acme").invocations
    assert again["cost_usd"].to_pylist() == pytest.approx([2 * SERVING / 1000])
    assert facts.facts("globex").invocations.num_rows == 2


def usage(run_id: str, operation: str, units: float, unit: str) -> dict:
    return {"dag_id": "wf_churn", "run_id": run_id, "workflow": "churn", "task_id": "moods",
            "node_type": "comprehend", "service": "comprehend", "operation": operation,
            "requests": 4, "units": units, "unit": unit,
            "at": "2026-12-03T10:00:00+00:00"}  # fmt: skip


def test_a_runs_cost_adds_its_aws_calls_at_their_rates_in_their_own_unit(activity: str):
    document = RATES.model_dump(mode="json")
    document["rates"]["comprehend_unit"] = {
        "usd": 0.0001, "unit": "100 characters",
        "source": "https://aws.amazon.com/comprehend/pricing/", "date": "2026-12-03",
    }  # fmt: skip
    document["aws_usage"] = {"comprehend": "comprehend_unit"}
    facts = FactsCache(ActivityCache(activity), RatesFile.model_validate(document))
    land(activity, "dag_run", "acme", [run_ended("r1")])
    land(activity, "task_run", "acme", [task("r1", 1800.0)])
    land(
        activity,
        "aws_usage",
        "acme",
        [
            usage("r1", "detect_sentiment", 3000, "100 characters"),
            # A unit no rate is given in is not priced as another unit.
            usage("r1", "detect_sentiment", 50, "page"),
        ],
    )
    priced = facts.facts("acme").aws_usage
    assert priced["cost_usd"].to_pylist() == pytest.approx([0.3, 0.0])
    assert priced["priced"].to_pylist() == [True, False]
    assert facts.facts("acme").runs["cost_usd"].to_pylist() == pytest.approx([TRAIN / 2 + 0.3])
    assert facts.facts("globex").aws_usage.num_rows == 0


def test_a_rates_file_naming_an_unknown_rate_for_aws_calls_is_refused():
    document = RATES.model_dump(mode="json")
    document["aws_usage"] = {"textract.analyze_document": "nowhere"}
    with pytest.raises(ValueError, match=r"textract\.analyze_document uses unknown rate"):
        RatesFile.model_validate(document)


def test_one_operation_priced_in_two_units_prices_each_in_its_own(activity: str):
    document = RATES.model_dump(mode="json")
    source = {"source": "https://aws.amazon.com/bedrock/pricing/", "date": "2026-12-03"}
    document["rates"]["haiku_input"] = {"usd": 0.00000025, "unit": "input token", **source}
    document["rates"]["haiku_output"] = {"usd": 0.00000125, "unit": "output token", **source}
    model = "converse:anthropic.claude-3-haiku-20240307-v1:0"
    document["aws_usage"] = {f"bedrock.{model}": ["haiku_input", "haiku_output"]}
    facts = FactsCache(ActivityCache(activity), RatesFile.model_validate(document))
    answers = [usage("r1", model, 4000, "input token"), usage("r1", model, 800, "output token")]
    for row in answers:
        row["service"] = "bedrock"
    land(activity, "aws_usage", "acme", answers)
    priced = facts.facts("acme").aws_usage["cost_usd"].to_pylist()
    assert priced == pytest.approx([0.001, 0.001])
    twice = {**document, "aws_usage": {"bedrock": ["haiku_input", "haiku_input"]}}
    with pytest.raises(ValueError, match="two rates in one unit"):
        RatesFile.model_validate(twice)
