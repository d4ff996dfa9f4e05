"""Pure functions that turn a workbook's ratings into figures (no pandas needed here)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from tpkit.model import Stage, Workbook


@dataclass(frozen=True)
class TeamScore:
    """The team's consensus on one touchpoint: mean scores, and how far raters spread."""

    touchpoint: str
    raters: int
    contact_quality: float
    process_quality: float
    importance: float
    spread: int  # largest max − min over the three scores: 0 = full agreement


def team_scores(workbook: Workbook) -> dict[str, TeamScore]:
    """Consensus per rated touchpoint, keyed by touchpoint id, in inventory order."""
    by_touchpoint: dict[str, list] = {tp.id: [] for tp in workbook.touchpoints}
    for rating in workbook.ratings:
        by_touchpoint.setdefault(rating.touchpoint, []).append(rating)
    scores = {}
    for touchpoint_id, ratings in by_touchpoint.items():
        if not ratings:
            continue
        columns = {
            name: [getattr(r, name) for r in ratings]
            for name in ("contact_quality", "process_quality", "importance")
        }
        scores[touchpoint_id] = TeamScore(
            touchpoint=touchpoint_id,
            raters=len(ratings),
            spread=max(max(values) - min(values) for values in columns.values()),
            **{name: fmean(values) for name, values in columns.items()},
        )
    return scores


def lowest_stage(workbook: Workbook) -> Stage | None:
    """The first stage with the lowest emotion, or None without stages."""
    return min(workbook.stages, key=lambda stage: stage.emotion, default=None)
