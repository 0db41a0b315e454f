"""Dependencies the routes declare: the database session, the caller's API key, and the
services the app holds (registry, catalog sync, Airflow, deployment targets, endpoints).

A caller presents an API key (``X-API-Key``, or ``Authorization: Bearer``) or a sign-in token
(``Authorization: Bearer <JWT>``, told apart by its shape: :func:`looks_like_jwt`). A sign-in
token becomes a key of its tenant and ``signed_in_tier`` (:func:`signed_in_key`); its role
decides what it may do: a viewer reads, compares and predicts, and changes nothing.

Those that only read the app's state are ``async``: FastAPI runs a plain ``def`` dependency in
a worker thread, a hop each request would pay for nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from marketplace.access import find_key, signed_in_key
from marketplace.catalog.registry import MlflowRegistry
from marketplace.catalog.sync import CatalogSync
from marketplace.core.config import Settings
from marketplace.endpoint_directory import EndpointDirectory
from marketplace.errors import Forbidden, Unauthorized
from marketplace.key_cache import KeyCache
from marketplace.models import ApiKey
from marketplace.targets import Targets
from servicekit.activity import record_caller
from servicekit.airflow_client import AirflowClient
from servicekit.identity import Identities, SignedIn, TokenRefused, looks_like_jwt

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_bearer = HTTPBearer(auto_error=False)
# Requests that change nothing although they are POSTs: a viewer may send them.
READ_ONLY_POSTS = frozenset({"/api/v1/compare"})


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def _presented(api_key: str | None, bearer: HTTPAuthorizationCredentials | None) -> str:
    key = api_key or (bearer.credentials if bearer else None)
    if not key:
        raise Unauthorized(
            "send an API key in the X-API-Key header (or as a Bearer token), or a sign-in "
            "token as 'Authorization: Bearer <token>'"
        )
    return key


def _valid(row: ApiKey | None) -> ApiKey:
    if row is None or row.revoked_at is not None:
        raise Unauthorized("the API key is unknown or has been revoked")
    return row


def _identities(request: Request) -> Identities:
    state = request.app.state
    if getattr(state, "identities", None) is None:
        state.identities = Identities(state.settings.identity)
    return state.identities


def _changes_something(request: Request) -> bool:
    route = request.scope.get("route")
    return request.method not in ("GET", "HEAD", "OPTIONS") and (
        getattr(route, "path", None) not in READ_ONLY_POSTS
    )


def _signed_in(request: Request, token: str, changes: bool) -> ApiKey:
    """The key a sign-in token stands for, once its role may do what the request asks."""
    try:
        person: SignedIn = _identities(request).verify(token)
    except TokenRefused as exc:
        raise Unauthorized(str(exc)) from None
    if changes and person.role == "viewer":
        raise Forbidden("this needs the editor role; you are signed in as a viewer")
    return signed_in_key(person, request.app.state.settings.signed_in_tier)


def current_key(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> ApiKey:
    """The caller's key, after the rate limit of its tier has counted this request."""
    presented = _presented(api_key, bearer)
    if looks_like_jwt(presented):
        row = _signed_in(request, presented, _changes_something(request))
    else:
        row = _valid(find_key(session, presented))
    record_caller(request, row.tenant, row.tier)  # before the limit: a 429 is the key's too
    request.app.state.rate_limiter.hit(row.tier, row.key_hash)
    return row


CurrentKey = Annotated[ApiKey, Depends(current_key)]


async def prediction_key(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> ApiKey:
    """:func:`current_key` for the prediction path: keys from :class:`KeyCache`, no session."""
    state = request.app.state
    if getattr(state, "key_cache", None) is None:
        state.key_cache = KeyCache(state.session_factory)
    presented = _presented(api_key, bearer)
    if looks_like_jwt(presented):
        # A worker thread: an OIDC provider's keys may need fetching. People predict from the
        # Studio's try-it form; programs on the hot path use API keys.
        row = await run_in_threadpool(_signed_in, request, presented, False)  # reads only
    else:
        row = _valid(await state.key_cache.find(presented))
    record_caller(request, row.tenant, row.tier)
    if state.settings.rate_limit_storage_uri.startswith("memory://"):
        state.rate_limiter.hit(row.tier, row.key_hash)  # in memory: no I/O
    else:  # a shared store (redis://…) is a network call
        await run_in_threadpool(state.rate_limiter.hit, row.tier, row.key_hash)
    return row


PredictionKey = Annotated[ApiKey, Depends(prediction_key)]


def require_tier(*tiers: str, action: str) -> Callable[[ApiKey], ApiKey]:
    """A dependency admitting only keys of ``tiers``: 403 with what to do otherwise."""

    def check(key: CurrentKey) -> ApiKey:
        if key.tier not in tiers:
            raise Forbidden(f"{action} needs the {' or '.join(tiers)} tier; this key is {key.tier}")
        return key

    return check


async def get_registry(request: Request) -> MlflowRegistry:
    return request.app.state.registry


RegistryDep = Annotated[MlflowRegistry, Depends(get_registry)]


async def get_sync(request: Request) -> CatalogSync:
    return request.app.state.catalog_sync


SyncDep = Annotated[CatalogSync, Depends(get_sync)]


async def get_airflow(request: Request) -> AirflowClient:
    return request.app.state.airflow()


AirflowDep = Annotated[AirflowClient, Depends(get_airflow)]


async def get_targets(request: Request) -> Targets:
    state = request.app.state
    if getattr(state, "targets", None) is None:
        state.targets = Targets(state.settings.mlflow_tracking_uri)
    return state.targets


TargetsDep = Annotated[Targets, Depends(get_targets)]


async def get_endpoint_directory(request: Request) -> EndpointDirectory:
    state = request.app.state
    if getattr(state, "endpoint_directory", None) is None:
        state.endpoint_directory = EndpointDirectory(state.session_factory)
    return state.endpoint_directory


EndpointDirectoryDep = Annotated[EndpointDirectory, Depends(get_endpoint_directory)]
