"""Bootstrap secrets: one typed parser for both services, whose every problem names the
setting, the entry and the field, and never repeats a secret."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from marketplace.core.config import BootstrapKey
from marketplace.core.config import Settings as MarketplaceSettings
from marketplace.core.config import get_settings as marketplace_settings
from servicekit.bootstrap import BootstrapError, parse_bootstrap
from servicekit.settings import SettingsError, load_settings
from workflow_builder_api.core.config import Settings as BuilderSettings
from workflow_builder_api.services.auth import BootstrapToken

SECRET = "a-secret-nobody-may-see-in-a-log"
KEYS = "AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS"
TOKENS = "AIRLOOM_BUILDER_BOOTSTRAP_TOKENS"


def problems(setting: str, value: object, model: type) -> str:
    with pytest.raises(BootstrapError) as raised:
        parse_bootstrap(setting, value, model)
    assert SECRET not in str(raised.value)
    return str(raised.value)


def test_entries_are_read_from_json_text_or_a_list() -> None:
    text = json.dumps([{"token": SECRET, "tenant": "acme", "role": "Editor"}])
    [token] = parse_bootstrap(TOKENS, text, BootstrapToken)
    assert (token.token, token.tenant, token.role, token.name) == (SECRET, "acme", "editor", None)
    [key] = parse_bootstrap(KEYS, [{"key": SECRET, "tenant": "acme"}], BootstrapKey)
    assert (key.tier, key.name) == ("free", "bootstrap")
    assert parse_bootstrap(KEYS, "  ", BootstrapKey) == parse_bootstrap(KEYS, None, BootstrapKey)
    assert SECRET not in repr(token) + repr(key)  # a logged entry keeps its secret


def test_each_problem_names_setting_entry_and_field() -> None:
    value = json.dumps(
        [
            {"key": SECRET, "tenant": "acme", "tier": "pro"},
            {"key": SECRET[:8], "tenant": "acme", "tier": "gold", "teir": "pro"},
            "not an object",
        ]
    )
    found = problems(KEYS, value, BootstrapKey)
    assert f"{KEYS}[1].key: String should have at least 16 characters" in found
    assert f"{KEYS}[1].tier: Input should be 'free', 'pro' or 'enterprise'" in found
    assert f"{KEYS}[1].teir: Extra inputs are not permitted" in found
    assert f"{KEYS}[2]: Input should be a valid dictionary" in found
    assert "[0]" not in found

    token = [{"token": SECRET, "tenant": "Acme Corp", "role": "owner"}]
    found = problems(TOKENS, token, BootstrapToken)
    assert f"{TOKENS}[0].tenant: String should match pattern" in found
    assert f"{TOKENS}[0].role: unknown role 'owner'; roles: viewer, editor, admin" in found


def test_a_value_that_is_not_a_json_list_is_refused_without_being_shown() -> None:
    assert problems(KEYS, f'[{{"key": "{SECRET}"', BootstrapKey).startswith(f"{KEYS}: is not JSON")
    found = problems(TOKENS, json.dumps({"token": SECRET}), BootstrapToken)
    assert found == f"{TOKENS}: must be a JSON list of objects"


def test_settings_built_in_code_refuse_a_bad_entry_without_repeating_it() -> None:
    with pytest.raises(ValidationError) as raised:
        BuilderSettings(bootstrap_tokens=[{"token": SECRET, "tenant": "acme"}])
    assert "bootstrap_tokens.0.role" in str(raised.value)
    assert SECRET not in str(raised.value)
    with pytest.raises(ValidationError) as raised:
        MarketplaceSettings(bootstrap_keys=json.dumps([{"key": SECRET, "tenant": ""}]))
    assert "bootstrap_keys.0.tenant" in str(raised.value)
    assert SECRET not in str(raised.value)


def test_settings_read_at_startup_name_each_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEYS, json.dumps([{"key": SECRET, "tenant": "acme", "tier": "gold"}]))
    monkeypatch.setenv("AIRLOOM_MARKETPLACE_SYNC_SECONDS", "0")
    marketplace_settings.cache_clear()
    with pytest.raises(SettingsError) as raised:
        marketplace_settings()
    message = str(raised.value)
    assert f"{KEYS}[0].tier: Input should be 'free', 'pro' or 'enterprise'" in message
    assert "AIRLOOM_MARKETPLACE_SYNC_SECONDS: Input should be greater than 0" in message
    assert SECRET not in message

    monkeypatch.setenv(TOKENS, "[{'token': 'single quotes'}]")
    with pytest.raises(SettingsError, match=rf"{TOKENS}: is not JSON"):
        load_settings(BuilderSettings)
