"""Every threshold the detectors use, named once, each with why it has its value.

The aim is few, trustworthy insights: a finding must be unusual against the subject's own
history (a robust z-score), large enough to matter (a minimum ratio and a minimum absolute
change) and backed by enough activity (a minimum volume). All three must hold.
"""

from __future__ import annotations

from datetime import timedelta

# --- Robust statistics -------------------------------------------------------------------
# MAD * 1.4826 estimates the standard deviation of normally distributed data, so a robust
# z-score reads like an ordinary one while one past outlier cannot inflate the spread.
MAD_TO_SIGMA = 1.4826
# Iglewicz & Hoaglin's recommended cut-off for modified z-scores: beyond 3.5 a point is an
# outlier. Lower cut-offs let ordinary weekly noise through as insights.
ROBUST_Z = 3.5
# A perfectly regular history has a MAD of zero, which would make any wobble infinitely
# unusual: the spread is never taken as less than this share of the median.
MIN_RELATIVE_SPREAD = 0.05

# --- Week over week (runs) -----------------------------------------------------------------
# The usual week is the median of up to this many complete weeks before the week analysed:
# two months smooths one-off weeks without reaching back to a different workload.
BASELINE_WEEKS = 8
# With fewer complete weeks of history a median says little: no jump is judged.
MIN_BASELINE_WEEKS = 3
# A week with fewer finished runs than this is too small to compare (one slow run of two).
MIN_RUNS_PER_WEEK = 3
# A cost must grow by at least a third and by at least this many dollars: a $0.40 workflow
# costing $0.90 is a real ratio but not worth an owner's attention.
MIN_COST_RATIO = 1.3
MIN_COST_CHANGE_USD = 5.0
# The median run must take at least a third longer and at least a minute more.
MIN_DURATION_RATIO = 1.3
MIN_DURATION_CHANGE_S = 60.0

# --- Failure rates -------------------------------------------------------------------------
# A spike needs at least this many failed runs in the week (one failure in three runs is not
# a trend) and a failure rate at least this many points above the usual one.
MIN_FAILURES = 3
MIN_FAILURE_RATE_INCREASE = 0.15
# The usual rate is never taken as below this when judging how surprising the failures are:
# a workflow that never failed would otherwise make a single failure infinitely unlikely.
MIN_BASELINE_FAILURE_RATE = 0.02
# How many binomial standard deviations above the usual rate the week's failures must be.
FAILURE_Z = 3.0

# --- Latency after a deployment ------------------------------------------------------------
# Deployments this recent are judged: the refresh runs hourly, so a week keeps each one in
# view long enough for an owner to see it.
DEPLOYMENT_LOOKBACK = timedelta(days=7)
# Latency is compared over this long before the deployment and up to this long after it.
LATENCY_WINDOW = timedelta(days=7)
# Each side needs this many requests for a p95 to mean something (20 requests above it).
MIN_REQUESTS_EACH_SIDE = 400
# The p95 must grow by at least a quarter and by at least 20 ms: less is invisible to callers.
MIN_LATENCY_RATIO = 1.25
MIN_LATENCY_CHANGE_MS = 20.0
# Daily p95s before the deployment give the usual spread; the days after must sit beyond it.
MIN_DAYS_BEFORE = 3

# --- Endpoints without traffic -------------------------------------------------------------
# An endpoint idle this long while still deployed is worth a look (weekly jobs stay under it).
IDLE_DAYS = 7
# It must have served at least this many requests before: a fresh test endpoint is not news.
MIN_PAST_REQUESTS = 50

# --- Rate limits per tier ------------------------------------------------------------------
# Judged over the last week, the share of a tier's calls answered 429.
RATE_LIMIT_WINDOW = timedelta(days=7)
# One call in twenty refused is where callers notice; fewer is the limit doing its job.
MIN_RATE_LIMITED_SHARE = 0.05
# At least this many calls and 429s, so a handful of calls from one script is not a finding.
MIN_TIER_CALLS = 200
MIN_RATE_LIMITED_CALLS = 20

# --- Champion and challenger ---------------------------------------------------------------
# A challenger's metric must differ from the champion's by at least this share (relative)
# and this much (absolute), so rounding-level differences between two fits stay out.
MIN_MODEL_METRIC_RELATIVE_CHANGE = 0.05
MIN_MODEL_METRIC_ABSOLUTE_CHANGE = 0.01

# --- Ranking ---------------------------------------------------------------------------------
# Dollars and surprise are put on one 0..1 scale: each saturates (tanh) around these values,
# so a $100 jump and a z of 10 weigh about the same and neither grows without bound.
SCORE_DOLLARS = 100.0
SCORE_SURPRISE = 10.0
