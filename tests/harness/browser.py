"""Debian's Chromium driven by Playwright, for tests of what a person sees in Studio.

Playwright's own browser downloads are never used: the browser is the machine's `chromium`
(`.ci/run` installs Debian's package when it is missing).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, sync_playwright

# Headless on a machine without a display, GPU or user namespaces (containers, CI), and no
# calls home: the browser reaches only the stack on loopback.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str:
    """The machine's Chromium; a missing one skips locally but fails in CI (AIRLOOM_CI)."""
    path = shutil.which("chromium")
    if path:
        return path
    if os.environ.get("AIRLOOM_CI"):
        pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
    pytest.skip(reason="chromium is not installed (apt-get install chromium) to run browser tests")


@contextmanager
def chromium() -> Iterator[Browser]:
    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
