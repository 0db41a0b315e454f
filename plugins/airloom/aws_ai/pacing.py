"""Requests paced to a service's published rate, so a batch does not run into throttling.

Each AWS AI operation has a published default quota in transactions per second (listed with
their sources in ``docs/aws_ai_nodes.md``). A node waits for a slot of its operation's rate
before each request, with the ``limits`` library's moving window; botocore's adaptive retries
(:mod:`airloom.aws_ai.clients`) still back off if the account's quota is lower.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Pace:
    """At most ``per_second`` requests in any one-second window, within this process.

    :param per_second: the operation's published rate (transactions per second).
    :param key: what the rate counts (an operation name), for the limiter's storage.
    """

    per_second: int
    key: str = "aws"
    _limiter: Any = field(init=False, repr=False)
    _item: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from limits import RateLimitItemPerSecond
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        if self.per_second < 1:
            raise ValueError("a pace needs at least one request per second")
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item = RateLimitItemPerSecond(self.per_second)

    def wait(self) -> None:
        """Block until a request may go; return at once while under the rate."""
        while not self._limiter.hit(self._item, self.key):
            reset_at, _ = self._limiter.get_window_stats(self._item, self.key)
            time.sleep(max(0.005, min(1.0, reset_at - time.time())))
