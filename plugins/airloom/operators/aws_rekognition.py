"""The ``rekognition`` node: labels and moderation labels for images in S3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from airflow.sdk import Context
from pydantic import Field, field_validator

from airloom.aws_ai.node import AwsAiOperator, AwsAiParams

# Published default quotas (transactions per second, US East (N. Virginia)); sources in
# docs/aws_ai_nodes.md. Each operation is paced on its own.
TPS = {"DetectLabels": 50, "DetectModerationLabels": 50}


class RekognitionParams(AwsAiParams):
    image_column: str = Field(
        min_length=1,
        description="Input column holding each row's image: an s3://bucket/key reference under "
        "an S3 location granted to the tenant (PNG or JPEG, at most 15 MB).",
    )
    analyses: list[Literal["labels", "moderation"]] = Field(
        default_factory=lambda: ["labels"],
        min_length=1,
        description="labels: objects, scenes and concepts in the image; moderation: unsafe "
        "content categories. Each analysis is billed per image.",
    )
    max_labels: int = Field(
        default=10, ge=1, le=1000, description="labels: the most labels kept per image."
    )
    min_confidence: float = Field(
        default=55,
        ge=0,
        le=100,
        description="Labels (and moderation labels) below this confidence, in percent, are "
        "left out.",
    )

    @field_validator("analyses")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("name each analysis once")
        return value


class RekognitionOperator(AwsAiOperator):
    """Label the images a table names, and flag unsafe ones, with Amazon Rekognition.

    Every row keeps its place: a row whose reference is empty, malformed or outside the
    tenant's granted S3 locations is refused before any call (``NOT_GRANTED`` …); an image
    Rekognition cannot read (missing, not PNG/JPEG, too large) is that row's error. Calls are
    paced to each operation's published rate, and throttling is retried with back-off.

    Output columns: ``labels`` (list of ``{name, confidence}``), ``moderation_labels`` (list of
    ``{name, parent, confidence}``; null when that analysis was not asked for), ``error``.
    """

    node_type = "rekognition"
    description = (
        "Looks at images stored in S3 with Amazon Rekognition: what they show (labels such as "
        "Invoice, Car or Beach, each with a confidence) and whether they hold unsafe content "
        "(moderation labels). Each input row names one image; the output keeps every row, "
        "with its labels or why the image could not be read."
    )
    params_model = RekognitionParams

    def run(
        self, params: RekognitionParams, inputs: Mapping[str, Any], context: Context
    ) -> dict[str, Any]:
        from airloom.aws_ai.clients import aws_client
        from airloom.aws_ai.objects import S3Object, object_problem
        from airloom.aws_ai.pacing import Pace
        from airloom.aws_ai.rows import RowError, aligned_table, call_in_batches
        from airloom.aws_ai.usage import Usage

        table = self.read_rows(inputs, params.image_column)
        references = table.column(params.image_column).to_pylist()
        client = aws_client("rekognition", params.aws_conn_id, region_name=params.region_name)
        labels = Usage("rekognition", "detect_labels", "image")
        moderation = Usage("rekognition", "detect_moderation_labels", "image")
        paces = {operation: Pace(tps, f"rekognition.{operation}") for operation, tps in TPS.items()}

        def skip(uri: Any) -> RowError | None:
            return object_problem(uri, self.tenant_scope)

        def call(batch: list[Any]) -> list[dict[str, Any]]:
            found = S3Object.parse(str(batch[0]))
            image = {"S3Object": {"Bucket": found.bucket, "Name": found.key}}
            row: dict[str, Any] = {}
            if "labels" in params.analyses:
                paces["DetectLabels"].wait()
                response = client.detect_labels(
                    Image=image, MaxLabels=params.max_labels, MinConfidence=params.min_confidence
                )
                labels.called(1, response)
                row["labels"] = [
                    {"name": label["Name"], "confidence": float(label["Confidence"])}
                    for label in response.get("Labels", [])
                ]
            if "moderation" in params.analyses:
                paces["DetectModerationLabels"].wait()
                response = client.detect_moderation_labels(
                    Image=image, MinConfidence=params.min_confidence
                )
                moderation.called(1, response)
                row["moderation_labels"] = [
                    {
                        "name": label["Name"],
                        "parent": label.get("ParentName") or None,
                        "confidence": float(label["Confidence"]),
                    }
                    for label in response.get("ModerationLabels", [])
                ]
            return [row]

        outcomes = call_in_batches(references, 1, call, skip=skip)
        output = aligned_table(table, outcomes, output_columns())
        usage = [
            item
            for item, analysis in ((labels, "labels"), (moderation, "moderation"))
            if analysis in params.analyses
        ]
        return self.finish(params, context, output, outcomes, usage)


def output_columns() -> dict[str, Any]:
    import pyarrow as pa

    label = pa.struct([("name", pa.string()), ("confidence", pa.float64())])
    moderation = pa.struct(
        [("name", pa.string()), ("parent", pa.string()), ("confidence", pa.float64())]
    )
    return {"labels": pa.list_(label), "moderation_labels": pa.list_(moderation)}
