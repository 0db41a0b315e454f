"""What the ``train`` and ``train_embedder`` nodes do, wherever they run.

The local operators (:mod:`airloom.operators.mlflow`, :mod:`airloom.operators.retrieval`) and
the SageMaker training job's entry point (:mod:`airloom.ml.sagemaker_job`) call these same
functions, so a model trained on SageMaker is trained, logged, registered and tagged exactly as
one trained in an Airflow task. Nothing here reads an Airflow connection or context: the
caller resolves the dataset, the MLflow server and the lineage tags first.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from airloom import model_tags

if TYPE_CHECKING:
    import pandas as pd

    from airloom.ml.tracking import TrackingServer
    from airloom.operators.mlflow import TrainParams
    from airloom.operators.retrieval import TrainEmbedderParams

HOLDOUT_FILE = "holdout"  # one file, replaced by each run: the latest training's holdout
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Registered:
    """A registered version and how it was trained: what the node publishes and reports.

    :param outputs: the node's output ports (``model``, and ``holdout`` for ``train``).
    """

    model_name: str
    version: str
    run_id: str
    metrics: dict[str, float]
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return f"models:/{self.model_name}/{self.version}"

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Registered:
        return cls(
            model_name=str(document["model_name"]),
            version=str(document["version"]),
            run_id=str(document["run_id"]),
            metrics={str(k): float(v) for k, v in (document.get("metrics") or {}).items()},
            outputs={str(k): str(v) for k, v in (document.get("outputs") or {}).items()},
        )


def trusted_types(model: Any) -> list[str]:
    """The types skops must trust to load ``model`` (e.g. a tree's ``Tree``).

    The estimator comes from Airloom's allow-list and was fitted in this run, so the types
    it is made of are the ones to trust, and only those.
    """
    import skops.io

    return skops.io.get_untrusted_types(data=skops.io.dumps(model))


def _claim(server: TrackingServer, name: str, tenant: str | None) -> None:
    """Before adding a version to ``name``: the tenant owns it (a new one is tagged)."""
    if tenant is not None:
        from airloom.tenancy.registry import claim_model

        claim_model(server.client(), name, tenant)


def train_and_register(
    params: TrainParams,
    frame: pd.DataFrame,
    *,
    dataset_uri: str,
    holdout_uri: str,
    lineage: dict[str, str],
    run_name: str,
    server: TrackingServer,
    tenant: str | None,
) -> Registered:
    """Train ``params.estimator`` on ``frame`` (read from ``dataset_uri``), write the held-out
    rows to ``holdout_uri``, then log and register the model on ``server`` for ``tenant``.

    :param lineage: the workflow, Airflow run, task and dataset that produced the version.
    """
    import mlflow
    import mlflow.data
    import mlflow.sklearn
    import pyarrow as pa
    from mlflow.models import infer_signature

    from airloom.datasets import write_table
    from airloom.ml.listing import write_listing
    from airloom.ml.training import train_model

    trained = train_model(  # before any MLflow run: bad data leaves nothing behind
        frame,
        estimator=params.estimator,
        target=params.target,
        hyperparameters=params.hyperparameters,
        feature_columns=params.feature_columns,
        test_size=params.test_size,
        random_state=params.random_state,
        holdout_key=params.holdout_key,
    )
    log.info("Trained %s: holdout %s", params.estimator, trained.metrics)
    rows = frame.loc[trained.holdout_index]
    write_table(pa.Table.from_pandas(rows, preserve_index=False), holdout_uri, HOLDOUT_FILE)
    log.info("Held-out rows (%d) in %s", len(rows), holdout_uri)
    version_tags = {**params.tags, **lineage, model_tags.ESTIMATOR: params.estimator}
    with server.tracking():
        _claim(server, params.registered_model_name, tenant)
        experiment_id = server.experiment_id(params.experiment)
        with mlflow.start_run(
            experiment_id=experiment_id, run_name=run_name, tags=version_tags
        ) as run:
            dataset = mlflow.data.from_pandas(
                frame, source=dataset_uri, targets=params.target, name=dataset_uri
            )
            mlflow.log_input(dataset, context="training")
            mlflow.log_params(
                {
                    **trained.model.get_params(deep=False),
                    "estimator": params.estimator,
                    "target": params.target,
                    "features": ",".join(trained.feature_columns),
                    "split.test_size": params.test_size,
                    "split.random_state": params.random_state,
                    "split.holdout_key": params.holdout_key or "",
                    "split.train_rows": trained.train_rows,
                    "split.test_rows": trained.test_rows,
                }
            )
            example = trained.input_example
            info = mlflow.sklearn.log_model(
                trained.model,
                name="model",
                signature=infer_signature(example, trained.model.predict(example)),
                input_example=example,
                registered_model_name=params.registered_model_name,
                pip_requirements=mlflow.sklearn.get_default_pip_requirements(include_skops=True),
                skops_trusted_types=trusted_types(trained.model),
            )
            mlflow.log_metrics(trained.metrics, model_id=info.model_id, dataset=dataset)
        version = str(info.registered_model_version)
        client = server.client()
        for key, value in version_tags.items():
            client.set_model_version_tag(params.registered_model_name, version, key, value)
        # After the claim: only a model this tenant owns gets its listing written.
        written = write_listing(client, params.registered_model_name, params.listing)
    if written:
        log.info("Listing of %s: set %s", params.registered_model_name, ", ".join(written))
    registered = Registered(
        params.registered_model_name,
        version,
        run.info.run_id,
        dict(trained.metrics),
        outputs={"holdout": holdout_uri},
    )
    registered.outputs["model"] = registered.reference
    log.info("Registered %s", registered.reference)
    return registered


def train_embedder_and_register(
    params: TrainEmbedderParams,
    frame: pd.DataFrame,
    *,
    dataset_uri: str,
    lineage: dict[str, str],
    server: TrackingServer,
    tenant: str | None,
) -> Registered:
    """Fit the TF-IDF + SVD embedder on ``frame``'s text column and register it."""
    import mlflow
    import mlflow.data
    import mlflow.pyfunc
    import sklearn
    from mlflow.models import infer_signature

    from airloom.ml.listing import write_listing
    from airloom.retrieval.embedder import TEXT_COLUMN, embedding_model, fit_embedder

    texts = frame[params.text_column].fillna("").astype(str)
    model = fit_embedder(texts, params.dimensions)
    example = texts.head(3).to_frame(TEXT_COLUMN)
    explained = float(model.named_steps["svd"].explained_variance_ratio_.sum())
    with server.tracking():
        _claim(server, params.registered_model_name, tenant)
        with mlflow.start_run(
            experiment_id=server.experiment_id(params.experiment), tags=lineage
        ) as run:
            mlflow.log_input(mlflow.data.from_pandas(frame, source=dataset_uri), context="training")
            mlflow.log_params(
                {"dimensions": model.named_steps["svd"].n_components, "chunks": len(texts)}
            )
            mlflow.log_metric("explained_variance", explained)
            info = mlflow.pyfunc.log_model(
                name="embedder",
                python_model=embedding_model(model),
                signature=infer_signature(example, model.transform(example)),
                input_example=example,
                registered_model_name=params.registered_model_name,
                pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
            )
        version = str(info.registered_model_version)
        client = server.client()
        for key, value in lineage.items():
            client.set_model_version_tag(params.registered_model_name, version, key, value)
        # After the claim: only a model this tenant owns gets its listing written.
        listing = params.listing.model_copy(update={"task": "embedding"})
        write_listing(client, params.registered_model_name, listing)
    registered = Registered(
        params.registered_model_name,
        version,
        run.info.run_id,
        {"explained_variance": explained},
    )
    registered.outputs["model"] = registered.reference
    return registered
