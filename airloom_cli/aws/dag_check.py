"""Import every DAG of a bundle with Airflow's DagBag, as MWAA will, before anything ships.

The import runs in a child Python with a throwaway ``AIRFLOW_HOME`` and the bundle's
``plugins.zip`` first on ``sys.path``, so it sees exactly what MWAA sees and leaves this
process's Airflow configuration alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROBE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
folder = sys.argv[1]
bag = DagBag(dag_folder=folder, bundle_path=folder)
print(json.dumps({"dag_ids": sorted(bag.dag_ids), "import_errors": dict(bag.import_errors)}))
"""


@dataclass(frozen=True)
class DagCheck:
    """What Airflow made of a DAG folder."""

    dag_ids: list[str]
    import_errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.import_errors

    def describe_errors(self) -> str:
        return "\n".join(
            f"--- {path}\n{error.rstrip()}" for path, error in sorted(self.import_errors.items())
        )


class DagCheckError(RuntimeError):
    """The DAG import itself could not run (not a DAG's fault)."""


def check_dags(dags_folder: Path, plugins_zip: Path, timeout: float = 300.0) -> DagCheck:
    """Import every DAG file under ``dags_folder`` with ``plugins_zip`` importable.

    :param dags_folder: the bundle's ``dags/``.
    :param plugins_zip: the bundle's ``plugins.zip`` (``airloom/`` at its root).
    :param timeout: seconds the import may take.
    """
    with tempfile.TemporaryDirectory(prefix="airloom-dagcheck-") as home:
        env = {
            **os.environ,
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(Path(home) / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{Path(home) / 'airflow.db'}",
            # The zip goes before site-packages, so an installed `airloom` cannot mask it.
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(plugins_zip), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        try:
            result = subprocess.run(
                [sys.executable, "-c", PROBE, str(dags_folder)],
                capture_output=True,
                text=True,
                env=env,
                cwd=home,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise DagCheckError(f"importing the DAGs took longer than {timeout:.0f} s") from exc
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise DagCheckError(f"could not import the DAGs with Airflow:\n{result.stderr[-3000:]}")
    report = json.loads(lines[-1])
    return DagCheck(dag_ids=report["dag_ids"], import_errors=report["import_errors"])
