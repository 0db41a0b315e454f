"""Daily sales per store and product, as CSV files landing in the lake, for demand forecasting.

Units sold follow each product's base demand, a weekly rhythm (weekends sell more, more for
some products than others), price elasticity and promotions of varying depth, as lagged
features can learn. What they cannot fully learn makes the forecast err as real ones do:

- demand drifts: some products grow over the window, others fade, and some list prices change
  part-way through;
- local events lift a store's sales for a day or two, and stock-outs cut a day short;
- day-to-day demand is over-dispersed (more variable than a Poisson count).
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from airloom_cli.demo.landing import land_file

COLUMNS = ("store_id", "product_id", "date", "units_sold", "price", "promo")
PROMO_ODDS = 0.12
STOCKOUT_ODDS = 0.02
LOCAL_EVENT_ODDS = 0.015
DISPERSION = 25.0  # gamma shape of the day's demand around its mean: lower is noisier


def _units(mean: float, rng: random.Random) -> int:
    """An over-dispersed count around ``mean`` (gamma-Poisson, Poisson by its normal form)."""
    rate = mean * rng.gammavariate(DISPERSION, 1 / DISPERSION)
    return max(0, round(rng.gauss(rate, math.sqrt(rate)))) if rate > 0 else 0


def _series(
    store: int, product: int, store_factor: float, days: int, end: date, rng: random.Random
) -> Iterator[dict[str, object]]:
    base = rng.uniform(20, 120) * store_factor
    list_price = round(rng.uniform(2, 40), 2)
    trend = rng.uniform(-0.35, 0.45)  # growth over the whole window
    weekend_lift = rng.uniform(0.1, 0.4)
    repriced_at = rng.randrange(days // 3, days) if rng.random() < 0.3 else None
    new_price = round(list_price * rng.uniform(0.85, 1.2), 2)
    event_left = 0
    for offset in range(days):
        day = end - timedelta(days=days - offset)
        regular = new_price if repriced_at is not None and offset >= repriced_at else list_price
        depth = rng.choice((0.1, 0.2, 0.3)) if rng.random() < PROMO_ODDS else 0.0
        price = round(regular * (1 - depth), 2)
        weekly = 1.0 + weekend_lift * math.sin(2 * math.pi * (day.weekday() - 1) / 7)
        elasticity = (list_price / price) ** 1.5
        if event_left == 0 and rng.random() < LOCAL_EVENT_ODDS:
            event_left = rng.randint(1, 2)
        lift = rng.uniform(1.4, 2.0) if event_left else 1.0
        event_left = max(0, event_left - 1)
        mean = base * (1 + trend * offset / days) * weekly * elasticity * (1 + depth) * lift
        units = _units(mean, rng)
        if rng.random() < STOCKOUT_ODDS:  # the shelf emptied part-way through the day
            units = round(units * rng.uniform(0.0, 0.5))
        yield {
            "store_id": f"S{store:02d}",
            "product_id": f"P{product:03d}",
            "date": day.isoformat(),
            "units_sold": units,
            "price": price,
            "promo": int(depth > 0),
        }


def daily_sales(
    stores: int = 5, products: int = 8, days: int = 120, seed: int = 11, end: date | None = None
) -> list[dict[str, object]]:
    """One row per store, product and day for ``days`` days before ``end`` (default today)."""
    rng = random.Random(seed)
    end = end or date.today()
    rows = []
    for store in range(stores):
        store_factor = rng.uniform(0.7, 1.4)
        for product in range(products):
            rows.extend(_series(store, product, store_factor, days, end, rng))
    return rows


def write_sales_files(folder: Path, rows: list[dict[str, object]]) -> list[Path]:
    """One CSV per store, as point-of-sale exports usually arrive."""
    folder.mkdir(parents=True, exist_ok=True)
    by_store: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_store.setdefault(str(row["store_id"]), []).append(row)
    written = []
    for store, store_rows in sorted(by_store.items()):
        path = folder / f"sales_{store}.csv"
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(store_rows)
        land_file(path, text.getvalue())
        written.append(path)
    return written
