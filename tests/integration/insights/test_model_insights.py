"""Champion against challenger, from a real MLflow registry: the model detector compares the
versions holding the aliases, only for models the tenant's activity names and the registry
says are the tenant's."""

from __future__ import annotations

from datetime import timedelta

from mlflow import MlflowClient

from airloom import model_tags
from insights.detection import detect_insights
from insights.detection.models import RegistryModelMetrics
from tests.unit.insights_detection.tables import NOW, read_model


def _two_versions(uri: str, name: str, tenant: str, champion: dict, challenger: dict) -> None:
    """A registered model of ``tenant`` whose champion and challenger were trained by runs
    that logged these metrics (what the train node logs; no model files are needed here)."""
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.create_registered_model(name, tags={model_tags.TENANT: tenant})
    experiment = client.get_experiment_by_name("insights-models") or client.get_experiment(
        client.create_experiment("insights-models")
    )
    versions = {model_tags.CHAMPION_ALIAS: champion, model_tags.CHALLENGER_ALIAS: challenger}
    for alias, metrics in versions.items():
        run = client.create_run(experiment.experiment_id)
        for key, value in metrics.items():
            client.log_metric(run.info.run_id, key, value)
        client.set_terminated(run.info.run_id)
        version = client.create_model_version(
            name, f"runs:/{run.info.run_id}/model", run_id=run.info.run_id
        )
        client.set_registered_model_alias(name, alias, version.version)


def test_a_challenger_that_beats_its_champion_is_an_insight_of_its_tenant_only(mlflow):
    uri = mlflow.url
    _two_versions(uri, "ins-churn", "acme", {"roc_auc": 0.80}, {"roc_auc": 0.88})
    _two_versions(uri, "ins-secret", "globex", {"roc_auc": 0.5}, {"roc_auc": 0.99})
    _two_versions(uri, "ins-steady", "acme", {"roc_auc": 0.80}, {"roc_auc": 0.801})
    served = [
        {"tenant": tenant, "endpoint": f"{model}-api", "model": model, "ok": True,
         "at": NOW - timedelta(days=1)}
        for tenant, model in (
            ("acme", "ins-churn"),
            ("acme", "ins-steady"),
            # acme's activity naming globex's model (a name collision) compares nothing.
            ("acme", "ins-secret"),
            ("globex", "ins-secret"),
            ("acme", "ins-never-registered"),
        )
    ]  # fmt: skip
    connection = read_model({"invocations": served})
    metrics = RegistryModelMetrics(MlflowClient(tracking_uri=uri, registry_uri=uri))
    acme = [i for i in detect_insights(connection, "acme", NOW, metrics)]
    models = [i for i in acme if i.kind == "model_metric_change"]
    assert [i.subject for i in models] == ["ins-churn"]
    assert models[0].sentence == (
        "The challenger of the ins-churn model (version 2) scores 0.88 roc_auc against the "
        "champion's 0.8 (version 1): 10% better."
    )
    assert models[0].evidence["figures"]["challenger"] == {"roc_auc": 0.88}
    globex = detect_insights(connection, "globex", NOW, metrics)
    assert [i.subject for i in globex if i.kind == "model_metric_change"] == ["ins-secret"]
