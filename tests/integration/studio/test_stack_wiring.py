"""What `airloom up` gives the services for Studio, without starting the whole stack: the
builder finds the built app and names the other services in config.json, the marketplace lets
the builder's origin call it, and Airflow's navigation links to Studio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airloom_cli.stack.services import stack_services
from airloom_cli.stack.settings import StackSettings
from insights.core.config import Settings as InsightsSettings
from marketplace.core.config import Settings as MarketplaceSettings
from servicekit.settings import load_settings
from tests.integration.studio.conftest import PROJECT_ROOT
from workflow_builder_api.core.config import Settings as BuilderSettings
from workflow_builder_api.studio import studio_config


def test_up_wires_studio_into_every_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    stack = StackSettings(
        home=tmp_path,
        builder_port=18001,
        marketplace_port=18002,
        airflow_port=18080,
        insights_port=18004,
    )
    env = {service.name: service.env for service in stack_services(stack)}

    for name, value in env["workflow-builder"].items():
        monkeypatch.setenv(name, value)
    builder = load_settings(BuilderSettings)
    assert builder.studio_dist == PROJECT_ROOT / "studio" / "dist"
    assert studio_config(builder) == {
        "graphqlUrl": "/graphql",
        "graphqlWsUrl": "/graphql",
        "marketplaceUrl": "http://127.0.0.1:18002",
        "airflowUrl": "http://127.0.0.1:18080",
        "insightsUrl": "http://127.0.0.1:18004",
        "signIn": {"password": True, "oidc": None},
    }

    for name, value in env["marketplace"].items():
        monkeypatch.setenv(name, value)
    assert load_settings(MarketplaceSettings).cors_origins == ["http://127.0.0.1:18001"]
    # The Dashboard calls the insights service from the builder's origin too.
    for name, value in env["insights"].items():
        monkeypatch.setenv(name, value)
    assert load_settings(InsightsSettings).cors_origins == ["http://127.0.0.1:18001"]

    assert env["airflow-api-server"]["AIRLOOM_STUDIO_URL"] == "http://127.0.0.1:18001/studio/"
    assert json.loads(env["marketplace"]["AIRLOOM_MARKETPLACE_CORS_ORIGINS"]) == [
        "http://127.0.0.1:18001"
    ]
