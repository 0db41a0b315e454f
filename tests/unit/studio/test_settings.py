"""The builder settings Studio's config.json is made of: URLs a browser can use, or a clear
error naming the variable."""

from __future__ import annotations

import pytest

from servicekit.settings import SettingsError, load_settings
from workflow_builder_api.core.config import Settings
from workflow_builder_api.studio import studio_config

SECRET = "studio-settings-tests-secret-0123456789"
POOL = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example"


def test_config_json_takes_the_urls_from_the_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AIRLOOM_BUILDER_MARKETPLACE_URL", "https://market.example.com/")
    monkeypatch.setenv("AIRLOOM_BUILDER_AIRFLOW_PUBLIC_URL", "http://127.0.0.1:9090")
    monkeypatch.setenv("AIRLOOM_AUTH_SECRET", SECRET)
    assert studio_config(load_settings(Settings)) == {
        "graphqlUrl": "/graphql",
        "graphqlWsUrl": "/graphql",
        "marketplaceUrl": "https://market.example.com",
        "airflowUrl": "http://127.0.0.1:9090",
        "insightsUrl": None,  # no insights service named: the Dashboard says so
        "signIn": {"password": True, "oidc": None},
    }
    monkeypatch.setenv("AIRLOOM_BUILDER_INSIGHTS_URL", "http://127.0.0.1:8004/")
    assert studio_config(load_settings(Settings))["insightsUrl"] == "http://127.0.0.1:8004"


def test_config_json_names_the_oidc_provider_studio_signs_in_with(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("AIRLOOM_AUTH_SECRET", raising=False)
    monkeypatch.setenv("AIRLOOM_AUTH_OIDC_ISSUER", POOL)
    monkeypatch.setenv("AIRLOOM_AUTH_OIDC_AUDIENCE", "studio-app-client")
    assert studio_config(load_settings(Settings))["signIn"] == {
        "password": False,  # no secret: the builder signs nobody in itself
        "oidc": {
            "authority": POOL,
            "clientId": "studio-app-client",
            "scope": "openid email profile",
        },
    }
    monkeypatch.setenv("AIRLOOM_BUILDER_STUDIO_OIDC_SCOPE", "openid")
    assert studio_config(load_settings(Settings))["signIn"]["oidc"]["scope"] == "openid"


def test_without_an_audience_there_is_no_client_to_sign_in_with(monkeypatch: pytest.MonkeyPatch):
    # Tokens of the issuer are still accepted (any audience), but Studio has no app client.
    monkeypatch.setenv("AIRLOOM_AUTH_SECRET", SECRET)
    monkeypatch.setenv("AIRLOOM_AUTH_OIDC_ISSUER", POOL)
    monkeypatch.delenv("AIRLOOM_AUTH_OIDC_AUDIENCE", raising=False)
    assert studio_config(load_settings(Settings))["signIn"] == {"password": True, "oidc": None}


def test_a_scope_without_openid_is_refused_by_name(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AIRLOOM_BUILDER_STUDIO_OIDC_SCOPE", "email profile")
    with pytest.raises(SettingsError, match="AIRLOOM_BUILDER_STUDIO_OIDC_SCOPE"):
        load_settings(Settings)


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
