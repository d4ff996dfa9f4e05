"""The action plan: a finding turned into an action in one step, and each action
re-measured by the customer feedback that came in after it started.

Re-measuring splits the stored responses at the action's ``start`` day: answers before
it against answers from it on, for the touchpoints the action addresses (its own, or
its stage's), with the survey's own CSAT and NPS figures and their 95 % intervals.
The verdict is only "better" or "worse" when the intervals do not overlap; with fewer
than ``min_answers`` answers on either side it is "not enough answers yet".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tpkit.diagnostics.findings import Finding
from tpkit.diagnostics.settings import thresholds
from tpkit.diagnostics.text import Names, rule_text
from tpkit.model import Action, FindingRef, Workbook, new_id
from tpkit.survey.metrics import Figure

if TYPE_CHECKING:
    import pyarrow as pa

MEASURES = ("csat", "nps")  # what "did customers notice?" is read from
VERDICTS = ("better", "worse", "unclear", "too_few", "no_answers")


def answering(workbook: Workbook, finding: Finding) -> list[Action]:
    """The workbook's actions that answer this finding (same rule and subject)."""
    ref = FindingRef(rule=finding.rule, subject=finding.subject)
    return [action for action in workbook.actions if action.finding == ref]


def action_from(finding: Finding, workbook: Workbook, language: str) -> Action:
    """An open action answering the finding: the rule's suggestion as what to do, its
    expected effect, the one stage or the first touchpoint it concerns, that one's
    owner, and the finding it answers. Due date and start are the team's to set."""
    names = Names.of(workbook)
    stage = finding.stages[0] if len(finding.stages) == 1 else None
    touchpoint = finding.touchpoints[0] if stage is None and finding.touchpoints else None
    if stage is not None:
        owner = workbook.stage(stage).owner
    elif touchpoint is not None:
        owner = workbook.touchpoint(touchpoint).owner
    else:
        owner = ""
    return Action(
        id=new_id(f"{finding.rule} {finding.subject}", [a.id for a in workbook.actions]),
        what=rule_text(finding, "action", language, names),
        touchpoint=touchpoint,
        stage=stage,
        owner=owner,
        expected_effect=rule_text(finding, "effect", language, names),
        finding=FindingRef(rule=finding.rule, subject=finding.subject),
    )


def addressed(workbook: Workbook, action: Action) -> list[str]:
    """The touchpoints an action changes: its own, else those of its stage."""
    if action.touchpoint:
        return [action.touchpoint]
    if action.stage:
        stage = next((s for s in workbook.stages if s.id == action.stage), None)
        return list(stage.touchpoints) if stage else []
    return []


@dataclass(frozen=True)
class Check:
    """Before against after for one touchpoint and measure of an action."""

    action: str
    touchpoint: str
    measure: str
    before: Figure | None
    after: Figure | None
    verdict: str  # one of VERDICTS


def verdict(before: Figure | None, after: Figure | None, minimum: int) -> str:
    """Whether customers noticed: only intervals that do not overlap say so."""
    if after is None:
        return "no_answers"
    if before is None or min(before.n, after.n) < minimum:
        return "too_few"
    if after.score_low > before.score_high:
        return "better"
    if after.score_high < before.score_low:
        return "worse"
    return "unclear"


def remeasure(workbook: Workbook, table: pa.Table, minimum: int | None = None) -> list[Check]:
    """Before vs after for every action with a start day, from a table of stored answers
    (:func:`tpkit.survey.responses.load_answers`). Answers without a date count on neither
    side."""
    import pyarrow.compute as pc

    from tpkit.survey import responses
    from tpkit.survey.metrics import summarise, tally

    minimum = minimum or thresholds(workbook).min_answers
    checks = []
    started = [a for a in workbook.actions if a.start and addressed(workbook, a)]
    submitted = table.column(responses.SUBMITTED)
    for action in started:
        moment = datetime(action.start.year, action.start.month, action.start.day, tzinfo=UTC)
        after = pc.fill_null(pc.greater_equal(submitted, moment), False)
        before = pc.fill_null(pc.less(submitted, moment), False)
        figures = {
            side: {
                (f.group, f.measure): f
                for f in summarise(tally(table.filter(mask)), "touchpoint", workbook)
            }
            for side, mask in (("before", before), ("after", after))
        }
        for touchpoint in addressed(workbook, action):
            for measure in MEASURES:
                old = figures["before"].get((touchpoint, measure))
                new = figures["after"].get((touchpoint, measure))
                checks.append(
                    Check(action.id, touchpoint, measure, old, new, verdict(old, new, minimum))
                )
    return checks


def remeasure_file(workbook: Workbook, workbook_path: str | os.PathLike[str]) -> list[Check]:
    """:func:`remeasure` on the responses stored beside the workbook."""
    from tpkit.survey import responses

    return remeasure(workbook, responses.load_answers(workbook_path))
