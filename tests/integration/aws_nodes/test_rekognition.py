"""The ``rekognition`` node through the builder: images in a moto bucket, looked at by the
Rekognition stand-in (moto's Rekognition ignores the image), design → publish → run → row by
row."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from airloom.datasets import read_table
from tests.harness.designs import Designer
from tests.integration.aws_nodes.conftest import AWS_CONN_ID
from tests.integration.builder.specs import node, spec


def _png(colour: str, **chunks: str) -> bytes:
    info = PngInfo()
    for name, text in chunks.items():
        info.add_text(name, text)
    out = io.BytesIO()
    Image.new("RGB", (96, 96), colour).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _half_red_half_white_jpeg() -> bytes:
    image = Image.new("RGB", (100, 100), "white")
    image.paste((220, 30, 30), (0, 0, 100, 75))  # three quarters red
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture(scope="module")
def images(moto) -> dict[str, str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"images-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    objects = {
        "granted/invoice.png": _png("white", labels="Invoice:97.5,Paper:91,Text:88,Table:40"),
        "granted/poster.png": _png(
            "black", labels="Poster:80", moderation="Violence:72.5,Violence/Weapons:64,Drugs:30"
        ),
        "granted/flag.jpg": _half_red_half_white_jpeg(),
        "granted/notes.png": b"these are notes, not an image",
        "private/badge.png": _png("blue", labels="Badge:99"),
    }
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    prefix = f"s3://{bucket}/"
    return {
        "granted": f"{prefix}granted/",
        **{key.split("/")[1].split(".")[0]: prefix + key for key in objects},
        "lost": f"{prefix}granted/lost.png",
    }


def _design(name: str, **params: Any) -> dict[str, Any]:
    return spec(
        name,
        nodes=[
            node(
                "load",
                "file_ingest",
                {"source": "lake://inputs/images.csv", "format": "csv", "dataset": "images"},
            ),
            node(
                "look",
                "rekognition",
                {
                    "image_column": "image",
                    "output_dataset": "images_labelled",
                    "aws_conn_id": AWS_CONN_ID,
                    **params,
                },
                x=200,
            ),
        ],
        edges=[{"source": "load.table", "target": "look.table"}],
    )


def test_labels_and_moderation_row_by_row(
    design: Designer, stand_in_calls, lake: Path, images: dict[str, str]
) -> None:
    tenant = design.tenant(connections=(AWS_CONN_ID,), s3={images["granted"]: AWS_CONN_ID})
    names = ["invoice", "poster", "flag", "notes", "lost", "badge"]
    folder = lake / "tenants" / tenant.name / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "images.csv").open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "image"])
        writer.writerows((name, images[name]) for name in names)
    stand_in_calls.throttle("DetectLabels", 1)
    design_spec = _design(
        "label_images", analyses=["labels", "moderation"], max_labels=2, min_confidence=60
    )

    result = design.publish(tenant, design_spec).run()

    assert result.succeeded, result.task_states
    table = read_table(str(lake / "tenants" / tenant.name / "images_labelled"))
    out = {row["name"]: row for row in table.to_pylist()}
    assert list(out) == names  # every row once, in order
    # Labels: the two most confident above 60 %; the image's moderation labels above 60 %.
    assert out["invoice"]["labels"] == [
        {"name": "Invoice", "confidence": 97.5},
        {"name": "Paper", "confidence": 91.0},
    ]
    assert out["invoice"]["moderation_labels"] == []
    assert out["poster"]["labels"] == [{"name": "Poster", "confidence": 80.0}]
    assert out["poster"]["moderation_labels"] == [
        {"name": "Violence", "parent": None, "confidence": 72.5},
        {"name": "Weapons", "parent": "Violence", "confidence": 64.0},
    ]
    # A JPEG without written labels is labelled by its colours (three quarters red).
    assert out["flag"]["labels"] == [{"name": "Red", "confidence": 75.0}]
    assert out["flag"]["error"] is None
    # Not an image, a missing object, one outside the tenant's grant: kept with their errors.
    assert out["notes"]["error"] == "InvalidImageFormatException: Request has invalid image format"
    assert out["notes"]["labels"] is None
    assert out["lost"]["error"].startswith("InvalidS3ObjectException: ")
    assert out["badge"]["error"] == (
        f"NOT_GRANTED: {images['badge']} is not under an S3 location granted to "
        f"tenant {tenant.name!r}"
    )
    # The refused row was never sent; the throttled call was retried.
    sent = [body["Image"]["S3Object"]["Name"] for _, body in stand_in_calls.bodies]
    assert "private/badge.png" not in sent
    assert stand_in_calls.calls["DetectLabels"] == 5 + 1  # five images sent, one retry
    assert stand_in_calls.calls["DetectModerationLabels"] == 3  # only images labels could read
    usage = {item["operation"]: item for item in result.xcoms["look"]["usage"]}
    assert usage["detect_labels"]["units"] == 3
    assert usage["detect_labels"]["retries"] == 1
    assert usage["detect_moderation_labels"]["units"] == 3
    assert result.xcoms["look"]["failed_rows"] == 3


def test_a_tenant_without_the_aws_connection_cannot_design_the_node(design: Designer) -> None:
    problems = design.problems(design.tenant(), _design("no_grant"))
    assert [(p["nodeId"], p["field"], p["code"]) for p in problems] == [
        ("look", "nodes.1.params.aws_conn_id", "NOT_GRANTED")
    ]
