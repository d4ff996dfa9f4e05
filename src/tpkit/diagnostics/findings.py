"""A finding, its severity on the kit's one scale, and the priority score that ranks it.

Severity (1–5) says how serious one finding is, from its own evidence: 1 worth a look,
2 notable, 3 serious, 4 very serious, 5 urgent. Each rule computes it with a formula of
its own, written in the rule's docstring, in the README and in the output
(``diagnostics.RULE.severity``). The **priority score** that orders the list is

    score = weight × severity

where ``weight`` is 1 unless the workbook's ``diagnostics: weights:`` says otherwise
(``consent: 2`` puts legal duties first, ``disagreement: 0`` leaves the rule out).
Ties keep the order of the rules' registry, then the order of the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SEVERITY_LOW, SEVERITY_HIGH = 1.0, 5.0


def severity(value: float, cap: float = SEVERITY_HIGH) -> float:
    """A rule's raw severity, held to 1…cap (cap ≤ 5) and rounded to one decimal."""
    return round(min(max(value, SEVERITY_LOW), cap, SEVERITY_HIGH), 1)


@dataclass(frozen=True)
class Item:
    """One line of a finding's evidence: a touchpoint or stage and its numbers.

    ``key`` names its text (``diagnostics.RULE.KEY``); ``touchpoint``/``stage`` are ids
    whose names the text shows; ``values`` are the numbers it prints.
    """

    key: str
    touchpoint: str = ""
    stage: str = ""
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """What one rule found about one subject, with the evidence behind it."""

    rule: str  # a stable rule id (tpkit.model.RuleId)
    subject: str  # what it is about: a stage or touchpoint id, a phase, an axis; "" = all
    severity: float  # 1–5, from the rule's formula
    touchpoints: tuple[str, ...] = ()  # ids, most concerned first
    stages: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)  # the numbers the texts print
    items: tuple[Item, ...] = ()
    variant: str = ""  # which explanation fits, e.g. "load" or "channel"
    weight: float = 1.0  # the workbook's weight of the rule, set when ranked

    @property
    def score(self) -> float:
        """The priority: weight × severity."""
        return round(self.weight * self.severity, 2)

    @property
    def key(self) -> tuple[str, str]:
        """What an action records to answer this finding: (rule, subject)."""
        return self.rule, self.subject


def rank(found: list[Finding], weights: dict[str, float]) -> list[Finding]:
    """Findings weighted and ordered by priority score, highest first; a weight of 0
    leaves a rule's findings out. ``found`` must be in registry order (ties keep it)."""
    weighted = [replace(f, weight=weights.get(f.rule, 1.0)) for f in found]
    return sorted((f for f in weighted if f.weight > 0), key=lambda f: -f.score)
