"""The offline translator: what it understands, how it says so, and what it will not guess."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.questions.compiler import compile_query
from insights.questions.llm import ModelTranslator
from insights.questions.query import Query, QueryError, parse_query
from insights.questions.translator import OfflineTranslator, QuestionContext

CONTEXT = QuestionContext(
    tenant="acme",
    now=datetime(2026, 12, 3, 8),
    names={
        "workflow": ["churn", "fraud-detection"],
        "endpoint": ["churn-scorer", "fraud-api"],
        "model": ["churn-model"],
        "tier": ["free", "pro", "enterprise"],
    },
    other_tenants=["globex"],
)


def understood(question: str) -> tuple[Query, str, str]:
    answer = OfflineTranslator().translate(question, CONTEXT)
    assert answer.status == "understood", answer.message
    assert answer.interpretation is not None
    reading = answer.interpretation
    return reading.query, reading.text, reading.chart


def test_the_interpretation_in_words_spells_out_the_days() -> None:
    query, text, chart = understood("Cost per workflow, last week")
    assert text == "Cost per workflow, last week (Mon 23 Nov \u2013 Sun 29 Nov 2026)"
    assert (query.metrics, query.group_by, chart) == (("cost",), ("workflow",), "bar")


def test_charts_suit_the_answer() -> None:
    assert understood("runs per day this month")[2] == "line"
    assert understood("runs by workflow this month")[2] == "bar"
    assert understood("runs this month")[2] == "number"


def test_names_are_the_callers_own_and_tell_apart_what_they_name() -> None:
    query, text, _ = understood("what did the churn workflow cost last month")
    assert [(f.dimension, f.values) for f in query.filters] == [("workflow", ("churn",))]
    assert "workflow 'churn'" in text
    query, _, _ = understood("p99 latency of churn-scorer yesterday")
    assert [(f.dimension, f.values) for f in query.filters] == [("endpoint", ("churn-scorer",))]
    query, _, _ = understood("how often did free-tier keys hit the rate limit")
    assert query.metrics == ("rate_limited",)
    assert [(f.dimension, f.values) for f in query.filters] == [("tier", ("free",))]


def test_a_word_means_what_the_rest_of_the_question_allows() -> None:
    # "requests" per endpoint are serving invocations, per tier they are API calls.
    assert understood("requests per endpoint last week")[0].metrics == ("invocations",)
    assert understood("requests per tier last week")[0].metrics == ("api_calls",)


def test_which_endpoint_got_slower_ranks_endpoints_by_their_change() -> None:
    query, text, _ = understood("Which endpoint got slower this week?")
    assert query.compare_previous and query.rank_by == "change"
    assert (query.group_by, query.order, query.limit) == (("endpoint",), "desc", 1)
    assert "compared with Mon 23 Nov \u2013 Thu 26 Nov 2026" in text


def test_typos_and_other_forms_of_a_word_are_forgiven() -> None:
    assert understood("lantency per endpoint last week")[0].metrics == ("latency_p95",)
    assert understood("which workflow fails the most")[0].metrics == ("failures",)
    # "-ing" is not stripped: the billing workflow is not a bill.
    billing = OfflineTranslator().translate("cost of the billing workflow", CONTEXT)
    assert billing.status == "not_understood"


@pytest.mark.parametrize(
    "question",
    ["what's the weather in Paris", "revenue per customer last month", "hello", ""],
)
def test_unknown_questions_are_not_answered_but_offered_nearest_readings(question: str) -> None:
    answer = OfflineTranslator().translate(question, CONTEXT)
    assert answer.status == "not_understood"
    assert answer.interpretation is None
    assert "Not sure" in answer.message
    assert all(a.confidence < 0.8 for a in answer.alternatives)


def test_an_unknown_word_makes_a_likely_reading_an_offer_not_an_answer() -> None:
    answer = OfflineTranslator().translate("cost of the billing workflow last week", CONTEXT)
    assert answer.status == "not_understood"
    assert "billing" in answer.message
    assert answer.alternatives and answer.alternatives[0].query.metrics == ("cost",)


def test_the_same_question_gets_the_same_answer() -> None:
    first = OfflineTranslator().translate("top 3 workflows by cost since March", CONTEXT)
    again = OfflineTranslator().translate("top 3 workflows by cost since March", CONTEXT)
    assert first == again


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"metrics": ["revenue"]}, "metrics: unknown metric 'revenue'"),
        ({"metrics": ["cost"], "group_by": ["tier"]}, "cannot be broken down or filtered by tier"),
        ({"metrics": ["cost", "latency_p95"]}, "ask for them separately"),
        ({"metrics": ["cost"], "compare_previous": True}, "a comparison needs a time range"),
        ({"metrics": ["cost"], "group_by": ["workflow"], "limit": 3}, "needs an order"),
        (
            {
                "metrics": ["cost"],
                "group_by": ["workflow"],
                "grain": "day",
                "order": "desc",
                "limit": 3,
            },
            "cannot be split by a time grain",
        ),
        ({"metrics": ["cost"], "tenant": "globex"}, "tenant: Extra inputs are not permitted"),
        (
            {"metrics": ["runs"], "time_range": {"start": "2026-12-02", "end": "2026-12-01"}},
            "is not before end",
        ),
    ],
)
def test_bad_queries_say_what_and_where(data: dict, where: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(QueryError, match=where):
        parse_query(data)


class ScriptedModel:
    """A stand-in language model that answers with a fixed JSON text."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.prompts: list[str] = []

    def complete(self, prompt: str, schema: dict[str, object]) -> str:
        self.prompts.append(prompt)
        assert schema["title"] == "Query"
        return self.answer


