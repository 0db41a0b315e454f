"""Card transactions: a labelled history for training and a live stream for scoring.

Fraud is rare (about 2%) and only leans on the signals a detector uses, as it does in practice:

- three kinds of fraud: card testing (small amounts, online), big-ticket purchases (several
  times what the card usually spends) and account takeover (ordinary amounts, at home);
- legitimate spending overlaps all of them: travellers abroad, night owls, the occasional
  large purchase;
- fraudsters adapt over the week: later fraud happens less at night and less abroad;
- labels lag the truth: some fraud was never reported, and a few disputes were not fraud.

A detector on these features finds most fraud but not all of it, and flags some good
transactions too.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from airloom_cli.demo.timeline import Window

MERCHANT_CATEGORIES = ("grocery", "fuel", "travel", "electronics", "restaurants", "online")
COUNTRIES = ("US", "GB", "DE", "FR", "IN", "BR")
FRAUD_SHARE = 0.02
UNREPORTED_FRAUD = 0.05  # fraud labelled 0: nobody disputed it (yet)
FALSE_DISPUTES = 0.002  # good transactions labelled 1: a dispute that was not fraud
NIGHT = (0, 1, 2, 3, 4, 5)
_DAY_HOURS = tuple(range(6, 24))
_DAY_WEIGHTS = (1, 3, 5, 6, 6, 7, 8, 7, 6, 6, 6, 7, 8, 8, 7, 5, 3, 2)

# The value schema of the card_transactions topic, as Spark DDL.
TRANSACTION_DDL = (
    "transaction_id STRING, card_id STRING, amount DOUBLE, merchant_category STRING, "
    "country STRING, home_country STRING, event_time TIMESTAMP"
)


@dataclass(frozen=True)
class Card:
    home: str
    typical: float  # what the card usually spends
    night_owl: bool
    trip: float | None  # where in the window a trip abroad starts
    abroad_in: str

    def travelling(self, at: float) -> bool:
        return self.trip is not None and self.trip <= at <= self.trip + 0.3


def _cards(cards: int, rng: random.Random) -> dict[str, Card]:
    profiles = {}
    for card in range(cards):
        home = rng.choice(COUNTRIES)
        profiles[f"K{card:04d}"] = Card(
            home=home,
            typical=rng.lognormvariate(3.2, 0.5),
            night_owl=rng.random() < 0.06,
            trip=rng.uniform(0, 0.8) if rng.random() < 0.1 else None,
            abroad_in=rng.choice([c for c in COUNTRIES if c != home]),
        )
    return profiles


def _hour(night_odds: float, rng: random.Random) -> int:
    if rng.random() < night_odds:
        return rng.choice(NIGHT)
    return rng.choices(_DAY_HOURS, weights=_DAY_WEIGHTS)[0]


Drawn = tuple[float, str, str, int]  # amount, merchant category, country, hour


def _fraud(card: Card, at: float, rng: random.Random) -> Drawn:
    """One fraudulent transaction at point ``at`` of the window."""
    typical, home = card.typical, card.home
    kind = rng.choices(("testing", "big_ticket", "takeover"), weights=(3, 5, 2))[0]
    if kind == "testing":
        amount = typical * rng.uniform(0.05, 0.6)
        category = rng.choice(("online", "electronics", "online", "grocery"))
    elif kind == "big_ticket":
        amount = typical * rng.lognormvariate(1.6, 0.5)
        category = rng.choice(("electronics", "travel", "online", "restaurants"))
    else:
        amount = typical * rng.lognormvariate(0.5, 0.5)
        category = rng.choice(("electronics", "online", *MERCHANT_CATEGORIES))
    # Adapting: early in the week most fraud is abroad and at night, later much less.
    abroad = kind != "takeover" and rng.random() < 0.85 - 0.25 * at
    country = rng.choice([c for c in COUNTRIES if c != home]) if abroad else home
    return amount, category, country, _hour(0.8 - 0.25 * at, rng)


def _genuine(card: Card, at: float, rng: random.Random) -> Drawn:
    typical, home = card.typical, card.home
    if rng.random() < 0.03:  # a new laptop, a flight
        amount = typical * rng.lognormvariate(1.1, 0.5)
        category = rng.choice(("electronics", "travel"))
    else:
        amount = typical * rng.lognormvariate(0, 0.45)
        category = rng.choice(MERCHANT_CATEGORIES)
    if card.travelling(at) and rng.random() < 0.85:
        country = card.abroad_in
    else:
        country = home if rng.random() < 0.97 else rng.choice(COUNTRIES)
    return amount, category, country, _hour(0.3 if card.night_owl else 0.03, rng)


def transactions(
    count: int = 2000,
    cards: int = 200,
    seed: int = 5,
    labelled: bool = True,
    end: datetime | None = None,
) -> list[dict[str, object]]:
    """``count`` transactions of ``cards`` cards over the week before ``end`` (default now).

    The same seed gives the same transactions, shifted in time; ``labelled`` adds ``is_fraud``.
    """
    rng = random.Random(seed)
    end = end or datetime.now(UTC).replace(microsecond=0)
    window = Window(end - timedelta(days=7), end)
    profiles = _cards(cards, rng)
    ids = list(profiles)
    rows = []
    for index in range(count):
        card_id = rng.choice(ids)
        card = profiles[card_id]
        at = rng.random()
        fraud = rng.random() < FRAUD_SHARE
        amount, category, country, hour = (_fraud if fraud else _genuine)(card, at, rng)
        moment = window.at(at).replace(hour=hour)
        if moment > end:  # the hour moved it past the end of the window
            moment -= timedelta(days=1)
        row: dict[str, object] = {
            "transaction_id": f"T{seed:02d}{index:07d}",
            "card_id": card_id,
            "amount": round(max(amount, 0.5), 2),
            "merchant_category": category,
            "country": country,
            "home_country": card.home,
            "event_time": moment.isoformat(),
        }
        if labelled:
            flipped = rng.random() < (UNREPORTED_FRAUD if fraud else FALSE_DISPUTES)
            row["is_fraud"] = int(fraud != flipped)
        rows.append(row)
    return rows


def as_json_lines(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)
