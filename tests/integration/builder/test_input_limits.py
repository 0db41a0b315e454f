"""Input the builder refuses with a user error that names the argument and the limit: long
strings, deeply nested JSON, bodies too large; and nothing huge is ever echoed back."""

from __future__ import annotations

import json

from tests.integration.builder import queries
from tests.integration.builder.api import Builder

SEARCH = "query($s: String) { workflows(filter: {search: $s}) { nodes { id } } }"
AFTER = "query($a: String) { workflows(after: $a) { nodes { id } } }"


def _post(builder: Builder, body: bytes | str, token: str | None):  # type: ignore[no-untyped-def]
    headers = {"content-type": "application/json", "Authorization": f"Bearer {token}"}
    return builder.client.post("/graphql", content=body, headers=headers)


def test_a_long_search_is_refused_naming_the_argument_and_its_limit(builder: Builder) -> None:
    viewer = builder.tenant().viewer

    error = viewer.error(SEARCH, s="x" * 50_001)

    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["message"] == (
        "argument filter.search is 50,001 characters long; the limit is 200 characters"
    )
    assert viewer.data(SEARCH, s="x" * 200) == {"workflows": {"nodes": []}}


def test_names_ids_and_cursors_are_bounded_too(builder: Builder) -> None:
    editor = builder.tenant().editor
    refusals = [
        (queries.CREATE, {"input": {"name": "n" * 5000}}, "input.name", 100),
        (queries.CREATE, {"input": {"name": "ok", "title": "t" * 5000}}, "input.title", 200),
        ("query($id: ID!) { workflow(id: $id) { id } }", {"id": "i" * 5000}, "id", 64),
        (AFTER, {"a": "c" * 5000}, "after", 200),
    ]  # fmt: skip
    for query, variables, argument, limit in refusals:
        body = editor.call(query, **variables)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT", error
        assert (
            f"argument {argument} is 5,000 characters long; the limit is {limit}"
            in (error["message"])
        )
        assert len(json.dumps(body)) < 1000  # the value is not repeated back


def test_a_nul_character_is_refused_naming_the_argument(builder: Builder) -> None:
    """No store's text column can hold NUL (PostgreSQL refuses it): a user error, never 500."""
    editor = builder.tenant().editor
    publish = "mutation($id: ID!) { publishWorkflow(id: $id, version: 1) { published } }"

    for query, variables, argument in (
        (publish, {"id": "a\x00b"}, "id"),
        (queries.CREATE, {"input": {"name": "ok", "title": "a\x00b"}}, "input.title"),
    ):
        (error,) = editor.call(query, **variables)["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT", error
        assert error["message"] == f"argument {argument} contains a NUL character"


def test_json_nested_too_deeply_is_refused_whether_body_or_literal(builder: Builder) -> None:
    editor = builder.tenant().editor
    deep_body = '{"query": "{ serviceInfo { version } }", "variables": ' + "[" * 1000 + "]" * 1000
    # Inside the query text the guard cannot count it; the argument check does.
    params = "{a: " * 100 + "1" + "}" * 100
    spec = f'{{nodes: [{{id: "n", type: "sql", params: {params}}}]}}'

    refused = _post(builder, deep_body + "}", editor.token)
    error = editor.error(f"mutation {{ validateWorkflow(spec: {spec}) {{ code }} }}")

    assert refused.status_code == 422
    assert refused.json() == {
        "errors": [
            {
                "message": "the JSON body nests 1001 levels deep; the limit is 64 levels of "
                "arrays and objects",
                "extensions": {"code": "INVALID_INPUT"},
            }
        ]
    }
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["message"] == (
        "argument spec nests 103 levels deep; the limit is 64 levels of lists and objects"
    )


def test_a_body_past_the_size_limit_is_a_413(builder: Builder) -> None:
    editor = builder.tenant().editor
    limit = builder.runtime.settings.max_body_bytes
    body = json.dumps({"query": SEARCH, "variables": {"s": "x" * limit}})

    response = _post(builder, body, editor.token)

    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert f"limit of {limit:,} bytes" in error["message"]


def test_graphql_own_errors_do_not_echo_a_huge_value(builder: Builder) -> None:
    viewer = builder.tenant().viewer
    # The caller's mistake, so not masked; GraphQL's own message quotes the value it got.
    body = viewer.call("query($n: Int!) { workflows(first: $n) { nodes { id } } }", n="9" * 500_000)

    (error,) = body["errors"]
    assert error["message"].startswith("Variable '$n' has invalid value: Int cannot represent")
    assert len(error["message"]) < 1100
