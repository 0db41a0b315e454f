"""Question text → a Query, offline and deterministic, or "not understood" with the nearest
interpretations; never a made-up answer.

Steps: refuse questions about other tenants; take out the date and comparison phrases
(``dates``), "top 3" and "version 2"; tag the remaining words (``tagging``); then build the
query the tags describe, trying the lexicon's candidates in order until the semantic layer
accepts one. Every guess lowers the confidence; an unknown word lowers it below the line, so a
question with words the translator does not know is answered "not sure" with its best reading
rather than a confident wrong one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from insights.questions.dates import NUMBER_WORDS, find_comparison, find_range, number
from insights.questions.interpretation import (
    Interpretation,
    QuestionContext,
    Translation,
    interpret,
)
from insights.questions.lexicon import (
    BREAKDOWN_WORDS,
    COUNTS,
    JOINERS,
    METRIC_PHRASES,
    QUALIFIERS,
    STOPWORDS,
    TREND_WORDS,
    Ranking,
)
from insights.questions.periods import midnight, utc_naive
from insights.questions.query import Filter, Query, TimeRange
from insights.questions.refusal import other_tenant_named
from insights.questions.semantic import METRICS
from insights.questions.tagging import Tag, normalise, tagger_for

CONFIDENT = 0.8
UNKNOWN_WORD_PENALTY = 0.5
DEFAULT_TOP = 5
_COUNT = r"(\d{1,3}|" + "|".join(w for w in NUMBER_WORDS if w not in ("a", "an")) + ")"


@dataclass
class _Reading:
    """What the question says, before it is checked against the semantic layer."""

    metrics: list[tuple[str, ...]] = field(default_factory=list)
    group_by: list[tuple[str, ...]] = field(default_factory=list)
    singular_group: bool = False
    grain: str | None = None
    entities: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    version: str | None = None
    time_range: TimeRange | None = None
    compare: bool = False
    ranking: Ranking | None = None
    change: Ranking | None = None
    limit: int | None = None
    confidence: float = 1.0
    unknown: list[str] = field(default_factory=list)


class OfflineTranslator:
    """The default translator: grammar plus fuzzy matching, no network, same answer every time."""

    def translate(self, question: str, context: QuestionContext) -> Translation:
        text = re.sub(r"[?!,;:()\"\u201c\u201d]", " ", question.lower().replace("\u2019", "'"))
        # "cost/workflow" is "cost per workflow"; a route ("/api/models") keeps its slashes.
        text = re.sub(r"(?<![\w/])([a-z]+)/([a-z]+)(?![\w/])", r"\1 per \2", text)
        refused = other_tenant_named(text, context)
        if refused:
            return Translation(status="refused", message=refused)
        reading = self._read(text, context)
        candidates = list(_queries(reading))
        if candidates and reading.confidence >= CONFIDENT:
            best = interpret(candidates[0], reading.confidence)
            return Translation(status="understood", interpretation=best, message=best.text)
        alternatives = _nearest(reading, candidates, text)
        unknown = f" (did not understand: {', '.join(reading.unknown)})" if reading.unknown else ""
        message = "Not sure what this asks" + unknown + "."
        if alternatives:
            message += " Did you mean: " + alternatives[0].text + "?"
        return Translation(status="not_understood", alternatives=alternatives, message=message)

    def _read(self, text: str, context: QuestionContext) -> _Reading:
        reading = _Reading()
        now = utc_naive(context.now)
        tagger = tagger_for(context.names, ignore=[context.tenant])
        text = tagger.protect(text)
        comparison = find_comparison(text)
        if comparison:
            reading.compare = True
            text = _blank(text, comparison.start, comparison.end)
        found = find_range(text, now)
        if found:
            reading.time_range = found.range
            text = _blank(text, found.start, found.end)
        if find_range(text, now):
            reading.confidence *= 0.5  # two date phrases: which one is meant is a guess
        elif reading.compare and reading.time_range is None:
            reading.time_range = _current_period(comparison.unit, now)
            if reading.time_range is None:
                reading.confidence *= 0.6
        text = self._counts(text, reading)
        words = (t.removesuffix("'s").removesuffix("'") for t in normalise(text).split())
        tokens = [word for word in words if word]
        self._apply(_qualified_counts(tagger.tag(tokens), tokens), reading)
        if reading.change and reading.time_range is None:
            reading.time_range = _current_period("week", now)
            reading.confidence *= 0.85
        if reading.change:
            reading.compare = True
        return reading

    @staticmethod
    def _counts(text: str, reading: _Reading) -> str:
        """Take out "top 3", "the 5 slowest" and "version 2", noting what they ask."""
        top = re.search(rf"\b(top|bottom|first|last)\s+{_COUNT}\b", text)
        if top:
            reading.limit = number(top.group(2))
            direction = "asc" if top.group(1) == "bottom" else "desc"
            reading.ranking = Ranking(direction)
            text = _blank(text, top.start(), top.end())
        count = re.search(rf"\b{_COUNT}\s+(?=(?:most|least|highest|lowest|[a-z]+est)\b)", text)
        if count and reading.limit is None:
            reading.limit = number(count.group(1))
            text = _blank(text, count.start(), count.end())
        version = re.search(r"\b(?:version|v)\s*(\d+)\b", text)
        if version:
            reading.version = version.group(1)
            text = _blank(text, version.start(), version.end())
        return text

    @staticmethod
    def _apply(tags: list[Tag], reading: _Reading) -> None:
        entity_positions = {p for t in tags if t.kind == "entity" for p in (t.first, t.last)}
        for index, tag in enumerate(tags):
            reading.confidence *= tag.score if tag.kind != "unknown" else UNKNOWN_WORD_PENALTY
            if tag.kind == "metric":
                if tag.value not in reading.metrics:
                    reading.metrics.append(tag.value)  # type: ignore[arg-type]
            elif tag.kind == "dimension":
                near = {tag.first - 1, tag.last + 1, tag.first - 2, tag.last + 2}
                if near & entity_positions and _names_entity(tags, index):
                    continue
                reading.group_by.append(tag.value)  # type: ignore[arg-type]
                reading.singular_group = not tag.text.endswith("s")
            elif tag.kind == "grain":
                # "trend" asks for a series; a named grain ("weekly cost trend") says which.
                if tag.text not in TREND_WORDS or reading.grain is None:
                    reading.grain = tag.value  # type: ignore[assignment]
            elif tag.kind == "entity":
                pairs = _narrow(tag, tags, index)
                if len({name for _, name in pairs}) > 1:  # part of several names: ask back
                    reading.confidence *= UNKNOWN_WORD_PENALTY
                    reading.unknown.append(f"{tag.text} (which one?)")
                reading.entities.append(pairs)
            elif tag.kind == "superlative":
                reading.ranking = tag.value  # type: ignore[assignment]
                if tag.text == "top" and reading.limit is None:
                    reading.limit = DEFAULT_TOP
            elif tag.kind == "change":
                reading.change = tag.value  # type: ignore[assignment]
            elif tag.kind == "group" and tag.text in BREAKDOWN_WORDS:
                following = tags[index + 1].kind if index + 1 < len(tags) else None
                if following not in ("dimension", "grain", "entity"):
                    reading.confidence *= UNKNOWN_WORD_PENALTY  # "per key": per what?
                    reading.unknown.append(f"{tag.text} what")
            elif tag.kind == "unknown":
                reading.unknown.append(tag.text)
        hint = reading.change or reading.ranking
        if not reading.metrics and hint and hint.metrics:
            reading.metrics.append(hint.metrics)
            reading.confidence *= 0.9
        if reading.ranking and not reading.group_by:
            reading.confidence *= 0.6  # "most", "top" with nothing to rank: a guess
        if reading.ranking and reading.limit is None and reading.singular_group:
            reading.limit = 1
        if reading.change and reading.group_by and reading.limit is None and reading.singular_group:
            reading.limit = 1


def _qualified_counts(tags: list[Tag], tokens: list[str]) -> list[Tag]:
    """Drop a count that the next metric qualifies ("API calls were rate limited")."""
    kept: list[Tag] = []
    for index, tag in enumerate(tags):
        following = tags[index + 1] if index + 1 < len(tags) else None
        if (
            following is not None
            and tag.kind == following.kind == "metric"
            and tag.value[0] in COUNTS  # type: ignore[index]
            and following.value[0] in QUALIFIERS  # type: ignore[index]
            and not JOINERS & set(tokens[tag.last + 1 : following.first])
        ):
            continue
        kept.append(tag)
    return kept


def _names_entity(tags: list[Tag], index: int) -> bool:
    """Whether the dimension word at ``index`` just says what kind of thing a name beside it is."""
    dimensions = set(tags[index].value)  # type: ignore[call-overload]
    for neighbour in (index - 1, index + 1):
        if (
            0 <= neighbour < len(tags)
            and tags[neighbour].kind == "entity"
            and dimensions & {d for d, _ in tags[neighbour].value}  # type: ignore[attr-defined]
        ):
            return True
    return False


def _narrow(tag: Tag, tags: list[Tag], index: int) -> tuple[tuple[str, str], ...]:
    """A name known in several dimensions, narrowed by a dimension word beside it."""
    pairs: tuple[tuple[str, str], ...] = tag.value  # type: ignore[assignment]
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(tags) and tags[neighbour].kind == "dimension":
            named = set(tags[neighbour].value)  # type: ignore[call-overload]
            narrowed = tuple(p for p in pairs if p[0] in named)
            if narrowed:
                return narrowed
    return pairs


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _current_period(unit: str, now: datetime) -> TimeRange | None:
    """The period a bare comparison ("week over week") is about: this one so far."""
    today = now.date()
    tomorrow = midnight(today + timedelta(days=1))
    starts = {
        "day": today,
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
        "quarter": today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1),
        "year": today.replace(month=1, day=1),
    }
    if unit not in starts:
        return None
    return TimeRange(start=midnight(starts[unit]), end=tomorrow, label=f"this {unit}")


def _queries(reading: _Reading, limit: int = 200) -> itertools.islice[Query]:
    """Every query the reading may mean that the layer accepts, most likely first."""
    return itertools.islice(_all_queries(reading), limit)


def _all_queries(reading: _Reading):  # type: ignore[no-untyped-def]
    if not reading.metrics:
        return
    versions = _version_dimensions(reading)
    ranking = reading.change if reading.change and reading.group_by else reading.ranking
    for metrics, group_by, entities, version in itertools.product(
        itertools.product(*reading.metrics),
        itertools.product(*reading.group_by),
        itertools.product(*reading.entities),
        versions,
    ):
        values: dict[str, list[str]] = {}
        for dimension, name in entities:
            values.setdefault(dimension, []).append(name)
        if version:
            values.setdefault(version[0], []).append(reading.version or "")
        # Two names of one kind ("churn vs fraud-detection") are compared side by side.
        compared = tuple(d for d, v in values.items() if len(v) > 1 and d not in group_by)
        try:
            yield Query(
                metrics=tuple(dict.fromkeys(metrics)),
                group_by=tuple(dict.fromkeys(group_by + compared)),
                grain=reading.grain,  # type: ignore[arg-type]
                time_range=reading.time_range,
                filters=tuple(Filter(dimension=d, values=tuple(v)) for d, v in values.items()),
                order=_direction(ranking, metrics[0]) if ranking and group_by else None,  # type: ignore[arg-type]
                limit=reading.limit if ranking and group_by else None,
                compare_previous=reading.compare,
                rank_by="change" if reading.change and group_by else "value",
            )
        except ValidationError:
            continue


def _direction(ranking: Ranking, metric: str) -> str:
    """desc or asc; "worst" and "best" depend on whether more of the metric is good."""
    if ranking.direction in ("desc", "asc"):
        return ranking.direction
    good = "desc" if METRICS[metric].higher_is_better else "asc"
    return good if ranking.direction == "best" else {"desc": "asc", "asc": "desc"}[good]


def _version_dimensions(reading: _Reading) -> list[tuple[str, ...]]:
    """What "version 3" is a version of: a named workflow's, a named model's or endpoint's."""
    if not reading.version:
        return [()]
    named = {d for pairs in reading.entities for d, _ in pairs}
    if "workflow" in named and not named & {"model", "endpoint"}:
        return [("workflow_version",)]
    if named & {"model", "endpoint"} and "workflow" not in named:
        return [("model_version",)]
    return [("model_version",), ("workflow_version",)]


