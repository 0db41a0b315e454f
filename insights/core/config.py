"""Insights settings, read from ``AIRLOOM_INSIGHTS_*`` environment variables.

The Kafka bootstrap and the lake root default to the platform's own variables
(``AIRLOOM_KAFKA_BOOTSTRAP_SERVERS``, ``AIRLOOM_LAKE_URI``), which the other services read too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from airloom.tenancy import TENANT_PATTERN
from servicekit.bootstrap import BootstrapEntry, BootstrapList
from servicekit.identity import IdentitySettings
from servicekit.settings import load_settings

ACTIVITY_TOPIC = "airloom.activity"
RATE_ENVIRONMENTS = ("local", "aws")


def _origin(value: str) -> str:
    scheme, _, rest = value.partition("://")
    if scheme not in ("http", "https") or not rest or "/" in rest.rstrip("/"):
        raise ValueError(f"{value!r} is not an origin (scheme://host[:port], no path)")
    return value.rstrip("/")


def _rates_environment(value: str) -> str:
    if value not in RATE_ENVIRONMENTS:
        raise ValueError(f"{value!r} is not one of {', '.join(RATE_ENVIRONMENTS)}")
    return value


Origin = Annotated[str, AfterValidator(_origin)]


ROLES = ("viewer", "editor", "admin", "platform")


def _role(value: str) -> str:
    if value.lower() not in ROLES:
        raise ValueError(f"unknown role {value!r}; roles: {', '.join(ROLES)}")
    return value.lower()


class BootstrapToken(BootstrapEntry):
    """An API token to create at startup if missing (the local stack's, a first admin's)."""

    token: str = Field(min_length=16, repr=False)
    tenant: str = Field(pattern=TENANT_PATTERN.pattern)
    role: Annotated[str, AfterValidator(_role)]
    name: str | None = Field(default=None, max_length=100, description="Default: <tenant>-<role>")


class Settings(BaseSettings):
    # An error names the setting but never repeats its value: some hold secrets.
    model_config = SettingsConfigDict(
        env_prefix="AIRLOOM_INSIGHTS_",
        extra="ignore",
        hide_input_in_errors=True,
        populate_by_name=True,  # tests and code give fields by name, beside the aliases
    )

    database_url: str = "sqlite:///.airloom/insights/insights.db"
    lake_uri: str = Field(
        # An absolute URI: pyarrow would read file://.airloom/… as a host named .airloom.
        default_factory=lambda: Path(".airloom/lake").resolve().as_uri(),
        validation_alias=AliasChoices("AIRLOOM_INSIGHTS_LAKE_URI", "AIRLOOM_LAKE_URI"),
        description="The lake root (file://… or s3://…); activity lands under _airloom/activity",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices(
            "AIRLOOM_INSIGHTS_KAFKA_BOOTSTRAP_SERVERS", "AIRLOOM_KAFKA_BOOTSTRAP_SERVERS"
        ),
    )
    kafka_config: dict[str, str | int | bool] = Field(
        default_factory=dict,
        description="More confluent-kafka client settings as JSON (TLS, SASL on MSK)",
    )
    activity_topic: str = ACTIVITY_TOPIC
    consumer_group: str = "airloom-insights"
    consume_enabled: bool = Field(default=True, description="Run the activity consumer")
    consume_batch_seconds: float = Field(
        default=1.0, gt=0, le=60, description="Longest a batch waits before it is landed"
    )
    consume_batch_records: int = Field(default=5000, ge=1, le=100_000)
    consume_idle_seconds: float = Field(
        default=0.5, gt=0, le=60, description="Pause after a batch that found nothing new"
    )
    rates_environment: Annotated[str, AfterValidator(_rates_environment)] = Field(
        default="local", description="Which rates file prices usage: local (notional) or aws"
    )
    log_level: str = "INFO"
    migrate_on_startup: bool = True
    port: int = Field(default=8004, description="Where `airloom up` serves it")
    bootstrap_tokens: BootstrapList[BootstrapToken] = Field(
        default_factory=list,
        description='JSON list of {"token", "tenant", "role", "name"?}: API tokens created at '
        "startup if missing",
    )
    # Sign-in tokens (AIRLOOM_AUTH_*), shared with the other services: servicekit.identity.
    identity: IdentitySettings = Field(default_factory=lambda: load_settings(IdentitySettings))
    cors_origins: list[Origin] = Field(
        default_factory=list,
        description="JSON list of browser origins allowed to call the API (Studio's)",
    )
    # Questions: the offline translator by default; Amazon Bedrock (optional) reads questions
    # with a language model instead, falling back to the offline reading when it cannot answer.
    translator: Literal["offline", "bedrock"] = Field(
        default="offline", description="Who reads questions: offline (grammar) or bedrock"
    )
    bedrock_model_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        description="Bedrock model or inference profile id (one that supports forced tool use)",
    )
    bedrock_region: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}(-[a-z]+)+-\d$",
        description="Bedrock's region; default: the standard AWS configuration (AWS_REGION, …)",
    )
    bedrock_endpoint_url: Origin | None = Field(
        default=None, description="Another Bedrock Runtime endpoint (a VPC endpoint, a stand-in)"
    )
    bedrock_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Longest wait to connect and for the model's answer"
    )
    bedrock_max_attempts: int = Field(
        default=2, ge=1, le=5, description="Calls per question, the first included (throttling)"
    )

    @model_validator(mode="after")
    def _bedrock_needs_a_model(self) -> Settings:
        if self.translator == "bedrock" and not self.bedrock_model_id:
            raise ValueError(
                "AIRLOOM_INSIGHTS_BEDROCK_MODEL_ID: the bedrock translator needs a model id"
            )
        return self

    @property
    def activity_uri(self) -> str:
        """Where activity lands: the platform's own area of the lake, no tenant can name it."""
        return f"{self.lake_uri.rstrip('/')}/_airloom/activity"

    @property
    def quarantine_uri(self) -> str:
        """Events that do not fit the contract, each with why (kept apart from the views)."""
        return f"{self.lake_uri.rstrip('/')}/_airloom/activity_quarantine"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.activity_topic}.dead_letters"


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)
