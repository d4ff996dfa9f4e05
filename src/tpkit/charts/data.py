"""The tables behind the charts: pure functions from a workbook to pandas DataFrames.

They hold keys, not translated labels (``phase == "after"``), so they are tested with
plain data and every language shares them; the chart functions translate.
"""

from __future__ import annotations

import pandas as pd

from tpkit.metrics import CRITERIA, team_scores
from tpkit.model import KINDS, PHASES, Stage, Touchpoint, Workbook

MIDPOINT = 3.0  # the quality matrix splits at the middle of the 1–5 scale
GOOD = 4.0  # a team quality of 4 or more is good, below the midpoint is poor
DISPUTED = 2  # raters this many points apart should talk before anything is fixed


def level(quality: float | None) -> str:
    """The traffic-light class of a team quality (mean of contact and process quality)."""
    if quality is None or pd.isna(quality):
        return "unrated"
    if quality < MIDPOINT:
        return "poor"
    return "good" if quality >= GOOD else "fair"


def quadrant(contact: float, process: float) -> str:
    """Which of the four quality-matrix fields a touchpoint falls in; a 3 counts as fine."""
    if contact >= MIDPOINT:
        return "strong" if process >= MIDPOINT else "fix_process"
    return "fix_contact" if process >= MIDPOINT else "fix_both"


def coverage_data(workbook: Workbook) -> pd.DataFrame:
    """Touchpoints per phase and kind, with a row for every pair so empty phases show 0."""
    counts = {(phase, kind): 0 for phase in PHASES for kind in KINDS}
    for touchpoint in workbook.touchpoints:
        counts[touchpoint.phase, touchpoint.kind] += 1
    return pd.DataFrame(
        [(phase, kind, n) for (phase, kind), n in counts.items()],
        columns=["phase", "kind", "touchpoints"],
    )


def quality_data(workbook: Workbook) -> pd.DataFrame:
    """The team's consensus per rated touchpoint, with its quadrant and quality level.

    Only touchpoints with both a contact and a process quality can be placed; a missing
    importance leaves ``importance`` empty (NaN)."""
    known = {tp.id: tp for tp in workbook.touchpoints}
    rows = []
    for score in team_scores(workbook).values():
        touchpoint = known.get(score.touchpoint)
        if touchpoint is None:  # a rating of a deleted touchpoint: nothing to place
            continue
        if score.contact_quality is None or score.process_quality is None:
            continue  # no position in the matrix yet
        quality = (score.contact_quality + score.process_quality) / 2
        rows.append(
            {
                "touchpoint": touchpoint.id,
                "name": touchpoint.name,
                "phase": touchpoint.phase,
                "owner": touchpoint.owner,
                "contact_quality": score.contact_quality,
                "process_quality": score.process_quality,
                "importance": score.importance,
                "raters": score.raters,
                "spread": score.spread,
                "quality": quality,
                "level": level(quality),
                "quadrant": quadrant(score.contact_quality, score.process_quality),
            }
        )
    columns = ["touchpoint", "name", "phase", "owner", *CRITERIA, "raters", "spread", "quality"]
    return pd.DataFrame(rows, columns=[*columns, "level", "quadrant"])


def spread_data(workbook: Workbook) -> pd.DataFrame:
    """Every participant's score per touchpoint and criterion, most disputed touchpoint first.

    ``low``/``high``/``spread`` are per touchpoint and criterion; ``touchpoint_spread``
    is the largest of them, the one that orders the rows.
    """
    known = {tp.id: tp for tp in workbook.touchpoints}
    rows = [
        (r.touchpoint, known[r.touchpoint].name, r.participant, criterion, value)
        for r in workbook.ratings
        if r.touchpoint in known
        for criterion in CRITERIA
        if (value := getattr(r, criterion)) is not None  # a missing score has no dot
    ]
    data = pd.DataFrame(rows, columns=["touchpoint", "name", "participant", "criterion", "score"])
    by_pair = data.groupby(["touchpoint", "criterion"])["score"]
    data["low"] = by_pair.transform("min")
    data["high"] = by_pair.transform("max")
    data["spread"] = data["high"] - data["low"]
    data["touchpoint_spread"] = data.groupby("touchpoint")["spread"].transform("max")
    order = {tp_id: i for i, tp_id in enumerate(known)}
    data["order"] = data["touchpoint"].map(order)
    data = data.sort_values(["touchpoint_spread", "order"], ascending=[False, True], kind="stable")
    return data.drop(columns="order").reset_index(drop=True)


def stage_touchpoints(workbook: Workbook, stage: Stage) -> list[Touchpoint]:
    """The touchpoints of a stage: those it lists, then those that list it; unknown ids skipped."""
    known = {tp.id: tp for tp in workbook.touchpoints}
    ids = [*stage.touchpoints, *(tp.id for tp in workbook.touchpoints if stage.id in tp.stages)]
    return [known[tp_id] for tp_id in dict.fromkeys(ids) if tp_id in known]


def journey_data(workbook: Workbook) -> pd.DataFrame:
    """One row per stage in workbook order; ``lowest`` marks the low point(s) of the curve."""
    columns = ["stage", "name", "phase", "doing", "thinking", "feeling", "emotion"]
    columns += ["pain_points", "opportunities", "owner", "kpi", "kpi_value", "lowest"]
    emotions = {stage.emotion for stage in workbook.stages}
    lowest = min(emotions) if len(emotions) > 1 else None  # a flat curve has no low point
    rows = [
        (
            s.id,
            s.name,
            s.phase,
            s.doing,
            s.thinking,
            s.feeling,
            s.emotion,
            list(s.pain_points),
            list(s.opportunities),
            s.owner,
            s.kpi.name if s.kpi else "",
            s.kpi.value if s.kpi else None,
            s.emotion == lowest,
        )
        for s in workbook.stages
    ]
    return pd.DataFrame(rows, columns=columns)


def journey_touchpoints(workbook: Workbook) -> pd.DataFrame:
    """Each stage's touchpoints with the team quality that colours them on the map."""
    scores = quality_data(workbook).set_index("touchpoint")
    rows = []
    for stage in workbook.stages:
        for touchpoint in stage_touchpoints(workbook, stage):
            rated = touchpoint.id in scores.index
            quality = float(scores.at[touchpoint.id, "quality"]) if rated else None
            raters = int(scores.at[touchpoint.id, "raters"]) if rated else 0
            rows.append((stage.id, touchpoint.id, touchpoint.name, quality, level(quality), raters))
    columns = ["stage", "touchpoint", "name", "quality", "level", "raters"]
    return pd.DataFrame(rows, columns=columns)
