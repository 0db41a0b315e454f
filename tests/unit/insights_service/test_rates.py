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


# What the AWS nodes report (airloom.aws_ai.usage.Usage: service.operation, unit); each must
# be priced, in its own unit, in both environments.
REPORTED = [
    ("comprehend", "detect_sentiment", "100 characters"),
    ("comprehend", "detect_pii_entities", "100 characters"),
    ("translate", "translate_text", "character"),
    ("textract", "detect_document_text", "page"),
    ("textract", "analyze_document_tables", "page"),
    ("textract", "analyze_document_forms", "page"),
    ("rekognition", "detect_labels", "image"),
    ("rekognition", "detect_moderation_labels", "image"),
    ("transcribe", "transcription_job", "second"),
    ("polly", "synthesize_speech_standard", "character"),
    ("polly", "synthesize_speech_neural", "character"),
    ("glue", "job_run", "DPU-hour"),
    ("kinesis", "put_records", "PUT payload unit (25 KB)"),
    ("bedrock", "converse:anthropic.claude-3-haiku-20240307-v1:0", "input token"),
    ("bedrock", "converse:anthropic.claude-3-haiku-20240307-v1:0", "output token"),
    ("bedrock", "invoke_model:amazon.titan-embed-text-v2:0", "input token"),
]


@pytest.mark.parametrize("environment", ["local", "aws"])
def test_what_the_aws_nodes_report_is_priced_in_its_own_unit(environment):
    prices = {(operation, unit) for operation, unit, _ in load_rates(environment).aws_unit_prices()}
    for service, operation, unit in REPORTED:
        assert (f"{service}.{operation}", unit) in prices or (service, unit) in prices, (
            service,
            operation,
            unit,
        )


def test_the_local_file_borrows_aws_prices_for_aws_calls():
    assert load_rates("local").aws_unit_prices() == load_rates("aws").aws_unit_prices()


def test_bedrock_prices_agree_with_the_answers_the_node_costs():
    from airloom.aws_ai.bedrock_models import CHAT_PRICES, EMBEDDING_PRICES

    prices = {(op, unit): usd for op, unit, usd in load_rates("aws").aws_unit_prices()}
    for model, price in CHAT_PRICES.items():
        key = f"bedrock.converse:{model}"
        assert prices[(key, "input token")] == pytest.approx(price.input_per_1k / 1000)
        assert prices[(key, "output token")] == pytest.approx(price.output_per_1k / 1000)
    for model, per_1k in EMBEDDING_PRICES.items():
        key = f"bedrock.invoke_model:{model}"
        assert prices[(key, "input token")] == pytest.approx(per_1k / 1000)
