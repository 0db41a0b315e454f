"""The data lake: a folder locally, an S3 prefix on AWS, one API for both.

The lake's root URI lives in the ``path`` extra of the lake connection (``file:///…`` or
``s3://bucket/prefix``). A dataset is a named folder of Parquet files under the root; tasks
pass its URI, never its rows, and declare it as an Airflow Asset for lineage.
"""

from __future__ import annotations

import re

from airflow.sdk import Asset, BaseHook, ObjectStoragePath

from airloom.connections import LAKE_CONN_ID

# Lower-case path segments: safe as folder names on every filesystem and in S3 keys.
DATASET_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-]*)*$")


class InvalidDatasetName(ValueError):
    pass


def check_dataset_name(name: str) -> str:
    if not DATASET_NAME.fullmatch(name):
        raise InvalidDatasetName(
            f"dataset name {name!r} must be lower-case letters, digits, '_' or '-', in "
            "segments separated by '/', e.g. 'retail/daily_sales'"
        )
    return name


def lake_root(conn_id: str = LAKE_CONN_ID) -> ObjectStoragePath:
    connection = BaseHook.get_connection(conn_id)
    base = connection.extra_dejson.get("path")
    if not base:
        raise ValueError(
            f"connection {conn_id!r} has no 'path' extra naming the lake root "
            "(file:///… locally, s3://bucket/prefix on AWS)"
        )
    if base.startswith("file:") or "://" not in base:
        return ObjectStoragePath(base)
    return ObjectStoragePath(base, conn_id=conn_id)


def dataset_path(name: str, conn_id: str = LAKE_CONN_ID) -> ObjectStoragePath:
    """Where dataset ``name`` lives in the lake."""
    return lake_root(conn_id) / check_dataset_name(name)


def dataset_asset(name: str) -> Asset:
    """The Airflow Asset standing for dataset ``name``, independent of where the lake is."""
    return Asset(uri=f"airloom://lake/{check_dataset_name(name)}", name=f"lake/{name}")


def model_asset(name: str) -> Asset:
    """The Airflow Asset standing for registered model ``name``."""
    return Asset(uri=f"airloom://models/{name}", name=f"model/{name}")
