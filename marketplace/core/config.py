"""Marketplace settings, read from ``AIRLOOM_*`` environment variables.

Airflow's address and credentials are servicekit's (``AIRLOOM_AIRFLOW_*``, see
:class:`servicekit.airflow_client.AirflowSettings`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.bootstrap import BootstrapEntry, BootstrapList
from servicekit.identity import IdentitySettings
from servicekit.settings import load_settings

Tier = Literal["free", "pro", "enterprise"]


def _origin(value: str) -> str:
    scheme, _, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest or "/" in rest.rstrip("/"):
        raise ValueError(f"{value!r} is not an origin (scheme://host[:port], no path)")
    return value.rstrip("/")


Origin = Annotated[str, AfterValidator(_origin)]
TIERS: tuple[Tier, ...] = ("free", "pro", "enterprise")


class BootstrapKey(BootstrapEntry):
    """An API key to create at startup if missing (local stack, first admin key)."""

    key: str = Field(min_length=16, repr=False)
    tenant: str = Field(min_length=1, max_length=100)
    tier: Tier = "free"
    name: str = "bootstrap"


class Settings(BaseSettings):
    # An error names the setting but never repeats its value: some hold secrets.
    model_config = SettingsConfigDict(
        env_prefix="AIRLOOM_MARKETPLACE_", extra="ignore", hide_input_in_errors=True
    )

    database_url: str = "sqlite:///.airloom/marketplace/marketplace.db"
    mlflow_tracking_uri: str = Field(
        default="http://127.0.0.1:5000",
        validation_alias=AliasChoices("AIRLOOM_MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_URI"),
    )
    log_level: str = "INFO"
    # `alembic upgrade head` when the app starts; turn off where a one-off task migrates
    # (`python -m marketplace.cli migrate`) before several replicas start.
    migrate_on_startup: bool = True
    sync_seconds: float = Field(default=5.0, gt=0, description="How often MLflow is polled")
    full_sync_seconds: float = Field(
        default=300.0, gt=0, description="How often every version is re-read, changed or not"
    )
    sync_enabled: bool = True
    # Requests per API key; `limits` notation ("100/minute", "10/second;1000/hour").
    rate_limits: dict[Tier, str] = Field(
        default_factory=lambda: {
            "free": "30/minute",
            "pro": "300/minute",
            "enterprise": "3000/minute",
        }
    )
    # Where rate-limit counters live: memory:// for one replica, redis://… for several.
    rate_limit_storage_uri: str = "memory://"
    bootstrap_keys: BootstrapList[BootstrapKey] = Field(
        default_factory=list,
        description='JSON list of {"key", "tenant", "tier"?, "name"?}: created at startup '
        "if missing",
    )
    # Sign-in tokens (AIRLOOM_AUTH_*), shared with the builder: see servicekit.identity.
    identity: IdentitySettings = Field(default_factory=lambda: load_settings(IdentitySettings))
    signed_in_tier: Tier = Field(
        default="pro",
        description="The tier of a person signed in with a token (rate limit, SageMaker, "
        "benchmarks); API keys carry their own.",
    )
    # Tiers allowed to start a benchmark (it occupies a worker for minutes).
    benchmark_tiers: list[Tier] = Field(default_factory=lambda: ["pro", "enterprise"])
    # Request bodies past these limits are refused (413, 422) before any route parses them.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="Any other request")
    max_invocation_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, description="A scoring request: batches can be large"
    )
    max_json_depth: int = Field(
        default=64, ge=8, le=1000, description="Nesting of arrays and objects in a JSON body"
    )
    cors_origins: list[Origin] = Field(
        default_factory=list,
        description="JSON list of browser origins allowed to call the API, e.g. the workflow "
        "builder's, which serves Airloom Studio; none by default.",
    )


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)
