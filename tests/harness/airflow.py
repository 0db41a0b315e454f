"""Airflow for tests: a temporary Airflow home, a migrated database and DAG runs via dag.test().

:func:`configure_airflow_home` must run before anything imports Airflow, so the test suite's
``conftest.py`` calls it first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Before any test module imports mlflow: its telemetry thread, failing without internet, unsets
# an environment variable while MLflow requests iterate os.environ (intermittent KeyError).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
DAGS_FOLDER = PROJECT_ROOT / "dags"


def configure_airflow_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="airloom-test-airflow-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        }
    )
    return home


def migrate_database() -> None:
    """Create the metadata database the same way `airloom up` does."""
    airflow = str(Path(sys.executable).parent / "airflow")
    result = subprocess.run([airflow, "db", "migrate"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{result.stdout}\n{result.stderr}")


def load_dagbag(folder: Path = DAGS_FOLDER) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=folder, bundle_path=folder)


@dataclass(frozen=True)
class DagRunResult:
    run_id: str
    state: str
    task_states: dict[str, str]
    xcoms: dict[str, Any]

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def run_dag(
    dag_id: str, conf: dict[str, Any] | None = None, logical_date: datetime | None = None
) -> DagRunResult:
    """Run one DAG from `dags/` to completion in this process with ``dag.test()``.

    :param logical_date: run again the run of this date: its task instances are cleared and
        rerun under the same run id, as clearing a finished run in the UI does.
    """
    dagbag = load_dagbag()
    if dagbag.import_errors:
        raise RuntimeError(f"DAG files failed to import: {dagbag.import_errors}")
    dag = dagbag.get_dag(dag_id)
    if dag is None:
        raise KeyError(f"no DAG {dag_id!r} in {DAGS_FOLDER}")
    return _test(dag, conf, logical_date)


def run_dag_object(
    dag: Any, conf: dict[str, Any] | None = None, logical_date: datetime | None = None
) -> DagRunResult:
    """Run a DAG built in a test (not from `dags/`) to completion with ``dag.test()``.

    ``dag.test()`` needs the DAG serialized in the metadata database, as the DAG processor
    would have done for a file in `dags/`; this writes it under the default bundle first.

    :param logical_date: as for :func:`run_dag`.
    """
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db

    DagBundlesManager().sync_bundles_to_db()
    bag = DagBag(dag_folder=DAGS_FOLDER, collect_dags=False)
    bag.bag_dag(dag)
    sync_bag_to_db(bag, "dags-folder", None)
    return _test(dag, conf, logical_date)


def _test(dag: Any, conf: dict[str, Any] | None, logical_date: datetime | None) -> DagRunResult:
    # With a logical date (and the same run_after, which names a manual run), dag.test()
    # replaces that date's run by one with the same run id; without one, each call is a new run.
    dated = {"logical_date": logical_date, "run_after": logical_date} if logical_date else {}
    dag_run = dag.test(run_conf=conf, **dated)
    task_instances = dag_run.get_task_instances()
    return DagRunResult(
        run_id=dag_run.run_id,
        state=str(dag_run.state),
        task_states={ti.task_id: str(ti.state) for ti in task_instances},
        xcoms={ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in task_instances},
    )


def load_dag_file(path: Path, dag_id: str) -> Any:
    """The DAG ``dag_id`` from one DAG file, imported by Airflow's DagBag as the processor does."""
    from airflow.dag_processing.dagbag import DagBag

    dagbag = DagBag(dag_folder=path, bundle_path=path.parent)
    if dagbag.import_errors:
        raise RuntimeError(f"{path.name} failed to import: {dagbag.import_errors}")
    return dagbag.dags[dag_id]


def task_xcom(dag_id: str, run_id: str, task_id: str, key: str) -> Any:
    """What a task of a finished run pushed to XCom under ``key`` (its failure summary …)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    where = {"dag_id": dag_id, "run_id": run_id, "task_id": task_id, "key": key}
    with create_session() as session:
        row = session.scalars(select(XComModel).filter_by(**where)).one()
        return XComModel.deserialize_value(row)
