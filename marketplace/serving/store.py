"""Which endpoints the serving process serves, kept on disk so they survive a restart.

The serving process is the only writer; each change rewrites one small JSON file through a
temporary file and an atomic rename, so a crash leaves the previous state, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any


class EndpointStore:
    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / "endpoints.json"
        self._lock = threading.Lock()

    def load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            return json.loads(self.path.read_text())
        except ValueError as exc:
            raise RuntimeError(f"the endpoint store {self.path} is not valid JSON: {exc}") from exc

    def put(self, name: str, record: dict[str, Any]) -> None:
        with self._lock:
            records = self.load()
            records[name] = record
            self._write(records)

    def remove(self, name: str) -> bool:
        with self._lock:
            records = self.load()
            found = records.pop(name, None) is not None
            if found:
                self._write(records)
            return found

    def check(self) -> None:
        """Raise when the store cannot be read or its folder written (health check)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(self.path.parent, os.W_OK):
            raise PermissionError(f"{self.path.parent} is not writable")
        self.load()

    def _write(self, records: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".endpoints-")
        try:
            with os.fdopen(handle, "w") as file:
                json.dump(records, file, indent=2, sort_keys=True)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
