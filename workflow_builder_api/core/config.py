"""Workflow builder settings, read from ``AIRLOOM_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIRLOOM_BUILDER_", extra="ignore")

    database_url: str = "sqlite:///.airloom/builder/builder.db"
    dags_folder: str = "dags"
    graphiql: bool = True
    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    return Settings()
