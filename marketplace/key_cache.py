"""API keys the prediction path has seen, kept in memory for a few seconds.

A prediction then costs no database read and holds no connection or worker thread while the
endpoint answers: with many predictions in flight, a connection held per request would run the
pool dry. A key revoked meanwhile is refused here at most ``ttl`` seconds later.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from marketplace.access import find_key
from marketplace.models import ApiKey
from servicekit.credentials import secret_hash

MAX_ENTRIES = 10_000  # a bound on memory; only keys that exist are kept


class KeyCache:
    def __init__(self, sessions: sessionmaker[Session], ttl: float = 5.0) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._keys: dict[str, tuple[float, ApiKey]] = {}

    async def find(self, key: str) -> ApiKey | None:
        """The key's row (detached), or None for an unknown key."""
        cached = self._keys.get(secret_hash(key))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return await run_in_threadpool(self._load, key)

    def _load(self, key: str) -> ApiKey | None:
        with self._sessions() as session:
            row = find_key(session, key)
        if row is None:
            return None
        if len(self._keys) >= MAX_ENTRIES:
            self._keys.pop(next(iter(self._keys)), None)
        self._keys[row.key_hash] = (time.monotonic() + self._ttl, row)
        return row
