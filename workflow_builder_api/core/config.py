"""Workflow builder settings, read from ``AIRLOOM_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIRLOOM_BUILDER_", extra="ignore")

    database_url: str = "sqlite:///.airloom/builder/builder.db"
    dags_folder: str = "dags"
    airflow_api_url: str = Field(
        default="http://127.0.0.1:8080", validation_alias="AIRLOOM_AIRFLOW_API_URL"
    )
    graphiql: bool = True
    log_level: str = "INFO"


@lru_cache
def get_settings() -> Settings:
    return Settings()
