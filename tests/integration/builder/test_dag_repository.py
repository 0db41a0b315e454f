"""Publishing into a git repository that Airflow's real GitDagBundle reads, without a network.

Each publish is one commit, an unchanged republish none; a withdrawal is a commit too; files
published before into a plain folder move into the repository unchanged; and the bundle, asked
for the commit a run recorded, checks out that commit's file whatever was published after it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git import Repo

from servicekit.airflow_client import RestAirflowClient
from tests.harness.servers import free_port
from tests.integration.builder import queries
from tests.integration.builder.api import running_builder
from tests.integration.builder.specs import ingest, spec
from workflow_builder_api.core.config import Settings
from workflow_builder_api.services.dag_repository import BRANCH, GitRepositoryTarget

CONN_ID = "airloom_workflows_git"


def commits(repository: Path) -> list[str]:
    with Repo(repository) as repo:
        return [commit.message.strip() for commit in repo.iter_commits(BRANCH)]


def test_each_publish_and_withdrawal_is_one_commit(tmp_path: Path) -> None:
    target = GitRepositoryTarget(tmp_path / "workflows")
    location = target.write("wf-acme-sales.py", "# version 1\n")
    assert Path(location) == tmp_path / "workflows" / "wf-acme-sales.py"
    target.write("wf-acme-sales.py", "# version 1\n")  # republished unchanged: no commit
    target.write("wf-acme-sales.py", "# version 2\n")
    target.remove("wf-acme-sales.py")
    target.remove("wf-acme-sales.py")  # already gone: nothing to commit
    assert commits(tmp_path / "workflows") == [
        "Withdraw wf-acme-sales.py",
        "Publish wf-acme-sales.py",
        "Publish wf-acme-sales.py",
        "An empty repository of published workflows",
    ]
    assert not (tmp_path / "workflows" / "wf-acme-sales.py").exists()


def test_files_published_into_the_old_folder_move_in_unchanged(tmp_path: Path) -> None:
    old = tmp_path / "dags"
    old.mkdir()
    (old / "wf-acme-old.py").write_text("# published before\n")
    (old / "platform_dag.py").write_text("# not the builder's\n")
    target = GitRepositoryTarget(tmp_path / "workflows", retired_folder=old)

    moved = target.adopt("wf-acme-old.py")
    assert moved is not None and Path(moved).read_text() == "# published before\n"
    assert target.adopt("wf-acme-old.py") is None  # already moved
    assert sorted(p.name for p in old.iterdir()) == ["platform_dag.py"]
    # A newer publish or a withdrawal never leaves a copy in the old folder either.
    (old / "wf-acme-other.py").write_text("# a stale copy\n")
    target.remove("wf-acme-other.py")
    assert sorted(p.name for p in old.iterdir()) == ["platform_dag.py"]


def test_the_bundle_checks_out_the_commit_a_run_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.providers.git.bundles.git import GitDagBundle

    repository = tmp_path / "workflows"
    target = GitRepositoryTarget(repository)
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH", str(tmp_path / "clones"))
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{CONN_ID.upper()}",
        json.dumps({"conn_type": "git", "host": str(repository)}),
    )

    target.write("wf-acme-sales.py", "# version 1\n")
    latest = GitDagBundle(name="workflows", git_conn_id=CONN_ID, tracking_ref=BRANCH)
    latest.initialize()
    first = latest.get_current_version().version  # what a run created now records
    target.write("wf-acme-sales.py", "# version 2\n")
    latest.refresh()
    assert latest.get_current_version().version != first
    assert (latest.path / "wf-acme-sales.py").read_text() == "# version 2\n"

    # A task of the run created before the publish gets its own commit's file.
    pinned = GitDagBundle(name="workflows", git_conn_id=CONN_ID, tracking_ref=BRANCH, version=first)
    pinned.initialize()
    assert (pinned.path / "wf-acme-sales.py").read_text() == "# version 1\n"


def test_a_builder_given_a_repository_moves_what_it_published_before(tmp_path: Path) -> None:
    old = tmp_path / "dags"
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'builder.db'}", dags_folder=str(old))
    nowhere = f"http://127.0.0.1:{free_port()}"  # publishing never waits for Airflow

    def airflow() -> RestAirflowClient:
        return RestAirflowClient(nowhere, "admin", "unused")

    with running_builder(settings, airflow_factory=airflow) as builder:
        tenant = builder.tenant()
        created = tenant.editor.data(
            queries.CREATE, input={"name": "sales", "spec": spec("sales", nodes=[ingest()])}
        )["createWorkflow"]
        published = tenant.editor.data(queries.PUBLISH, id=created["id"], version=1)
        dag_file = published["publishWorkflow"]["dagFile"]
    before = (old / dag_file).read_text()

    repository = tmp_path / "workflows"
    upgraded = settings.model_copy(update={"dags_repository": repository})
    with running_builder(upgraded, airflow_factory=airflow) as builder:
        assert not (old / dag_file).exists()
        assert (repository / dag_file).read_text() == before  # moved unchanged
        assert commits(repository)[0] == f"Publish {dag_file}"
        found = tenant.viewer.data("{ workflows { nodes { publishedDagFile } } }")
        assert found["workflows"]["nodes"] == [{"publishedDagFile": dag_file}]
