"""Pure functions that turn a workbook's ratings into figures (no pandas needed here).

A rating may lack scores (a participant typed a comment first, or one score of three):
each figure counts a score only where it exists, and says how many ratings were
incomplete, so nobody mistakes a mean of two scores for the team's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from tpkit.model import Rating, Stage, Workbook

CRITERIA = ("contact_quality", "process_quality", "importance")


@dataclass(frozen=True)
class TeamScore:
    """The team's consensus on one touchpoint: mean scores, and how far raters spread.

    A mean is None when no rater gave that score; ``incomplete`` counts the ratings
    that lack at least one of the three scores."""

    touchpoint: str
    raters: int
    contact_quality: float | None
    process_quality: float | None
    importance: float | None
    spread: int  # largest max − min over the three scores given: 0 = full agreement
    incomplete: int = 0


def team_scores(workbook: Workbook) -> dict[str, TeamScore]:
    """Consensus per rated touchpoint, keyed by touchpoint id, in inventory order."""
    by_touchpoint: dict[str, list[Rating]] = {tp.id: [] for tp in workbook.touchpoints}
    for rating in workbook.ratings:
        by_touchpoint.setdefault(rating.touchpoint, []).append(rating)
    scores = {}
    for touchpoint_id, ratings in by_touchpoint.items():
        if not ratings:
            continue
        columns = {
            name: [v for r in ratings if (v := getattr(r, name)) is not None] for name in CRITERIA
        }
        scores[touchpoint_id] = TeamScore(
            touchpoint=touchpoint_id,
            raters=len(ratings),
            spread=max((max(v) - min(v) for v in columns.values() if v), default=0),
            incomplete=sum(not r.complete for r in ratings),
            **{name: fmean(values) if values else None for name, values in columns.items()},
        )
    return scores


def incomplete_ratings(workbook: Workbook) -> int:
    """How many ratings lack at least one score."""
    return sum(not rating.complete for rating in workbook.ratings)


def incomplete_text(count: int, language: str | None) -> str:
    """The note beside a figure that says how many ratings lack a score ("" for none)."""
    from tpkit.i18n import plural

    return plural("forms.incomplete", count, language) if count else ""


def lowest_stage(workbook: Workbook) -> Stage | None:
    """The first stage with the lowest emotion, or None without stages."""
    return min(workbook.stages, key=lambda stage: stage.emotion, default=None)
