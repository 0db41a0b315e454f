"""Publish into a git repository that Airflow reads as a versioned DAG bundle (AIP-66).

Each publish or withdrawal is one commit on ``main``. Airflow's ``GitDagBundle``
(apache-airflow-providers-git) clones the repository: a DAG run records the commit that was
current when it was created (``DagRun.bundle_version``) and every task of that run executes the
files of that commit, so a run keeps the version it started with, whatever is published while
it runs. Commits are serialized by an exclusive lock on a file in ``.git``, across threads and
across processes (the stack's builder and a test's builder may share one repository).

A folder the builder published into before (``retired_folder``) is emptied of the files the
repository now holds, so a DAG is never defined by two bundles at once.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:  # GitPython fails to import where git is missing: import it when used
    from git import Actor, Repo

log = structlog.get_logger()

BRANCH = "main"
_LOCK_FILE = "airloom-publish.lock"


def _builder() -> Actor:
    from git import Actor

    return Actor("Airloom workflow builder", "builder@airloom.invalid")


class DagRepositoryError(RuntimeError):
    """The repository cannot be created or written (git missing, a broken repository)."""


def ensure_repository(path: Path) -> Path:
    """Create the repository with one empty commit on ``main`` unless it exists.

    Airflow's bundle checks ``main`` out, so the branch must exist before anything is published.
    """
    path = path.resolve()
    if (path / ".git").is_dir():
        return path
    try:
        from git import Repo
        from git.exc import GitError
    except ImportError as exc:  # GitPython says so when the git executable is missing
        raise DagRepositoryError(f"cannot publish into {path}: git is not installed") from exc
    path.mkdir(parents=True, exist_ok=True)
    try:
        with Repo.init(path, initial_branch=BRANCH) as repo:
            author = _builder()
            repo.index.commit(
                "An empty repository of published workflows", author=author, committer=author
            )
    except (GitError, OSError) as exc:  # a path that cannot be written, a broken repository
        raise DagRepositoryError(f"cannot create a git repository at {path}: {exc}") from exc
    log.info("dag repository created", path=str(path))
    return path


class GitRepositoryTarget:
    """A :class:`~workflow_builder_api.services.publishing.PublishTarget` that commits.

    :param path: the repository's work tree (created if missing).
    :param retired_folder: where files were published before the repository existed.
    """

    def __init__(self, path: Path, *, retired_folder: Path | None = None) -> None:
        self.path = ensure_repository(path)
        self.retired_folder = retired_folder.resolve() if retired_folder else None
        self._threads = threading.Lock()

    @contextmanager
    def _locked(self) -> Iterator[Repo]:
        from git import Repo

        with self._threads, open(self.path / ".git" / _LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with Repo(self.path) as repo:
                    yield repo
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def write(self, file_name: str, source: str) -> str:
        """Commit ``source`` as ``file_name``; return the file's path in the work tree."""
        path = self.path / file_name
        with self._locked() as repo:
            _write_atomically(path, source)
            repo.index.add([file_name])
            if _staged(repo):
                author = _builder()
                commit = repo.index.commit(f"Publish {file_name}", author=author, committer=author)
                log.info("dag committed", file=file_name, commit=commit.hexsha)
        self._retire(file_name)
        return str(path)

    def remove(self, file_name: str) -> None:
        """Commit the file's removal, if the repository holds it; drop a retired copy too."""
        with self._locked() as repo:
            if (self.path / file_name).exists() or _tracked(repo, file_name):
                repo.index.remove([file_name], working_tree=True, ignore_unmatch=True)
                (self.path / file_name).unlink(missing_ok=True)
                if _staged(repo):
                    author = _builder()
                    commit = repo.index.commit(
                        f"Withdraw {file_name}", author=author, committer=author
                    )
                    log.info("dag withdrawal committed", file=file_name, commit=commit.hexsha)
        self._retire(file_name)

    def adopt(self, file_name: str) -> str | None:
        """Move a file published into the retired folder into the repository, unchanged.

        Returns its new location, or None when there was nothing to move.
        """
        if self.retired_folder is None:
            return None
        retired = self.retired_folder / file_name
        if not retired.is_file():
            return None
        # Committed first, deleted after: a crash in between leaves a copy, not a lost file.
        location = self.write(file_name, retired.read_text(encoding="utf-8"))
        log.info("published file moved into the dag repository", file=file_name)
        return location

    def _retire(self, file_name: str) -> None:
        if self.retired_folder is not None and self.retired_folder != self.path:
            (self.retired_folder / file_name).unlink(missing_ok=True)


def _write_atomically(path: Path, source: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(source)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _staged(repo: Repo) -> bool:
    """Whether the index differs from the last commit."""
    return bool(repo.index.diff(repo.head.commit))


def _tracked(repo: Repo, file_name: str) -> bool:
    try:
        repo.head.commit.tree / file_name
    except KeyError:
        return False
    return True
