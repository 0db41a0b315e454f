"""The builder answers what its GraphQL schema says, whatever it is sent.

schemathesis generates an operation for every query and mutation field from the schema
itself (valid ones, and invalid ones in negative mode), sends it to the builder served by
uvicorn on a loopback port with an admin token of a fresh tenant, and runs its own checks on
every answer: no server error (a 5xx, or an error that is not the caller's to fix), no null
where the schema promises a value, a JSON body shaped like a GraphQL response.

IDs are often those of the tenant's real workflows (one published), and JSON arguments often a
real design, so requests get past "not found" into validation, publishing and runs.

schemathesis counts a resolver's error as the server's unless its ``extensions.code`` is one
of a few it knows (Apollo's BAD_USER_INPUT, …). The builder documents its own codes for errors
the caller can fix (NOT_FOUND, INVALID_INPUT, FORBIDDEN, CONFLICT, …, and AIRFLOW_UNAVAILABLE,
its 503: Airflow is not running here), so those are answers, not failures. An error without a
code, "Unexpected error.", is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.graphql import nodes
from schemathesis.graphql.checks import GraphQLServerError

from servicekit.airflow_client import RestAirflowClient
from tests.harness.asgi_server import serve_app
from tests.harness.servers import free_port
from tests.integration.builder import queries
from tests.integration.builder.api import Api, Builder
from tests.integration.builder.specs import template_spec
from workflow_builder_api.app import create_app, create_runtime
from workflow_builder_api.core.config import Settings
from workflow_builder_api.graphql.schema import build_schema
from workflow_builder_api.services.errors import UserError

KNOWN_IDS: list[str] = []  # the tenant's workflows, filled by the fixture before generation


def _codes(error: type[UserError]) -> set[str]:
    return {error.code}.union(*(_codes(sub) for sub in error.__subclasses__()))


USER_CODES = frozenset(_codes(UserError))


def as_node(value: Any) -> graphql.ValueNode:
    """A JSON value as a GraphQL literal."""
    if isinstance(value, dict):
        return nodes.Object(
            [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=as_node(item))
                for key, item in value.items()
            ]
        )
    if isinstance(value, list):
        return nodes.List([as_node(item) for item in value])
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    return nodes.Null if value is None else nodes.String(value)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**31), 2**31 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,10}", fullmatch=True), inner)
    ),
    max_leaves=12,
)
# Never a bare null: GraphQL itself refuses null for a JSON! argument before the builder sees it.
_documents = st.just(template_spec()) | _json.filter(lambda value: value is not None)
schemathesis.graphql.scalar("JSON", _documents.map(as_node))
schemathesis.graphql.scalar(
    "ID",
    (st.deferred(lambda: st.sampled_from(KNOWN_IDS)) | st.text(max_size=40)).map(nodes.String),
)

# The schema is a function of the code: print it from the same settings the app uses.
schema = schemathesis.graphql.from_file(
    str(build_schema(Settings())),
    config=SchemathesisConfig.from_dict({"generation": {"max-examples": 15, "mode": "all"}}),
)


@schema.hook
def filter_failure(context, failure, case, response) -> bool:  # type: ignore[no-untyped-def]
    """Keep every failure but errors carrying one of the builder's documented user codes."""
    if not isinstance(failure, GraphQLServerError):
        return True
    codes = [(error.get("extensions") or {}).get("code") for error in failure.errors]
    return not all(code in USER_CODES for code in codes)


@pytest.fixture(scope="module")
def live_builder(builder: Builder) -> Iterator[tuple[str, str]]:
    """The builder's GraphQL URL and an admin token of a tenant with a published workflow and
    a draft (their IDs in KNOWN_IDS)."""
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: Airflow is unreachable
    airflow = RestAirflowClient(nowhere, "admin", "unused")
    runtime = create_runtime(builder.runtime.settings, airflow_factory=lambda: airflow)
    tenant = builder.tenant()
    with serve_app(create_app(runtime=runtime)) as url:
        KNOWN_IDS[:] = [
            _workflow(tenant.admin, "published", publish=True),
            _workflow(tenant.admin, "draft"),
        ]
        yield f"{url}/graphql", tenant.admin.token or ""


def _workflow(api: Api, name: str, *, publish: bool = False) -> str:
    spec = template_spec()
    spec["metadata"]["name"] = name
    workflow = api.data(queries.CREATE, input={"name": name, "spec": spec})
    workflow_id = workflow["createWorkflow"]["id"]
    if publish:
        published = api.data(queries.PUBLISH, id=workflow_id, version=1)["publishWorkflow"]
        assert published["published"], published["problems"]
    return workflow_id


@schema.parametrize()
def test_every_operation_answers_as_documented(case, live_builder) -> None:
    url, token = live_builder
    case.call_and_validate(base_url=url, headers={"Authorization": f"Bearer {token}"})
