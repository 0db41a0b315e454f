"""Airflow's configuration for the local stack, its secrets and Airloom's connections.

Airflow reads everything from ``AIRFLOW__SECTION__KEY`` variables, so the stack configures
it without an ``airflow.cfg`` to keep in sync. Secrets are generated once and kept in the
state folder, so sessions, encrypted connections and logins survive ``down``/``up``.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path

from airloom.connections import INSIGHTS_CONN_ID, KAFKA_CONN_ID, LAKE_CONN_ID, MLFLOW_CONN_ID
from airloom.model_tags import DEFAULT_TENANT
from airloom.workflow.access import tenant_role
from airloom_cli.stack.airflow_access import write_plan
from airloom_cli.stack.bootstrap import AirflowUser
from airloom_cli.stack.settings import StackSettings
from servicekit.airflow_roles import tenant_roles
from workflow_builder_api.services.dag_repository import BRANCH

ADMIN_USER = "admin"
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
LOCAL_BUNDLE = "airflow.dag_processing.bundles.local.LocalDagBundle"
GIT_BUNDLE = "airflow.providers.git.bundles.git.GitDagBundle"
WORKFLOWS_BUNDLE = "airloom-workflows"
WORKFLOWS_GIT_CONN_ID = "airloom_workflows_git"


def _load_or_create(path: Path, create: dict[str, str]) -> dict[str, str]:
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(create, indent=2))
    path.chmod(0o600)
    return create


def airflow_secrets(settings: StackSettings) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return _load_or_create(
        settings.airflow_home / "airloom_secrets.json",
        {
            "fernet_key": Fernet.generate_key().decode(),
            "secret_key": secrets.token_urlsafe(32),
            "jwt_secret": secrets.token_urlsafe(32),
        },
    )


def passwords_file(settings: StackSettings) -> Path:
    return settings.airflow_home / "passwords.json"


def admin_password(settings: StackSettings) -> str:
    """The UI/API login for the local stack, generated on first use."""
    passwords = _load_or_create(passwords_file(settings), {ADMIN_USER: secrets.token_urlsafe(12)})
    return passwords[ADMIN_USER]


def service_credentials(settings: StackSettings) -> dict[str, str]:
    """The local admin tokens of the workflow builder and insights, and the marketplace's key.

    A state folder from before a service existed gets that service's credential added.
    """
    path = settings.state_dir / "credentials.json"
    wanted = {
        "builder_token": f"alb_{secrets.token_urlsafe(24)}",
        "marketplace_key": f"alm_{secrets.token_urlsafe(24)}",
        "insights_token": f"ali_{secrets.token_urlsafe(24)}",
    }
    stored = _load_or_create(path, wanted)
    missing = {name: value for name, value in wanted.items() if name not in stored}
    if missing:
        stored |= missing
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    return stored


def dag_bundles(settings: StackSettings) -> list[dict]:
    """Airflow's DAG bundles: the platform's DAGs in the checkout's dags/ folder, and the
    workflows the builder publishes in a git repository. A git bundle is versioned: a run
    records the commit it was created on (``DagRun.bundle_version``) and each of its tasks runs
    that commit's file, whatever the builder publishes meanwhile (AIP-66)."""
    return [
        {
            # The name Airflow gives the dags folder by default, so existing DAGs keep theirs.
            "name": "dags-folder",
            "classpath": LOCAL_BUNDLE,
            "kwargs": {"path": str(settings.dags_dir)},
        },
        {
            "name": WORKFLOWS_BUNDLE,
            "classpath": GIT_BUNDLE,
            # A fetch from a local repository costs milliseconds: look for publishes often.
            "kwargs": {
                "git_conn_id": WORKFLOWS_GIT_CONN_ID,
                "tracking_ref": BRANCH,
                "refresh_interval": 2,
            },
        },
    ]


