"""The builder settings Studio's config.json is made of: URLs a browser can use, or a clear
error naming the variable."""

from __future__ import annotations

import pytest

from servicekit.settings import SettingsError, load_settings
from workflow_builder_api.core.config import Settings
from workflow_builder_api.studio import studio_config


def test_config_json_takes_the_urls_from_the_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AIRLOOM_BUILDER_MARKETPLACE_URL", "https://market.example.com/")
    monkeypatch.setenv("AIRLOOM_BUILDER_AIRFLOW_PUBLIC_URL", "http://127.0.0.1:9090")
    assert studio_config(load_settings(Settings)) == {
        "graphqlUrl": "/graphql",
        "graphqlWsUrl": "/graphql",
        "marketplaceUrl": "https://market.example.com",
        "airflowUrl": "http://127.0.0.1:9090",
    }


@pytest.mark.parametrize("url", ["127.0.0.1:8002", "ftp://host", "http://host/?a=1"])
def test_a_url_a_browser_cannot_use_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, url: str):
    monkeypatch.setenv("AIRLOOM_BUILDER_MARKETPLACE_URL", url)
    with pytest.raises(SettingsError, match="AIRLOOM_BUILDER_MARKETPLACE_URL") as error:
        load_settings(Settings)
    assert "http:// or https://" in str(error.value)


def test_the_marketplace_takes_origins_and_refuses_a_url_with_a_path(
    monkeypatch: pytest.MonkeyPatch,
):
    from marketplace.core.config import Settings as MarketplaceSettings

    monkeypatch.setenv("AIRLOOM_MARKETPLACE_CORS_ORIGINS", '["http://127.0.0.1:8001/"]')
    assert load_settings(MarketplaceSettings).cors_origins == ["http://127.0.0.1:8001"]
    monkeypatch.setenv("AIRLOOM_MARKETPLACE_CORS_ORIGINS", '["http://127.0.0.1:8001/studio/"]')
    with pytest.raises(SettingsError, match="AIRLOOM_MARKETPLACE_CORS_ORIGINS"):
        load_settings(MarketplaceSettings)
