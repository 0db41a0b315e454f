"""API tokens and keys: random secrets, stored only as their SHA-256 digest in hex.

A secret is 32 random bytes, so a fast digest is enough to make a leaked table useless (there
is nothing to brute-force, unlike a password), and equal secrets give equal digests, so a
request finds its row by an index. Every token and key either service has ever stored is this
digest: changing the scheme would lock all of them out.
"""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "") -> str:
    """A fresh secret (``prefix`` says what it is for, e.g. ``alm_`` for a marketplace key)."""
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What is stored of ``secret``, and what a presented secret is looked up by."""
    return hashlib.sha256(secret.encode()).hexdigest()
