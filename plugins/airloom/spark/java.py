"""Find a usable Java before Spark does, so a missing JVM is a clear message, not a stack trace."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

MIN_JAVA_VERSION = 17


class JavaNotFoundError(RuntimeError):
    """Java is missing or too old for Spark 4."""


def _java_executable() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("java")


def _major_version(version_output: str) -> int | None:
    # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' or '"1.8.0_392"'.
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def require_java(min_version: int = MIN_JAVA_VERSION) -> int:
    """Return the major version of the Java that Spark will use, or raise a clear error."""
    java = _java_executable()
    if java is None:
        raise JavaNotFoundError(
            f"Java {min_version} or newer is required (Spark runs on the JVM) but no `java` was "
            "found on PATH or under JAVA_HOME. Install a JDK, e.g. `apt-get install "
            f"openjdk-{min_version}-jre-headless`, or set JAVA_HOME."
        )
    try:
        result = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JavaNotFoundError(f"Could not run {java} -version: {exc}") from exc
    major = _major_version(result.stderr + result.stdout)
    if major is None:
        raise JavaNotFoundError(f"Could not read the Java version from `{java} -version`.")
    if major < min_version:
        raise JavaNotFoundError(
            f"Java {min_version} or newer is required by Spark 4, but {java} is Java {major}."
        )
    return major
