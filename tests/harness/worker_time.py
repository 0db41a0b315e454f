"""How long each test worker was busy, printed after the run: whether the stack's unit (one
worker, see tests/conftest.py) or everything else sets the suite's wall time."""

from __future__ import annotations

from collections import defaultdict

import pytest

_busy: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    node = getattr(report, "node", None)  # set by pytest-xdist on reports from a worker
    if node is None:
        return
    _busy[node.gateway.id] += report.duration
    if report.nodeid.endswith("@stack"):
        _busy["the stack's unit"] += report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _busy:
        figures = ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in _busy.items())
        terminalreporter.write_line(f"busy time: {figures}")
