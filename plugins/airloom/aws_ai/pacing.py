"""Requests paced to a service's published rate, so a batch does not run into throttling.

Each AWS AI operation has a published default quota in transactions per second (listed with
their sources in ``docs/aws_ai_nodes.md``). A node waits for a slot of its operation's rate
before each request, with the ``limits`` library's moving window; botocore's adaptive retries
(:mod:`airloom.aws_ai.clients`) still back off if the account's quota is lower.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class Pace:
    """At most ``limit`` requests in any one-second (or one-minute) window, in this process.

    :param limit: the operation's published rate (transactions per second, or per minute).
    :param key: what the rate counts (an operation name), for the limiter's storage.
    :param per: ``second``, or ``minute`` for quotas published per minute, some of which are
        below one request a second (Amazon Bedrock's).
    """

    limit: int
    key: str = "aws"
    per: Literal["second", "minute"] = "second"
    _limiter: Any = field(init=False, repr=False)
    _item: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from limits import RateLimitItemPerMinute, RateLimitItemPerSecond
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        if self.limit < 1:
            raise ValueError(f"a pace needs at least one request per {self.per}")
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        window = RateLimitItemPerSecond if self.per == "second" else RateLimitItemPerMinute
        self._item = window(self.limit)

    def wait(self) -> None:
        """Block until a request may go; return at once while under the rate."""
        while not self._limiter.hit(self._item, self.key):
            reset_at, _ = self._limiter.get_window_stats(self._item, self.key)
            time.sleep(max(0.005, min(1.0, reset_at - time.time())))
