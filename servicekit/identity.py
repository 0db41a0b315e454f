"""Sign-in tokens both services accept: who a person is, their tenant and their role.

Locally the workflow builder signs people in and issues HS256 JWTs with the secret both
services share (``AIRLOOM_AUTH_SECRET``). On AWS an OIDC provider such as Amazon Cognito signs
them (RS256); the services read its public keys from its JWKS, found through its discovery
document, and take tenant and role from claims the deployment names. Both can be on at once:
a token is checked by the issuer it names, and only against that issuer's keys.

A token is told apart from an API token or key by its shape (:func:`looks_like_jwt`): three
base64url segments, the first a JSON object. Random API secrets never have that shape.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from airloom.tenancy import TENANT_PATTERN

ROLES = ("viewer", "editor", "admin", "platform")  # each can do what those before it can
LOCAL_ALGORITHM = "HS256"
MIN_SECRET_LENGTH = 32
LEEWAY_SECONDS = 30  # clock skew between the provider and the services
_JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


class IdentitySettings(BaseSettings):
    """``AIRLOOM_AUTH_*``: one set for both services, so a token one issues the other accepts."""

    model_config = SettingsConfigDict(
        env_prefix="AIRLOOM_AUTH_", extra="ignore", hide_input_in_errors=True
    )

    secret: SecretStr | None = Field(
        default=None,
        description="HS256 key of local sign-in tokens, shared by both services. Unset: the "
        "builder signs no one in and local tokens are refused.",
    )
    issuer: str = Field(default="airloom", description="iss of the tokens the builder issues")
    audience: str = Field(default="airloom", description="aud of the tokens the builder issues")
    token_lifetime_seconds: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    oidc_issuer: str | None = Field(
        default=None,
        description="An OIDC provider whose tokens are accepted, e.g. "
        "https://cognito-idp.<region>.amazonaws.com/<user pool id>",
    )
    oidc_audience: str | None = Field(
        default=None, description="aud those tokens must carry (a Cognito app client id)"
    )
    oidc_jwks_url: str | None = Field(
        default=None, description="Default: jwks_uri of the issuer's discovery document"
    )
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    oidc_username_claim: str = Field(
        default="cognito:username", description="Falls back to sub when a token lacks it"
    )
    oidc_tenant_claim: str = "custom:tenant"
    oidc_role_claim: str = Field(
        default="cognito:groups", description="A role name or a list of them (groups)"
    )
    oidc_role_prefix: str = Field(
        default="", description="Groups are named <prefix><role>, e.g. airloom-editor"
    )

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"must be at least {MIN_SECRET_LENGTH} characters: anyone who guesses it can "
                "sign tokens (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return secret

    @field_validator("oidc_algorithms")
    @classmethod
    def _public_key_algorithms(cls, algorithms: list[str]) -> list[str]:
        # An HMAC or "none" algorithm here would let anyone who reads the JWKS sign tokens.
        bad = [a for a in algorithms if a.lower() == "none" or a.upper().startswith("HS")]
        if bad or not algorithms:
            raise ValueError("must list public-key algorithms only (e.g. RS256, ES256)")
        return algorithms

    @property
    def enabled(self) -> bool:
        return self.secret is not None or self.oidc_issuer is not None


class TokenRefused(Exception):
    """A token the service does not accept; the text says why (services answer 401)."""


@dataclass(frozen=True)
class SignedIn:
    """Who a verified token speaks for."""

    username: str
    tenant: str
    role: str
    expires_at: int


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


def looks_like_jwt(value: str) -> bool:
    """A JWT's shape: ``eyJ…`` (base64url of ``{"``), then two more base64url segments."""
    return _JWT_SHAPE.fullmatch(value.strip()) is not None


