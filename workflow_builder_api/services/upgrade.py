"""Bring workflows published before tenant scoping into it, once, when the builder starts.

Such a workflow's DAG file carries an id that could collide with another tenant's
(``wf_<tenant>__<name>``), its datasets live at the lake's root and the models it registered
carry no tenant. For each one, the builder:

1. copies the lake folders its design names into the tenant's area (never overwriting),
2. tags the registered models its design names with the tenant, when only this tenant's
   workflows ever wrote versions of them,
3. republishes its version under the new DAG id in the tenant's scope and removes the old
   file — or, if the design now reaches outside its tenant (an ungranted connection, a file
   outside the lake), removes the old file and leaves it unpublished, logging each problem.

Nothing is deleted from the lake or the registry, and a workflow already upgraded is not
touched again.

Where the builder publishes into a git repository (a versioned DAG bundle), the files of
workflows published before into the plain dags folder are moved into it, unchanged, so their
runs are pinned to a version from then on and no DAG is defined by two bundles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from airloom.catalog import node_types
from airloom.catalog.resources import Resource, resource_fields
from airloom.tenancy import LAKE_SCHEME, TenantScope
from airloom.workflow.factory import legacy_dag_id
from workflow_builder_api.core.config import Settings
from workflow_builder_api.models import Workflow
from workflow_builder_api.services.dag_repository import GitRepositoryTarget
from workflow_builder_api.services.publishing import PublishTarget, publish_version
from workflow_builder_api.services.tenants import scope_for
from workflow_builder_api.services.workflows import get_version

log = structlog.get_logger()
_GLOB = re.compile(r"[*?\[]")


@dataclass
class Upgraded:
    workflow: str
    republished: bool
    copied: list[str] = field(default_factory=list)
    tagged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def upgrade_published_workflows(
    session: Session, target: PublishTarget, settings: Settings
) -> list[Upgraded]:
    """Upgrade every live workflow still published under a legacy DAG id."""
    legacy = session.scalars(
        select(Workflow).where(
            Workflow.published_version.is_not(None),
            Workflow.published_dag_id.is_(None),
            Workflow.deleted_at.is_(None),
        )
    ).all()
    return [_upgrade(session, target, settings, workflow) for workflow in legacy]


def move_into_repository(session: Session, target: PublishTarget) -> list[str]:
    """Move each published workflow's file from the retired dags folder into the repository;
    return the DAG ids moved. Other files in that folder (the platform's DAGs, another
    builder's workflows) are left alone."""
    if not isinstance(target, GitRepositoryTarget):
        return []
    published = session.scalars(
        select(Workflow).where(
            Workflow.published_version.is_not(None),
            Workflow.published_dag_id.is_not(None),
            Workflow.deleted_at.is_(None),
        )
    ).all()
    moved = []
    for workflow in published:
        location = target.adopt(f"{workflow.published_dag_id}.py")
        if location is not None:
            workflow.published_location = location
            moved.append(workflow.published_dag_id)
    return moved


def _upgrade(
    session: Session, target: PublishTarget, settings: Settings, workflow: Workflow
) -> Upgraded:
    version = get_version(session, workflow, workflow.published_version or 0)
    scope = scope_for(session, workflow.tenant, settings)
    names = _named(version.spec)
    done = Upgraded(workflow=f"{workflow.tenant}/{workflow.name}", republished=False)
    if settings.lake_uri:
        done.copied = _copy_datasets(settings.lake_uri, scope, names["datasets"])
    if settings.mlflow_tracking_uri:
        done.tagged = _tag_models(settings.mlflow_tracking_uri, workflow, names["models"])
    legacy_file = f"{legacy_dag_id(workflow.tenant, workflow.name)}.py"
    result = publish_version(session, target, workflow, version, scope)
    if result.published:
        done.republished = True
        target.remove(legacy_file)
    else:
        # It reaches outside its tenant now: it must not keep running as it was.
        target.remove(legacy_file)
        workflow.published_version = None
        workflow.published_location = None
        done.problems = [
            f"{p.node_id + ': ' if p.node_id else ''}{p.field}: {p.message}"
            for p in result.problems
        ]
    log.info("legacy workflow upgraded", **done.__dict__)
    return done


def _named(spec: dict[str, Any]) -> dict[str, set[str]]:
    """The lake folders and registered models a design names (as the designer wrote them)."""
    catalog = node_types()
    found: dict[str, set[str]] = {"datasets": set(), "models": set()}
    for node in spec.get("nodes") or []:
        node_type = catalog.get(node.get("type"))
        if node_type is None:
            continue
        params = node.get("params") or {}
        for name, kind in resource_fields(node_type.operator.params_model).items():
            value = params.get(name)
            if not isinstance(value, str):
                continue
            if kind is Resource.DATASET:
                found["datasets"].add(value)
            elif kind is Resource.FILE_SOURCE and value.startswith(LAKE_SCHEME):
                path = value.removeprefix(LAKE_SCHEME)
                static = path[: m.start()] if (m := _GLOB.search(path)) else path
                folder = static.rsplit("/", 1)[0] if "/" in static else static
                if folder:
                    found["datasets"].add(folder)
            elif kind is Resource.MODEL:
                found["models"].add(value)
    return found


def _copy_datasets(lake_uri: str, scope: TenantScope, datasets: set[str]) -> list[str]:
    """Copy each dataset folder (and those derived from it: ``<name>_holdout`` …) into the
    tenant's area, unless the area already has it."""
    from pyarrow import fs

    filesystem, root = fs.FileSystem.from_uri(lake_uri)
    copied = []
    for name in sorted(datasets):
        parent, _, base = name.rpartition("/")
        folder = f"{root}/{parent}" if parent else root
        listing = filesystem.get_file_info(fs.FileSelector(folder, allow_not_found=True))
        for info in listing:
            if info.type != fs.FileType.Directory:
                continue
            if not (info.base_name == base or info.base_name.startswith(f"{base}_")):
                continue
            relative = f"{parent}/{info.base_name}" if parent else info.base_name
            destination = f"{root}/{scope.dataset(relative)}"
            if filesystem.get_file_info(destination).type != fs.FileType.NotFound:
                continue
            filesystem.create_dir(destination, recursive=True)  # local copies need the folder
            fs.copy_files(info.path, destination, filesystem, filesystem)
            copied.append(relative)
    return copied


def _tag_models(tracking_uri: str, workflow: Workflow, models: set[str]) -> list[str]:
    """Tag each untagged model with the tenant when only its workflows made versions of it."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from airloom import model_tags

    client = MlflowClient(tracking_uri)
    ours = f"wf_{workflow.tenant}__"
    tagged = []
    for name in sorted(models):
        try:
            model = client.get_registered_model(name)
            versions = client.search_model_versions(f"name = '{_quoted(name)}'")
        except MlflowException:
            continue  # never registered: the workflow's next run creates it, tagged
        if model_tags.TENANT in (model.tags or {}):
            continue
        sources = {(v.tags or {}).get(model_tags.WORKFLOW, "") for v in versions}
        if sources and all(source.startswith(ours) for source in sources):
            client.set_registered_model_tag(name, model_tags.TENANT, workflow.tenant)
            tagged.append(name)
    return tagged


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace("'", "\\'")
