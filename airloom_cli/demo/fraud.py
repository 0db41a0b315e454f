"""Card transactions: a labelled history for training and a live stream for scoring.

Fraud is rare (about 2%) and looks like it does in practice: larger amounts than the card
usually spends, abroad, at night, in a few merchant categories.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

MERCHANT_CATEGORIES = ("grocery", "fuel", "travel", "electronics", "restaurants", "online_gaming")
COUNTRIES = ("US", "GB", "DE", "FR", "IN", "BR")

# The value schema of the card_transactions topic, as Spark DDL.
TRANSACTION_DDL = (
    "transaction_id STRING, card_id STRING, amount DOUBLE, merchant_category STRING, "
    "country STRING, home_country STRING, event_time TIMESTAMP"
)


def transactions(
    count: int = 2000,
    cards: int = 200,
    seed: int = 5,
    labelled: bool = True,
    end: datetime | None = None,
) -> list[dict[str, object]]:
    rng = random.Random(seed)
    end = end or datetime.now(UTC).replace(microsecond=0)
    homes = {f"K{card:04d}": rng.choice(COUNTRIES) for card in range(cards)}
    typical = {card: rng.lognormvariate(3.2, 0.5) for card in homes}
    rows = []
    for index in range(count):
        card = rng.choice(list(homes))
        fraud = rng.random() < 0.02
        moment = end - timedelta(seconds=rng.uniform(0, 7 * 86_400))
        if fraud:
            moment = moment.replace(hour=rng.choice((1, 2, 3, 4)))
            amount = typical[card] * rng.uniform(4, 15)
            country = rng.choice([c for c in COUNTRIES if c != homes[card]])
            category = rng.choice(("electronics", "online_gaming", "travel"))
        else:
            amount = typical[card] * rng.lognormvariate(0, 0.4)
            country = homes[card] if rng.random() < 0.95 else rng.choice(COUNTRIES)
            category = rng.choice(MERCHANT_CATEGORIES)
        row: dict[str, object] = {
            "transaction_id": f"T{seed:02d}{index:07d}",
            "card_id": card,
            "amount": round(amount, 2),
            "merchant_category": category,
            "country": country,
            "home_country": homes[card],
            "event_time": moment.isoformat(),
        }
        if labelled:
            row["is_fraud"] = int(fraud)
        rows.append(row)
    return rows


def as_json_lines(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)
