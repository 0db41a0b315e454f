"""Support conversations and help-centre articles, for the support-analytics and retrieval
templates.

Conversations that end escalated mention refunds, repeated contacts and anger more often and
run longer, so a classifier on simple text features has something real to learn.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

TOPICS = {
    "billing": ("invoice", "charge", "payment", "card", "billing"),
    "delivery": ("parcel", "courier", "tracking", "late", "delivery"),
    "account": ("password", "login", "email", "locked", "account"),
    "returns": ("return", "refund", "label", "damaged", "exchange"),
}
CALM = ("thanks", "please", "appreciate", "great", "helpful")
ANGRY = ("unacceptable", "again", "still", "third time", "refund now", "cancel")

ARTICLES = {
    "reset-password": "To reset your password open account settings, choose security and "
    "follow the reset link we email you. The link expires after one hour; request a new one "
    "if it has. Accounts lock after five failed logins and unlock after thirty minutes.",
    "refund-timing": "Refunds are paid to the original payment card within five business days "
    "after the returned parcel reaches our warehouse and passes inspection. You will get an "
    "email when the refund is issued. Bank processing can add two more days.",
    "track-delivery": "Every parcel has a tracking number sent by text message and email when "
    "it leaves the warehouse. Standard delivery takes three to five days, express arrives the "
    "next working day when ordered before noon.",
    "damaged-item": "If an item arrives damaged, photograph it and the packaging, then start a "
    "return from your orders page within fourteen days. We send a prepaid return label and "
    "replace the item or refund it, whichever you choose.",
    "update-billing": "Change the card we charge in the billing section of your account. "
    "Invoices for business accounts are issued monthly as PDF files and list the VAT number "
    "and any purchase order reference you added at checkout.",
    "close-account": "You can close your account from account settings. Open orders must be "
    "delivered or cancelled first. We keep invoices for seven years as the law requires and "
    "delete everything else within thirty days.",
}


def conversations(count: int = 400, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=30)
    rows = []
    for index in range(count):
        topic = rng.choice(list(TOPICS))
        escalated = rng.random() < (0.45 if topic in ("returns", "billing") else 0.2)
        words = list(rng.choices(TOPICS[topic], k=rng.randint(3, 6)))
        words += rng.choices(ANGRY if escalated else CALM, k=rng.randint(2, 5))
        if escalated and rng.random() < 0.7:
            words += ["speak", "to", "a", "manager"]
        rng.shuffle(words)
        opened = start + timedelta(minutes=rng.uniform(0, 30 * 24 * 60))
        rows.append(
            {
                "conversation_id": f"CV{index:05d}",
                "topic": topic,
                "channel": rng.choice(("chat", "email", "phone")),
                "messages": rng.randint(6, 20) if escalated else rng.randint(2, 9),
                "first_response_minutes": round(rng.uniform(5, 240 if escalated else 60), 1),
                "text": " ".join(words),
                "opened_at": opened.isoformat(),
                "escalated": int(escalated),
            }
        )
    return rows


def articles() -> list[dict[str, str]]:
    return [{"doc_id": doc_id, "text": text} for doc_id, text in ARTICLES.items()]


def as_json_lines(rows: list[dict]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)