def airflow_environment(settings: StackSettings) -> dict[str, str]:
    home = settings.airflow_home
    keys = airflow_secrets(settings)
    admin_password(settings)
    api_url = settings.url(settings.airflow_port)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_dir),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.plugins_dir),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
        # FAB's auth manager has per-DAG permissions: a tenant's people see only its DAGs.
        "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__HOST": settings.host,
        "AIRFLOW__API__PORT": str(settings.airflow_port),
        "AIRFLOW__API__BASE_URL": api_url,
        "AIRFLOW__API__SECRET_KEY": keys["secret_key"],
        "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(settings.airflow_worker_log_port),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(settings.airflow_triggerer_log_port),
        # Pick up DAG files published by the workflow builder within seconds, not minutes.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(dag_bundles(settings)),
        "AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL": "1",
        # Bundle clones live in the stack's state, never in a /tmp another stack shares.
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(home / "dag_bundles"),
        # The repository the workflows bundle clones (a connection only the components read).
        f"AIRFLOW_CONN_{WORKFLOWS_GIT_CONN_ID.upper()}": json.dumps(
            {"conn_type": "git", "host": str(settings.workflows_repo)}
        ),
        # A parse writes its DAG version at once (default: at most every 30 s), so a run
        # created after a publish gets the new version's graph with the new commit's code.
        "AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "0",
        # Airflow's navigation links to Studio (plugins/airloom/studio_link.py).
        "AIRLOOM_STUDIO_URL": settings.studio_url,
        # Without internet, MLflow's telemetry thread races with its requests (KeyError).
        "MLFLOW_DISABLE_TELEMETRY": "true",
        # Where the `local` deployment target finds the serving process.
        "AIRLOOM_SERVING_URL": settings.url(settings.serving_port),
        # Where the activity listener sends runs and tasks (the scheduler reads no connection).
        "AIRLOOM_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap,
    }


def airloom_connections(settings: StackSettings) -> dict[str, dict]:
    """Airloom's connections, in the format of `airflow connections import`."""
    return {
        KAFKA_CONN_ID: {
            "conn_type": "kafka",
            "description": "Local Kafka-compatible broker (managed by `airloom up`)",
            "extra": json.dumps({"bootstrap.servers": settings.kafka_bootstrap}),
        },
        MLFLOW_CONN_ID: {
            "conn_type": "http",
            "description": "Local MLflow tracking server (managed by `airloom up`)",
            "host": settings.url(settings.mlflow_port),
        },
        LAKE_CONN_ID: {
            "conn_type": "fs",
            "description": "Local data lake folder (managed by `airloom up`)",
            "extra": json.dumps({"path": settings.lake_dir.as_uri()}),
        },
        # The weekly executive report reads each tenant's figures with that tenant's token;
        # locally the one tenant is the stack's own, with the token `airloom up` prints.
        INSIGHTS_CONN_ID: {
            "conn_type": "http",
            "description": "Local insights service (managed by `airloom up`)",
            "host": settings.url(settings.insights_port),
            "extra": json.dumps(
                {"tenant_tokens": {DEFAULT_TENANT: service_credentials(settings)["insights_token"]}}
            ),
        },
    }


def access_plan(
    settings: StackSettings, tenants: Iterable[str], users: Iterable[AirflowUser]
) -> tuple[dict[str, list[tuple[str, str]]], list[dict[str, str]]]:
    """The tenants' Airflow roles, and the logins: the admin and each tenant's users."""
    roles = {name: list(perms) for t in sorted(tenants) for name, perms in tenant_roles(t).items()}
    logins = [{"username": ADMIN_USER, "password": admin_password(settings), "role": "Admin"}]
    logins += [
        {
            "username": user.username,
            "password": user.password,
            "role": tenant_role(user.tenant, user.role),
        }
        for user in users
    ]
    return roles, logins


def init_commands(
    settings: StackSettings, tenants: Iterable[str] = (), users: Iterable[AirflowUser] = ()
) -> list[list[str]]:
    """Migrate the metadata database (FAB's tables too), create or refresh Airloom's
    connections, then the tenants' roles and the logins: one process, see `airflow_init`."""
    connections_file = settings.airflow_home / "airloom_connections.json"
    connections_file.parent.mkdir(parents=True, exist_ok=True)
    connections_file.write_text(json.dumps(airloom_connections(settings), indent=2))
    roles, logins = access_plan(settings, tenants, users)
    plan = write_plan(settings.airflow_home / "airloom_access.json", roles, logins)
    step = [sys.executable, "-m", "airloom_cli.stack.airflow_init"]
    return [[*step, str(connections_file), str(plan)]]
