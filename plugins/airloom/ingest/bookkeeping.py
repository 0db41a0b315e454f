"""Small JSON records kept with a dataset, and the lock that serialises the runs changing it.

They live in a folder of the dataset whose name starts with ``_`` (``_airloom_kafka/``):
pyarrow, Spark and Airloom's own readers take such folders for bookkeeping, never data. A
record is written whole (beside its name, fsync'd, then renamed into place locally; one PUT
on S3), so a crash leaves it either absent or complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

from airloom.datasets import fsync

LOCK_FILE = "lock"
LOCK_POLL_SECONDS = 0.05


class LockTimeout(RuntimeError):
    """Another run held the dataset's lock for longer than the caller would wait."""


def filesystem_of(uri: str) -> tuple[Any, str]:
    """The pyarrow filesystem of ``uri`` (a bare path is local) and the path in it."""
    from pyarrow import fs

    return fs.FileSystem.from_uri(uri if "://" in uri else f"file://{uri}")


class Bookkeeping:
    """The folder ``<dataset>/<parts…>`` and the JSON records in it.

    :param dataset_uri: the dataset (``file://…`` or ``s3://…``).
    :param parts: the folder's path inside the dataset; its first part must start with ``_``.
    """

    def __init__(self, dataset_uri: str, *parts: str) -> None:
        if not parts or not parts[0].startswith("_"):
            raise ValueError("bookkeeping lives in a folder starting with '_', never in data")
        self.dataset_uri = dataset_uri
        self.parts = parts
        self.filesystem, root = filesystem_of(dataset_uri)
        self.folder = "/".join([root.rstrip("/"), *parts])
        self.local = self.filesystem.type_name == "local"

    def child(self, *parts: str) -> Bookkeeping:
        return Bookkeeping(self.dataset_uri, *self.parts, *parts)

    def path(self, name: str) -> str:
        return f"{self.folder}/{name}"

    def names(self, suffix: str = ".json") -> list[str]:
        """The records' names, sorted; none if the folder does not exist yet."""
        from pyarrow import fs

        selector = fs.FileSelector(self.folder, allow_not_found=True)
        return sorted(
            info.base_name
            for info in self.filesystem.get_file_info(selector)
            if info.type == fs.FileType.File
            and info.base_name.endswith(suffix)
            and not info.base_name.startswith(".")
        )

    def read(self, name: str) -> dict[str, Any] | None:
        """The record ``name``, or None if there is none."""
        try:
            with self.filesystem.open_input_stream(self.path(name)) as stream:
                return json.loads(stream.read())
        except FileNotFoundError:
            return None

    def write(self, name: str, record: dict[str, Any]) -> None:
        """Write ``record`` as ``name``, durably, replacing a record of that name."""
        data = json.dumps(record, separators=(",", ":"), sort_keys=True).encode()
        if not self.local:
            with self.filesystem.open_output_stream(self.path(name)) as stream:
                stream.write(data)
            return
        os.makedirs(self.folder, exist_ok=True)
        in_flight = self.path(f".{name}.{uuid.uuid4().hex}.tmp")
        with open(in_flight, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(in_flight, self.path(name))
        fsync(self.folder)  # a rename survives a crash only once its folder is synced

    def remove(self, name: str) -> None:
        """Delete the record ``name``; nothing happens if it is already gone."""
        with contextlib.suppress(FileNotFoundError):
            self.filesystem.delete_file(self.path(name))

    @contextlib.contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Hold the folder's exclusive lock (locally; elsewhere there is none to hold).

        The lock is ``flock`` on ``<folder>/lock``: the kernel releases it when its holder's
        process ends, however it ends, so a crashed run never leaves it held.

        :raises LockTimeout: when another holder keeps it longer than ``timeout`` seconds.
        """
        if not self.local:
            yield
            return
        import fcntl

        os.makedirs(self.folder, exist_ok=True)
        descriptor = os.open(self.path(LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = os.pread(descriptor, 200, 0).decode(errors="replace").strip()
                        raise LockTimeout(
                            f"{self.folder} stayed locked for {timeout:g} s "
                            f"(by {holder or 'an unknown process'})"
                        ) from None
                    time.sleep(LOCK_POLL_SECONDS)
            # Who holds it, for the message of whoever waits too long.
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
            yield
        finally:
            os.close(descriptor)  # closing the descriptor releases the lock
