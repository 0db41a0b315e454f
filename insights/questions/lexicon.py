"""The words questions use for the semantic layer's metrics, dimensions and time grains.

Each phrase maps to candidates in order of preference; the translator takes the first
candidate that makes a query the layer can answer with the rest of the question ("requests per
tier" are API calls, "requests per endpoint" endpoint invocations). Phrases are lower case, with
hyphens and underscores written as spaces, as the translator normalises questions.
"""

from __future__ import annotations

from dataclasses import dataclass

_LATENCY = ("latency_p95", "duration")
_BUSY = ("invocations", "runs", "api_calls")


@dataclass(frozen=True)
class Ranking:
    """A superlative ("most expensive") or a change ("got slower"): order plus a metric hint."""

    # desc: biggest first, asc: smallest first; worst/best: as the metric's good direction says
    direction: str
    metrics: tuple[str, ...] = ()


METRIC_PHRASES: dict[str, tuple[str, ...]] = {}


def _metric(candidates: tuple[str, ...] | str, *phrases: str) -> None:
    if isinstance(candidates, str):
        candidates = (candidates,)
    for phrase in phrases:
        METRIC_PHRASES[phrase] = candidates


_metric("runs", "runs", "run", "executions", "dag runs", "number of runs", "run count", "ran")
_metric("runs", "task runs", "task instances")
_metric(
    ("failures", "invocation_errors", "failed_deployments"),
    "failures",
    "failed runs",
    "failed",
    "fail",
    "failing",
    "failed tasks",
    "broke",
    "crashed",
    "runs failed",
    "runs that failed",
    "runs did fail",
)
_metric(
    "failure_rate",
    "failure rate",
    "fail rate",
    "failure ratio",
    "rate of failures",
    "rate of failure",
    "failure percentage",
    "percentage of failures",
    "percentage of runs failed",
    "percent failed",
    "share of failed runs",
    "percentage of failed runs",
    "percent of runs failed",
)
_metric(
    ("duration", "latency_avg"),
    "duration",
    "durations",
    "average duration",
    "mean duration",
    "avg duration",
    "run time",
    "runtime",
    "how long",
    "took",
    "time taken",
    "average runtime",
    "average run time",
    "average run duration",
)
_metric(
    "duration_p50",
    "median duration",
    "median run duration",
    "median runtime",
    "median run time",
    "p50 duration",
)
_metric(
    "duration_p95",
    "p95 duration",
    "95th percentile duration",
    "95th percentile run time",
    "p95 run time",
)
_metric(
    "cost",
    "cost",
    "costs",
    "spend",
    "spent",
    "spending",
    "bill",
    "expense",
    "expenses",
    "charges",
)
_metric("cost_per_run", "cost per run", "average cost per run", "cost of a run", "run cost")
_metric(
    "cost_per_prediction",
    "cost per prediction",
    "average cost per prediction",
    "cost of a prediction",
    "unit cost",
)
_metric("value", "value", "saved", "save", "savings", "worth", "benefit", "value delivered")
_metric("value", "returned", "business value")
_metric("roi", "roi", "return on investment", "return")
_metric("predictions", "predictions", "predicted rows", "rows predicted", "rows scored", "scored")
_metric("predictions", "predicted", "prediction count", "number of predictions")
_metric(
    ("invocations", "api_calls"),
    "requests",
    "invocations",
    "endpoint calls",
    "called",
    "calls to endpoints",
    "traffic",
    "predict requests",
    "prediction requests",
    "usage",
)
_metric(
    ("invocation_errors", "failures"),
    "errors",
    "failed requests",
    "endpoint errors",
    "request errors",
)
_metric(("error_rate", "failure_rate"), "error rate", "error ratio", "errors rate")
_metric(
    ("latency_avg", "duration"),
    "average latency",
    "mean latency",
    "avg latency",
    "average prediction latency",
    "average response time",
)
_metric(_LATENCY, "prediction latency", "inference latency", "serving latency")
_metric(("latency_p50",), "median latency", "p50 latency", "p50", "50th percentile latency")
_metric(
    ("latency_p95", "duration_p95"),
    "p95 latency",
    "p95",
    "95th percentile latency",
    "95th percentile",
)
_metric(_LATENCY, "latency", "latencies", "response time", "response times", "slow")
_metric(("latency_p99",), "p99 latency", "p99", "99th percentile latency", "tail latency")
_metric(
    ("api_calls", "invocations"),
    "api calls",
    "api requests",
    "calls",
    "api usage",
    "api traffic",
    "call volume",
)
_metric(
    "rate_limited",
    "429s",
    "429",
    "429 responses",
    "429 errors",
    "rate limited",
    "rate limited calls",
    "rate limit",
    "rate limits",
    "hit the rate limit",
    "hits the rate limit",
    "hitting the rate limit",
    "hit rate limits",
    "hits rate limits",
    "throttled",
    "rate limit hits",
    "too many requests",
    "throttled requests",
    "throttled calls",
    "rate limited requests",
    "requests rate limited",
    "calls rate limited",
)
_metric(
    "rate_limited_share",
    "share of calls rate limited",
    "rate limited share",
    "percentage rate limited",
    "share rate limited",
    "429 rate",
    "percentage of api calls rate limited",
    "percentage of calls rate limited",
    "share of api calls rate limited",
    "percent of api calls rate limited",
    "rate limit rate",
    "rate limited rate",
)
_metric("deployments", "deployments", "deploys", "deployed", "releases")
_metric("success_rate", "success rate", "successful share", "share of successful runs")
_metric(
    "failed_deployments",
    "failed deployments",
    "failed deploys",
    "deployment failures",
    "deployments failed",
    "deploys failed",
)
_metric("rollbacks", "rollbacks", "rolled back", "rollback")

