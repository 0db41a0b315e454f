"""Every DAG file in `dags/` imports cleanly through Airflow's own DagBag."""

from tests.harness.airflow import DAGS_FOLDER, load_dagbag


def test_every_dag_file_imports_without_errors() -> None:
    dagbag = load_dagbag()
    assert not dagbag.import_errors, dagbag.import_errors
    files = {path.name for path in DAGS_FOLDER.glob("*.py")}
    loaded = {dag.relative_fileloc for dag in dagbag.dags.values()}
    assert files <= loaded, f"files without a DAG: {files - loaded}"
