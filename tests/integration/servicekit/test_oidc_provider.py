"""The loopback OIDC provider the browser tests sign in at behaves as an authorization server
must (authorization code + PKCE), so a Studio that passes against it follows the protocol
rather than this provider's leniency; its ID tokens are accepted by the services' identities."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from servicekit.identity import Identities, IdentitySettings
from tests.integration.servicekit.oidc_provider import CLIENT_ID, Provider, oidc_provider, s256

CALLBACK = "http://127.0.0.1:9/studio/signin/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with oidc_provider() as running:
        running.allow_redirect(CALLBACK)
        running.register("ann", tenant="acme", groups=["airloom-editor"])
        yield running


def authorization(verifier: str, **overrides: str) -> dict[str, str]:
    return {
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid email profile",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    } | overrides


def sign_in(provider: Provider, request: dict[str, str], username: str = "ann") -> httpx.Response:
    form = httpx.get(f"{provider.issuer}/authorize", params=request)
    assert form.status_code == 200, form.text
    assert '<label for="username">User name</label>' in form.text
    return httpx.post(f"{provider.issuer}/authorize", data=request | {"username": username})


def redirected_to(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def exchange(provider: Provider, code: str, verifier: str, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    } | overrides
    return httpx.post(
        f"{provider.issuer}/token", data=form, headers={"Origin": "http://127.0.0.1:9"}
    )


def test_discovery_names_the_code_flow_with_pkce(provider: Provider) -> None:
    found = httpx.get(f"{provider.issuer}/.well-known/openid-configuration").json()
    assert found["authorization_endpoint"] == f"{provider.issuer}/authorize"
    assert found["token_endpoint"] == f"{provider.issuer}/token"
    assert found["response_types_supported"] == ["code"]
    assert found["code_challenge_methods_supported"] == ["S256"]


def test_a_code_becomes_an_id_token_the_services_accept_once(provider: Provider) -> None:
    verifier = secrets.token_urlsafe(48)
    back = redirected_to(sign_in(provider, authorization(verifier)))
    assert back["state"] == "s-1"

    answer = exchange(provider, back["code"], verifier)
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == "http://127.0.0.1:9"
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    identities = Identities(IdentitySettings(**provider.settings()))
    person = identities.verify(body["id_token"])
    assert (person.username, person.tenant, person.role) == ("ann", "acme", "editor")
    # The same code again is refused: codes are single use.
    assert exchange(provider, back["code"], verifier).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "overrides",
    [{"code_verifier": "another-verifier-" + "x" * 40}, {"redirect_uri": "http://127.0.0.1:9/x"}],
    ids=["wrong-verifier", "other-redirect-uri"],
)
def test_a_code_is_refused_without_its_verifier_or_redirect_uri(
    provider: Provider, overrides: dict[str, str]
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = redirected_to(sign_in(provider, authorization(verifier)))["code"]
    assert exchange(provider, code, verifier, **overrides).status_code == 400


def test_an_unregistered_callback_gets_an_error_page_not_a_redirect(provider: Provider) -> None:
    asked = authorization("v" * 43, redirect_uri="https://evil.example.com/callback")
    answer = httpx.get(f"{provider.issuer}/authorize", params=asked)
    assert answer.status_code == 400
    assert "is not registered" in answer.text


def test_no_pkce_and_cancelling_go_back_as_oauth_errors(provider: Provider) -> None:
    plain = authorization("v" * 43, code_challenge_method="plain")
    answer = httpx.get(f"{provider.issuer}/authorize", params=plain)
    assert redirected_to(answer)["error"] == "invalid_request"
    cancelled = httpx.post(
        f"{provider.issuer}/authorize", data=authorization("v" * 43) | {"action": "cancel"}
    )
    back = redirected_to(cancelled)
    assert (back["error"], back["state"]) == ("access_denied", "s-1")


def test_an_unknown_person_gets_the_form_again_with_an_error(provider: Provider) -> None:
    answer = sign_in(provider, authorization("v" * 43), username="mallory")
    assert answer.status_code == 200
    assert "No account named &#x27;mallory&#x27;" in answer.text
