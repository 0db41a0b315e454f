"""Where the Airloom source tree is, and the paths a bundle is built from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True)
class Project:
    """An Airloom checkout: ``dags/``, ``plugins/``, ``uv.lock``, ``containers/`` and Studio."""

    root: Path

    @property
    def dags(self) -> Path:
        return self.root / "dags"

    @property
    def plugins(self) -> Path:
        return self.root / "plugins"

    @property
    def studio_dist(self) -> Path:
        return self.root / "studio" / "dist"

    @property
    def lock_file(self) -> Path:
        return self.root / "uv.lock"

    @property
    def containers(self) -> Path:
        return self.root / "containers"

    @property
    def terraform(self) -> Path:
        return self.root / "terraform"


def find_project(start: Path | None = None) -> Project:
    """Find the checkout containing ``start`` (default: the current directory).

    :raises click.ClickException: when no folder upwards holds ``uv.lock`` and ``dags/``.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "uv.lock").is_file() and (folder / "dags").is_dir():
            return Project(folder)
    raise click.ClickException(
        f"{here} is not inside an Airloom checkout (no uv.lock and dags/ found upwards); "
        "run this from the repository or pass --project."
    )
