"""The marketplace answers what its OpenAPI document says, whatever it is sent.

schemathesis generates requests for every operation from the document itself (valid ones, and
invalid ones in negative mode), sends them to the app served by uvicorn on a loopback port with
a real API key, and runs its own checks on every answer: no server error, a documented status
code, a documented content type, a body that matches the documented schema. The catalog holds
a real model from the session's MLflow server, so many requests name something that exists.

Neither Airflow nor the local serving process is running here: routes that start a DAG run
(validate, benchmark, deploy, rollback) must answer their documented 503 with a reason naming
what is down, never a 500. (A deploy asks the target who holds the endpoint name first; the
SageMaker target's endpoint is a closed loopback port here.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from mlflow import MlflowClient
from schemathesis.config import SchemathesisConfig

from airloom import model_tags
from marketplace.access import create_key
from marketplace.core.config import Settings
from marketplace.main import create_app
from servicekit.airflow_client import RestAirflowClient
from tests.harness.asgi_server import serve_app
from tests.harness.servers import free_port
from tests.integration.serving.support import register_linear

MODEL = "conformance-churn"
TENANT = "conformance"
STARTS_A_DAG_RUN = r"/(validate|benchmark|deploy|rollback)$"


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "generation": {"max-examples": 15, "mode": "all"},
            "dictionaries": {"models": {"values": [MODEL]}},
            # Half the generated model names are the real one, so 200s are checked too.
            "parameters": {"path.name": {"dictionary": "models", "probability": 0.5}},
            "operations": [
                {
                    "include-path-regex": STARTS_A_DAG_RUN,
                    "checks": {
                        # Airflow is down in this test: the documented 503, not a 500.
                        "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}
                    },
                }
            ],
        }
    )


@pytest.fixture(scope="module")
def marketplace(mlflow, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The marketplace's URL and an API key of the tenant that owns the registered model."""
    register_linear(mlflow.url, MODEL, slope=2.0)
    MlflowClient(mlflow.url).set_registered_model_tag(MODEL, model_tags.TENANT, TENANT)
    database = tmp_path_factory.mktemp("conformance") / "marketplace.db"
    settings = Settings(
        database_url=f"sqlite:///{database}",
        mlflow_tracking_uri=mlflow.url,
        sync_enabled=False,
        log_level="ERROR",
        # Thousands of requests from one key: the tier limit is not what is under test.
        rate_limits={tier: "1000000/minute" for tier in ("free", "pro", "enterprise")},
    )
    app = create_app(settings)
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: Airflow is unreachable
    app.state.airflow = lambda: RestAirflowClient(nowhere, "admin", "unused")
    with pytest.MonkeyPatch.context() as env, serve_app(app) as url:
        # A deploy to the sagemaker target asks SageMaker first: here it is down too.
        env.setenv("AWS_ENDPOINT_URL", nowhere)
        app.state.catalog_sync.run_once(full=True)
        with app.state.session_factory() as session:
            key = create_key(session, TENANT, "pro", name="schemathesis")
            session.commit()
        yield url, key.key


# The document is a function of the code: read it from an app that is never started.
DOCUMENT = create_app(Settings(database_url="sqlite://", sync_enabled=False)).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=_config())


@schema.parametrize()
def test_every_operation_answers_as_documented(case, marketplace) -> None:
    url, key = marketplace
    response = case.call_and_validate(base_url=url, headers={"X-API-Key": key})
    if response.status_code == 503:
        detail = response.json()["detail"]
        assert any(down in detail for down in ("Airflow", "serving process", "SageMaker")), (
            response.text
        )
