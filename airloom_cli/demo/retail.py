"""Daily sales per store and product, as CSV files landing in the lake, for demand forecasting.

Units sold follow each product's base demand, a weekly rhythm (weekends sell more), price
elasticity and a promotion lift, with noise: a regressor on lagged features can learn them.
"""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import date, timedelta
from pathlib import Path

from airloom_cli.demo.landing import land_file

COLUMNS = ("store_id", "product_id", "date", "units_sold", "price", "promo")


def daily_sales(
    stores: int = 5, products: int = 8, days: int = 120, seed: int = 11, end: date | None = None
) -> list[dict[str, object]]:
    rng = random.Random(seed)
    end = end or date.today()
    rows = []
    for store in range(stores):
        store_factor = rng.uniform(0.7, 1.4)
        for product in range(products):
            base = rng.uniform(20, 120) * store_factor
            list_price = round(rng.uniform(2, 40), 2)
            for offset in range(days):
                day = end - timedelta(days=days - offset)
                promo = rng.random() < 0.12
                price = round(list_price * (0.8 if promo else 1.0), 2)
                weekly = 1.0 + 0.25 * math.sin(2 * math.pi * (day.weekday() - 1) / 7)
                elasticity = (list_price / price) ** 1.5
                mean = base * weekly * elasticity * (1.3 if promo else 1.0)
                units = max(0, round(rng.gauss(mean, mean * 0.1)))
                rows.append(
                    {
                        "store_id": f"S{store:02d}",
                        "product_id": f"P{product:03d}",
                        "date": day.isoformat(),
                        "units_sold": units,
                        "price": price,
                        "promo": int(promo),
                    }
                )
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
