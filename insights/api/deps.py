"""Dependencies the routes declare: the database session, the caller, the read model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from insights.access import Caller, authenticate
from insights.core.config import Settings
from insights.errors import Unauthorized
from insights.readmodel.views import ReadModel
from servicekit.identity import Identities

_bearer = HTTPBearer(auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def _identities(request: Request) -> Identities:
    state = request.app.state
    if getattr(state, "identities", None) is None:
        state.identities = Identities(state.settings.identity)
    return state.identities


def current_caller(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Caller:
    if bearer is None or not bearer.credentials:
        raise Unauthorized(
            "send an API token or a sign-in token as 'Authorization: Bearer <token>'"
        )
    return authenticate(session, bearer.credentials, _identities(request))


CallerDep = Annotated[Caller, Depends(current_caller)]


def editor(caller: CallerDep) -> Caller:
    caller.require("editor", "changing value definitions")
    return caller


EditorDep = Annotated[Caller, Depends(editor)]


async def get_read_model(request: Request) -> ReadModel:
    return request.app.state.read_model


ReadModelDep = Annotated[ReadModel, Depends(get_read_model)]
