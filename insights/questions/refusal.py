"""Questions about another tenant's data are refused as such, before anything is interpreted.

The compiler restricts every query to the caller's tenant anyway; refusing the question says so
plainly instead of answering "show globex's costs" with the caller's own costs.
"""

from __future__ import annotations

import re

from insights.questions.interpretation import QuestionContext
from insights.questions.lexicon import DIMENSION_PHRASES, METRIC_PHRASES, STOPWORDS
from insights.questions.tagging import LOOKUP as STATIC_WORDS
from insights.questions.tagging import normalise

_MANY_TENANTS = re.compile(
    r"\b(?:all|every|each|other|another|any|across|per|by|between|compare)\s+(?:the\s+)?"
    r"(?:tenants?|customers|companies|organi[sz]ations|accounts)\b"
    r"|\btenants\b|\beveryone'?s\b|\bsomeone else'?s\b"
)
_TENANT_NAMED = re.compile(
    r"\btenant\s+'?([a-z0-9][a-z0-9_\-]*)|\b([a-z0-9][a-z0-9_\-]*)'?s?\s+tenant\b"
)
_POSSESSIVE = re.compile(r"\b([a-z][a-z0-9_\-]*)'s\b")
# Possessives that are not names: "today's cost", "this week's runs", "it's".
_NOT_NAMES = {
    "today",
    "yesterday",
    "week",
    "month",
    "year",
    "quarter",
    "day",
    "it",
    "what",
    "that",
    "there",
    "who",
    "let",
    "here",
    "where",
    "how",
    "tier",
    "key",
    # The caller's own organisation, in words.
    "team",
    "company",
    "business",
    "department",
    "organisation",
    "organization",
    "org",
    "platform",
    "project",
    "group",
    "airloom",
}


def other_tenant_named(text: str, context: QuestionContext) -> str | None:
    """Why the question is refused, or None when it is only about the caller's own data."""
    caller = normalise(context.tenant)
    own = {normalise(str(v)) for values in context.names.values() for v in values}
    known_words = own | set(METRIC_PHRASES) | set(DIMENSION_PHRASES) | STOPWORDS | _NOT_NAMES

    def refuse(name: str | None) -> str:
        about = f" ('{name}' is not your tenant)" if name else ""
        return (
            f"Questions can only be about your own tenant, {context.tenant}{about}; "
            "other tenants' activity is never shown."
        )

    if _MANY_TENANTS.search(text):
        return refuse(None)
    for match in _TENANT_NAMED.finditer(text):
        name = normalise(match.group(1) or match.group(2) or "")
        if name and name not in {caller, "my", "our", "this", "the", "own", "your", "a"}:
            return refuse(name)
    words = normalise(text)
    for tenant in context.other_tenants:
        name = normalise(tenant)
        # A tenant called "cost" or "free" does not make every question about costs refused.
        if name in {caller} | own | known_words or name in STATIC_WORDS:
            continue
        if re.search(rf"\b{re.escape(name)}\b", words):
            return refuse(tenant)
    for match in _POSSESSIVE.finditer(text):
        name = normalise(match.group(1))
        if name != caller and name not in known_words:
            return refuse(name)
    return None
