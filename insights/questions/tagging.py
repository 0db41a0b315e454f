"""A question's words → tags: which phrases name metrics, dimensions, grains, rankings or the
caller's own workflows, endpoints and models, and which words were not understood.

Longest phrase first, exact before fuzzy; fuzzy matching (rapidfuzz) forgives typos and
inflections ("deploy" for "deploys", "lantency") but only above a high score, and never for
short words, where one letter changes the meaning.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from insights.questions.lexicon import (
    CHANGES,
    DIMENSION_PHRASES,
    GRAIN_PHRASES,
    GROUPERS,
    METRIC_PHRASES,
    STATIC_NAMES,
    STOPWORDS,
    SUPERLATIVES,
)

FUZZY_CUTOFF = 86.0
MIN_FUZZY_LENGTH = 5
LONGEST_PHRASE = 6
PARTIAL_NAME_SCORE = 0.9
INFLECTED_SCORE = 0.95

STATIC_KINDS: tuple[tuple[str, Mapping[str, object]], ...] = (
    ("metric", METRIC_PHRASES),
    ("grain", GRAIN_PHRASES),
    ("change", CHANGES),
    ("superlative", SUPERLATIVES),
    ("dimension", DIMENSION_PHRASES),
    ("group", dict.fromkeys(GROUPERS, True)),
)


@dataclass(frozen=True)
class Tag:
    """What a run of tokens means.

    :param kind: metric, dimension, grain, superlative, change, group, entity or unknown.
    :param value: the lexicon's value (metric candidates, a Ranking, …); for an entity a tuple
        of (dimension, name) candidates.
    :param score: how closely the words matched (1.0 exact).
    """

    kind: str
    value: object
    first: int
    last: int
    text: str
    score: float = 1.0


def _static_lookup() -> dict[str, tuple[str, object]]:
    lookup: dict[str, tuple[str, object]] = {}
    for kind, phrases in STATIC_KINDS:
        for phrase, value in phrases.items():
            lookup.setdefault(phrase, (kind, value))
    return lookup


LOOKUP = _static_lookup()
FUZZY_STATIC = [phrase for phrase in LOOKUP if len(phrase) >= MIN_FUZZY_LENGTH]


def normalise(text: str) -> str:
    """Lower case, hyphens and underscores as spaces: how phrases and names are compared."""
    return re.sub(r"[\s_\-]+", " ", text.lower()).strip()


def entity_phrases(names: Mapping[str, Collection[str]]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each known name, normalised → the (dimension, name) pairs it may mean."""
    phrases: dict[str, list[tuple[str, str]]] = {}
    for dimension, values in names.items():
        for value in values:
            phrases.setdefault(normalise(str(value)), []).append((dimension, str(value)))
    return {phrase: tuple(pairs) for phrase, pairs in phrases.items()}


def partial_names(
    entities: Mapping[str, tuple[tuple[str, str], ...]],
) -> dict[str, tuple[tuple[str, str], ...]]:
    """Words that are part of known names ("churn" of "customer churn") → those names. When
    several names share the words, the translator asks back rather than guesses."""
    runs: dict[str, set[tuple[str, str]]] = {}
    for phrase, pairs in entities.items():
        tokens = phrase.split()
        for length in range(1, len(tokens)):
            for start in range(len(tokens) - length + 1):
                run = " ".join(tokens[start : start + length])
                if run in LOOKUP or run in STOPWORDS or run in entities or len(run) < 3:
                    continue
                runs.setdefault(run, set()).update(pairs)
    return {run: tuple(sorted(pairs)) for run, pairs in runs.items()}


def tagger_for(names: Mapping[str, Collection[str]], ignore: Collection[str] = ()) -> Tagger:
    """The Tagger for these names, built once and reused while they stay the same."""
    key = tuple(sorted((d, tuple(sorted(map(str, v)))) for d, v in names.items()))
    return _tagger(key, tuple(sorted(ignore)))


@lru_cache(maxsize=32)
def _tagger(names: tuple[tuple[str, tuple[str, ...]], ...], ignore: tuple[str, ...]) -> Tagger:
    return Tagger(dict(names), ignore)


