"""The team view (notebook 02 and the app's team tab): consensus and disagreement, live.

It redraws by itself when anyone saves (the session watches the workbook file), and
only when what it shows changed: a new stage or a persona edit leaves it alone.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

import ipywidgets as w

from tpkit.forms.fields import InlineMessage, escaped_table
from tpkit.forms.rating import SCORES
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import decimal, t
from tpkit.metrics import incomplete_ratings, incomplete_text, team_scores
from tpkit.model import Workbook

DISAGREEMENT = 2  # a spread of this many points or more is worth a conversation


def _shown(workbook: Workbook) -> tuple[object, ...]:
    """What the team view depends on: touchpoints (names, phases) and ratings."""
    return (
        tuple((tp.id, tp.name, tp.phase) for tp in workbook.touchpoints),
        tuple(workbook.ratings),
    )


class TeamView:
    """The team's consensus, and where people disagree: a table and two charts."""

    def __init__(self, session: WorkbookSession, with_charts: bool = True) -> None:
        self.session = session
        self.table = w.HTML()
        self.table.add_class("tpkit-team-table")
        self.live = InlineMessage()  # says the view is live, and when it last changed
        self.live.widget.add_class("tpkit-team-live")
        self.builds: list[Callable[[Workbook, str], Any]] = []
        self.charts: list[Any] = []  # ChartView: altair is imported only with charts
        if with_charts:
            from tpkit.charts import ChartView, quality_matrix, rating_spread

            self.builds = [quality_matrix, rating_spread]
            self.charts = [
                ChartView(build(session.workbook, session.language), session.language)
                for build in self.builds
            ]
        self._drawn = _shown(session.workbook)
        self.table.value = consensus_html(session.workbook, session.language)
        self.live.show(t("app.team.live", session.language), "info")
        session.on_change(self._refresh)
        # the two charts side by side under the table; one column when the window is narrow
        charts = w.GridBox(
            [chart.widget for chart in self.charts],
            layout=w.Layout(grid_template_columns="repeat(auto-fit, minmax(min(100%, 40em), 1fr))"),
        )
        charts.add_class("tpkit-grid")
        self.widget = w.VBox([self.live.widget, self.table, charts])

    def _refresh(self, workbook: Workbook) -> None:
        shown = _shown(workbook)
        if shown == self._drawn:
            return
        self._drawn = shown
        language = self.session.language
        self.table.value = consensus_html(workbook, language)
        for build, chart in zip(self.builds, self.charts, strict=True):
            chart.update(build(workbook, language))
        moment = datetime.now().strftime("%H:%M:%S")
        self.live.show(t("app.team.changed", language, time=moment), "info")


def consensus_html(workbook: Workbook, language: str) -> str:
    """Mean scores per touchpoint, the widest disagreements first."""
    scores = sorted(team_scores(workbook).values(), key=lambda s: -s.spread)
    names = {tp.id: tp.name for tp in workbook.touchpoints}
    headers = [
        t("field.touchpoint", language),
        t("form.rating.raters", language),
        *(t(f"field.{name}", language) for name in SCORES),
        t("form.rating.spread", language),
    ]
    rows = [
        [
            names[s.touchpoint],
            str(s.raters),
            *(_mean(getattr(s, name), language) for name in SCORES),
            f"{s.spread} ⚠ {t('form.rating.disagree', language)}"
            if s.spread >= DISAGREEMENT
            else str(s.spread),
        ]
        for s in scores
    ]
    table = escaped_table(headers, rows, t("form.rating.none", language))
    note = incomplete_text(incomplete_ratings(workbook), language)
    return table + (f"<p><i>{html.escape(note)}</i></p>" if note else "")


def _mean(value: float | None, language: str) -> str:
    """A mean, or a dash where no rater gave that score yet."""
    return "–" if value is None else decimal(value, language)
