"""A loopback OIDC provider: an RSA key made here, its discovery document and JWKS served over
HTTP, and ID tokens shaped like Amazon Cognito's (``cognito:username``, ``custom:tenant``,
``cognito:groups``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.harness.http_servers import RecordingHandler, RecordingServer, recording_server

CLIENT_ID = "studio-app-client"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Provider:
    server: RecordingServer
    key: rsa.RSAPrivateKey
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def issuer(self) -> str:
        return self.server.url

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """``IdentitySettings`` values that trust this provider, Cognito-style."""
        return {
            "oidc_issuer": self.issuer,
            "oidc_audience": CLIENT_ID,
            "oidc_role_prefix": "airloom-",
        } | overrides

    def id_token(
        self,
        *,
        username: str = "ann",
        tenant: str | None = "acme",
        groups: list[str] | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "sub": str(uuid.uuid4()),
            "cognito:username": username,
            "cognito:groups": ["airloom-editor"] if groups is None else groups,
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "token_use": "id",
            "iat": now,
            "exp": now + 3600,
        }
        if tenant is not None:
            body["custom:tenant"] = tenant
        return jwt.encode(body | claims, key or self.key, "RS256", headers={"kid": kid or self.kid})


@contextmanager
def oidc_provider() -> Iterator[Provider]:
    """The provider on a free loopback port until the block ends."""
    key = rsa_key()
    holder: dict[str, Provider] = {}

    class Handler(RecordingHandler):
        def do_GET(self) -> None:
            provider = holder["provider"]
            if self.path == "/.well-known/openid-configuration":
                self.send_json(
                    200, {"issuer": provider.issuer, "jwks_uri": f"{provider.issuer}/jwks.json"}
                )
            elif self.path == "/jwks.json":
                public = RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
                jwk = public | {"kid": provider.kid, "use": "sig", "alg": "RS256"}
                self.send_json(200, {"keys": [jwk]})
            else:
                self.send_json(404, {"error": "not found"})

    with recording_server(Handler) as server:
        holder["provider"] = Provider(server, key)
        yield holder["provider"]
