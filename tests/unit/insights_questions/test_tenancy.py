"""One tenant's questions never see another's data: whatever query the layer accepts, acme's
answer over the shared read model is the answer over acme's rows alone; questions naming
another tenant are refused, and another tenant's names mean nothing in acme's questions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from insights.questions.compiler import run_query
from insights.questions.query import Query, QueryError
from insights.questions.semantic import DIMENSIONS, METRICS
from insights.questions.translator import OfflineTranslator, QuestionContext
from tests.unit.insights_questions.read_model import read_model

ACME = QuestionContext(
    tenant="acme",
    now=datetime(2026, 12, 3, 8),
    names={"workflow": ["churn", "fraud-detection"], "endpoint": ["churn-scorer", "fraud-api"]},
    other_tenants=["globex"],
)
# Values both tenants use, and values only globex has: neither may bring globex's rows in.
VALUES = ["churn", "churn-scorer", "churn-model", "9", "secret-plan", "free", "429", "globex"]


@pytest.fixture(scope="module")
def shared():  # type: ignore[no-untyped-def]
    with read_model() as connection:
        yield connection


@pytest.fixture(scope="module")
def acme_only():  # type: ignore[no-untyped-def]
    with read_model(tenants={"acme"}) as connection:
        yield connection


@st.composite
def queries(draw: st.DrawFn) -> Query:
    start = datetime(2026, 11, 10) + timedelta(days=draw(st.integers(0, 20)))
    filters = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "dimension": st.sampled_from(sorted(DIMENSIONS)),
                    "values": st.lists(st.sampled_from(VALUES), min_size=1, max_size=2),
                }
            ),
            max_size=1,
        )
    )
    compare = draw(st.booleans())
    fields = {
        "metrics": draw(st.lists(st.sampled_from(sorted(METRICS)), min_size=1, max_size=2)),
        "group_by": draw(st.lists(st.sampled_from(sorted(DIMENSIONS)), max_size=1)),
        "grain": None if compare else draw(st.sampled_from([None, "day", "week"])),
        "time_range": draw(
            st.sampled_from([None, {"start": start, "end": start + timedelta(days=7)}])
        ),
        "filters": filters,
        "compare_previous": compare,
    }
    try:
        return Query(**fields)
    except ValidationError:
        fields.update(filters=[], group_by=[], compare_previous=False)
        fields["metrics"] = fields["metrics"][:1]
        return Query(**fields)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=queries())
def test_a_query_never_returns_another_tenants_rows(shared, acme_only, query: Query) -> None:  # type: ignore[no-untyped-def]
    try:
        alone = run_query(acme_only, query, "acme")
    except QueryError as refusal:  # a filter naming another tenant is refused outright
        assert "tenant can only be your own" in str(refusal)
        with pytest.raises(QueryError):
            run_query(shared, query, "acme")
        return
    assert run_query(shared, query, "acme") == alone


@pytest.mark.parametrize(
    "question",
    [
        "show globex's costs",
        "what did globex spend last month",
        "cost per tenant last week",
        "runs for tenant globex yesterday",
        "compare our latency with all tenants",
        "GLOBEX's ROI this year",
    ],
)
def test_questions_about_another_tenant_are_refused(question: str) -> None:
    answer = OfflineTranslator().translate(question, ACME)
    assert answer.status == "refused"
    assert "your own tenant, acme" in answer.message
    assert answer.interpretation is None and answer.alternatives == []


def test_a_tenant_named_like_a_common_word_does_not_block_questions() -> None:
    context = QuestionContext("acme", datetime(2026, 12, 3, 8), other_tenants=["cost", "daily"])
    answer = OfflineTranslator().translate("daily cost last week", context)
    assert answer.status == "understood"


def test_the_callers_own_name_is_not_another_tenant() -> None:
    answer = OfflineTranslator().translate("acme's cost last week", ACME)
    assert answer.status == "understood"


def test_another_tenants_workflow_name_means_nothing_to_acme(shared) -> None:  # type: ignore[no-untyped-def]
    answer = OfflineTranslator().translate("cost of the secret-plan workflow last week", ACME)
    assert answer.status == "not_understood"
    assert "secret" in answer.message
    # Even run, its nearest readings are acme's own figures: globex's 500 never appears.
    for reading in answer.alternatives:
        for row in run_query(shared, reading.query, "acme").rows:
            assert 500.0 not in row and 1000.0 not in row
