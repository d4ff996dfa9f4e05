"""Notebook 02: each participant rates every touchpoint; the team sees consensus and
disagreement.

Scores are typed (1–5), so a facilitator can copy paper sheets quickly; a score that
is not a whole number from 1 to 5 gets a message next to it and is not saved. A row
is saved as soon as its three scores are valid; clearing all three removes the
participant's rating of that touchpoint.
"""

from __future__ import annotations

import html

import ipywidgets as w

from tpkit.forms.fields import InlineMessage, SaveStatus, field_problem, heading, row
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import label, t
from tpkit.model import PHASES, Rating, Touchpoint, Workbook, now

SCORES = ("contact_quality", "process_quality", "importance")
SCORE_HEADERS = ("summary.contact_short", "summary.process_short", "field.importance")
NAME_WIDTH, SCORE_WIDTH, TEXT_WIDTH = "16em", "6.5em", "16em"


class RatingRow:
    """One touchpoint's line in a participant's grid."""

    def __init__(self, touchpoint: Touchpoint, language: str) -> None:
        self.touchpoint_id = touchpoint.id
        self.scores = {
            name: w.Text(
                placeholder="1–5", continuous_update=False, layout=w.Layout(width=SCORE_WIDTH)
            )
            for name in SCORES
        }
        self.strengths = w.Text(continuous_update=False, layout=w.Layout(width=TEXT_WIDTH))
        self.problems = w.Text(continuous_update=False, layout=w.Layout(width=TEXT_WIDTH))
        self.message = InlineMessage()
        self.caption = w.Label(
            touchpoint.name, tooltip=touchpoint.name, layout=w.Layout(width=NAME_WIDTH)
        )
        self.widget = w.HBox(
            [
                self.caption,
                *self.scores.values(),
                self.strengths,
                self.problems,
                self.message.widget,
            ]
        )
        self.widget.add_class(f"tpkit-rating-{touchpoint.id}")
        self.widget.add_class("tpkit-rating-line")  # the app's CSS aligns lines as a table
        for name, widget in self.scores.items():
            widget.add_class(f"tpkit-score-{name}")

    def inputs(self) -> list[w.Text]:
        return [*self.scores.values(), self.strengths, self.problems]

    def show(self, rating: Rating | None) -> None:
        for name, widget in self.scores.items():
            widget.value = str(getattr(rating, name)) if rating else ""
        self.strengths.value = rating.strengths if rating else ""
        self.problems.value = rating.problems if rating else ""
        self.message.clear()


