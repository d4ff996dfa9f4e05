"""Answer scales: which scale a column's answers are on, and what one answer is worth.

A scale is read from the answers themselves, never from the header alone: the distinct
texts of a column and how often each occurs (:class:`Answers`) say whether they are
numbers from 0 to 10, from 1 to 5 or 1 to 7, yes/no, the labels of a verbal scale
("Very satisfied", "Stimme eher zu") or free text. A measure is only proposed on a
scale its answers fit (:func:`fit`); :func:`best_scale` picks the one that fits a
measure best and says how sure the values make it. :func:`read_answer` turns one
distinct text into a score on a chosen scale, or says why it cannot be used; the
import calls it once per distinct text of a column, never once per cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from tpkit.i18n import t
from tpkit.survey.measures import MEASURES, normalise_label
from tpkit.survey.vocabulary import not_answered, scale_labels

FIT = 0.9  # share of a column's answers a scale must read for the column to be on it
FEW = 20  # below this many answers, a range that stops early proves little


@dataclass(frozen=True)
class Scale:
    """A way customers answer: a numeric range, a verbal scale, yes/no or free text."""

    name: str  # as a mapping file writes it
    low: int = 0
    high: int = 0
    labels: str = ""  # the vocabulary's label set read on it
    verbal: bool = False  # answered with labels (numbers within the range read too)

    @property
    def is_text(self) -> bool:
        return self.name == "text"

    @property
    def size(self) -> int:
        return self.high - self.low + 1


SCALES: dict[str, Scale] = {
    scale.name: scale
    for scale in (
        Scale("0-10", 0, 10, "likelihood"),  # NPS; tools may export its end labels alone
        Scale("1-10", 1, 10),
        Scale("1-7", 1, 7),
        Scale("1-5", 1, 5),
        Scale("satisfaction", 1, 5, "satisfaction", verbal=True),
        Scale("quality", 1, 5, "quality", verbal=True),  # Very poor … Very good
        Scale("quality-excellent", 1, 5, "quality5", verbal=True),  # Poor … Excellent
        Scale("agreement-5", 1, 5, "agreement5", verbal=True),
        Scale("agreement-7", 1, 7, "agreement7", verbal=True),
        Scale("yes-no", 0, 1, "yes_no", verbal=True),
        Scale("text"),
    )
}
# The scales each measure may be answered on. Answers are stored on the measure's own
# range (tpkit.survey.measures): a five-point CES item is spread over 1–7.
ACCEPTED: dict[str, tuple[str, ...]] = {
    "nps": ("0-10",),
    "csat": ("1-5", "satisfaction", "quality", "quality-excellent"),
    "contact": ("1-5", "quality", "quality-excellent", "satisfaction"),
    "process": ("1-5", "quality", "quality-excellent", "satisfaction"),
    "ces": ("1-7", "agreement-7", "1-5", "agreement-5"),
    "consent": ("yes-no",),
    "comment": ("text",),
    "channels": ("text",),
    "offers": ("text",),
}

Reason = Literal["empty", "not_a_number", "out_of_range"]
_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)(?=\s|$|[-–:()/])")
# "(1-5)", "1 to 7", "da 1 a 5", "von 0 bis 10", "de 1 à 5", "0–10" in a header
_RANGE_IN_HEADER = re.compile(
    r"(?<![\d.,])([01])\s*(?:-|–|—|to|a|à|bis|al|au|/)\s*(5|7|10)(?![\d.,])", re.IGNORECASE
)


def scale_key(name: str) -> str:
    """The catalogue key of a scale's name as a reader calls it."""
    return f"survey.scale.{name.replace('-', '_')}"


def scale_label(name: str, language: str | None = None) -> str:
    """A scale as a reader calls it: '0–10', 'satisfaction labels (5)'."""
    return t(scale_key(name), language)


def number_in(text: str) -> float | None:
    """The number a text is or leads with ('4', '4,5', '10 - Extremely likely')."""
    match = _LEADING_NUMBER.match(text)
    return float(match.group(1).replace(",", ".")) if match else None


