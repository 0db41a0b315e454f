"""Marketplace settings, read from ``AIRLOOM_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIRLOOM_MARKETPLACE_", extra="ignore")

    database_url: str = "sqlite:///.airloom/marketplace/marketplace.db"
    mlflow_tracking_uri: str = Field(
        default="http://127.0.0.1:5000",
        validation_alias=AliasChoices("AIRLOOM_MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_URI"),
    )
    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    return Settings()
