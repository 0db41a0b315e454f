"""When things happen in a demo window: positions as fractions of it, and the moments they map to.

Generators reason in fractions of the window (0 = start, 1 = end), so a behaviour that shifts
"half-way through" does so whatever the window's length, and the same seed gives the same
data shifted in time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def at(self, fraction: float) -> datetime:
        """The moment ``fraction`` of the way through, to the second."""
        return (self.start + (self.end - self.start) * fraction).replace(microsecond=0)


def event_times(
    rng: random.Random,
    expected: float,
    quiet_from: float | None = None,
    quiet_rate: float = 1.0,
    least: int = 1,
) -> list[float]:
    """Sorted positions of a Poisson process with ``expected`` events over the whole window.

    From ``quiet_from`` on, the rate is ``quiet_rate`` times what it was (thinning: each event
    there survives with that probability). At least ``least`` events, spread over the part of
    the window before it went quiet, so every customer has some history.
    """
    times: list[float] = []
    at = rng.expovariate(expected) if expected > 0 else 1.0
    while at < 1.0:
        if quiet_from is None or at < quiet_from or rng.random() < quiet_rate:
            times.append(at)
        at += rng.expovariate(expected)
    active_until = quiet_from if quiet_from is not None else 1.0
    while len(times) < least:
        times.append(rng.uniform(0.0, active_until))
    return sorted(times)
