"""Serve Airloom Studio (the built web app in ``studio/dist``) under ``/studio/``.

Hashed assets (``/studio/assets/…``) never change under their name: cached for a year. Every
other path is either a file of the build or one of the app's own routes, which get
``index.html`` so a reload or a shared link opens the page; ``index.html`` is never cached, so a
new build reaches people on their next load. ``/studio/config.json`` tells the app where the
other services are and how people sign in (a password, an OIDC provider, or both).

The build's asset URLs are relative; ``index.html`` gets a ``<base>`` naming where Studio is
mounted on the public URL, so the same build works behind a gateway's path prefix
(``public_path``, e.g. ``/v1/builder`` on AWS) as on the local stack.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from workflow_builder_api.core.config import Settings

PREFIX = "/studio"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
NOT_BUILT = (
    "Airloom Studio is not built: run `make studio` in the Airloom checkout (npm ci and "
    "npm run build in studio/), then reload. The builder looks for it in {dist}."
)


def with_base(index_html: str, mount: str) -> str:
    """``index.html`` resolving its relative URLs against ``mount`` (a validated plain path)."""
    return index_html.replace("<head>", f'<head>\n    <base href="{mount}" />', 1)


class StudioFiles(StaticFiles):
    """The build's files, with the app's routes falling back to ``index.html``."""

    def __init__(self, dist: Path, mount: str) -> None:
        # The app may be built after the builder started: it is looked for on each request.
        super().__init__(directory=dist, check_dir=False)
        self.dist = dist
        self.mount = mount

    def index(self) -> Response:
        return HTMLResponse(with_base((self.dist / "index.html").read_text(), self.mount))

    async def check_config(self) -> None:
        return None

    async def get_response(self, path: str, scope: Scope) -> Response:
        index = self.dist / "index.html"
        if not index.is_file():
            return PlainTextResponse(NOT_BUILT.format(dist=self.dist), status_code=503)
        is_asset = path.split(os.sep, 1)[0] == "assets"
        try:
            response = (
                self.index()
                if path in (".", "index.html")
                else await super().get_response(path, scope)
            )
        except HTTPException as error:
            # A missing asset stays a 404: HTML in place of a script only hides the problem.
            if error.status_code != 404 or is_asset:
                raise
            response = self.index()
        response.headers["Cache-Control"] = IMMUTABLE if is_asset else NO_CACHE
        return response


def sign_in_options(settings: Settings) -> dict[str, Any]:
    """How people may sign in here: a password (the builder issues tokens) and single sign-on
    through the OIDC provider the services trust, whose client id is the audience its ID
    tokens must carry."""
    identity = settings.identity
    oidc = None
    if identity.oidc_issuer and identity.oidc_audience:
        oidc = {
            "authority": identity.oidc_issuer,
            "clientId": identity.oidc_audience,
            "scope": settings.studio_oidc_scope,
        }
    return {"password": identity.secret is not None, "oidc": oidc}


def studio_config(settings: Settings) -> dict[str, Any]:
    """Where Studio finds the services (GraphQL on this origin, the others by absolute URL)
    and how people sign in."""
    return {
        "graphqlUrl": f"{settings.public_path}/graphql",
        "graphqlWsUrl": f"{settings.public_path}/graphql",
        "marketplaceUrl": settings.marketplace_url,
        "airflowUrl": settings.airflow_public_url,
        # Null when the builder knows no insights service: the Dashboard says so.
        "insightsUrl": settings.insights_url,
        "signIn": sign_in_options(settings),
    }


def mount_studio(app: FastAPI, settings: Settings) -> None:
    config = studio_config(settings)

    @app.get(f"{PREFIX}/config.json", include_in_schema=False)
    def config_json() -> JSONResponse:
        return JSONResponse(config, headers={"Cache-Control": NO_CACHE})

    mount = f"{settings.public_path}{PREFIX}/"
    # Gzipped on the way out: the app's JavaScript is about a third of its size so.
    files = GZipMiddleware(StudioFiles(settings.studio_dist, mount), minimum_size=1024)
    app.mount(PREFIX, files, name="studio")
