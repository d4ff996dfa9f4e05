"""Exercises that answer back: checks of a team's own workbook after each step of the
workshop, and the progress across the workbook.

Each check is a pure function of the workbook that returns a :class:`Remark` — what is
missing or doubtful, and the entries it is about — or None. The notebooks and the app
show the remarks of their step under the forms (:mod:`tpkit.teaching.exercise_view`);
the texts are ``exercises.CHECK`` in the catalogue.

==========================  ========  =========================================  ==========
check                       step      triggered when                             kind
==========================  ========  =========================================  ==========
no_after_purchase           inventory touchpoints exist, none after the purchase   missing
marketing_without_consent   inventory a marketing contact lacks consent            missing
one_participant             rating    ratings exist, all by one participant      doubtful
all_fives                   rating    a participant gave 5 on every score of at   doubtful
                                      least three touchpoints
stage_without_touchpoint    journey   a stage lists no touchpoint                missing
touchpoint_in_no_stage      journey   stages exist, a touchpoint is in none      missing
no_low_point                journey   two or more stages, every emotion ≥ 0       doubtful
no_action_owner             actions   actions exist, none has an owner           missing
==========================  ========  =========================================  ==========

Where a check asks what a diagnostic rule also asks, both use the same fact of
:mod:`tpkit.diagnostics.facts` (after-purchase touchpoints, permissions of marketing
contacts, stages without touchpoints, touchpoints in no stage, the low point, ratings
all at the top, actions without owner), so the exercise and the diagnosis never
disagree; the checks only add the workshop's view (which step, which entries to name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tpkit.diagnostics import facts
from tpkit.model import PHASES, Workbook

STEPS = ("inventory", "rating", "journey", "actions")
MISSING, DOUBTFUL = "missing", "doubtful"
ALL_FIVES_MINIMUM = 3  # ratings a participant must have given before "all 5" means anything
NO_CONSENT = ("neither", "no_consent")  # facts.missing_permission's words for "no consent"


@dataclass(frozen=True)
class Remark:
    """What one check found: its name (and text key), how serious, and the entries."""

    check: str
    kind: str  # MISSING or DOUBTFUL
    items: tuple[str, ...] = ()  # names of the touchpoints, stages or participants meant
    values: dict[str, Any] = field(default_factory=dict)


# --- inventory ----------------------------------------------------------------------


def no_after_purchase(workbook: Workbook) -> Remark | None:
    """The seeds' main warning: customers are left alone after buying."""
    if not workbook.touchpoints or facts.touchpoints_per_phase(workbook)["after"]:
        return None
    return Remark("no_after_purchase", MISSING)


def marketing_without_consent(workbook: Workbook) -> Remark | None:
    """Marketing contacts the customer has not agreed to."""
    names = tuple(
        tp.name
        for tp, lacking in facts.marketing_without_permission(workbook)
        if lacking in NO_CONSENT
    )
    return Remark("marketing_without_consent", MISSING, names) if names else None


# --- rating -------------------------------------------------------------------------


def one_participant(workbook: Workbook) -> Remark | None:
    """A rating by one person is an opinion, not a comparison."""
    people = workbook.participants()
    return Remark("one_participant", DOUBTFUL, tuple(people)) if len(people) == 1 else None


def all_fives(workbook: Workbook) -> Remark | None:
    """Participants who gave every touchpoint they rated a 5 on every score."""
    ratings_of: dict[str, list] = {}
    for rating in workbook.ratings:
        ratings_of.setdefault(rating.participant, []).append(rating)
    names = tuple(
        person
        for person, ratings in ratings_of.items()
        if len(ratings) >= ALL_FIVES_MINIMUM
        and facts.ratings_all_top(workbook.model_copy(update={"ratings": ratings}))
    )
    return Remark("all_fives", DOUBTFUL, names) if names else None


# --- journey ------------------------------------------------------------------------


def stage_without_touchpoint(workbook: Workbook) -> Remark | None:
    names = tuple(stage.name for stage in facts.stages_without_touchpoints(workbook))
    return Remark("stage_without_touchpoint", MISSING, names) if names else None


