"""What the summary page says: key figures and the most important findings, as plain data.

Pure functions of a workbook, with no HTML and no translation, so they are tested with
small hand-made workbooks and every language shares them.

How findings are chosen. Each rule below looks for one problem the method teaches to
watch for and, when it finds it, scores it on one common scale (about 1 = worth a look,
3 = serious, 5 and more = urgent). The report shows the three with the highest scores;
ties keep the order of ``RULES``.

============  ===============================================  ================================
rule          finds                                            score
============  ===============================================  ================================
gap           rated touchpoints whose importance exceeds their  the largest gap, in points
              quality (mean of contact and process) by ≥ 1      (importance − quality)
thin_phase    the phase with the fewest touchpoints, when it    4 × the share missing from an
              holds less than ¾ of an even third of them        even third; × 1.5 after purchase
low_point     the stage where the emotion curve is lowest,      1.5 × how far below 0
              when it is below 0
consent       marketing contacts lacking consent or opt-out     2 + their number (a legal duty)
no_owner      touchpoints nobody is responsible for             1 + ½ × their number
============  ===============================================  ================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from tpkit.metrics import TeamScore, lowest_stage, team_scores
from tpkit.model import PHASES, Stage, Workbook

GAP_THRESHOLD = 1.0  # importance this much above quality is worth a finding
GAP_ITEMS = 3  # touchpoints named by the gap finding
THIN_SHARE = 0.75  # a phase below ¾ of an even share of touchpoints is thin
AFTER_PURCHASE_WEIGHT = 1.5  # the seeds' main warning: customers are left alone after buying
OPEN_STATUSES = ("open", "in_progress")


@dataclass(frozen=True)
class KeyFigures:
    """The numbers at the top of the summary; ``None`` where there is nothing to measure."""

    per_phase: dict[str, int]
    participants: int
    ratings: int
    contact_quality: float | None
    process_quality: float | None
    lowest_stage: Stage | None
    actions: int
    open_actions: int

    @property
    def touchpoints(self) -> int:
        return sum(self.per_phase.values())


def key_figures(workbook: Workbook) -> KeyFigures:
    """Counts, mean qualities (each rated touchpoint weighs the same) and the low point."""
    scores = list(team_scores(workbook).values())
    return KeyFigures(
        per_phase={phase: len(workbook.touchpoints_in(phase)) for phase in PHASES},
        participants=len(workbook.participants()),
        ratings=len(workbook.ratings),
        contact_quality=fmean(s.contact_quality for s in scores) if scores else None,
        process_quality=fmean(s.process_quality for s in scores) if scores else None,
        lowest_stage=lowest_stage(workbook),
        actions=len(workbook.actions),
        open_actions=sum(action.status in OPEN_STATUSES for action in workbook.actions),
    )


@dataclass(frozen=True)
class Item:
    """One thing a finding points at: a touchpoint (or text) and the values to show with it."""

    variant: str  # "name" (just the touchpoint's name), or the key of the line that shows it
    touchpoint: str = ""  # id, or "" when the item is not a touchpoint
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A problem one rule found: its score, the values its texts need, what it points at."""

    rule: str  # also names its texts: report.findings.RULE.title / .text
    score: float
    values: dict[str, Any] = field(default_factory=dict)
    items: tuple[Item, ...] = ()
    text: str = "text"  # which explanation fits: report.findings.RULE.TEXT


def _quality(score: TeamScore) -> float:
    return (score.contact_quality + score.process_quality) / 2


def gap(workbook: Workbook) -> Finding | None:
    """Importance–performance: important touchpoints the team rates well below that."""
    known = {tp.id for tp in workbook.touchpoints}
    gaps = sorted(
        (
            (score.importance - _quality(score), score)
            for score in team_scores(workbook).values()
            if score.touchpoint in known
        ),
        key=lambda pair: -pair[0],
    )
    wide = [(size, score) for size, score in gaps if size >= GAP_THRESHOLD][:GAP_ITEMS]
    if not wide:
        return None
    items = tuple(
        Item("item", s.touchpoint, {"importance": s.importance, "quality": _quality(s)})
        for _, s in wide
    )
    return Finding("gap", wide[0][0], items=items)


def thin_phase(workbook: Workbook) -> Finding | None:
    """The purchase phase with the fewest touchpoints, if clearly fewer than the others."""
    total = len(workbook.touchpoints)
    if not total:
        return None
    counts = {phase: len(workbook.touchpoints_in(phase)) for phase in PHASES}
    # the last phase wins a tie: being thin after the purchase is the seeds' main warning
    phase = min(reversed(PHASES), key=counts.__getitem__)
    missing = 1 - counts[phase] / (total / len(PHASES))
    if missing <= 1 - THIN_SHARE:
        return None
    weight = AFTER_PURCHASE_WEIGHT if phase == "after" else 1.0
    values = {"phase": phase, "count": counts[phase], "total": total}
    text = "text_after" if phase == "after" else "text"
    return Finding("thin_phase", 4 * missing * weight, values, text=text)


def low_point(workbook: Workbook) -> Finding | None:
    """The stage where the customer feels worst, with its touchpoints and pain points."""
    stage = lowest_stage(workbook)
    if stage is None or stage.emotion >= 0:
        return None
    known = {tp.id for tp in workbook.touchpoints}
    items = tuple(Item("name", tp_id) for tp_id in stage.touchpoints if tp_id in known)
    items += tuple(Item("pain", values={"text": text}) for text in stage.pain_points[:2])
    values = {"stage": stage.name, "emotion": stage.emotion}
    return Finding("low_point", 1.5 * -stage.emotion, values, items)


def consent(workbook: Workbook) -> Finding | None:
    """Marketing contacts without the customer's consent or a way to opt out."""
    variants = {(False, False): "neither", (False, True): "no_consent", (True, False): "no_opt_out"}
    items = tuple(
        Item(variants[tp.consent, tp.opt_out], tp.id)
        for tp in workbook.touchpoints
        if tp.marketing_contact and not (tp.consent and tp.opt_out)
    )
    if not items:
        return None
    return Finding("consent", 2 + len(items), {"count": len(items)}, items)


def no_owner(workbook: Workbook) -> Finding | None:
    """Touchpoints nobody is responsible for."""
    items = tuple(Item("name", tp.id) for tp in workbook.touchpoints if not tp.owner.strip())
    if not items:
        return None
    return Finding("no_owner", 1 + len(items) / 2, {"count": len(items)}, items)


RULES: tuple[Callable[[Workbook], Finding | None], ...] = (
    gap,
    thin_phase,
    low_point,
    consent,
    no_owner,
)


def findings(workbook: Workbook, limit: int = 3) -> list[Finding]:
    """The ``limit`` findings with the highest scores, highest first."""
    found = [finding for rule in RULES if (finding := rule(workbook)) is not None]
    return sorted(found, key=lambda finding: -finding.score)[:limit]
