"""Spark for tests: a small local master, and quiet py4j at interpreter exit."""

from __future__ import annotations

import logging
import os

TEST_MASTER = "local[2]"


def use_local_spark() -> None:
    """Pin Spark sessions made by Airloom's code to two local cores (shared CI machines)."""
    os.environ.setdefault("AIRLOOM_SPARK_MASTER", TEST_MASTER)
    # py4j logs "Closing down clientserver connection" from __del__ after pytest has closed
    # its capture streams, which prints a spurious "Logging error" traceback.
    logging.getLogger("py4j").setLevel(logging.WARNING)
