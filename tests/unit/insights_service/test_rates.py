"""Rates files: both environments price every node type and serving, every rate says where its
price comes from and when; a file that cannot price is refused naming what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from insights.readmodel.rates import RatesFileError, load_rates


@pytest.mark.parametrize("environment", ["local", "aws"])
def test_each_environment_prices_tasks_and_serving_from_sourced_rates(environment):
    rates = load_rates(environment)
    assert rates.environment == environment and rates.currency == "USD"
    assert all(rate.source.scheme == "https" and rate.date for rate in rates.rates.values())
    assert rates.task_hourly()["default"] > 0 and rates.serving_hourly()["default"] > 0
    assert rates.task_hourly()["spark_transform"] > rates.task_hourly()["default"]


def test_aws_spark_hour_is_four_vcpu_and_sixteen_gb_of_emr_serverless():
    assert load_rates("aws").task_hourly()["spark_transform"] == pytest.approx(
        4 * 0.052624 + 16 * 0.0057785
    )


RATE = "usd: 1\n    unit: hour\n    source: https://example.com/prices\n    date: 2026-12-01"


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (
            f"environment: x\nrates:\n  worker:\n    {RATE}\ntasks:\n  default: {{gpu: 1}}\n"
            "serving:\n  default: {worker: 1}\n",
            "tasks.default uses unknown rates gpu",
        ),
        (
            f"environment: x\nrates:\n  worker:\n    {RATE}\ntasks:\n  train: {{worker: 1}}\n"
            "serving:\n  default: {worker: 1}\n",
            "tasks must have a 'default' entry",
        ),
        (
            "environment: x\nrates:\n  worker:\n    usd: 1\n    unit: hour\n    date: 2026-12-01\n"
            "tasks:\n  default: {worker: 1}\nserving:\n  default: {worker: 1}\n",
            "rates.worker.source: Field required",
        ),
        ("environment: [", "is not YAML"),
    ],
)
def test_a_rates_file_that_cannot_price_is_refused_saying_why(tmp_path: Path, document, says):
    (tmp_path / "x.yaml").write_text(document)
    with pytest.raises(RatesFileError, match=says.replace("(", r"\(").replace("'", "'")):
        load_rates("x", tmp_path)


def test_an_unknown_environment_names_the_file_it_looked_for():
    with pytest.raises(RatesFileError, match="no rates file for environment 'mars'"):
        load_rates("mars")