def is_not_answered(text: str) -> bool:
    """'n/a', 'keine Angabe', 'non applicabile', '-': the question did not apply."""
    label = normalise_label(text)
    return not label or label in not_answered()


def read_answer(text: str | None, scale: Scale) -> tuple[float | None, Reason | None]:
    """The value one answer stands for on ``scale`` (its own range), or why it has none.

    A blank and an answer saying "does not apply" are both "empty": counted, not
    reported. A label of the scale, a number, or a number leading a label are read.
    """
    if text is None or not text.strip() or is_not_answered(text):
        return None, "empty"
    if scale.labels:
        level = scale_labels().get(scale.labels, {}).get(normalise_label(text))
        if level is not None:
            return float(level), None
    value = number_in(text)
    if value is None:
        return None, "not_a_number"
    if not scale.low <= value <= scale.high:
        return None, "out_of_range"
    return value, None


def stored_value(value: float, scale: Scale, measure: str) -> float:
    """A value on ``scale`` on the measure's own range: 1–5 spread linearly over 1–7."""
    spec = MEASURES[measure]
    if (scale.low, scale.high) == (spec.low, spec.high) or scale.is_text:
        return value
    return spec.low + (value - scale.low) * (spec.high - spec.low) / (scale.high - scale.low)


@dataclass(frozen=True)
class Answers:
    """A column's answers, counted once per distinct text (blank cells left out). Free
    text lists only its most frequent texts; the others are counted in ``unlisted``."""

    counts: Mapping[str, int]
    unlisted: int = 0

    @cached_property
    def answered(self) -> int:
        """Cells with an answer, not counting those that say the question did not apply."""
        listed = sum(n for text, n in self.counts.items() if not is_not_answered(text))
        return listed + self.unlisted

    @cached_property
    def numbers(self) -> dict[float, int]:
        found: dict[float, int] = {}
        for text, n in self.counts.items():
            value = number_in(text)
            if value is not None:
                found[value] = found.get(value, 0) + n
        return found

    @cached_property
    def numeric_share(self) -> float:
        """The share of answers that are numbers: a scale's, even if out of its range."""
        return sum(self.numbers.values()) / self.answered if self.answered else 0.0

    @cached_property
    def lowest(self) -> float | None:
        return min(self.numbers) if self.numbers else None

    @cached_property
    def highest(self) -> float | None:
        return max(self.numbers) if self.numbers else None

    def labelled(self, labels: str) -> dict[str, tuple[int, int]]:
        """Normalised label of ``labels`` found → (its level, how many cells)."""
        levels = scale_labels().get(labels, {})
        found: dict[str, tuple[int, int]] = {}
        for text, n in self.counts.items():
            label = normalise_label(text)
            if label in levels and number_in(text) is None:
                level, seen = found.get(label, (levels[label], 0))
                found[label] = (level, seen + n)
        return found


def fit(scale: Scale, answers: Answers) -> float:
    """The share of a column's answers that ``scale`` reads (1.0 for free text).

    A verbal scale does not fit when it reads two labels found as one level that
    another label set tells apart: "Agree" and "Somewhat agree" together are a
    seven-point scale, not a five-point one (synonyms, "Very satisfied" and "sehr
    zufrieden", are one level everywhere and fit).
    """
    if scale.is_text:
        return 1.0
    if not answers.answered:
        return 0.0
    readable = sum(n for value, n in answers.numbers.items() if scale.low <= value <= scale.high)
    if scale.labels:
        found = answers.labelled(scale.labels)
        if scale.verbal and _merges_levels(found):
            return 0.0
        readable += sum(n for _, n in found.values())
    return readable / answers.answered


