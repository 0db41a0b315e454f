"""The builder serves the built Studio under /studio/: files, client routes, caching, config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tests.integration.builder.api import Builder, running_builder
from workflow_builder_api.core.config import Settings

ENTRY = re.compile(r'src="\./(assets/index-[\w-]+\.js)"')
BASE = re.compile(r'<base href="([^"]+)" />')


def test_index_is_the_app_and_is_never_cached(builder: Builder, studio_dist: Path):
    response = builder.client.get("/studio/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert '<div id="root">' in response.text
    assert BASE.findall(response.text) == ["/studio/"]
    assert BASE.sub("", response.text).split() == (studio_dist / "index.html").read_text().split()


def test_a_hashed_asset_is_cached_for_good(builder: Builder):
    index = builder.client.get("/studio/").text
    entry = ENTRY.search(index)
    assert entry, "index.html names no entry script under its assets/"
    asset = BASE.search(index).group(1) + entry.group(1)
    response = builder.client.get(asset)
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Sent gzipped to a browser that accepts it, as every browser does.
    assert response.headers["content-encoding"] == "gzip"
    with builder.client.stream("GET", asset) as streamed:
        sent = sum(len(chunk) for chunk in streamed.iter_raw())
    assert sent < len(response.content) / 2


def test_a_client_route_opens_the_app(builder: Builder):
    index = builder.client.get("/studio/").text
    # /studio/signin/callback too: the URL an OIDC provider sends people back to.
    routes = ("/studio/workflows", "/studio/workflows/some-id", "/studio/signin")
    for route in (*routes, "/studio/signin/callback?code=c&state=s"):
        response = builder.client.get(route)
        assert response.status_code == 200, route
        assert response.text == index
        assert response.headers["cache-control"] == "no-cache"


def test_a_missing_asset_is_not_found_rather_than_html(builder: Builder):
    response = builder.client.get("/studio/assets/index-missing.js")
    assert response.status_code == 404


def test_no_file_outside_the_build_is_served(builder: Builder):
    response = builder.client.get("/studio/%2e%2e/%2e%2e/pyproject.toml")
    assert "[project]" not in response.text


def test_config_names_the_services(builder: Builder):
    response = builder.client.get("/studio/config.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.json() == {
        "graphqlUrl": "/graphql",
        "graphqlWsUrl": "/graphql",
        "marketplaceUrl": "http://127.0.0.1:18002",
        "airflowUrl": "http://127.0.0.1:18080",
        "insightsUrl": None,  # this builder is told of no insights service
        "signIn": {"password": True, "oidc": None},
    }


def test_without_a_build_studio_says_how_to_build_it(tmp_path: Path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'builder.db'}",
        dags_folder=str(tmp_path / "dags"),
        studio_dist=tmp_path / "not-built",
    )
    with running_builder(settings) as builder:
        client: TestClient = builder.client
        for path in ("/studio/", "/studio/workflows/x"):
            response = client.get(path)
            assert response.status_code == 503
            assert "make studio" in response.text
        # The API itself does not depend on the app being built.
        assert client.get("/healthz").status_code == 200
        assert client.get("/studio/config.json").status_code == 200


def test_behind_a_gateways_prefix_the_app_and_its_api_calls_go_through_it(
    studio_dist: Path, tmp_path: Path
):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'builder.db'}",
        dags_folder=str(tmp_path / "dags"),
        studio_dist=studio_dist,
        public_path="/v1/builder",
    )
    with running_builder(settings) as builder:
        index = builder.client.get("/studio/workflows/some-id").text
        # The gateway strips its prefix on the way in; the browser must keep it on the way out.
        assert BASE.findall(index) == ["/v1/builder/studio/"]
        entry = ENTRY.search(index)
        assert entry and builder.client.get(f"/studio/{entry.group(1)}").status_code == 200
        config = builder.client.get("/studio/config.json").json()
        assert config["graphqlUrl"] == config["graphqlWsUrl"] == "/v1/builder/graphql"


@pytest.mark.parametrize("path", ["/v1/builder/", "v1", '/x"><script>', "/a b"])
def test_a_public_path_that_is_not_a_plain_path_is_refused(path: str, tmp_path: Path):
    with pytest.raises(ValidationError, match="public_path"):
        Settings(database_url=f"sqlite:///{tmp_path / 'b.db'}", public_path=path)
