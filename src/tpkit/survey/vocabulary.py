"""How survey questions and answers are worded, in the four languages, as data.

``data/survey/LANG.yaml`` holds, per language, the words that name a measure in a
question's header (``strong`` ones name it, ``weak`` ones only hint), the phrasings
that ask for a rating ("How would you rate …", "Come valuta …"), the labels of the
verbal answer scales, the answers that mean "does not apply", and the words that start
a spreadsheet's summary row. A header may be in any language, whatever the workbook's,
so lookups use all four files at once; tests check each file on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from tpkit.model import LANGUAGES
from tpkit.survey.measures import normalise_label

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader: 10× faster
STRONG, WEAK = 0.9, 0.5  # how sure a header's words make a measure, before its answers
RATING = 0.8  # "How would you rate [a touchpoint] …": a rating, its measure unnamed
UNNAMED_RATING = 0.6  # "How would you rate the following? — Packaging": of what?
NAME_ALONE = 0.75  # a header that is only a touchpoint's name: a rating of it


@cache
def vocabulary(language: str) -> dict[str, Any]:
    """One language's file as written."""
    text = files("tpkit").joinpath("data", "survey", f"{language}.yaml").read_text("utf-8")
    return yaml.load(text, Loader=_Loader)


@dataclass(frozen=True)
class HeaderMatch:
    """A measure named by a header: how strongly, and by which words."""

    measure: str
    strength: float
    words: tuple[str, ...]


def _phrases(words: list[str]) -> list[str]:
    return [key for key in (normalise_label(str(w)) for w in words) if key]


@cache
def _measure_phrases() -> dict[str, list[tuple[str, float]]]:
    """measure → (normalised phrase, strength), every language together, longest first."""
    found: dict[str, list[tuple[str, float]]] = {}
    for language in LANGUAGES:
        for measure, kinds in vocabulary(language)["measures"].items():
            for kind, strength in (("strong", STRONG), ("weak", WEAK)):
                for phrase in _phrases(kinds.get(kind, [])):
                    found.setdefault(measure, []).append((phrase, strength))
    return {m: sorted(set(p), key=lambda item: (-item[1], -len(item[0]))) for m, p in found.items()}


@cache
def _rating_phrases() -> tuple[str, ...]:
    phrases = {p for language in LANGUAGES for p in _phrases(vocabulary(language)["rating"])}
    return tuple(sorted(phrases, key=len, reverse=True))


def _contains(text: str, phrase: str) -> bool:
    return f" {phrase} " in text


def header_measures(header: str) -> list[HeaderMatch]:
    """Every measure a header's words name, strongest first (ties in the order of
    :data:`tpkit.survey.measures.MEASURES`)."""
    text = f" {normalise_label(header)} "
    matches = []
    for measure, phrases in _measure_phrases().items():
        hits = [(p, s) for p, s in phrases if _contains(text, p)]
        if hits:
            strength = max(s for _, s in hits)
            words = tuple(p for p, s in hits if s == strength)
            matches.append(HeaderMatch(measure, strength, words))
    return sorted(matches, key=lambda m: -m.strength)


def rating_phrase(header: str) -> str | None:
    """The rating phrasing a header uses ("how would you rate"), if any."""
    text = f" {normalise_label(header)} "
    return next((p for p in _rating_phrases() if _contains(text, p)), None)


@cache
def scale_labels() -> dict[str, dict[str, int]]:
    """Verbal scale → normalised label → the level it stands for, all languages."""
    labels: dict[str, dict[str, int]] = {}
    for language in LANGUAGES:
        for scale, by_level in vocabulary(language)["scales"].items():
            for level, texts in by_level.items():
                for label in _phrases(texts):
                    labels.setdefault(scale, {})[label] = int(level)
    return labels


@cache
def not_answered() -> frozenset[str]:
    """Normalised answers meaning "does not apply" or "don't know": blanks, not problems."""
    words = {w for language in LANGUAGES for w in _phrases(vocabulary(language)["not_answered"])}
    return frozenset(words)


@cache
def summary_words() -> frozenset[str]:
    """Normalised first cells of a summary row under the data ("Average", "Totale")."""
    words = {w for language in LANGUAGES for w in _phrases(vocabulary(language)["summary_rows"])}
    return frozenset(words)
