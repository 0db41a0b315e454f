"""On AWS the lake is S3: the report DAG's writes land there whole, and the insights API lists
and serves them from there, per tenant (moto in server mode stands in for S3)."""

from __future__ import annotations

import uuid

import boto3
import pytest

from airloom.reports.job import store_report
from airloom.reports.store import ReportStore
from insights.core.config import Settings
from tests.integration.insights.conftest import AUTH_SECRET, open_insights
from tests.unit.reports.sample import sample_report

REGION = "us-east-1"


@pytest.fixture
def s3_lake(moto, monkeypatch) -> str:
    for name, value in {
        "AWS_ENDPOINT_URL": moto.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"lake-{uuid.uuid4().hex[:8]}"
    boto3.client("s3", endpoint_url=moto.url, region_name=REGION).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/root"


def test_reports_are_stored_in_s3_and_served_from_there(s3_lake: str, moto, tmp_path) -> None:
    written = store_report(sample_report("acme", "2026-W48"), s3_lake)
    store_report(sample_report("globex", "2026-W47"), s3_lake)
    assert written["pdf"] == f"{s3_lake}/_airloom/reports/tenant=acme/2026-W48.pdf"
    bucket, _, prefix = s3_lake.removeprefix("s3://").partition("/")
    listed = boto3.client("s3", endpoint_url=moto.url, region_name=REGION).list_objects_v2(
        Bucket=bucket, Prefix=f"{prefix}/_airloom/reports/"
    )
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        f"{prefix}/_airloom/reports/tenant=acme/2026-W48.html",
        f"{prefix}/_airloom/reports/tenant=acme/2026-W48.pdf",
        f"{prefix}/_airloom/reports/tenant=globex/2026-W47.html",
        f"{prefix}/_airloom/reports/tenant=globex/2026-W47.pdf",
    ]
    assert [r.week for r in ReportStore(s3_lake).list_reports("acme")] == ["2026-W48"]

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'insights.db'}",
        lake_uri=s3_lake,
        consume_enabled=False,
        log_level="WARNING",
        identity={"secret": AUTH_SECRET},
    )
    with open_insights(settings) as insights:
        acme = insights.headers("acme", "viewer")
        body = insights.client.get("/api/v1/reports", headers=acme).json()
        assert [(r["week"], r["formats"]) for r in body["reports"]] == [
            ("2026-W48", ["html", "pdf"])
        ]
        pdf = insights.client.get("/api/v1/reports/2026-W48.pdf", headers=acme)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        other = insights.client.get("/api/v1/reports/2026-W47.pdf", headers=acme)
        assert other.status_code == 404  # globex's week
