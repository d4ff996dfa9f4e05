"""What a customer questionnaire measures: the few things every imported column answers.

One questionnaire per touchpoint asks the same few things; every imported column is
one of these measures. Each score measure has its own range (CSAT and the two qualities
1–5, NPS 0–10, CES 1–7, consent 0/1), on which its answers are stored, so the metrics can
apply each measure's own rule (CSAT counts 4–5 of 1–5, NPS counts 9–10 minus 0–6 of
0–10, CES is a mean on 1–7). Which scale a column was answered on, and what each answer
is worth, is :mod:`tpkit.survey.scales`' job.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

MeasureKind = Literal["score", "flag", "text"]


@dataclass(frozen=True)
class Measure:
    """One question of the questionnaire and the range its answers are stored on."""

    name: str
    kind: MeasureKind
    low: int = 0
    high: int = 0

    @property
    def is_score(self) -> bool:
        return self.kind != "text"


MEASURES: dict[str, Measure] = {
    measure.name: measure
    for measure in (
        Measure("contact", "score", 1, 5),  # contact quality: people, tone
        Measure("process", "score", 1, 5),  # process quality: speed, accuracy
        Measure("csat", "score", 1, 5),  # overall satisfaction
        Measure("nps", "score", 0, 10),  # likelihood to recommend
        Measure("ces", "score", 1, 7),  # "… made it easy for me", 7 = easiest
        Measure("consent", "flag", 0, 1),  # explicit marketing consent
        Measure("comment", "text"),  # the open "why?"
        Measure("channels", "text"),  # preferred contact channels
        Measure("offers", "text"),  # offers the customer would like to hear about
    )
}
SCORE_MEASURES: tuple[str, ...] = tuple(m for m, spec in MEASURES.items() if spec.is_score)

# Columns of an export that identify a person. They are not stored unless the user
# asks (``--keep-personal-data``); reports mask them even then.
PERSONAL: tuple[str, ...] = ("email", "name", "phone", "ip")


@lru_cache(maxsize=1 << 16)  # called once per distinct text; the same texts recur
def normalise_label(text: str) -> str:
    """Casefolded, accents and punctuation dropped, spaces collapsed: 'Très  satisfait!'
    and 'tres satisfait' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())