class RatingForm:
    def __init__(self, session: WorkbookSession) -> None:
        self.session = session
        language = session.language
        self.status = SaveStatus(session)
        self.participant = w.Combobox(
            placeholder=t("form.rating.who", language),
            ensure_option=False,
            continuous_update=False,
            layout=w.Layout(width="20em"),
        )
        self.participant.add_class("tpkit-participant")
        self.participant_message = InlineMessage()
        self.rows: dict[str, RatingRow] = {}
        self._layout: list[tuple[str, str]] = []
        self.pending: set[str] = set()  # rows with input not saved yet: refreshes leave them be
        self.grid = w.VBox()
        self._loading = False
        self.participant.observe(lambda change: self._switch_participant(), names="value")
        session.on_change(self._refresh)
        self._refresh(session.workbook)
        self.widget = w.VBox(
            [
                self.status.widget,
                row(
                    t("field.participant", language),
                    w.HBox([self.participant, self.participant_message.widget]),
                ),
                self.grid,
            ]
        )

    @property
    def who(self) -> str:
        return self.participant.value.strip()

    def _refresh(self, workbook: Workbook) -> None:
        self.participant.options = workbook.participants()
        layout = _layout(workbook)
        if [i for i, _ in layout] != [i for i, _ in self._layout]:
            self._build_grid(workbook)  # touchpoints added, removed or moved to another phase
        elif layout != self._layout:
            for (_, name), line in zip(layout, self.rows.values(), strict=True):
                line.caption.value = line.caption.tooltip = name  # a rename: no rebuild
            self._layout = layout
        self._show_participant()

    def _build_grid(self, workbook: Workbook) -> None:
        language = self.session.language

        def title(key: str, width: str) -> w.HTML:
            text = html.escape(t(key, language))
            return w.HTML(f"<b title='{text}'>{text}</b>", layout=w.Layout(width=width))

        header = w.HBox(
            [w.Label("", layout=w.Layout(width=NAME_WIDTH))]
            + [title(key, SCORE_WIDTH) for key in SCORE_HEADERS]
            + [title(f"field.{name}", TEXT_WIDTH) for name in ("strengths", "problems")],
            layout=w.Layout(grid_gap="0.5em"),
        )
        header.add_class("tpkit-rating-line")
        header.add_class("tpkit-rating-head")
        self.rows = {}
        sections: list[w.Widget] = [header]
        for phase in PHASES:
            touchpoints = workbook.touchpoints_in(phase)
            if not touchpoints:
                continue
            sections.append(heading(label("phase", phase, language)))
            for touchpoint in touchpoints:
                line = RatingRow(touchpoint, language)
                for widget in line.inputs():
                    widget.observe(lambda change, line=line: self._edited(line), names="value")
                self.rows[touchpoint.id] = line
                sections.append(line.widget)
        self.grid.children = sections
        self._layout = _layout(workbook)

    def _switch_participant(self) -> None:
        self.pending.clear()
        self._show_participant()

    def _show_participant(self) -> None:
        mine = {r.touchpoint: r for r in self.session.workbook.ratings if r.participant == self.who}
        self._loading = True
        try:
            for touchpoint_id, line in self.rows.items():
                if touchpoint_id not in self.pending:
                    line.show(mine.get(touchpoint_id) if self.who else None)
        finally:
            self._loading = False
        if self.who:
            self.participant_message.show(
                t(
                    "form.rating.progress",
                    self.session.language,
                    done=len(mine),
                    total=len(self.rows),
                ),
                "info",
            )
        else:
            self.participant_message.clear()

    def _edited(self, line: RatingRow) -> None:
        if self._loading:
            return
        language = self.session.language
        if not self.who:
            line.message.show(t("form.rating.name_first", language))
            return
        raw = {name: widget.value.strip() for name, widget in line.scores.items()}
        if not any(raw.values()):
            self.pending.discard(line.touchpoint_id)
            self._forget(line)
            return
        self.pending.add(line.touchpoint_id)
        for name, text in raw.items():
            problem = field_problem(Rating, name, text, language) if text else None
            if problem:
                line.message.show(f"{t(f'field.{name}', language)}: {problem}")
                return
        if not all(raw.values()):
            line.message.show(t("form.rating.all_three", language), "info")
            return
        self.pending.discard(line.touchpoint_id)
        rating = Rating(
            touchpoint=line.touchpoint_id,
            participant=self.who,
            strengths=line.strengths.value,
            problems=line.problems.value,
            rated_at=now(),
            **{name: int(text) for name, text in raw.items()},
        )
        result = self.session.apply(lambda wb: wb.set_rating(rating))
        if result.saved:
            line.message.show(t("form.saved", language), "ok")
        else:
            line.message.show(result.message)

    def _forget(self, line: RatingRow) -> None:
        who, touchpoint_id = self.who, line.touchpoint_id

        def forget(workbook: Workbook) -> None:
            workbook.ratings = [
                r for r in workbook.ratings if (r.touchpoint, r.participant) != (touchpoint_id, who)
            ]

        if self.session.apply(forget).saved:
            line.message.clear()


def _layout(workbook: Workbook) -> list[tuple[str, str]]:
    """The grid's rows: touchpoints grouped by phase, with the names they show."""
    return [(tp.id, tp.name) for phase in PHASES for tp in workbook.touchpoints_in(phase)]
