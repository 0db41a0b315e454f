"""Settings of the serving process, from ``AIRLOOM_SERVING_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIRLOOM_SERVING_", extra="ignore")

    state_dir: Path = Field(
        default=Path(".airloom/serving"), description="Where the endpoint store lives."
    )
    mlflow_tracking_uri: str = Field(
        default="http://127.0.0.1:5000",
        validation_alias=AliasChoices("AIRLOOM_MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_URI"),
    )
    max_batch_size: int = Field(default=64, ge=1, le=4096, description="Requests per predict.")
    max_batch_delay_ms: float = Field(
        default=2.0, ge=0, le=100, description="How long a batch waits for requests in flight."
    )
    load_retry_seconds: float = Field(
        default=3.0, gt=0, description="Pause between attempts to load a stored endpoint."
    )
    load_attempts: int = Field(
        default=100, ge=1, description="Attempts before a stored endpoint is marked failed."
    )
    # Request bodies past these limits are refused (413, 422) before a model sees them. Scoring
    # batches are legitimately large; MLflow's scoring server itself sets no limit.
    max_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024, description="Largest request body, in bytes."
    )
    max_json_depth: int = Field(
        default=64, ge=8, le=1000, description="Nesting of arrays and objects in a JSON body."
    )
    log_level: str = "INFO"


@lru_cache
def get_settings() -> ServingSettings:
    return ServingSettings()