DIMENSION_PHRASES: dict[str, tuple[str, ...]] = {}


def _dimension(candidates: tuple[str, ...] | str, *phrases: str) -> None:
    if isinstance(candidates, str):
        candidates = (candidates,)
    for phrase in phrases:
        DIMENSION_PHRASES[phrase] = candidates


_dimension("workflow", "workflow", "workflows", "pipeline", "pipelines", "dag", "dags", "flow")
_dimension("node_type", "node type", "node types", "node", "nodes", "step", "steps", "task type")
_dimension("task_id", "task", "tasks")
_dimension(("model", "endpoint"), "model", "models")
_dimension(("model_version", "workflow_version"), "version", "versions", "model version")
_dimension(("model_version", "workflow_version"), "model versions")
_dimension("workflow_version", "workflow version", "workflow versions")
_dimension(("endpoint", "model"), "endpoint", "endpoints", "serving endpoint", "serving endpoints")
_dimension("tier", "tier", "tiers", "plan", "plans", "key tier", "key tiers", "api tier")
_dimension("route", "route", "routes", "api route", "api routes", "path", "paths")
_dimension("service", "service", "services")
_dimension("status", "status", "status code", "status codes", "http status")
_dimension("method", "method", "http method", "methods")
_dimension("target", "target", "serving target", "targets")
_dimension("run_type", "run type", "run types", "trigger type")
_dimension("action", "action", "deployment action")
_dimension("state", "state", "states", "outcome")

# Values the contract fixes (docs/insights.md), named the way people say them. Only words
# that mean nothing else in a question: "get" and "post" are verbs more often than methods.
STATIC_NAMES: dict[str, tuple[str, str]] = {
    "successful": ("state", "success"),
    "succeeded": ("state", "success"),
    "scheduled": ("run_type", "scheduled"),
    "manual": ("run_type", "manual"),
    "manually triggered": ("run_type", "manual"),
    "backfill": ("run_type", "backfill"),
    "backfilled": ("run_type", "backfill"),
    "sagemaker": ("target", "sagemaker"),
}

GRAIN_PHRASES: dict[str, str] = {}
for _grain, _adverb in (("day", "daily"), ("week", "weekly"), ("month", "monthly")):
    for _phrase in (f"per {_grain}", f"by {_grain}", f"each {_grain}", f"every {_grain}", _adverb):
        GRAIN_PHRASES[_phrase] = _grain
    GRAIN_PHRASES[f"{_grain} by {_grain}"] = _grain
    GRAIN_PHRASES[f"per calendar {_grain}"] = _grain
# A series without a named grain is per day.
TREND_WORDS = {"over time", "trend", "trends", "evolution"}
GRAIN_PHRASES.update(dict.fromkeys(TREND_WORDS, "day"))
GRAIN_PHRASES["day to day"] = "day"