class Tagger:
    """Tags for one caller: the static lexicon plus that tenant's own names. Built once per set
    of names (``tagger_for``) and never changed after, so one serves every question."""

    def __init__(self, names: Mapping[str, Collection[str]], ignore: Collection[str] = ()) -> None:
        # The tenant's own names first; the contract's fixed values where no name is the same.
        self.entities = {
            **{phrase: (pair,) for phrase, pair in STATIC_NAMES.items()},
            **entity_phrases(names),
        }
        self.partials = partial_names(self.entities)
        self.ignore = {normalise(word) for word in ignore}
        self.lookup = LOOKUP
        self.fuzzy_choices = [
            *FUZZY_STATIC,
            *(p for p in self.entities if len(p) >= MIN_FUZZY_LENGTH),
        ]
        # Names of several words or with digits, by their first word, longest first.
        self.placeholders: dict[str, tuple[tuple[str, str], ...]] = {}
        self.protected: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for index, phrase in enumerate(sorted(self.entities, key=len, reverse=True)):
            if " " in phrase or any(c.isdigit() for c in phrase):
                placeholder = f"airloomname{index}"
                self.placeholders[placeholder] = self.entities[phrase]
                words = tuple(phrase.split())
                self.protected.setdefault(words[0], []).append((words, placeholder))

    def protect(self, text: str) -> str:
        """Names of several words or with digits ("churn-v2", "q3 report") as one placeholder
        word each, before the date and count grammar could read "v2" or "q3" in them."""
        words = [
            (m.start(), m.end(), m.group().removesuffix("'s"))
            for m in re.finditer(r"[^\s_\-]+", text)
        ]
        pieces: list[str] = []
        done = index = 0
        while index < len(words):
            for name, placeholder in self.protected.get(words[index][2], ()):
                if tuple(w for _, _, w in words[index : index + len(name)]) == name:
                    pieces += [text[done : words[index][0]], f" {placeholder} "]
                    done = words[index + len(name) - 1][1]
                    index += len(name)
                    break
            else:
                index += 1
        return "".join([*pieces, text[done:]])

    def _exact(self, phrase: str) -> tuple[str, object] | None:
        if phrase in self.placeholders:
            return ("entity", self.placeholders[phrase])
        if phrase in STOPWORDS and " " not in phrase:
            return self.lookup.get(phrase)  # a name like "the" or "report" is only its word
        if phrase in self.entities and (" " in phrase or phrase not in self.lookup):
            return ("entity", self.entities[phrase])
        if phrase in self.lookup:
            return self.lookup[phrase]
        if phrase in self.entities:
            return ("entity", self.entities[phrase])
        return None

    def _fuzzy(self, phrase: str) -> tuple[str, object, float] | None:
        words = phrase.split()
        if len(phrase) < MIN_FUZZY_LENGTH or words[0] in STOPWORDS or words[-1] in STOPWORDS:
            return None  # "the most expensive" is "the" + an exact phrase, not a near one
        best = process.extractOne(
            phrase, self.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if best is None:
            return None
        kind, value = self._exact(best[0]) or ("unknown", None)
        return kind, value, best[1] / 100.0

    def _common_word_name(self, tokens: list[str], position: int) -> Tag | None:
        """A name that is also a common word ("report") is that name only beside its kind
        ("the report workflow")."""
        word = tokens[position]
        if word not in STOPWORDS or word not in self.entities:
            return None
        pairs = self.entities[word]
        for neighbour in (position - 1, position + 1):
            kinds = (
                DIMENSION_PHRASES.get(tokens[neighbour], ()) if 0 <= neighbour < len(tokens) else ()
            )
            if {dimension for dimension, _ in pairs} & set(kinds):
                return Tag("entity", pairs, position, position, word)
        return None

    def _inflected(self, word: str, position: int) -> Tag | None:
        """One word in another form of a lexicon word ("fails" for "fail", "deploy" for
        "deploys"), tried before fuzzy matching, which does not touch short words."""
        if word in STOPWORDS:
            return None
        stems = [word[: -len(end)] for end in ("es", "ed", "s") if word.endswith(end)]
        for variant in [*stems, word + "s", word + "ed"]:
            if len(variant) >= 3 and variant in self.lookup:
                kind, value = self.lookup[variant]
                return Tag(kind, value, position, position, word, INFLECTED_SCORE)
        return None

    def _partial(self, tokens: list[str], position: int) -> Tag | None:
        for length in range(min(3, len(tokens) - position), 0, -1):
            phrase = " ".join(tokens[position : position + length])
            if phrase in self.partials:
                pairs = self.partials[phrase]
                last = position + length - 1
                return Tag("entity", pairs, position, last, phrase, PARTIAL_NAME_SCORE)
        return None

    def _longest_exact(self, tokens: list[str], position: int) -> Tag | None:
        for length in range(min(LONGEST_PHRASE, len(tokens) - position), 0, -1):
            phrase = " ".join(tokens[position : position + length])
            exact = self._exact(phrase)
            if exact:
                return Tag(exact[0], exact[1], position, position + length - 1, phrase)
        return None

    def _nearest(self, tokens: list[str], position: int) -> Tag | None:
        for length in range(min(3, len(tokens) - position), 0, -1):
            phrase = " ".join(tokens[position : position + length])
            fuzzy = self._fuzzy(phrase)
            if fuzzy:
                kind, value, score = fuzzy
                return Tag(kind, value, position, position + length - 1, phrase, score)
        return None

    def _match(self, tokens: list[str], position: int) -> Tag | None:
        """What the words from ``position`` on mean: the surest kind of match first."""
        return (
            self._common_word_name(tokens, position)
            or self._longest_exact(tokens, position)
            or self._partial(tokens, position)
            or self._inflected(tokens[position], position)
            or self._nearest(tokens, position)
        )

    def tag(self, tokens: list[str]) -> list[Tag]:
        """Tags covering the tokens left to right (stopwords dropped, unknown words kept)."""
        tags: list[Tag] = []
        position = 0
        while position < len(tokens):
            found = self._match(tokens, position)
            if found is None:
                word = tokens[position]
                if word not in STOPWORDS and word not in self.ignore:
                    tags.append(Tag("unknown", None, position, position, word, 0.0))
                position += 1
                continue
            tags.append(found)
            position = found.last + 1
        return tags