def test_a_models_query_is_validated_before_it_runs() -> None:
    good = json.dumps({"metrics": ["cost"], "group_by": ["workflow"]})
    answer = ModelTranslator(ScriptedModel(good)).translate("cost per workflow", CONTEXT)
    assert answer.status == "understood" and answer.interpretation is not None
    assert answer.interpretation.text == "Cost per workflow, all time"

    made_up = json.dumps(
        {"metrics": ["cost"], "filters": [{"dimension": "workflow", "values": ["x"]}]}
    )
    answer = ModelTranslator(ScriptedModel(made_up)).translate("cost of x", CONTEXT)
    assert answer.status == "not_understood" and "workflow x is not one of yours" in answer.message

    other = {"metrics": ["cost"], "filters": [{"dimension": "tenant", "values": ["globex"]}]}
    answer = ModelTranslator(ScriptedModel(json.dumps(other))).translate("cost", CONTEXT)
    assert answer.status == "not_understood" and "tenant can only be your own" in answer.message

    for bad in ("not json", json.dumps({"metrics": ["cost"], "sql": "DROP TABLE runs"})):
        answer = ModelTranslator(ScriptedModel(bad)).translate("cost", CONTEXT)
        assert answer.status == "not_understood" and "invalid query" in answer.message


def test_a_model_is_not_asked_about_another_tenant() -> None:
    model = ScriptedModel(json.dumps({"metrics": ["cost"]}))
    answer = ModelTranslator(model).translate("show globex's costs", CONTEXT)
    assert answer.status == "refused" and model.prompts == []


LONG_NAMES = QuestionContext(
    tenant="acme",
    now=datetime(2026, 12, 3, 8),
    names={
        "workflow": ["daily-sales-report", "customer-churn", "churn-retraining"],
        "endpoint": ["fraud-scoring"],
    },
)


def test_part_of_one_name_is_that_name() -> None:
    answer = OfflineTranslator().translate("runs of the sales report this month", LONG_NAMES)
    assert answer.status == "understood" and answer.interpretation is not None
    filters = answer.interpretation.query.filters
    assert [(f.dimension, f.values) for f in filters] == [("workflow", ("daily-sales-report",))]
    # "daily" alone would be a time grain: the whole name wins over its first word.
    whole = OfflineTranslator().translate("cost of the daily sales report", LONG_NAMES)
    assert whole.interpretation is not None and whole.interpretation.query.grain is None


def test_part_of_several_names_is_asked_back_with_each_of_them() -> None:
    answer = OfflineTranslator().translate("how much did churn cost last month", LONG_NAMES)
    assert answer.status == "not_understood"
    assert "churn (which one?)" in answer.message
    offered = {a.query.filters[0].values[0] for a in answer.alternatives}
    assert offered == {"customer-churn", "churn-retraining"}


_VOCABULARY = (
    "cost runs latency per by top 3 last week since march 31 february the 0 days of churn "
    "globex's tenant and vs compared with previous month q4 9999 fraud-api 's ' ; drop"
)
WORDS = st.sampled_from(_VOCABULARY.split())


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=12))
def test_any_text_gets_an_answer_and_every_reading_compiles(words: list[str]) -> None:
    answer = OfflineTranslator().translate(" ".join(words), CONTEXT)
    readings = [answer.interpretation] if answer.interpretation else answer.alternatives
    assert (answer.status == "understood") == (answer.interpretation is not None)
    for reading in readings:
        assert reading is not None
        compiled = compile_query(reading.query, tenant="acme")
        assert compiled.parameters["tenant"] == "acme"


ODD_NAMES = QuestionContext(
    tenant="acme",
    now=datetime(2026, 12, 3, 8),
    names={"workflow": ["churn-v2", "q3-report", "report"], "endpoint": ["top-3-api"]},
)


@pytest.mark.parametrize(
    ("question", "dimension", "name"),
    [
        ("runs of churn-v2 last week", "workflow", "churn-v2"),  # not "version 2"
        ("cost of the q3 report workflow in november", "workflow", "q3-report"),  # not Q3
        ("latency of top-3-api today", "endpoint", "top-3-api"),  # not a top 3
        ("cost of the report workflow", "workflow", "report"),  # a common word beside its kind
    ],
)
def test_names_that_look_like_grammar_stay_names(question: str, dimension: str, name: str) -> None:
    answer = OfflineTranslator().translate(question, ODD_NAMES)
    assert answer.interpretation is not None, answer.message
    query = answer.interpretation.query
    assert [(f.dimension, f.values) for f in query.filters] == [(dimension, (name,))]
    assert query.limit is None


def test_a_name_that_is_a_common_word_is_only_that_word_elsewhere() -> None:
    answer = OfflineTranslator().translate("show the report of cost per workflow", ODD_NAMES)
    assert answer.interpretation is not None
    assert answer.interpretation.query.filters == ()