SUPERLATIVES: dict[str, Ranking] = {
    "most expensive": Ranking("desc", ("cost",)),
    "costliest": Ranking("desc", ("cost",)),
    "priciest": Ranking("desc", ("cost",)),
    "cheapest": Ranking("asc", ("cost",)),
    "least expensive": Ranking("asc", ("cost",)),
    "slowest": Ranking("desc", _LATENCY),
    "fastest": Ranking("asc", _LATENCY),
    "busiest": Ranking("desc", _BUSY),
    "most used": Ranking("desc", _BUSY),
    "most popular": Ranking("desc", _BUSY),
    "least used": Ranking("asc", _BUSY),
    "quietest": Ranking("asc", _BUSY),
    "least reliable": Ranking("desc", ("failure_rate", "error_rate")),
    "flakiest": Ranking("desc", ("failure_rate", "error_rate")),
    "most reliable": Ranking("asc", ("failure_rate", "error_rate")),
    "most valuable": Ranking("desc", ("value",)),
    "least valuable": Ranking("asc", ("value",)),
    "most profitable": Ranking("desc", ("roi",)),
    "best roi": Ranking("desc", ("roi",)),
    "worst roi": Ranking("asc", ("roi",)),
    "worst": Ranking("worst"),
    "best": Ranking("best"),
    "rank": Ranking("desc"),
    "ranked": Ranking("desc"),
    "ranking": Ranking("desc"),
    "most": Ranking("desc"),
    "highest": Ranking("desc"),
    "biggest": Ranking("desc"),
    "largest": Ranking("desc"),
    "greatest": Ranking("desc"),
    "top": Ranking("desc"),
    "least": Ranking("asc"),
    "lowest": Ranking("asc"),
    "fewest": Ranking("asc"),
    "smallest": Ranking("asc"),
    "bottom": Ranking("asc"),
}

# Words saying something changed against the period before: a comparison ranked by change.
CHANGES: dict[str, Ranking] = {
    "got slower": Ranking("desc", _LATENCY),
    "slower": Ranking("desc", _LATENCY),
    "got faster": Ranking("asc", _LATENCY),
    "faster": Ranking("asc", _LATENCY),
    "more expensive": Ranking("desc", ("cost",)),
    "cheaper": Ranking("asc", ("cost",)),
    "increased": Ranking("desc"),
    "went up": Ranking("desc"),
    "go up": Ranking("desc"),
    "grew": Ranking("desc"),
    "rose": Ranking("desc"),
    "jumped": Ranking("desc"),
    "decreased": Ranking("asc"),
    "went down": Ranking("asc"),
    "go down": Ranking("asc"),
    "dropped": Ranking("asc"),
    "fell": Ranking("asc"),
    "change": Ranking("desc"),
    "changed": Ranking("desc"),
}

# "How many API calls were rate limited": a count followed by what qualifies it is only the
# qualified count, unless the question joins them ("runs and failures").
COUNTS = {"runs", "api_calls", "invocations", "deployments"}
QUALIFIERS = {"failures", "rate_limited", "invocation_errors", "failed_deployments", "rollbacks"}
JOINERS = {"and", "plus", "&", "vs", "versus", "with"}

# Words that must be followed by what to break down by ("per key": Airloom has no keys).
BREAKDOWN_WORDS = {"per", "each", "every", "for each", "broken down by", "split by", "grouped by"}

# Words that put the dimension after them into the breakdown.
GROUPERS = {
    "by",
    "per",
    "for each",
    "each",
    "every",
    "across",
    "broken down by",
    "split by",
    "grouped by",
    "which",
    "what",
}

_STOPWORDS_TEXT = """
a about all am amount an and any api are as at be been being between break breakdown broken
business by came can cause caused chart come company compare compared could count curious
did do does doing down during each ever far figure figures for from generate generated
generating get gets getting give go got graph had handle handled happen happened has have
hit how i i'd i'm in interested into is it its just key keys kindly know let like list look
made make makes making many me much my need now number numbers of often on one ones only or
org organisation organization our out over overall per period periods please plot process
processed produce produced quick quickly receive received report run's see seen serve
served show so some statistics stats summary table take takes taking team tell than that
the their them there these this those through time times to total up us versus vs want was
we went were what whats which with wondering would you your
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
