"""The data lake: a folder locally, an S3 prefix on AWS, one API for both.

The lake's root URI lives in the ``path`` extra of the lake connection (``file:///…`` or
``s3://bucket/prefix``); tasks pass dataset URIs under it, never the rows themselves.
"""

from __future__ import annotations

from airflow.sdk import BaseHook, ObjectStoragePath

from airloom.connections import LAKE_CONN_ID


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
