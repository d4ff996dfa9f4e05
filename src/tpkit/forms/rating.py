"""Notebook 02: each participant rates every touchpoint; the team sees consensus and
disagreement.

Scores are typed (1–5), so a facilitator can copy paper sheets quickly, in any order:
a rating is stored as soon as any part of it is typed (a comment before the scores,
one score of three), and each field is saved as it is typed (see
:meth:`WorkbookSession.later`). A score that is not a whole number from 1 to 5 gets a
message next to it and is not saved; clearing every field of a row removes the
participant's rating of that touchpoint.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from tpkit.forms.fields import InlineMessage, SaveStatus, field_problem, heading, row
from tpkit.forms.session import SaveResult, WorkbookSession
from tpkit.i18n import label, t
from tpkit.model import PHASES, Rating, Touchpoint, Workbook, now
from tpkit.safety import printable

SCORES = ("contact_quality", "process_quality", "importance")
TEXTS = ("strengths", "problems")
SCORE_HEADERS = ("summary.contact_short", "summary.process_short", "field.importance")
NAME_WIDTH, SCORE_WIDTH, TEXT_WIDTH = "16em", "6.5em", "16em"


class RatingRow:
    """One touchpoint's line in a participant's grid."""

    def __init__(self, touchpoint: Touchpoint, language: str) -> None:
        self.touchpoint_id = touchpoint.id
        self.scores = {
            name: w.Text(placeholder="1–5", layout=w.Layout(width=SCORE_WIDTH)) for name in SCORES
        }
        self.strengths = w.Text(layout=w.Layout(width=TEXT_WIDTH))
        self.problems = w.Text(layout=w.Layout(width=TEXT_WIDTH))
        self.message = InlineMessage()
        self.refused: set[str] = set()  # fields holding a value that was not saved
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
        for name, widget in self.inputs().items():
            widget.add_class(f"tpkit-score-{name}" if name in SCORES else f"tpkit-rating-{name}")

    def inputs(self) -> dict[str, w.Text]:
        return {**self.scores, "strengths": self.strengths, "problems": self.problems}

    def show(self, rating: Rating | None, keep: Callable[[str], bool]) -> None:
        """Show the file's values, except in fields ``keep`` names (typed, not saved yet)."""
        for name, widget in self.inputs().items():
            if keep(name):
                continue
            value = getattr(rating, name) if rating else None
            shown = "" if value is None else str(value)
            if widget.value.strip() != shown:  # a trailing space being typed stays
                widget.value = shown
        if not self.refused:
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
                for name, widget in line.inputs().items():
                    widget.observe(
                        lambda change, line=line, name=name: self._edited(line, name),
                        names="value",
                    )
                self.rows[touchpoint.id] = line
                sections.append(line.widget)
        self.grid.children = sections
        self._layout = _layout(workbook)

    def _switch_participant(self) -> None:
        for line in self.rows.values():
            line.refused.clear()
        self._show_participant()

    def _key(self, touchpoint_id: str, name: str) -> tuple[str, ...]:
        return ("rating", touchpoint_id, self.who, name)

    def _show_participant(self) -> None:
        mine = {r.touchpoint: r for r in self.session.workbook.ratings if r.participant == self.who}
        self._loading = True
        try:
            for touchpoint_id, line in self.rows.items():
                line.show(
                    mine.get(touchpoint_id) if self.who else None,
                    keep=lambda name, tp=touchpoint_id, line=line: (
                        name in line.refused or self.session.waiting(self._key(tp, name))
                    ),
                )
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

    def _edited(self, line: RatingRow, name: str) -> None:
        """Save one field of the participant's rating of this row's touchpoint."""
        if self._loading:
            return
        language = self.session.language
        if not self.who:
            line.message.show(t("form.rating.name_first", language))
            return
        text = line.inputs()[name].value
        value: int | str | None = (text.strip() or None) if name in SCORES else printable(text)
        problem = field_problem(Rating, name, value, language) if value is not None else None
        if problem:
            line.refused.add(name)
            line.message.show(f"{t(f'field.{name}', language)}: {problem}")
            return
        if name in SCORES and value is not None:
            value = int(value)
        line.refused.discard(name)
        who, touchpoint_id = self.who, line.touchpoint_id
        self.session.later(
            self._key(touchpoint_id, name),
            lambda wb: set_rating_field(wb, touchpoint_id, who, name, value),
            done=lambda result: self._saved(line, who, result),
        )

    def _saved(self, line: RatingRow, who: str, result: SaveResult) -> None:
        """The row's one message: saved (and what is still missing), or why not."""
        if who != self.who or line.refused:
            return  # another participant's grid is shown now, or a refusal stands
        language = self.session.language
        if not result.saved:
            line.message.show(result.message)
            return
        rating = self.session.workbook.rating(line.touchpoint_id, who)
        if rating is None:
            line.message.clear()
        elif missing := [t(f"field.{n}", language) for n in SCORES if getattr(rating, n) is None]:
            line.message.show(t("forms.saved_partial", language, missing=", ".join(missing)), "ok")
        else:
            line.message.show(t("form.saved", language), "ok")


def set_rating_field(
    workbook: Workbook, touchpoint_id: str, participant: str, name: str, value: object
) -> None:
    """Set one field of a participant's rating, creating the rating on its first field
    and removing it when its last field is cleared."""
    rating = workbook.rating(touchpoint_id, participant)
    if rating is None:
        if value in (None, ""):
            return
        rating = Rating(touchpoint=touchpoint_id, participant=participant)
    rating = rating.model_copy(update={name: value, "rated_at": now()})
    rating = Rating.model_validate(rating.model_dump())
    if all(getattr(rating, n) in (None, "") for n in (*SCORES, *TEXTS)):
        workbook.ratings = [
            r
            for r in workbook.ratings
            if (r.touchpoint, r.participant) != (touchpoint_id, participant)
        ]
    else:
        workbook.set_rating(rating)


def _layout(workbook: Workbook) -> list[tuple[str, str]]:
    """The grid's rows: touchpoints grouped by phase, with the names they show."""
    return [(tp.id, tp.name) for phase in PHASES for tp in workbook.touchpoints_in(phase)]
