"""Customer events for the churn pipeline: logins, purchases, tickets and cancellations.

Whether a customer leaves depends on hidden traits (how engaged they are, how frustrated, the
plan's price) through a probability, not a rule, so the signal is real but never perfect:

- many churners disengage over the window (fewer events, fewer purchases, more tickets), but
  some stay active until they cancel, and some loyal customers go quiet for a while;
- the window drifts: basic plans get dearer part-way through, which makes some engaged
  customers leave for price alone; an app redesign moves activity from logins to page views;
  an incident week brings everyone to support;
- a few percent of labels are wrong, as in real feeds (a cancellation taken by phone is missing,
  a customer asked to cancel and was talked round).

A model on features of these events lands where real churn models do (ROC AUC near 0.85), and a
second model on fresh data can be slightly better or worse. A few percent of records are
malformed the way real feeds are: not JSON, a missing id, a negative amount, an unknown type.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from airloom_cli.demo.timeline import Window, event_times

PLANS = ("basic", "pro", "enterprise")
COUNTRIES = ("US", "GB", "DE", "FR", "IN", "BR", "JP")
EVENT_TYPES = ("login", "purchase", "support_ticket", "page_view", "cancel_request")
ACTIVITY = EVENT_TYPES[:-1]

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

# Where in the window (0 = start, 1 = end) things change for everyone.
PRICE_RISE = 0.55  # basic plans get dearer
REDESIGN = 0.5  # the app moves activity from logins to page views
INCIDENT = (0.35, 0.45)  # an outage week: tickets from everyone
LABEL_NOISE = 0.03  # share of customers whose recorded cancellation is wrong
EVENTS_PER_DAY = 0.8  # for a customer of average engagement
_BASE_RISK = {"basic": -3.0, "pro": -3.5, "enterprise": -4.1}  # log-odds of leaving


@dataclass(frozen=True)
class Record:
    key: bytes
    value: bytes
    malformed: bool


@dataclass(frozen=True)
class Customer:
    """One customer's hidden traits and what they will do in the window."""

    customer_id: str
    plan: str
    country: str
    engagement: float  # multiplies the event rate; 1 is average
    frustration: float  # 0..1: support tickets, and risk
    churner: bool  # the truth
    cancels: bool  # what the feed records: the truth, with label noise
    quiet_from: float | None  # where activity drops, as a fraction of the window
    quiet_rate: float  # the share of activity left after it
    cancel_at: float  # where a cancellation lands, if one is recorded


def _sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value))


def _customer(index: int, rng: random.Random) -> Customer:
    plan = rng.choices(PLANS, weights=(6, 3, 1))[0]
    engagement = rng.lognormvariate(0, 0.45)
    frustration = rng.betavariate(2, 5)
    # A wide spread of risk (log-odds) keeps the label predictable; the draw below keeps it a
    # probability. 2/7 is the average frustration.
    risk = (
        _BASE_RISK[plan]
        - 6.0 * math.log(engagement)
        + 22.0 * (frustration - 2 / 7)
        + rng.gauss(0, 0.3)
    )
    churner = rng.random() < _sigmoid(risk)
    # After the price rise some engaged basic customers leave for price alone.
    price_driven = not churner and plan == "basic" and rng.random() < 0.05
    churner = churner or price_driven
    quiet_from, quiet_rate = None, 1.0
    if churner and not price_driven and rng.random() < 0.85:  # the rest stay active to the end
        quiet_from, quiet_rate = rng.uniform(0.25, 0.8), rng.uniform(0.0, 0.25)
    elif not churner and rng.random() < 0.1:  # holidays, a busy quarter
        quiet_from, quiet_rate = rng.uniform(0.5, 0.95), rng.uniform(0.0, 0.35)
    earliest = max(PRICE_RISE if price_driven else 0.6, quiet_from or 0.0)
    return Customer(
        customer_id=f"C{index:05d}",
        plan=plan,
        country=rng.choice(COUNTRIES),
        engagement=engagement,
        frustration=frustration,
        churner=churner,
        cancels=churner != (rng.random() < LABEL_NOISE),
        quiet_from=quiet_from,
        quiet_rate=quiet_rate,
        cancel_at=rng.uniform(earliest, 1.0),
    )


def _weights(customer: Customer, at: float) -> tuple[float, ...]:
    """Relative odds of login, purchase, support_ticket, page_view at point ``at``."""
    login, purchase, ticket, page = 5.0, 3.0, 0.1 + 8.0 * customer.frustration, 4.0
    if customer.quiet_from is not None and at >= customer.quiet_from and customer.churner:
        purchase, ticket = purchase * 0.6, ticket * 1.4  # winding down, and complaining
    if at >= REDESIGN:
        login, page = login * 0.6, page * 1.5
    if INCIDENT[0] <= at < INCIDENT[1]:
        ticket *= 3
    return login, purchase, ticket, page


def customer_events(
    customers: int = 500,
    days: int = 60,
    malformed_share: float = 0.03,
    seed: int = 7,
    end: datetime | None = None,
    first_id: int = 0,
) -> Iterator[Record]:
    """Events for ``customers`` customers over ``days`` days, in time order per customer.

    The same seed gives the same events, shifted to end at ``end`` (default now). Customer ids
    count from ``first_id``, so a second batch can bring new customers.
    """
    rng = random.Random(seed)
    end = end or datetime.now(UTC).replace(microsecond=0)
    window = Window(end - timedelta(days=days), end)
    for index in range(customers):
        customer = _customer(first_id + index, rng)
        rate = EVENTS_PER_DAY * days * customer.engagement
        fractions = event_times(rng, rate, customer.quiet_from, customer.quiet_rate, least=4)
        for position, at in enumerate(fractions):
            event_type = rng.choices(ACTIVITY, weights=_weights(customer, at))[0]
            # The first event is always well formed: every customer keeps some activity.
            share = 0.0 if position == 0 else malformed_share
            yield _record(customer, event_type, window.at(at), share, rng)
        if customer.cancels:
            yield _record(customer, "cancel_request", window.at(customer.cancel_at), 0.0, rng)


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


def _record(
    customer: Customer,
    event_type: str,
    moment: datetime,
    malformed_share: float,
    rng: random.Random,
) -> Record:
    amount = round(rng.lognormvariate(3.5, 0.6), 2) if event_type == "purchase" else None
    event = {
        "customer_id": customer.customer_id,
        "event_type": event_type,
        "amount": amount,
        "event_time": moment.isoformat(),
        "plan": customer.plan,
        "country": customer.country,
    }
    key = customer.customer_id.encode()
    if rng.random() < malformed_share:
        return Record(key, _malform(event, rng), malformed=True)
    return Record(key, json.dumps(event).encode(), malformed=False)
