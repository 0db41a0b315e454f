"""The one credential hash both services store: SHA-256 in hex, which every token and key made
before servicekit was stored as, so none of them stops working."""

from __future__ import annotations

from servicekit.credentials import new_secret, secret_hash


def test_the_hash_is_sha256_in_hex_as_stored_before() -> None:
    # FIPS 180-2's test vector: a change of scheme would lock out every stored credential.
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert secret_hash("abc") == expected


def test_new_secrets_are_long_random_and_carry_their_prefix() -> None:
    made = {new_secret("alm_") for _ in range(100)}

    assert len(made) == 100
    assert all(secret.startswith("alm_") and len(secret) >= 4 + 43 for secret in made)
    assert len(new_secret()) >= 43  # 32 random bytes, URL-safe base64