def touchpoint_in_no_stage(workbook: Workbook) -> Remark | None:
    """Once there is a journey, every touchpoint should sit somewhere in it."""
    if not workbook.stages:
        return None
    names = tuple(tp.name for tp in facts.touchpoints_without_stage(workbook))
    return Remark("touchpoint_in_no_stage", MISSING, names) if names else None


def no_low_point(workbook: Workbook) -> Remark | None:
    """A journey where the customer never feels bad is rarely an honest one."""
    if len(workbook.stages) < 2 or facts.has_low_point(workbook):
        return None
    return Remark("no_low_point", DOUBTFUL)


# --- actions ------------------------------------------------------------------------


def no_action_owner(workbook: Workbook) -> Remark | None:
    """An action nobody owns does not happen."""
    if not workbook.actions or len(facts.actions_without_owner(workbook)) < len(workbook.actions):
        return None
    return Remark("no_action_owner", MISSING, tuple(a.what for a in workbook.actions))


Check = Callable[[Workbook], Remark | None]
CHECKS: dict[str, tuple[Check, ...]] = {
    "inventory": (no_after_purchase, marketing_without_consent),
    "rating": (one_participant, all_fives),
    "journey": (stage_without_touchpoint, touchpoint_in_no_stage, no_low_point),
    "actions": (no_action_owner,),
}


def remarks(workbook: Workbook, steps: tuple[str, ...] = STEPS) -> list[Remark]:
    """What the checks of these steps find, in the order of the table above."""
    return [found for step in steps for check in CHECKS[step] if (found := check(workbook))]


# --- progress -----------------------------------------------------------------------

DONE, STARTED, TODO = "done", "started", "todo"


@dataclass(frozen=True)
class StepProgress:
    """How far a step is: its state, a count of what is done out of how many, and the
    remarks its checks make (a step with a 'missing' remark is never done)."""

    step: str
    state: str  # DONE, STARTED or TODO
    done: int
    total: int
    remarks: tuple[Remark, ...] = ()


def _state(started: bool, complete: bool, found: list[Remark]) -> str:
    if not started:
        return TODO
    if complete and not any(remark.kind == MISSING for remark in found):
        return DONE
    return STARTED


def step_progress(workbook: Workbook, step: str) -> StepProgress:
    """One step's progress; what "done" means is said in each branch."""
    found = remarks(workbook, (step,))
    if step == "inventory":  # touchpoints in each of the three phases
        filled = sum(bool(workbook.touchpoints_in(phase)) for phase in PHASES)
        state = _state(bool(workbook.touchpoints), filled == len(PHASES), found)
        return StepProgress(step, state, filled, len(PHASES), tuple(found))
    if step == "rating":  # every touchpoint rated, by two people or more
        rated = {rating.touchpoint for rating in workbook.ratings}
        count = sum(tp.id in rated for tp in workbook.touchpoints)
        complete = count == len(workbook.touchpoints) and len(workbook.participants()) >= 2
        state = _state(bool(workbook.ratings), complete, found)
        return StepProgress(step, state, count, len(workbook.touchpoints), tuple(found))
    if step == "journey":  # a persona, and two stages or more, each with its touchpoints
        count = sum(bool(stage.touchpoints) for stage in workbook.stages)
        started = bool(workbook.stages) or workbook.persona is not None
        complete = workbook.persona is not None and len(workbook.stages) >= 2
        state = _state(started, complete, found)
        return StepProgress(step, state, count, len(workbook.stages), tuple(found))
    # actions: at least one, each with an owner and a date
    ready = sum(bool(a.owner.strip() and a.due) for a in workbook.actions)
    state = _state(bool(workbook.actions), ready == len(workbook.actions), found)
    return StepProgress(step, state, ready, len(workbook.actions), tuple(found))


def progress(workbook: Workbook) -> list[StepProgress]:
    """Every step of the workshop, in order."""
    return [step_progress(workbook, step) for step in STEPS]


def next_step(workbook: Workbook) -> str | None:
    """The first step that is not done yet (None when all are)."""
    return next((p.step for p in progress(workbook) if p.state != DONE), None)
