"""A finding in words: its title, why it matters, what to do, and the evidence lines.

Every text comes from the catalogue (``diagnostics.RULE.…``, in en, it, de, fr). A text
may exist per variant (``title_load``), else the rule's plain one is used; evidence
lines fall back to the shared ``diagnostics.item.…``. Values are shown as a reader
expects them: ids become names, phases and channels their labels, emotions a signed
figure, shares whole percentages, other numbers one decimal in the language's way.
User text (names, owners, pain points) is returned as it is: the HTML views escape it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tpkit.diagnostics.findings import Finding, Item
from tpkit.i18n import catalogue, decimal, label, t
from tpkit.model import Workbook

PERCENTAGES = frozenset({"share", "bar", "csat"})  # shown as whole percentages
LABELLED = {"phase": "phase", "channel": "channel", "frequency": "frequency"}


def signed(value: int) -> str:
    """An emotion as printed: −2, 0, +1 (a real minus sign)."""
    return f"{value:+d}".replace("-", "\u2212") if value else "0"


def number(value: float, language: str) -> str:
    """One decimal with the language's decimal mark (3.8, 3,8); whole numbers stay whole."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return decimal(value, language)


@dataclass(frozen=True)
class Names:
    """Ids to the names a reader knows (the workbook as shown: masked in reports)."""

    touchpoints: dict[str, str]
    stages: dict[str, str]

    @classmethod
    def of(cls, workbook: Workbook) -> Names:
        return cls(
            {tp.id: tp.name for tp in workbook.touchpoints},
            {stage.id: stage.name for stage in workbook.stages},
        )

    def touchpoint(self, touchpoint_id: str) -> str:
        return self.touchpoints.get(touchpoint_id, touchpoint_id)

    def stage(self, stage_id: str) -> str:
        return self.stages.get(stage_id, stage_id)


def shown(values: dict[str, Any], names: Names, language: str) -> dict[str, Any]:
    """Raw evidence values as a text prints them."""
    result: dict[str, Any] = {}
    for key, value in values.items():
        if key == "stage":
            value = names.stage(value)
        elif key == "ids":
            key, value = "names", ", ".join(names.touchpoint(i) for i in value)
        elif key in LABELLED:
            value = label(LABELLED[key], value, language)
        elif key == "criterion":
            value = t(f"field.{value}", language)
        elif key == "emotion":
            value = signed(value)
        elif key in PERCENTAGES and isinstance(value, int | float):
            value = str(round(value))
        elif isinstance(value, float):
            value = number(value, language)
        result[key] = value
    return result


def _key(candidates: list[str], language: str) -> str:
    messages = catalogue(language)
    return next((key for key in candidates if key in messages), candidates[-1])


def rule_text(finding: Finding, part: str, language: str, names: Names) -> str:
    """One part of a finding's words ("title", "explain", "action", "effect",
    "severity"), its variant's where there is one; a title naming exactly one thing
    takes its singular form (``title_one``)."""
    base = f"diagnostics.{finding.rule}.{part}"
    forms = [f"{base}_{finding.variant}", base] if finding.variant else [base]
    if part == "title" and finding.evidence.get("count") == 1:
        forms = [form for plain in forms for form in (f"{plain}_one", plain)]
    key = _key(forms, language)
    return t(key, language, **shown(finding.evidence, names, language))


def item_text(finding: Finding, item: Item, language: str, names: Names) -> str:
    """One evidence line of a finding."""
    key = _key([f"diagnostics.{finding.rule}.{item.key}", f"diagnostics.item.{item.key}"], language)
    values = shown(item.values, names, language)
    if item.stage:
        values.setdefault("stage", names.stage(item.stage))
    return t(key, language, name=names.touchpoint(item.touchpoint), **values)


def score_text(finding: Finding, language: str) -> str:
    """'priority 4.7 = weight 1 × severity 4.7': the formula, with this finding's numbers."""
    return t(
        "diagnostics.score",
        language,
        score=number(finding.score, language),
        weight=number(finding.weight, language),
        severity=number(finding.severity, language),
    )


@dataclass(frozen=True)
class Words:
    """Everything a view shows of one finding, in one language."""

    rule: str  # the rule's short name ("Too much contact")
    title: str
    explanation: str
    action: str
    severity: str  # how its severity is computed
    score: str
    lines: tuple[str, ...]  # the evidence, at most ``limit`` lines
    more: int  # evidence lines left out


def words(finding: Finding, workbook: Workbook, language: str, limit: int | None = None) -> Words:
    """A finding in words; ``limit`` keeps the evidence short (the rest is counted)."""
    names = Names.of(workbook)
    items = finding.items if limit is None else finding.items[:limit]
    return Words(
        rule=label("rule", finding.rule, language),
        title=rule_text(finding, "title", language, names),
        explanation=rule_text(finding, "explain", language, names),
        action=rule_text(finding, "action", language, names),
        severity=rule_text(finding, "severity", language, names),
        score=score_text(finding, language),
        lines=tuple(item_text(finding, item, language, names) for item in items),
        more=len(finding.items) - len(items),
    )
