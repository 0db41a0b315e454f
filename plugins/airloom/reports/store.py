"""Reports in the lake: ``<lake root>/_airloom/reports/tenant=<tenant>/<ISO week>.<format>``.

The area starts with ``_airloom``, the platform's own, which no tenant's design can name. A
report is written whole: locally beside its name, fsync'd and renamed into place; on S3 one PUT.
A reader never sees half a PDF, and a rerun of the week replaces it.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from airloom.datasets import fsync
from airloom.ingest.bookkeeping import filesystem_of
from airloom.reports.model import check_week
from airloom.tenancy import TENANT_PATTERN

REPORTS_AREA = "_airloom/reports"
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
FORMATS = tuple(MEDIA_TYPES)


class InvalidReportName(ValueError):
    """A tenant, week or format that names no report (and so no path)."""


@dataclass(frozen=True)
class StoredReport:
    week: str
    formats: tuple[str, ...]
    updated_at: datetime


def reports_uri(lake_uri: str) -> str:
    return f"{lake_uri.rstrip('/')}/{REPORTS_AREA}"


def _check(tenant: str, week: str | None = None, fmt: str | None = None) -> None:
    # Only names these checks accept ever become a path: nothing can climb out of the area.
    if not TENANT_PATTERN.fullmatch(tenant):
        raise InvalidReportName(f"tenant {tenant!r} is not a tenant name")
    if week is not None:
        try:
            check_week(week)
        except ValueError as exc:
            raise InvalidReportName(str(exc)) from None
    if fmt is not None and fmt not in FORMATS:
        raise InvalidReportName(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


class ReportStore:
    """The reports of every tenant under one lake root (``file://…`` or ``s3://…``)."""

    def __init__(self, lake_uri: str) -> None:
        self.uri = reports_uri(lake_uri)
        self.filesystem, self.root = filesystem_of(self.uri)
        self.local = self.filesystem.type_name == "local"

    def _folder(self, tenant: str) -> str:
        return f"{self.root.rstrip('/')}/tenant={tenant}"

    def path(self, tenant: str, week: str, fmt: str) -> str:
        _check(tenant, week, fmt)
        return f"{self._folder(tenant)}/{week}.{fmt}"

    def write(self, tenant: str, week: str, fmt: str, content: bytes) -> str:
        """Store one report whole, replacing that week's; returns its URI."""
        final = self.path(tenant, week, fmt)
        if not self.local:
            with self.filesystem.open_output_stream(final) as stream:
                stream.write(content)
        else:
            folder = self._folder(tenant)
            os.makedirs(folder, exist_ok=True)
            in_flight = f"{folder}/.{week}.{fmt}.{uuid.uuid4().hex}.tmp"
            with open(in_flight, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(in_flight, final)
            fsync(folder)  # the rename survives a crash only once its folder is synced
        return f"{self.uri}/tenant={tenant}/{week}.{fmt}"

    def read(self, tenant: str, week: str, fmt: str) -> bytes | None:
        """One report's bytes, or None if that tenant has none for that week and format."""
        try:
            with self.filesystem.open_input_stream(self.path(tenant, week, fmt)) as stream:
                return stream.read()
        except FileNotFoundError:
            return None

    def list_reports(self, tenant: str) -> list[StoredReport]:
        """The tenant's reports, newest week first, each with the formats it has."""
        from pyarrow import fs

        _check(tenant)
        selector = fs.FileSelector(self._folder(tenant), allow_not_found=True)
        weeks: dict[str, dict[str, datetime]] = {}
        for info in self.filesystem.get_file_info(selector):
            week, _, fmt = info.base_name.rpartition(".")
            if info.type != fs.FileType.File or fmt not in FORMATS:
                continue
            try:
                _check(tenant, week)
            except InvalidReportName:
                continue  # in-flight files and anything else that is no report
            moment = info.mtime or datetime.fromtimestamp(0, UTC)
            weeks.setdefault(week, {})[fmt] = moment.astimezone(UTC)
        return [
            StoredReport(
                week=week,
                formats=tuple(f for f in FORMATS if f in found),
                updated_at=max(found.values()),
            )
            for week, found in sorted(weeks.items(), reverse=True)
        ]
