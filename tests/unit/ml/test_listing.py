"""A model's listing fields, as the nodes that register models take them: each wrong one is
named, with what it must be, before anything reaches the registry."""

from __future__ import annotations

import pytest

from airloom import model_tags
from airloom.catalog.params import params_problems
from airloom.ml.listing import ModelListing
from airloom.operators.mlflow import TrainParams
from airloom.operators.retrieval import TrainEmbedderParams

TRAIN = {"estimator": "random_forest_regressor", "target": "units", "registered_model_name": "m"}


def _problems(params_model, values, **options) -> dict[str, str]:
    return {p.field: p.message for p in params_problems(params_model, values, **options)}


def test_only_the_fields_given_become_registered_model_tags() -> None:
    listing = ModelListing(task="forecasting", licence="MIT OR Apache-2.0", owner=" Planning ")

    assert listing.tags() == {
        model_tags.TASK: "forecasting",
        model_tags.LICENCE: "MIT OR Apache-2.0",
        model_tags.OWNER: "Planning",
    }
    assert ModelListing().is_empty() and not ModelListing(description="x").is_empty()


@pytest.mark.parametrize(
    ("listing", "field", "message"),
    [
        ({"task": "classifier"}, "listing.task", "'classification', 'regression', 'forecasting'"),
        ({"licence": "free for all"}, "listing.licence", "SPDX licence identifier"),
        ({"licence": "x" * 101}, "listing.licence", "at most 100 characters"),
        ({"industry": "retail\nsmuggled"}, "listing.industry", "one line of text"),
        ({"owner": "  "}, "listing.owner", "at least 1 character"),
        ({"description": "hi\x00"}, "listing.description", "no control characters"),
        ({"description": "d" * 5001}, "listing.description", "at most 5000 characters"),
        ({"stage": "prod"}, "listing.stage", "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_listing_field_is_named_with_what_it_must_be(listing, field, message) -> None:
    problems = _problems(TrainParams, {**TRAIN, "listing": listing}, strict=True)

    assert list(problems) == [field]
    assert message in problems[field]


def test_a_listing_task_must_fit_the_estimator_the_node_trains() -> None:
    classification = {**TRAIN, "listing": {"task": "classification"}}
    wrong = _problems(TrainParams, classification)
    assert wrong == {
        "listing.task": "'classification' needs a classification estimator; "
        "'random_forest_regressor' is regression"
    }
    assert not _problems(TrainParams, {**TRAIN, "listing": {"task": "forecasting"}})
    # A DAG file parses without scikit-learn: the task checks when it runs.
    assert not _problems(TrainParams, classification, at_parse=True)


def test_an_embedders_listing_task_is_embedding() -> None:
    values = {"registered_model_name": "e", "listing": {"task": "regression"}}

    assert _problems(TrainEmbedderParams, values) == {
        "listing.task": "an embedder's task is 'embedding', not 'regression'"
    }
    assert not _problems(TrainEmbedderParams, {**values, "listing": {"owner": "Search"}})
