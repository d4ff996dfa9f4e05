"""Plain facts about a workbook, the ground the diagnostic rules stand on.

Each is a small pure function (a workbook in, counts or records out) with no
thresholds and no translation, so the rules, the report's key figures and the
teaching kit's exercise checks ("no after-purchase touchpoint yet", "a stage without a
touchpoint", "every rating a 5") ask the same questions and get the same answers.
A score a participant left empty is missing, never a zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

from tpkit.metrics import CRITERIA, TeamScore, lowest_stage, team_scores
from tpkit.model import CONTACTS_PER_YEAR, PHASES, Action, Kpi, Stage, Touchpoint, Workbook

OPEN_STATUSES = ("open", "in_progress")
# Channels on which the company reaches out to the customer (rather than being found):
# what repeats on them in one stage crowds the customer.
OUTGOING_CHANNELS = frozenset(
    {"email", "sms", "phone", "print_mail", "advertising", "social_media", "app"}
)


# --- the inventory -----------------------------------------------------------------------


def touchpoints_per_phase(workbook: Workbook) -> dict[str, int]:
    """How many touchpoints each purchase phase holds (every phase, 0 included)."""
    return {phase: len(workbook.touchpoints_in(phase)) for phase in PHASES}


def touchpoints_without_owner(workbook: Workbook) -> list[Touchpoint]:
    return [tp for tp in workbook.touchpoints if not tp.owner.strip()]


def missing_permission(touchpoint: Touchpoint) -> str | None:
    """What a marketing contact lacks: 'neither', 'no_consent', 'no_opt_out'; None if fine."""
    if not touchpoint.marketing_contact:
        return None
    return {
        (False, False): "neither",
        (False, True): "no_consent",
        (True, False): "no_opt_out",
    }.get((touchpoint.consent, touchpoint.opt_out))


def marketing_without_permission(workbook: Workbook) -> list[tuple[Touchpoint, str]]:
    """Marketing contacts without the customer's consent or a way to opt out, and which."""
    return [(tp, gap) for tp in workbook.touchpoints if (gap := missing_permission(tp))]


def marketing_contacts_per_month(workbook: Workbook) -> dict[str, float]:
    """How often a customer meets each marketing contact, per month, from its frequency
    ('once' and 'when the customer asks' count as none: they are not pushed)."""
    return {
        tp.id: CONTACTS_PER_YEAR[tp.frequency] / 12
        for tp in workbook.touchpoints
        if tp.marketing_contact
    }


def reaches_out(touchpoint: Touchpoint) -> bool:
    """Whether the company contacts the customer here, on its own initiative."""
    return touchpoint.channel in OUTGOING_CHANNELS and touchpoint.frequency != "on_demand"


# --- the journey -------------------------------------------------------------------------


def stage_touchpoints(workbook: Workbook, stage: Stage) -> list[Touchpoint]:
    """The stage's touchpoints that exist in the inventory, in the stage's order."""
    known = {tp.id: tp for tp in workbook.touchpoints}
    return [known[tp_id] for tp_id in stage.touchpoints if tp_id in known]


def stages_without_touchpoints(workbook: Workbook) -> list[Stage]:
    return [stage for stage in workbook.stages if not stage_touchpoints(workbook, stage)]


def touchpoints_without_stage(workbook: Workbook) -> list[Touchpoint]:
    """Touchpoints the journey map does not show (only meaningful once it has stages)."""
    known = {stage.id for stage in workbook.stages}
    return [tp for tp in workbook.touchpoints if not set(tp.stages) & known]


def owners_of(workbook: Workbook, stage: Stage) -> list[str]:
    """The departments or people who own the stage's touchpoints, each once, in order."""
    owners = (tp.owner.strip() for tp in stage_touchpoints(workbook, stage))
    return list(dict.fromkeys(owner for owner in owners if owner))


