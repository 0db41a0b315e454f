"""Local sign-in tokens: what they carry, and each reason one is refused."""

from __future__ import annotations

import time

import jwt
import pytest

from servicekit.identity import (
    Identities,
    IdentitySettings,
    SignedIn,
    TokenRefused,
    looks_like_jwt,
)
from servicekit.settings import SettingsError, load_settings

SECRET = "a-local-signing-secret-of-at-least-32-chars"


def identities(**overrides: object) -> Identities:
    return Identities(IdentitySettings(**({"secret": SECRET} | overrides)))


def forged(claims: dict, key: str = SECRET, expires_in: int = 600) -> str:
    """A token made now: made at collection, it could expire before a long run reaches it."""
    now = int(time.time())
    base = {"iss": "airloom", "aud": "airloom", "iat": now, "exp": now + expires_in, "sub": "ann"}
    return jwt.encode(base | claims, key, "HS256")


def test_an_issued_token_carries_user_tenant_role_and_an_eight_hour_lifetime() -> None:
    issued = identities().issue(username="ann", tenant="acme", role="editor")

    claims = jwt.decode(issued.access_token, options={"verify_signature": False})
    assert issued.expires_in == 8 * 3600
    assert {k: claims[k] for k in ("sub", "tenant", "role", "iss", "aud")} == {
        "sub": "ann",
        "tenant": "acme",
        "role": "editor",
        "iss": "airloom",
        "aud": "airloom",
    }
    assert claims["exp"] - claims["iat"] == 8 * 3600
    signed_in = identities().verify(issued.access_token)
    assert signed_in == SignedIn("ann", "acme", "editor", claims["exp"])


@pytest.mark.parametrize(
    ("made", "reason"),
    [
        ({"expires_in": -120}, "the token has expired: sign in again"),
        ({"key": "someone-elses-secret-of-at-least-32-chars"}, "signature does not"),
        ({"claims": {"aud": "another-app"}}, "for another audience, not 'airloom'"),
        ({"claims": {"role": "editor"}}, "carries no tenant (claim 'tenant')"),
        ({"claims": {"tenant": "acme"}}, "carries no Airloom role"),
        ({"claims": {"tenant": "acme", "role": "owner"}}, "carries no Airloom role"),
        ({"claims": {"tenant": "Acme Corp", "role": "viewer"}}, "not a valid tenant name"),
        ({"claims": {"iss": "https://elsewhere.example"}}, "issuer 'https://elsewhere.example'"),
        ("eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln", "not a well-formed JWT"),
    ],
)
def test_a_token_is_refused_saying_why(made: dict | str, reason: str) -> None:
    token = made if isinstance(made, str) else forged(**({"claims": {}} | made))
    with pytest.raises(TokenRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        identities().verify(token)


def test_an_unsigned_token_is_refused() -> None:
    claims = {"tenant": "acme", "role": "admin"}
    now = int(time.time())
    claims |= {"iss": "airloom", "aud": "airloom", "iat": now, "exp": now + 60, "sub": "x"}
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(TokenRefused, match="algorithm this service does not accept"):
        identities().verify(unsigned)


def test_without_a_secret_no_token_is_issued_or_accepted() -> None:
    token = identities().issue(username="ann", tenant="acme", role="viewer").access_token
    unconfigured = Identities(IdentitySettings())
    assert not unconfigured.can_issue
    with pytest.raises(TokenRefused, match="AIRLOOM_AUTH_SECRET"):
        unconfigured.verify(token)


def test_the_lifetime_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRLOOM_AUTH_SECRET", SECRET)
    monkeypatch.setenv("AIRLOOM_AUTH_TOKEN_LIFETIME_SECONDS", "600")
    issued = Identities(load_settings(IdentitySettings)).issue(
        username="ann", tenant="acme", role="viewer"
    )
    assert issued.expires_in == 600


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("AIRLOOM_AUTH_SECRET", "short", "AIRLOOM_AUTH_SECRET: must be at least 32 characters"),
        ("AIRLOOM_AUTH_OIDC_ALGORITHMS", '["HS256"]', "public-key algorithms only"),
    ],
)
def test_a_bad_setting_stops_the_service_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as stopped:
        load_settings(IdentitySettings)
    assert problem in str(stopped.value)
    assert value not in str(stopped.value).replace(problem, "")


def test_jwts_are_told_apart_from_api_tokens_by_their_shape() -> None:
    token = identities().issue(username="ann", tenant="acme", role="viewer").access_token
    assert looks_like_jwt(token)
    assert looks_like_jwt(f" {token} ")
    assert not looks_like_jwt("alm_3q2v0x9WnZ-abcdefghijklmnopqrstuvwxyz012345")
    assert not looks_like_jwt("demo-admin-secret")
    assert not looks_like_jwt("a.b.c")
