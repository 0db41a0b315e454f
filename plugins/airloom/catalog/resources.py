"""What a node param names: a dataset, a topic, a connection… — marked in its JSON Schema.

Each param that names something a tenant may own or be granted carries ``x-airloom-resource``
in its schema. The tenancy rules (:mod:`airloom.tenancy`) read the mark to place the name in
the tenant's area or check the grant, and the builder's forms can offer the right choices
(e.g. the connections granted to the tenant). One mark, read by both, so they cannot drift.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, Field

MARK = "x-airloom-resource"


class Resource(StrEnum):
    # Names a workflow holds relative to its tenant; Airloom places them in the tenant's area.
    DATASET = "dataset"  # a lake dataset the node writes
    FILE_SOURCE = "file-source"  # files to read: lake://… or a granted s3:// location
    TOPIC = "topic"  # a Kafka topic: the tenant's own, or one granted to it
    CONSUMER_GROUP = "consumer-group"
    CHECKPOINT = "checkpoint"  # a streaming checkpoint's name in the lake
    EXPERIMENT = "experiment"  # an MLflow experiment
    # Names in shared namespaces that belong to one tenant at a time.
    MODEL = "model"  # a registered model the node adds versions to
    MODEL_URI = "model-uri"  # a registered model version or alias the node reads
    ENDPOINT = "endpoint"  # a serving endpoint the node deploys to
    # Credentials: a tenant uses only what an admin granted it.
    CONNECTION = "connection"  # an Airflow connection to a source, granted per tenant
    AWS_CONNECTION = "aws-connection"  # an AWS account's credentials, granted per tenant
    S3_LOCATION = "s3-location"  # an s3:// prefix read or written: under a granted location
    KINESIS_STREAM = "kinesis-stream"  # a Kinesis data stream: the tenant's own
    STORAGE_CONNECTION = "storage-connection"  # reads a file source: from the tenant's S3 grant
    PLATFORM_CONNECTION = "platform-connection"  # lake, MLflow, Kafka, Spark: Airloom's own
    # Free text in a namespace Airloom reserves part of.
    TAGS = "tags"  # user tags: names starting with "airloom." are the platform's


def marked(kind: Resource) -> dict[str, Any]:
    """The ``json_schema_extra`` that marks a param as naming ``kind``."""
    return {MARK: kind.value}


def names(kind: Resource) -> Any:
    """Field metadata marking a param as naming ``kind``: ``Annotated[str, names(…)]``."""
    return Field(json_schema_extra=marked(kind))


# Param types by what they name; constraints of their own stack on top (Annotated merges).
DatasetRef = Annotated[str, names(Resource.DATASET)]
FileSourceRef = Annotated[str, names(Resource.FILE_SOURCE)]
TopicRef = Annotated[str, names(Resource.TOPIC)]
ConsumerGroupRef = Annotated[str, names(Resource.CONSUMER_GROUP)]
CheckpointRef = Annotated[str, names(Resource.CHECKPOINT)]
ExperimentRef = Annotated[str, names(Resource.EXPERIMENT), Field(min_length=1)]
RegisteredModelRef = Annotated[str, names(Resource.MODEL)]
ModelUriRef = Annotated[str, names(Resource.MODEL_URI)]
EndpointRef = Annotated[str, names(Resource.ENDPOINT)]
ConnectionRef = Annotated[str, names(Resource.CONNECTION)]
AwsConnectionRef = Annotated[str, names(Resource.AWS_CONNECTION)]
S3LocationRef = Annotated[str, names(Resource.S3_LOCATION)]
KinesisStreamRef = Annotated[str, names(Resource.KINESIS_STREAM)]
StorageConnectionRef = Annotated[str, names(Resource.STORAGE_CONNECTION)]
PlatformConnection = Annotated[str, names(Resource.PLATFORM_CONNECTION)]
TagsRef = Annotated[dict[str, str], names(Resource.TAGS)]


@cache
def resource_fields(model: type[BaseModel]) -> dict[str, Resource]:
    """The params of ``model`` that name a resource, with what they name."""
    found = {}
    for name, field in model.model_fields.items():
        kind = _mark(field.json_schema_extra)
        # An optional param (``DatasetRef | None``) carries its mark on the union's member.
        for member in get_args(field.annotation) if kind is None else ():
            if get_origin(member) is Annotated:
                marks = [_mark(getattr(m, "json_schema_extra", None)) for m in member.__metadata__]
                kind = next((mark for mark in marks if mark is not None), None)
        if kind is not None:
            found[name] = kind
    return found


def _mark(extra: Any) -> Resource | None:
    return Resource(extra[MARK]) if isinstance(extra, dict) and MARK in extra else None