def _merges_levels(found: dict[str, tuple[int, int]]) -> bool:
    by_level: dict[int, list[str]] = {}
    for label, (level, _) in found.items():
        by_level.setdefault(level, []).append(label)
    merged = [labels for labels in by_level.values() if len(labels) > 1]
    if not merged:
        return False
    for other in scale_labels().values():
        for labels in merged:
            levels = {other[label] for label in labels if label in other}
            if len(levels) > 1:
                return True
    return False


def likely_high(answers: Answers) -> int | None:
    """The top of the range the numbers suggest: 5, 7 or 10."""
    highest = answers.highest
    if highest is None:
        return None
    return next((high for high in (5, 7, 10) if highest <= high), None)


@dataclass(frozen=True)
class ScaleFit:
    """The scale chosen for a measure, its share of readable answers, and how sure the
    values make the choice (1: nothing else fits as well)."""

    scale: Scale
    share: float
    certainty: float
    stops_at: int | None = None  # set when the numbers never pass this, below the top
    rival: Scale | None = None  # a verbal scale that reads the same labels differently


def best_scale(measure: str, answers: Answers, header: str = "") -> ScaleFit | None:
    """The accepted scale of ``measure`` that the answers fit best; None if none fits."""
    fits = [(SCALES[name], fit(SCALES[name], answers)) for name in ACCEPTED[measure]]
    fitting = [(scale, share) for scale, share in fits if share >= FIT]
    if not fitting:
        return None
    if fitting[0][0].is_text:
        return ScaleFit(fitting[0][0], 1.0, 1.0)
    verbal = [(s, share) for s, share in fitting if s.verbal and answers.labelled(s.labels)]
    if verbal:
        return _verbal_choice(measure, verbal, answers)
    named = _range_in(header)
    for scale, share in fitting:
        if named == (scale.low, scale.high):
            return ScaleFit(scale, share, 1.0)
    top = likely_high(answers)
    scale, share = min(fitting, key=lambda item: item[0].size)
    if top is None or scale.high <= top:
        return ScaleFit(scale, share, 1.0)
    # e.g. NPS (0–10) whose answers never pass 5: a five-point question?
    return ScaleFit(scale, share, 0.85 if answers.answered < FEW else 0.6, stops_at=top)


def _verbal_choice(measure: str, verbal: list[tuple[Scale, float]], answers: Answers) -> ScaleFit:
    """Among verbal scales the labels fit, the one they stand for. Labels that two
    scales read alike settle nothing; a scale whose every level was answered, among
    enough answers, wins; labels the scales read differently ("Good" is 4 of
    Very poor…Very good, 3 of Poor…Excellent) leave the choice open: doubtful."""
    if len(verbal) == 1:
        return ScaleFit(*verbal[0], 1.0)
    readings = {
        scale.name: sorted(
            (label, stored_value(level, scale, measure))
            for label, (level, _) in answers.labelled(scale.labels).items()
        )
        for scale, _ in verbal
    }
    scale, share = min(verbal, key=lambda item: item[0].size)
    if len({tuple(r) for r in readings.values()}) == 1:
        return ScaleFit(scale, share, 1.0)
    complete = [(s, sh) for s, sh in verbal if len(answers.labelled(s.labels)) == s.size]
    if complete and answers.answered >= FEW:
        return ScaleFit(*min(complete, key=lambda item: item[0].size), 1.0)
    rival = next(s for s, _ in verbal if readings[s.name] != readings[scale.name])
    return ScaleFit(scale, share, 0.6, rival=rival)


def _range_in(header: str) -> tuple[int, int] | None:
    match = _RANGE_IN_HEADER.search(header)
    return (int(match.group(1)), int(match.group(2))) if match else None


def scales_fitting(answers: Answers) -> list[Scale]:
    """The score scales a column's answers fit, narrowest first: what it looks like."""
    found = [s for s in SCALES.values() if not s.is_text and fit(s, answers) >= FIT]
    labelled = [s for s in found if s.verbal and answers.labelled(s.labels)]
    return sorted(labelled or [s for s in found if not s.verbal], key=lambda s: s.size)
