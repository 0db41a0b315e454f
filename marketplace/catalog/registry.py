"""Read MLflow's model registry: every registered model and version, and one version's details
(MLmodel flavors, signature and size; the training run's metrics, params and datasets)."""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from airloom import model_tags
from marketplace.catalog.records import ListingRecord, VersionRecord, fingerprint

EXAMPLE_ROWS = 3  # enough to show what a request looks like; a catalog row stays small

_LINEAGE_TAGS = {
    "workflow": model_tags.WORKFLOW,
    "workflow_version": model_tags.WORKFLOW_VERSION,
    "airflow_run_id": model_tags.AIRFLOW_RUN_ID,
    "dataset": model_tags.DATASET,
}


@dataclass
class RegistrySnapshot:
    """Every registered model and its versions, as cheap listing calls return them."""

    models: list[Any]
    versions: dict[str, list[Any]]


def _pages(fetch: Callable[[str | None], Any]) -> Iterator[Any]:
    token = None
    while True:
        page = fetch(token)
        yield from page
        token = page.token
        if not token:
            return


def _framework(flavors: list[str]) -> str | None:
    specific = [flavor for flavor in flavors if flavor != "python_function"]
    return specific[0] if specific else (flavors[0] if flavors else None)


def _schema(text: Any) -> Any:
    """MLflow keeps schemas and dataset sources as JSON strings."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class MlflowRegistry:
    def __init__(self, tracking_uri: str) -> None:
        from mlflow import MlflowClient

        # MLflow's client retries a failing call for minutes by default; a service would hang
        # its sync and health check that long. The next sync cycle is the retry.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
        self.tracking_uri = tracking_uri
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    def ping(self, timeout: float = 3.0) -> None:
        """Raise unless the tracking server answers its health endpoint within ``timeout``."""
        if self.tracking_uri.startswith(("http://", "https://")):
            response = httpx.get(f"{self.tracking_uri.rstrip('/')}/health", timeout=timeout)
            response.raise_for_status()
        else:
            self.client.search_registered_models(max_results=1)

    def snapshot(self) -> RegistrySnapshot:
        models = list(
            _pages(
                lambda token: self.client.search_registered_models(
                    max_results=1000, page_token=token
                )
            )
        )
        versions: dict[str, list[Any]] = defaultdict(list)
        for version in _pages(
            lambda token: self.client.search_model_versions(max_results=10_000, page_token=token)
        ):
            versions[version.name].append(version)
        return RegistrySnapshot(models=models, versions=dict(versions))

    def model(self, name: str) -> tuple[Any, list[Any]] | None:
        """One registered model and its versions, or None if it is not (or no longer) there."""
        from mlflow.exceptions import MlflowException

        try:
            registered = self.client.get_registered_model(name)
        except MlflowException as exc:
            if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise
        quoted = name.replace("'", "\\'")
        versions = list(
            _pages(
                lambda token: self.client.search_model_versions(
                    f"name = '{quoted}'", max_results=10_000, page_token=token
                )
            )
        )
        return registered, [version for version in versions if version.name == name]

    # -- turning MLflow entities into catalog records ---------------------------------------

    @staticmethod
    def aliases_of(registered: Any) -> dict[str, int]:
        return {alias: int(version) for alias, version in (registered.aliases or {}).items()}

    @staticmethod
    def version_fingerprint(version: Any, aliases: list[str]) -> str:
        return fingerprint(
            version.version,
            version.status,
            version.description,
            version.tags,
            sorted(aliases),
            version.last_updated_timestamp,
            version.run_id,
            version.source,
        )

    def listing_record(self, registered: Any, versions: list[VersionRecord]) -> ListingRecord:
        aliases = self.aliases_of(registered)
        return ListingRecord.from_tags(
            registered.name,
            dict(registered.tags or {}),
            description=registered.description or "",
            aliases=aliases,
            created_at=registered.creation_timestamp,
            updated_at=registered.last_updated_timestamp,
            versions=versions,
        )

    def version_record(
        self, version: Any, aliases: list[str], details: bool = True
    ) -> VersionRecord:
        record = VersionRecord(
            version=int(version.version),
            status=str(version.status),
            description=version.description or "",
            run_id=version.run_id or None,
            source=version.source,
            model_id=getattr(version, "model_id", None),
            tags=dict(version.tags or {}),
            aliases=sorted(aliases),
            created_at=version.creation_timestamp,
            updated_at=version.last_updated_timestamp,
            fingerprint=self.version_fingerprint(version, aliases),
        )
        if details:
            self._add_details(record, version)
        return record

    def _add_details(self, record: VersionRecord, version: Any) -> None:
        problems = []
        try:
            self._add_model_metadata(record, version)
        except Exception as exc:  # noqa: BLE001 - listed anyway; the card says what is missing
            problems.append(f"MLmodel unreadable: {exc}")
        try:
            self._add_run(record, version)
        except Exception as exc:  # noqa: BLE001 - a deleted run must not hide the model
            problems.append(f"training run unreadable: {exc}")
        record.details_error = "; ".join(problems) or None

    def _add_model_metadata(self, record: VersionRecord, version: Any) -> None:
        import mlflow
        from mlflow.models import Model

        uri = self.client.get_model_version_download_uri(version.name, version.version)
        with tempfile.TemporaryDirectory(prefix="airloom-mlmodel-") as folder:
            path = mlflow.artifacts.download_artifacts(
                artifact_uri=f"{uri.rstrip('/')}/MLmodel",
                dst_path=folder,
                tracking_uri=self.tracking_uri,
            )
            meta = Model.load(path)
            record.input_example = self._serving_example(uri, meta, folder)
        record.flavors = sorted(meta.flavors)
        record.framework = _framework(list(meta.flavors))
        record.size_bytes = getattr(meta, "model_size_bytes", None)
        if meta.signature is not None:
            raw = meta.signature.to_dict()
            record.signature = {
                key: _schema(raw.get(key)) for key in ("inputs", "outputs", "params")
            }
        if not record.model_id:
            record.model_id = getattr(meta, "model_id", None)

    def _serving_example(self, uri: str, meta: Any, folder: str) -> dict[str, Any] | None:
        """The request a version was logged with (MLflow's serving input example), cut to a
        few rows: what a try-it form starts from. None when the version logged none."""
        import mlflow

        name = (meta.saved_input_example_info or {}).get("serving_input_path")
        if not name:
            return None
        path = mlflow.artifacts.download_artifacts(
            artifact_uri=f"{uri.rstrip('/')}/{name}",
            dst_path=folder,
            tracking_uri=self.tracking_uri,
        )
        with open(path) as handle:
            example = json.load(handle)
        for key in ("dataframe_split", "dataframe_records", "instances", "inputs"):
            value = example.get(key) if isinstance(example, dict) else None
            if isinstance(value, dict) and isinstance(value.get("data"), list):
                value["data"] = value["data"][:EXAMPLE_ROWS]
            elif isinstance(value, list):
                example[key] = value[:EXAMPLE_ROWS]
        return example if isinstance(example, dict) else None

    def _add_run(self, record: VersionRecord, version: Any) -> None:
        lineage: dict[str, Any] = {"run_id": record.run_id, "source": record.source}
        run_tags: dict[str, str] = {}
        if record.run_id:
            run = self.client.get_run(record.run_id)
            record.metrics = dict(run.data.metrics)
            record.params = dict(run.data.params)
            run_tags = dict(run.data.tags)
            lineage |= {
                "experiment_id": run.info.experiment_id,
                "run_name": run.info.run_name,
                "datasets": [
                    {
                        "name": item.dataset.name,
                        "digest": item.dataset.digest,
                        "source_type": item.dataset.source_type,
                        "source": _schema(item.dataset.source),
                        "context": next(
                            (t.value for t in item.tags if t.key == "mlflow.data.context"), None
                        ),
                    }
                    for item in (run.inputs.dataset_inputs if run.inputs else [])
                ],
            }
        if not record.metrics and record.model_id:
            logged = self.client.get_logged_model(record.model_id)
            record.metrics = {metric.key: metric.value for metric in logged.metrics or []}
        # The train operator tags the version; a run tag is the fallback.
        for field, tag in _LINEAGE_TAGS.items():
            lineage[field] = record.tags.get(tag) or run_tags.get(tag)
        record.lineage = lineage
