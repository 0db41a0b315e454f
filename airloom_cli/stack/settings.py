"""Where the local stack keeps its state and which loopback ports it uses.

Every value can be changed by an ``AIRLOOM_*`` environment variable, e.g.
``AIRLOOM_AIRFLOW_PORT=8081 airloom up``.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import airloom_cli


def _project_root() -> Path:
    """The checkout that holds `dags/` and `plugins/` (the CLI is installed in editable mode)."""
    root = Path(airloom_cli.__file__).resolve().parents[1]
    return root if (root / "dags").is_dir() else Path.cwd()


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIRLOOM_", extra="ignore")

    project_root: Path = Field(default_factory=_project_root)
    home: Path | None = Field(
        default=None, description="State folder (default: <project>/.airloom); survives `down`."
    )
    host: str = "127.0.0.1"

    kafka_port: int = 9092
    mlflow_port: int = 5000
    airflow_port: int = 8080
    builder_port: int = 8001
    marketplace_port: int = 8002
    serving_port: int = 8003
    insights_port: int = 8004
    # Airflow serves task logs from the scheduler's workers and from the triggerer.
    airflow_worker_log_port: int = 8793
    airflow_triggerer_log_port: int = 8794

    startup_timeout: float = Field(default=240.0, description="Seconds to wait for all healthy.")
    stop_timeout: float = 30.0

    @cached_property
    def state_dir(self) -> Path:
        return (self.home or self.project_root / ".airloom").resolve()

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def airflow_home(self) -> Path:
        return self.state_dir / "airflow"

    @property
    def mlflow_dir(self) -> Path:
        return self.state_dir / "mlflow"

    @property
    def serving_dir(self) -> Path:
        return self.state_dir / "serving"

    @property
    def lake_dir(self) -> Path:
        return self.state_dir / "lake"

    @property
    def dags_dir(self) -> Path:
        return self.project_root / "dags"

    @property
    def workflows_repo(self) -> Path:
        """The git repository the builder publishes workflows into (a versioned DAG bundle)."""
        return self.state_dir / "workflows"

    @property
    def plugins_dir(self) -> Path:
        return self.project_root / "plugins"

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    @property
    def studio_dist(self) -> Path:
        """The built web app (`make studio`), which the builder serves."""
        return self.project_root / "studio" / "dist"

    @property
    def studio_url(self) -> str:
        return f"{self.url(self.builder_port)}/studio/"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    def ports(self) -> dict[str, int]:
        """Each port with the variable that changes it."""
        return {
            "AIRLOOM_KAFKA_PORT": self.kafka_port,
            "AIRLOOM_MLFLOW_PORT": self.mlflow_port,
            "AIRLOOM_AIRFLOW_PORT": self.airflow_port,
            "AIRLOOM_AIRFLOW_WORKER_LOG_PORT": self.airflow_worker_log_port,
            "AIRLOOM_AIRFLOW_TRIGGERER_LOG_PORT": self.airflow_triggerer_log_port,
            "AIRLOOM_BUILDER_PORT": self.builder_port,
            "AIRLOOM_MARKETPLACE_PORT": self.marketplace_port,
            "AIRLOOM_SERVING_PORT": self.serving_port,
            "AIRLOOM_INSIGHTS_PORT": self.insights_port,
        }
