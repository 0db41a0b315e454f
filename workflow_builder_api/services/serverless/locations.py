"""S3 locations the MWAA Serverless target uses: where definitions go, and the code package."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    key: str  # an object's key, or a prefix without slashes at either end ("" for none)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}" if self.key else f"s3://{self.bucket}"

    def child(self, *parts: str) -> S3Uri:
        return S3Uri(self.bucket, "/".join(part for part in (self.key, *parts) if part))


def parse_s3_uri(value: str, *, object_key: bool) -> S3Uri:
    """``s3://bucket/prefix`` (``object_key=False``) or ``s3://bucket/key`` (``True``).

    :raises ValueError: naming what is wrong (for the settings' startup error).
    """
    parts = urlsplit(value)
    if parts.scheme != "s3" or parts.query or parts.fragment:
        raise ValueError("must be an s3://bucket/... URI")
    if not _BUCKET.fullmatch(parts.netloc):
        raise ValueError("must name a valid S3 bucket (s3://bucket/...)")
    key = parts.path.strip("/")
    if object_key and (not key or parts.path.endswith("/")):
        raise ValueError("must name an object: s3://bucket/path/to/package.zip")
    return S3Uri(parts.netloc, key)