def _nearest(reading: _Reading, candidates: list[Query], text: str) -> list[Interpretation]:
    """Up to three readings to offer back when the question is not understood."""
    confidence = min(reading.confidence, CONFIDENT - 0.01)
    offers = [interpret(q, confidence) for q in candidates[:3]]
    if offers:
        return offers
    # No reading the layer accepts: the metrics the question named, then those whose phrases
    # are closest to its words, each with as much of the rest of the question as fits.
    content = " ".join(w for w in normalise(text).split() if w not in STOPWORDS)
    ranked = process.extract(content, list(METRIC_PHRASES), scorer=fuzz.WRatio, limit=None)
    named = [m for candidates in reading.metrics for m in candidates]
    metrics = list(dict.fromkeys(named + [METRIC_PHRASES[phrase][0] for phrase, _, _ in ranked]))
    for metric in metrics:
        found = None
        for keep_names, keep_groups in ((True, True), (False, True), (False, False)):
            relaxed = _Reading(
                metrics=[(metric,)],
                time_range=reading.time_range,
                grain=reading.grain,
                group_by=reading.group_by if keep_groups else [],
                entities=reading.entities if keep_names else [],
            )
            found = next(iter(_queries(relaxed, 20)), None)
            if found and (keep_names or not reading.entities or len(offers) >= 2):
                break
            found = None
        if found:
            offers.append(interpret(found, min(confidence, 0.5)))
        if len(offers) == 3:
            break
    return offers
