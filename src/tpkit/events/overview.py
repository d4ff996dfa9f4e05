"""Every figure of a workbook's events at once, for the notebook and the report.

The stored events are opened once, the steps computed once and kept, and each
analysis reads them; a workbook without events costs a look at its folder and
nothing more (no engine is started), which keeps batch reports fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tpkit.events.store import has_events
from tpkit.model import Workbook

if TYPE_CHECKING:  # the analytics import Ibis (0.15 s): only once there are events
    from tpkit.events import analytics as an


@dataclass
class Overview:
    journeys: an.Journeys
    transitions: list[an.Transition]
    paths: list[an.TouchpointPath]
    funnel: list[an.FunnelStage]
    attribution: an.Attribution | None  # None without a conversion event
    next_best: an.NextBest
    coverage: an.Coverage


def overview(
    workbook: Workbook, workbook_path: str | Path, engine: str = "duckdb"
) -> Overview | None:
    """All the figures, or None when the workbook has no events yet."""
    if not workbook_path or not has_events(Path(workbook_path)):
        return None
    from tpkit.events import analytics as an
    from tpkit.events.engines import keep, open_events

    events = open_events(Path(workbook_path), engine)
    steps = keep(an.steps(events))
    conversion = workbook.digital.conversion if workbook.digital else ""
    return Overview(
        journeys=an.journeys(events),
        transitions=an.transitions(steps),
        paths=an.paths(steps),
        funnel=an.funnel(steps, workbook),
        attribution=an.attribution(events, steps, conversion) if conversion else None,
        next_best=an.next_best(events, steps, workbook, conversion),
        coverage=an.coverage(events, workbook),
    )
