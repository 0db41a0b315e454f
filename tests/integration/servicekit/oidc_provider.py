"""A loopback OIDC provider: an RSA key made here, its discovery document and JWKS served over
HTTP, and ID tokens shaped like Amazon Cognito's (``cognito:username``, ``custom:tenant``,
``cognito:groups``).

It is also a small authorization server for the authorization-code flow with PKCE, as a
browser meets Cognito's hosted sign-in: ``GET /authorize`` checks the client, the registered
redirect URI, ``response_type=code`` and an S256 ``code_challenge``, then shows a sign-in form
(user name only: the people are those a test registers); ``POST /authorize`` sends the browser
back with a code, or shows the form again with an error; ``POST /token`` exchanges a code once,
for the client and redirect URI it was given to, against the verifier of its challenge.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.harness.http_servers import RecordingHandler, RecordingServer, recording_server

CLIENT_ID = "studio-app-client"
CODE_LIFETIME_SECONDS = 300
# What an authorization request carries through the sign-in form and onto its code.
REQUEST_FIELDS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Person:
    """Someone the provider signs in: their tenant attribute (None: none) and groups."""

    username: str
    tenant: str | None
    groups: list[str]


@dataclass(frozen=True)
class Grant:
    """A code given to a client, and what the token request must match."""

    request: dict[str, str]
    person: Person
    expires_at: float


@dataclass
class Provider:
    server: RecordingServer
    key: rsa.RSAPrivateKey
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    people: dict[str, Person] = field(default_factory=dict)
    redirect_uris: set[str] = field(default_factory=set)
    grants: dict[str, Grant] = field(default_factory=dict)

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

    def register(self, username: str, *, tenant: str | None, groups: list[str]) -> Person:
        """Someone who may sign in at the provider's form."""
        person = Person(username, tenant, groups)
        self.people[username] = person
        return person

    def allow_redirect(self, uri: str) -> None:
        """A callback URL of the app client (Cognito's "allowed callback URLs")."""
        self.redirect_uris.add(uri)

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks.json",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "scopes_supported": ["openid", "email", "profile"],
            "grant_types_supported": ["authorization_code"],
            "token_endpoint_auth_methods_supported": ["none"],
        }

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
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{username}")),
            "cognito:username": username,
            "cognito:groups": ["airloom-editor"] if groups is None else groups,
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + 3600,
        }
        if tenant is not None:
            body["custom:tenant"] = tenant
        return jwt.encode(body | claims, key or self.key, "RS256", headers={"kid": kid or self.kid})

    def client_problem(self, request: Mapping[str, str]) -> str | None:
        """Why the authorization request cannot even be answered at its redirect URI."""
        if request.get("client_id") != CLIENT_ID:
            return f"unknown client_id {request.get('client_id')!r}"
        if request.get("redirect_uri") not in self.redirect_uris:
            return f"redirect_uri {request.get('redirect_uri')!r} is not registered"
        return None

    def request_problem(self, request: Mapping[str, str]) -> tuple[str, str] | None:
        """An OAuth error (code, description) to send back to the client, if any."""
        if request.get("response_type") != "code":
            return "unsupported_response_type", "only response_type=code"
        if "openid" not in request.get("scope", "").split():
            return "invalid_scope", "the scope must include openid"
        if request.get("code_challenge_method") != "S256" or not request.get("code_challenge"):
            return "invalid_request", "PKCE is required: code_challenge with method S256"
        return None

    def grant(self, request: Mapping[str, str], person: Person) -> str:
        code = secrets.token_urlsafe(24)
        kept = {name: request[name] for name in REQUEST_FIELDS if request.get(name)}
        self.grants[code] = Grant(kept, person, time.time() + CODE_LIFETIME_SECONDS)
        return code

    def exchange(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """The token endpoint's answer (status, body) to a form-encoded code exchange."""
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.grants.pop(form.get("code", ""), None)  # a code is good once
        if grant is None or grant.expires_at < time.time():
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        asked = grant.request
        if form.get("client_id") != asked["client_id"]:
            return 400, {"error": "invalid_client", "error_description": "another client's code"}
        if form.get("redirect_uri") != asked["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        if s256(form.get("code_verifier", "")) != asked["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "code_verifier mismatch"}
        person = grant.person
        extra = {"nonce": asked["nonce"]} if "nonce" in asked else {}
        token = self.id_token(
            username=person.username, tenant=person.tenant, groups=person.groups, **extra
        )
        return 200, {
            "id_token": token,
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": 3600,
        }


def sign_in_form(request: Mapping[str, str], error: str | None = None) -> str:
    """The provider's own sign-in page: a labelled user name field and a button."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(request[name])}">'
        for name in REQUEST_FIELDS
        if request.get(name)
    )
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Sign in - loopback identity provider</title></head>
<body><main><h1>Sign in to the identity provider</h1>{alert}
<form method="post" action="/authorize">{hidden}
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username">
<button type="submit" name="action" value="sign-in">Sign in</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form></main></body></html>"""


@contextmanager
def oidc_provider() -> Iterator[Provider]:
    """The provider on a free loopback port until the block ends."""
    key = rsa_key()
    holder: dict[str, Provider] = {}

    class Handler(RecordingHandler):
        @property
        def provider(self) -> Provider:
            return holder["provider"]

        def cors(self) -> dict[str, str]:
            # Studio's page calls discovery and the token endpoint from its own origin.
            return {
                "Access-Control-Allow-Origin": self.headers.get("Origin") or "*",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": self.headers.get(
                    "Access-Control-Request-Headers", "Content-Type"
                ),
                "Vary": "Origin",
            }

        def send_html(self, status: int, body: str) -> None:
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def redirect(self, uri: str, params: dict[str, str]) -> None:
            self.send_response(302)
            self.send_header("Location", f"{uri}?{urlencode(params)}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def read_form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            return dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))

        def authorize(self, request: dict[str, str], submitted: bool) -> None:
            provider = self.provider
            problem = provider.client_problem(request)
            if problem:  # never redirect to a URI nobody registered
                self.send_html(400, f"<!doctype html><title>Error</title><p>{problem}</p>")
                return
            back = {"state": request["state"]} if request.get("state") else {}
            oauth_error = provider.request_problem(request)
            if oauth_error:
                error, description = oauth_error
                params = {"error": error, "error_description": description}
                self.redirect(request["redirect_uri"], params | back)
            elif not submitted:
                self.send_html(200, sign_in_form(request))
            elif request.get("action") == "cancel":
                params = {"error": "access_denied", "error_description": "the user cancelled"}
                self.redirect(request["redirect_uri"], params | back)
            elif (person := provider.people.get(request.get("username", ""))) is None:
                error = f"No account named {request.get('username', '')!r}."
                self.send_html(200, sign_in_form(request, error))
            else:
                self.redirect(
                    request["redirect_uri"], {"code": provider.grant(request, person)} | back
                )

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            for name, value in self.cors().items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            provider = self.provider
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                self.send_json(200, provider.discovery(), self.cors())
            elif url.path == "/jwks.json":
                public = RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
                jwk = public | {"kid": provider.kid, "use": "sig", "alg": "RS256"}
                self.send_json(200, {"keys": [jwk]}, self.cors())
            elif url.path == "/authorize":
                self.authorize(dict(parse_qsl(url.query)), submitted=False)
            else:
                self.send_json(404, {"error": "not found"})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path == "/authorize":
                self.authorize(self.read_form(), submitted=True)
            elif path == "/token":
                status, body = self.provider.exchange(self.read_form())
                headers = self.cors() | {"Cache-Control": "no-store"}
                self.send_json(status, body, headers)
            else:
                self.send_json(404, {"error": "not found"})

    with recording_server(Handler) as server:
        holder["provider"] = Provider(server, key)
        yield holder["provider"]
