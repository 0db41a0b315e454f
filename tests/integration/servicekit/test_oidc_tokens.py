"""Tokens of an OIDC provider (Amazon Cognito's shape), verified against its published keys,
which the services find through its discovery document."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from servicekit.identity import Identities, IdentitySettings, SignedIn, TokenRefused
from tests.integration.servicekit.oidc_provider import Provider, oidc_provider, rsa_key

LOCAL_SECRET = "a-local-signing-secret-of-at-least-32-chars"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with oidc_provider() as running:
        yield running


@pytest.fixture
def identities(provider: Provider) -> Identities:
    return Identities(IdentitySettings(**provider.settings(secret=LOCAL_SECRET)))


def test_a_cognito_id_token_signs_a_person_in_with_tenant_and_role(
    provider: Provider, identities: Identities
) -> None:
    token = provider.id_token(username="ann", tenant="acme", groups=["airloom-viewer"])

    signed_in = identities.verify(token)

    assert signed_in == SignedIn(
        "ann", "acme", "viewer", jwt.decode(token, options={"verify_signature": False})["exp"]
    )
    # The keys came from the JWKS the discovery document names.
    assert "GET /.well-known/openid-configuration" in provider.server.seen
    assert "GET /jwks.json" in provider.server.seen


def test_several_groups_give_the_highest_role_and_other_groups_are_ignored(
    provider: Provider, identities: Identities
) -> None:
    groups = ["finance", "airloom-viewer", "airloom-admin", "airloom-editor"]
    assert identities.verify(provider.id_token(groups=groups)).role == "admin"


def test_local_tokens_are_still_accepted_beside_the_provider(identities: Identities) -> None:
    local = identities.issue(username="admin", tenant="default", role="admin").access_token
    assert identities.verify(local).username == "admin"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"tenant": None}, "carries no tenant (claim 'custom:tenant')"),
        ({"groups": ["finance"]}, "carries no Airloom role (claim 'cognito:groups'"),
        ({"aud": "another-client"}, "for another audience, not 'studio-app-client'"),
        ({"exp": 1_000_000_000}, "the token has expired"),
    ],
)
def test_a_provider_token_is_refused_saying_why(
    provider: Provider, identities: Identities, claims: dict, reason: str
) -> None:
    with pytest.raises(TokenRefused) as refused:
        identities.verify(provider.id_token(**claims))
    assert reason in str(refused.value)


def test_a_token_signed_with_another_key_is_refused(
    provider: Provider, identities: Identities
) -> None:
    stranger = rsa_key()
    with pytest.raises(TokenRefused, match="signature does not verify"):
        identities.verify(provider.id_token(key=stranger))  # the provider's kid, another key
    with pytest.raises(TokenRefused, match="not signed with a key the identity provider"):
        identities.verify(provider.id_token(key=stranger, kid="unknown-kid"))


def test_the_public_key_cannot_be_used_as_an_hmac_secret(
    provider: Provider, identities: Identities
) -> None:
    # Algorithm confusion: HS256 "signed" with the provider's public key, which anyone can read.
    public_pem = provider.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = jwt.decode(provider.id_token(), options={"verify_signature": False})

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": provider.kid}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    with pytest.raises(TokenRefused):
        identities.verify(f"{header}.{payload}.{b64(signature)}")


def test_an_unreachable_provider_is_named(provider: Provider) -> None:
    settings = IdentitySettings(**provider.settings(oidc_issuer="http://127.0.0.1:9"))
    token = provider.id_token(iss="http://127.0.0.1:9")
    with pytest.raises(TokenRefused, match=r"discovery document .*could not be read"):
        Identities(settings).verify(token)
