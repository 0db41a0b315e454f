"""Requests are paced to a published rate: a burst over it waits for the next window."""

from __future__ import annotations

import time

import pytest

from airloom.aws_ai.pacing import Pace


def test_requests_beyond_the_rate_wait_for_the_next_window() -> None:
    pace = Pace(10, key="unit")
    started = time.monotonic()
    for _ in range(15):
        pace.wait()
    # Ten fit the first second's window; the eleventh waits for that window to move on.
    assert time.monotonic() - started >= 0.9


def test_a_pace_needs_a_rate() -> None:
    with pytest.raises(ValueError, match="at least one request per second"):
        Pace(0)
