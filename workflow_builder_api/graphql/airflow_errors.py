"""Airflow out of reach is neither the caller's mistake nor a bug of ours: say so.

Calls that reach Airflow run inside :func:`reaching_airflow`: a connection that fails or an
api-server answering 5xx becomes ``AIRFLOW_UNAVAILABLE`` (the GraphQL analogue of a 503), its
details (addresses, stack) staying in the log. Any other Airflow answer means we asked
something wrong, and stays an internal error, masked as "Unexpected error.".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import structlog

from servicekit.airflow_client import AirflowApiError
from workflow_builder_api.services.errors import AirflowUnavailable

log = structlog.get_logger()


@contextmanager
def reaching_airflow() -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as exc:
        log.warning("Airflow cannot be reached", error=str(exc))
        raise AirflowUnavailable("Airflow cannot be reached right now; try again shortly") from exc
    except AirflowApiError as exc:
        if exc.status < 500:
            raise
        log.warning("Airflow failed to answer", status=exc.status, error=str(exc))
        raise AirflowUnavailable(
            f"Airflow answered {exc.status} (its own failure); try again shortly"
        ) from exc
