"""AWS node types, designed, published and run through the builder against AWS stand-ins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.designs import Designer, designer


@pytest.fixture(scope="module")
def design(
    tmp_path_factory: pytest.TempPathFactory, airflow_db, airloom_connections
) -> Iterator[Designer]:
    """The builder that tenants design and publish with; published runs use this session's
    lake and Airflow database."""
    with designer(tmp_path_factory.mktemp("designs")) as running:
        yield running
