"""``s3://`` references in a table column: where each lies, and whether the tenant may read it.

A node reading documents, images or audio named in a column checks every row's reference
against its tenant's granted S3 locations before calling anything: a row outside them gets a
``NOT_GRANTED`` error and is never sent, so a table cannot smuggle in another tenant's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from airloom.aws_ai.rows import RowError
from airloom.tenancy.grants import normalise_s3

if TYPE_CHECKING:
    from airloom.tenancy import TenantScope


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @classmethod
    def parse(cls, uri: str) -> S3Object:
        """``s3://bucket/key`` → its bucket and key (ValueError names what is wrong)."""
        normalised = normalise_s3(uri.strip()) if isinstance(uri, str) else None
        if normalised is None:
            raise ValueError(f"{uri!r} is not an s3://bucket/key reference")
        bucket, _, key = normalised.removeprefix("s3://").partition("/")
        if not bucket or not key:
            raise ValueError(f"{uri!r} names no object: give s3://bucket/key")
        return cls(bucket, key)


def object_problem(uri: object, scope: TenantScope | None) -> RowError | None:
    """Why a row's reference cannot be read by this tenant (None: it can)."""
    if uri is None or (isinstance(uri, str) and not uri.strip()):
        return RowError("EMPTY", "the row names no object")
    try:
        parsed = S3Object.parse(str(uri))
    except ValueError as exc:
        return RowError("INVALID_REFERENCE", str(exc))
    if scope is not None and scope.grants.s3_location_of(parsed.uri) is None:
        return RowError(
            "NOT_GRANTED",
            f"{parsed.uri} is not under an S3 location granted to tenant {scope.tenant!r}",
        )
    return None