def repeated_channels(workbook: Workbook, stage: Stage) -> dict[str, list[str]]:
    """Per outgoing channel, the stage's touchpoints that reach out on it (ids)."""
    found: dict[str, list[str]] = {}
    for tp in stage_touchpoints(workbook, stage):
        if reaches_out(tp):
            found.setdefault(tp.channel, []).append(tp.id)
    return found


def has_low_point(workbook: Workbook) -> bool:
    """Whether the emotion curve dips below neutral anywhere (a journey without one is
    rarely honest)."""
    return any(stage.emotion < 0 for stage in workbook.stages)


def kpi_shortfall(kpi: Kpi | None) -> float | None:
    """How far a KPI misses its target, as a share of the target (0.3 = 30 % short);
    0 when it meets it; None when there is no value, no target or no direction."""
    if kpi is None or kpi.value is None or kpi.target is None or kpi.better is None:
        return None
    missing = kpi.target - kpi.value if kpi.better == "higher" else kpi.value - kpi.target
    if missing <= 0:
        return 0.0
    return missing / abs(kpi.target) if kpi.target else 1.0


# --- ratings -----------------------------------------------------------------------------


def quality(score: TeamScore | None) -> float | None:
    """The team's quality of a touchpoint: the mean of contact and process quality, or
    None when either is missing."""
    if score is None or score.contact_quality is None or score.process_quality is None:
        return None
    return (score.contact_quality + score.process_quality) / 2


def rated(workbook: Workbook) -> dict[str, TeamScore]:
    """The team's consensus per touchpoint of the inventory (ratings of deleted ones left out)."""
    known = {tp.id for tp in workbook.touchpoints}
    return {tp_id: s for tp_id, s in team_scores(workbook).items() if tp_id in known}


@dataclass(frozen=True)
class Spread:
    """How far a touchpoint's raters are apart on the criterion that splits them most."""

    touchpoint: str
    criterion: str
    low: int
    high: int

    @property
    def points(self) -> int:
        return self.high - self.low


def spreads(workbook: Workbook) -> dict[str, Spread]:
    """Per touchpoint rated by two or more people, its widest split; scores left empty
    take no part (one given score is no disagreement)."""
    given: dict[str, dict[str, list[int]]] = {}
    for rating in workbook.ratings:
        for criterion in CRITERIA:
            value = getattr(rating, criterion)
            if value is not None:
                given.setdefault(rating.touchpoint, {}).setdefault(criterion, []).append(value)
    found = {}
    for tp_id, by_criterion in given.items():
        widest = max(
            ((c, min(v), max(v)) for c, v in by_criterion.items() if len(v) > 1),
            key=lambda item: item[2] - item[1],
            default=None,
        )
        if widest:
            found[tp_id] = Spread(tp_id, *widest)
    return found


def ratings_all_top(workbook: Workbook) -> bool:
    """Every score given is a 5 (a sign of politeness rather than judgement)."""
    values = [v for r in workbook.ratings for c in CRITERIA if (v := getattr(r, c)) is not None]
    return bool(values) and all(value == 5 for value in values)


# --- actions -----------------------------------------------------------------------------


def actions_without_owner(workbook: Workbook) -> list[Action]:
    return [action for action in workbook.actions if not action.owner.strip()]


def open_actions(workbook: Workbook) -> list[Action]:
    return [action for action in workbook.actions if action.status in OPEN_STATUSES]


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values given (None ignored); None when there are none."""
    present = [value for value in values if value is not None]
    return fmean(present) if present else None


# --- the report's key figures -----------------------------------------------------------


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
    scores = list(rated(workbook).values())
    return KeyFigures(
        per_phase=touchpoints_per_phase(workbook),
        participants=len(workbook.participants()),
        ratings=len(workbook.ratings),
        contact_quality=mean(s.contact_quality for s in scores),
        process_quality=mean(s.process_quality for s in scores),
        lowest_stage=lowest_stage(workbook),
        actions=len(workbook.actions),
        open_actions=len(open_actions(workbook)),
    )
