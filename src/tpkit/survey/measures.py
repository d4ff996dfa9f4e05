"""What a customer questionnaire measures, and how an answer's text becomes a number.

One questionnaire per touchpoint asks the same few things; every imported column is
one of these measures. Scores keep the scale the customer answered on, so the
metrics can apply each measure's own rule (CSAT counts 4–5 of 1–5, NPS counts
9–10 minus 0–6 of 0–10, CES is a mean on 1–7).

Answers arrive as text in any of the four languages ("Molto soddisfatto",
"sehr zufrieden", "10 - Extremely likely", "4,5"). :func:`interpret` turns one
distinct text into a score or a reason; the import calls it once per *distinct*
text of a column, never once per cell, which is what makes a million rows cheap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Literal

import yaml

MeasureKind = Literal["score", "flag", "text"]


@dataclass(frozen=True)
class Measure:
    """One question of the questionnaire: its scale and how its answers are read."""

    name: str
    kind: MeasureKind
    low: int = 0
    high: int = 0
    scale: str = ""  # the verbal scale of scales.yaml its labels come from

    @property
    def is_score(self) -> bool:
        return self.kind != "text"


MEASURES: dict[str, Measure] = {
    measure.name: measure
    for measure in (
        Measure("contact", "score", 1, 5, "quality"),  # contact quality: people, tone
        Measure("process", "score", 1, 5, "quality"),  # process quality: speed, accuracy
        Measure("csat", "score", 1, 5, "satisfaction"),  # overall satisfaction
        Measure("nps", "score", 0, 10, "likelihood"),  # likelihood to recommend
        Measure("ces", "score", 1, 7, "agreement"),  # "… made it easy for me", 7 = easiest
        Measure("consent", "flag", 0, 1, "yes_no"),  # explicit marketing consent
        Measure("comment", "text"),  # the open "why?"
        Measure("channels", "text"),  # preferred contact channels
        Measure("offers", "text"),  # offers the customer would like to hear about
    )
}
SCORE_MEASURES: tuple[str, ...] = tuple(m for m, spec in MEASURES.items() if spec.is_score)

# Columns of an export that identify a person. They are not stored unless the user
# asks (``--keep-personal-data``); reports mask them even then.
PERSONAL: tuple[str, ...] = ("email", "name", "phone", "ip")

# "empty": a blank cell, a question not answered (counted, not listed);
# "no_answer": an explicit 'n/a', 'keine Angabe', … (listed with its line, like the rest).
Reason = Literal["empty", "no_answer", "not_a_number", "out_of_range"]
_LEADING_NUMBER = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)(?=\s|$|[-–:()/])")


def normalise_label(text: str) -> str:
    """Casefolded, accents and punctuation dropped, spaces collapsed: 'Très  satisfait!'
    and 'tres satisfait' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


@cache
def _scales() -> dict[str, dict[str, float]]:
    """Verbal scale labels of every language, normalised, to the number they stand for."""
    text = files("tpkit").joinpath("data", "scales.yaml").read_text(encoding="utf-8")
    tree = yaml.safe_load(text)
    return {
        scale: {
            normalise_label(label): float(value)
            for value, labels in by_value.items()
            for label in labels
        }
        for scale, by_value in tree["scales"].items()
    }


@lru_cache(maxsize=4096)  # the same few texts ('', 'n/a', '10') come back in every batch
def interpret(text: str | None, measure: Measure) -> tuple[float | None, Reason | None]:
    """The score one answer stands for, or why it cannot be used.

    Accepted: numbers with a decimal point or comma ('4', '4,5'), a number leading a
    label ('10 - Extremely likely', '5 (Very satisfied)'), and the verbal labels of
    the measure's scale in en/it/de/fr.
    """
    if text is None or not text.strip():
        return None, "empty"
    label = normalise_label(text)
    if not label or label in _NOT_ANSWERED:
        return None, "no_answer"
    value = _scales().get(measure.scale, {}).get(label)
    if value is None:
        match = _LEADING_NUMBER.match(text)
        if match is None:
            return None, "not_a_number"
        value = float(match.group(1).replace(",", "."))
    if not measure.low <= value <= measure.high:
        return None, "out_of_range"
    return value, None


# "No answer" in the four languages: an unanswered question, not a bad value.
_NOT_ANSWERED = frozenset(
    normalise_label(text)
    for text in (
        "n/a",
        "na",
        "none",
        "not applicable",
        "don't know",
        "prefer not to say",
        "non applicabile",
        "non so",
        "nessuna risposta",
        "keine Angabe",
        "k. A.",
        "weiß nicht",
        "nicht zutreffend",
        "non applicable",
        "je ne sais pas",
        "sans réponse",
        "sans avis",
    )
)