class Identities:
    """Issues local tokens and verifies local and OIDC ones."""

    def __init__(self, settings: IdentitySettings) -> None:
        self.settings = settings
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    @property
    def can_issue(self) -> bool:
        return self.settings.secret is not None

    def issue(self, *, username: str, tenant: str, role: str) -> IssuedToken:
        if self.settings.secret is None:
            raise RuntimeError("AIRLOOM_AUTH_SECRET is not set: no sign-in tokens can be issued")
        now = int(time.time())
        lifetime = self.settings.token_lifetime_seconds
        claims = {
            "sub": username,
            "tenant": tenant,
            "role": role,
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "iat": now,
            "exp": now + lifetime,
        }
        token = jwt.encode(claims, self.settings.secret.get_secret_value(), LOCAL_ALGORITHM)
        return IssuedToken(access_token=token, expires_in=lifetime)

    def verify(self, token: str) -> SignedIn:
        """The person a token speaks for; raises :class:`TokenRefused` saying why not."""
        settings = self.settings
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise TokenRefused("the bearer token is not a well-formed JWT") from None
        if issuer is not None and issuer == settings.oidc_issuer:
            claims = self._decode(token, *self._oidc_key(token))
            return self._oidc_identity(claims)
        if issuer == settings.issuer and settings.secret is not None:
            claims = self._decode(token, settings.secret.get_secret_value(), [LOCAL_ALGORITHM])
            return _identity(
                claims.get("sub"), claims.get("tenant"), claims.get("role"), claims["exp"]
            )
        if not settings.enabled:
            raise TokenRefused(
                "sign-in tokens are not accepted here (AIRLOOM_AUTH_SECRET and "
                "AIRLOOM_AUTH_OIDC_ISSUER are unset); use an API token or key"
            )
        raise TokenRefused(f"the token's issuer {issuer!r} is not one this service trusts")

    def _decode(self, token: str, key: Any, algorithms: list[str]) -> dict[str, Any]:
        local = algorithms == [LOCAL_ALGORITHM]
        issuer = self.settings.issuer if local else self.settings.oidc_issuer
        audience = self.settings.audience if local else self.settings.oidc_audience
        required = ["exp", "iat", "iss", "sub"] + (["aud"] if audience else [])
        try:
            return jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=audience,
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": required, "verify_aud": audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("the token has expired: sign in again") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused(f"the token is for another audience, not {audience!r}") from None
        except jwt.InvalidSignatureError:
            raise TokenRefused("the token's signature does not verify") from None
        except jwt.InvalidAlgorithmError:
            raise TokenRefused(
                f"the token is signed with an algorithm this service does not accept "
                f"(accepted: {', '.join(algorithms)})"
            ) from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRefused(f"the token has no {exc.claim!r} claim") from None
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"the token is not valid: {exc}") from None

    def _oidc_key(self, token: str) -> tuple[Any, list[str]]:
        try:
            key = self._jwks_client().get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            raise TokenRefused(f"the identity provider's keys could not be read: {exc}") from None
        except jwt.PyJWTError:
            raise TokenRefused(
                "the token is not signed with a key the identity provider publishes"
            ) from None
        return key, self.settings.oidc_algorithms

    def _jwks_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._jwks is None:
                url = self.settings.oidc_jwks_url or _discover_jwks_url(self.settings.oidc_issuer)
                self._jwks = jwt.PyJWKClient(url, cache_keys=True, timeout=10)
            return self._jwks

    def _oidc_identity(self, claims: dict[str, Any]) -> SignedIn:
        settings = self.settings
        username = claims.get(settings.oidc_username_claim) or claims.get("sub")
        role_claim = settings.oidc_role_claim
        values = claims.get(role_claim)
        values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
        prefix = settings.oidc_role_prefix
        roles = [
            value[len(prefix) :].lower()
            for value in values
            if isinstance(value, str) and value.startswith(prefix)
        ]
        known = [role for role in ROLES if role in roles]
        role = known[-1] if known else None  # a person in several groups gets the highest role
        tenant_claim = settings.oidc_tenant_claim
        return _identity(
            username, claims.get(tenant_claim), role, claims["exp"], tenant_claim, role_claim
        )


def _identity(
    username: Any,
    tenant: Any,
    role: Any,
    expires_at: Any,
    tenant_claim: str = "tenant",
    role_claim: str = "role",
) -> SignedIn:
    """Checks what every token must carry; the claim names say where it was looked for."""
    if not isinstance(username, str) or not username:
        raise TokenRefused("the token names no user")
    if not isinstance(tenant, str) or not tenant:
        raise TokenRefused(f"the token carries no tenant (claim {tenant_claim!r})")
    if not TENANT_PATTERN.fullmatch(tenant):
        raise TokenRefused(f"the token's tenant {tenant!r} is not a valid tenant name")
    if not isinstance(role, str) or role not in ROLES:
        raise TokenRefused(
            f"the token carries no Airloom role (claim {role_claim!r}; roles: {', '.join(ROLES)})"
        )
    return SignedIn(username=username, tenant=tenant, role=role, expires_at=int(expires_at))


def _discover_jwks_url(issuer: str | None) -> str:
    url = f"{str(issuer).rstrip('/')}/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
        return str(response.json()["jwks_uri"])
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise TokenRefused(
            f"the identity provider's discovery document ({url}) could not be read: {exc}"
        ) from None
