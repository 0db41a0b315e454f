"""Sign-in tokens a test makes itself: well-formed, or broken in the one way it names."""

from __future__ import annotations

import time

import jwt


def forged_token(secret: str, *, expires_in: int = 600, **claims: object) -> str:
    """An HS256 token issued now for Airloom's issuer and audience (made at run time: made at
    collection, it could expire before a long run reaches it). ``claims`` override the
    defaults (``None`` keeps a claim with no value); ``key`` signs with another secret."""
    now = int(time.time())
    base = {"sub": "ann", "tenant": "acme", "role": "admin", "iss": "airloom", "aud": "airloom"}
    base |= {"iat": now, "exp": now + expires_in}
    key = str(claims.pop("key", secret))
    return jwt.encode(base | claims, key, "HS256")
