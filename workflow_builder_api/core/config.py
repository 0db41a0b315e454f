"""Workflow builder settings, read from ``AIRLOOM_BUILDER_*`` environment variables."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many
from pydantic import AfterValidator, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.bootstrap import BootstrapList
from servicekit.identity import IdentitySettings
from servicekit.settings import load_settings
from workflow_builder_api.services.auth import BootstrapToken
from workflow_builder_api.services.serverless.locations import parse_s3_uri
from workflow_builder_api.services.serverless.roles import (
    check_log_group_pattern,
    check_role_arn_pattern,
)
from workflow_builder_api.services.users import BootstrapUser

TEMPLATES_FOLDER = Path(__file__).resolve().parent.parent / "templates"
STUDIO_DIST = Path(__file__).resolve().parents[2] / "studio" / "dist"


def _http_base(url: str) -> str:
    if not url.startswith(("http://", "https://")) or "?" in url or "#" in url:
        raise ValueError("must be an http:// or https:// URL without query or fragment")
    return url.rstrip("/")


HttpBase = Annotated[str, AfterValidator(_http_base)]


def _public_path(value: str) -> str:
    # Written into Studio's index.html: a plain path only, so it can never become markup.
    if value and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", value):
        raise ValueError("must be empty or a path such as /v1/builder (no trailing slash)")
    return value


PublicPath = Annotated[str, AfterValidator(_public_path)]


class Settings(BaseSettings):
    # An error names the setting but never repeats its value: some hold secrets.
    model_config = SettingsConfigDict(
        env_prefix="AIRLOOM_BUILDER_",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    database_url: str = "sqlite:///.airloom/builder/builder.db"
    migrate_on_startup: bool = Field(
        default=True, description="Run the store's Alembic migrations when the app starts."
    )
    dags_folder: str = Field(
        default="dags",
        description="Where published DAG files go: a local folder, or s3://bucket/prefix "
        "(an MWAA environment's dags/ prefix).",
    )
    dags_repository: Path | None = Field(
        default=None,
        description="A local git repository (created if missing) each publish commits to, which "
        "Airflow reads as a versioned DAG bundle (GitDagBundle): a run keeps the version it "
        "started with. When set, files are published here, and those of published workflows "
        "still in dags_folder are moved here at startup.",
    )
    aws_endpoint_url: str | None = Field(
        default=None, description="S3 endpoint for s3:// publishing (e.g. a moto server)."
    )
    aws_region: str | None = None
    # Where workflows are published: DAG files (above), or Amazon MWAA Serverless
    # (docs/mwaa_serverless.md), which needs the three settings after it.
    publish_target: Literal["dag_file", "mwaa_serverless"] = Field(
        default="dag_file",
        description="dag_file: a DAG file per workflow (dags_folder); mwaa_serverless: a "
        "workflow of Amazon MWAA Serverless per workflow, run under its tenant's IAM role.",
    )
    serverless_definitions: str | None = Field(
        default=None,
        validate_default=True,
        description="s3://bucket/prefix of a VERSIONED bucket the definitions are uploaded to "
        "(<prefix>/<tenant>/<dag id>/definition.yaml).",
    )
    serverless_code_package: str | None = Field(
        default=None,
        validate_default=True,
        description="s3://bucket/key of the code package (the airloom package and its "
        "dependencies) in a versioned bucket; each publish pins its current version.",
    )
    serverless_role_arn_pattern: str | None = Field(
        default=None,
        validate_default=True,
        description="The tenant's execution role, e.g. "
        "arn:aws:iam::123456789012:role/airloom-{tenant}-workflows ({tenant} the only "
        "placeholder).",
    )
    serverless_subnet_ids: list[str] = Field(
        default_factory=list, description="JSON list: NetworkConfiguration's subnets."
    )
    serverless_security_group_ids: list[str] = Field(
        default_factory=list, description="JSON list: NetworkConfiguration's security groups."
    )
    serverless_log_group: str | None = Field(
        default=None,
        description="CloudWatch Logs group of the workflows' task logs; {tenant} in it makes "
        "one per tenant (e.g. /airloom-prod/workflows/{tenant}).",
    )
    serverless_endpoint_url: str | None = Field(
        default=None, description="MWAA Serverless endpoint (e.g. a stand-in in tests)."
    )
    # What the deployment gives the service's workers (airloom's ServerlessTarget).
    serverless_private_network: bool = False
    serverless_internet: bool = False
    serverless_kafka_is_msk: bool = False
    serverless_spark_on_emr_serverless: bool = False
    # spark_stream nodes as AWS Glue streaming jobs (airloom's GlueStreaming): with it on, the
    # Glue role pattern and the script are required.
    serverless_spark_stream_on_glue: bool = False
    serverless_glue_role_arn_pattern: str | None = Field(
        default=None,
        description="Each tenant's Glue job role, e.g. "
        "arn:aws:iam::123456789012:role/airloom-{tenant}-glue ({tenant} the only placeholder).",
    )
    serverless_glue_stream_script: str | None = Field(
        default=None, description="s3://bucket/key of Airloom's glue_stream_entrypoint.py."
    )
    serverless_glue_python_files: str | None = Field(
        default=None, description="s3://bucket/key of the airloom package zip for Glue."
    )
    # Glue 5.0: Spark 3.5 and Python 3.11, the oldest that Airloom's Spark code runs on.
    serverless_glue_version: str = "5.0"
    serverless_glue_worker_type: str = "G.1X"
    serverless_glue_workers: int = 2
    serverless_glue_connection: str | None = Field(
        default=None, description="A Glue NETWORK connection in Airloom's VPC (reaching MSK)."
    )
    # train/train_embedder nodes as SageMaker training jobs (airloom's SageMakerTraining), in
    # the subnets above: with it on, the training image and the role pattern are required.
    serverless_sagemaker_training: bool = False
    serverless_sagemaker_image_uri: str | None = Field(
        default=None, description="Airloom's training image (its ECR URI)."
    )
    serverless_sagemaker_role_arn_pattern: str | None = Field(
        default=None,
        description="Each tenant's SageMaker training role, e.g. "
        "arn:aws:iam::123456789012:role/airloom-{tenant}-training ({tenant} the only "
        "placeholder).",
    )
    serverless_sagemaker_instance_type: str = "ml.m5.large"
    serverless_sagemaker_mlflow_secret_id: str | None = Field(
        default=None,
        description="The MLflow connection's secret the training jobs read its login and "
        "password from, e.g. airflow/connections/airloom_mlflow ({tenant} allowed once).",
    )
    templates_folder: Path = TEMPLATES_FOLDER
    bootstrap_tokens: BootstrapList[BootstrapToken] = Field(
        default_factory=list,
        description='JSON list of {"token", "tenant", "role", "name"?} created at startup if '
        "missing.",
    )
    bootstrap_users: BootstrapList[BootstrapUser] = Field(
        default_factory=list,
        description='JSON list of {"username", "password", "tenant", "role"}: Studio users '
        "created, or whose tenant, role and password are set again, at startup.",
    )
    # Sign-in tokens (AIRLOOM_AUTH_*), shared with the marketplace: see servicekit.identity.
    identity: IdentitySettings = Field(default_factory=lambda: load_settings(IdentitySettings))
    login_rate_limits: str = Field(
        default="10/minute;100/hour",
        description="Failed sign-ins allowed per user name and, separately, per client address "
        "(`limits` notation); past them /auth/login answers 429.",
    )
    # Off unless asked for: a production schema is not a public catalog of every operation.
    # The local stack's launcher turns both on.
    graphiql: bool = Field(default=False, description="Serve GraphiQL at /graphql.")
    introspection: bool = Field(default=False, description="Answer introspection queries.")
    max_query_depth: int = 10
    max_query_tokens: int = 2000
    max_query_aliases: int = 15
    page_size_limit: int = 100
    # Request bodies past these limits are refused (413, 422) before GraphQL parses them.
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, description="Per request")
    max_json_depth: int = Field(
        default=64,
        ge=8,
        le=1000,
        description="Nesting of arrays and objects in a JSON body, and in a JSON argument",
    )
    run_poll_seconds: float = Field(
        default=1.5, description="How often runUpdates asks Airflow for task states."
    )
    dag_parse_timeout_seconds: float = Field(
        default=180, description="How long triggerRun waits for Airflow to parse a published DAG."
    )
    log_level: str = "INFO"
    # Airloom Studio, the web app the builder serves under /studio/ (workflow_builder_api.studio).
    studio_dist: Path = Field(
        default=STUDIO_DIST, description="The built app (`make studio` builds studio/dist)."
    )
    marketplace_url: HttpBase = Field(
        default="http://127.0.0.1:8002", description="The marketplace, as a browser reaches it."
    )
    insights_url: HttpBase | None = Field(
        default=None,
        description="The insights service, as a browser reaches it (Studio's Dashboard); "
        "unset, the Dashboard says the insights service is not configured.",
    )
    airflow_public_url: HttpBase = Field(
        default="http://127.0.0.1:8080", description="Airflow's UI, as a browser reaches it."
    )
    public_path: PublicPath = Field(
        default="",
        description="The path a gateway puts in front of the builder on its public URL (e.g. "
        "/v1/builder); Studio's links and API calls go through it.",
    )
    studio_oidc_scope: str = Field(
        default="openid email profile",
        pattern=r"(^| )openid( |$)",
        description="Scopes Studio asks the OIDC provider for (AIRLOOM_AUTH_OIDC_ISSUER); "
        "the app client must allow them, and openid gives the ID token Studio signs in with.",
    )
    # Tenants: where the builder checks names a design holds, and the quotas of a tenant that
    # has none of its own (a platform admin sets per-tenant ones through GraphQL).
    mlflow_tracking_uri: str | None = Field(
        default=None,
        validation_alias="AIRLOOM_MLFLOW_TRACKING_URI",
        description="MLflow registry: lets validation say a model name belongs to another "
        "tenant, and what a registered version predicts (batch_score's result_type). Without "
        "it, the workflow's task refuses such a model, or meets the mismatch, when it runs.",
    )
    lake_uri: str | None = Field(
        default=None,
        validation_alias="AIRLOOM_LAKE_URI",
        description="The lake's root: where datasets of workflows published before tenant "
        "areas existed are copied into their tenant's area at startup.",
    )
    default_min_schedule_minutes: int = Field(default=5, ge=0)
    default_max_active_runs: int = Field(default=1, ge=1, le=100)
    default_max_published_workflows: int = Field(default=50, ge=0)

    @field_validator("login_rate_limits")
    @classmethod
    def _limits_notation(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError:
            raise ValueError("must be in `limits` notation, e.g. 10/minute;100/hour") from None
        return value

    @field_validator("serverless_definitions", "serverless_code_package")
    @classmethod
    def _s3_uri(cls, value: str | None, info: ValidationInfo) -> str | None:
        _required_for_serverless(value, info)
        if value is not None:
            parse_s3_uri(value, object_key=info.field_name == "serverless_code_package")
        return value

    @field_validator("serverless_role_arn_pattern")
    @classmethod
    def _role_arn_pattern(cls, value: str | None, info: ValidationInfo) -> str | None:
        _required_for_serverless(value, info)
        return check_role_arn_pattern(value) if value is not None else None

    @field_validator("serverless_log_group")
    @classmethod
    def _log_group(cls, value: str | None) -> str | None:
        return check_log_group_pattern(value) if value is not None else None


def _required_for_serverless(value: str | None, info: ValidationInfo) -> None:
    if value is None and info.data.get("publish_target") == "mwaa_serverless":
        raise ValueError("is required when AIRLOOM_BUILDER_PUBLISH_TARGET is mwaa_serverless")


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)
