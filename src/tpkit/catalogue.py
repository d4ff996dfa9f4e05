"""Suggested touchpoints per phase and industry, to start an inventory from.

The structure (phase, channel, kind, industries) is in ``data/catalogue.yaml``; names
and hints are in the translation catalogue under ``suggestion.KEY``, so a team sees
the suggestions in its own language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

from tpkit.i18n import t
from tpkit.model import Touchpoint, new_id

ALL_INDUSTRIES = "all"


@dataclass(frozen=True)
class Suggestion:
    key: str
    phase: str
    channel: str
    kind: str
    industries: tuple[str, ...]

    def name(self, language: str | None = None) -> str:
        return t(f"suggestion.{self.key}.name", language)

    def hint(self, language: str | None = None) -> str:
        return t(f"suggestion.{self.key}.hint", language)

    def fits(self, industry: str | None) -> bool:
        return industry is None or ALL_INDUSTRIES in self.industries or industry in self.industries

    def to_touchpoint(self, taken_ids: Iterable[str], language: str | None = None) -> Touchpoint:
        """A new touchpoint from this suggestion; its id comes from the key, not the
        translated name, so the same suggestion gets the same id in every language."""
        return Touchpoint(
            id=new_id(self.key.replace("_", "-"), taken_ids),
            name=self.name(language),
            phase=self.phase,
            channel=self.channel,
            kind=self.kind,
        )


@cache
def all_suggestions() -> tuple[Suggestion, ...]:
    text = files("tpkit").joinpath("data", "catalogue.yaml").read_text(encoding="utf-8")
    entries = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["suggestions"]
    return tuple(
        Suggestion(
            key=entry["key"],
            phase=entry["phase"],
            channel=entry["channel"],
            kind=entry["kind"],
            industries=tuple(entry["industries"]),
        )
        for entry in entries
    )


def suggestions(industry: str | None = None, phase: str | None = None) -> list[Suggestion]:
    """The suggestions for an industry (generic ones included), optionally of one phase."""
    return [
        s for s in all_suggestions() if s.fits(industry) and (phase is None or s.phase == phase)
    ]
