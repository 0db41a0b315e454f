"""Customer events for the churn pipeline: logins, purchases, tickets and cancellations.

Each customer has a hidden propensity to leave. Customers who will leave log in less, buy
less, open more support tickets and end with a cancellation request, so a model trained on
features of their events has a real signal to find. A few percent of records are malformed
the way real feeds are: not JSON, a missing id, a negative amount, an unknown event type.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PLANS = ("basic", "pro", "enterprise")
COUNTRIES = ("US", "GB", "DE", "FR", "IN", "BR", "JP")
EVENT_TYPES = ("login", "purchase", "support_ticket", "page_view", "cancel_request")

# The record schema the customer_churn DAG validates against (JSON Schema).
EVENT_SCHEMA = {
    "type": "object",
    "required": ["customer_id", "event_type", "event_time", "plan", "country"],
    "properties": {
        "customer_id": {"type": "string", "minLength": 1},
        "event_type": {"enum": list(EVENT_TYPES)},
        "amount": {"type": ["number", "null"], "minimum": 0},
        "event_time": {"type": "string", "format": "date-time"},
        "plan": {"enum": list(PLANS)},
        "country": {"type": "string", "minLength": 2, "maxLength": 2},
    },
}


@dataclass(frozen=True)
class Record:
    key: bytes
    value: bytes
    malformed: bool


def _malform(event: dict, rng: random.Random) -> bytes:
    kind = rng.choice(("not_json", "missing_id", "negative_amount", "unknown_type"))
    if kind == "not_json":
        return json.dumps(event).encode()[:-7] + b"<<garbled"
    broken = dict(event)
    if kind == "missing_id":
        broken.pop("customer_id")
    elif kind == "negative_amount":
        broken["event_type"], broken["amount"] = "purchase", -round(rng.uniform(1, 100), 2)
    else:
        broken["event_type"] = "teleport"
    return json.dumps(broken).encode()


def customer_events(
    customers: int = 500,
    days: int = 60,
    malformed_share: float = 0.03,
    seed: int = 7,
    end: datetime | None = None,
) -> Iterator[Record]:
    """Events for ``customers`` customers over ``days`` days, in time order per customer."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=days)
    for index in range(customers):
        customer_id = f"C{index:05d}"
        plan = rng.choices(PLANS, weights=(6, 3, 1))[0]
        country = rng.choice(COUNTRIES)
        churner = rng.random() < {"basic": 0.35, "pro": 0.2, "enterprise": 0.1}[plan]
        n_events = rng.randint(8, 20) if churner else rng.randint(15, 40)
        weights = (2, 1, 3, 3, 0) if churner else (5, 3, 1, 4, 0)
        offsets = sorted(rng.uniform(0, days * 86_400) for _ in range(n_events))
        times = [start + timedelta(seconds=offset) for offset in offsets]
        if churner:  # churners go quiet well before the end of the window
            times = [start + (t - start) * 0.7 for t in times]
        for moment in times:
            event_type = rng.choices(EVENT_TYPES, weights=weights)[0]
            yield _record(customer_id, event_type, moment, plan, country, malformed_share, rng)
        if churner:
            moment = times[-1] + timedelta(hours=rng.uniform(1, 48))
            yield _record(customer_id, "cancel_request", moment, plan, country, 0.0, rng)


def _record(
    customer_id: str,
    event_type: str,
    moment: datetime,
    plan: str,
    country: str,
    malformed_share: float,
    rng: random.Random,
) -> Record:
    amount = round(rng.lognormvariate(3.5, 0.6), 2) if event_type == "purchase" else None
    event = {
        "customer_id": customer_id,
        "event_type": event_type,
        "amount": amount,
        "event_time": moment.isoformat(),
        "plan": plan,
        "country": country,
    }
    if rng.random() < malformed_share:
        return Record(customer_id.encode(), _malform(event, rng), malformed=True)
    return Record(customer_id.encode(), json.dumps(event).encode(), malformed=False)
