"""The app's exercise panel: one compact box under the tabs with the progress across the
workshop and what the workbook still lacks for the step of the open tab.

The notebooks show the same checks under each form (:func:`~tpkit.teaching.exercise_view.exercise`);
the app has one panel instead of one per tab, so that it stays small and follows the
team from tab to tab. A tab that is no step of the workshop (the customers' feedback)
shows the remarks of every step: a summary of what is left.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as w

from tpkit.forms.session import WorkbookSession
from tpkit.teaching.exercise_view import ExerciseFeedback, ProgressLine
from tpkit.teaching.exercises import STEPS

# The app's tabs (their title keys) → the steps whose checks they show.
STEPS_OF_TAB: dict[str, tuple[str, ...]] = {
    "app.tab.inventory": ("inventory",),
    "app.tab.rating": ("rating",),
    "app.tab.team": ("rating",),
    "app.tab.journey": ("journey",),
    "diagnostics.tab": ("actions",),
}


class ExercisePanel:
    """The progress line and the open tab's checks; both redraw after every save, the
    checks also when another tab is opened."""

    def __init__(self, session: WorkbookSession, tabs: w.Tab, tab_keys: Sequence[str]) -> None:
        self.session, self.tabs = session, tabs
        self.tab_steps = [STEPS_OF_TAB.get(key, STEPS) for key in tab_keys]
        self.line = ProgressLine(session)
        self.feedback = ExerciseFeedback(session, self.shown_steps())
        self.widget = w.VBox([self.line.widget, self.feedback.widget])
        self.widget.add_class("tpkit-exercise-panel")
        tabs.observe(self._tab_opened, names="selected_index")

    def shown_steps(self) -> tuple[str, ...]:
        index = self.tabs.selected_index
        return self.tab_steps[index] if index is not None and index < len(self.tab_steps) else STEPS

    def _tab_opened(self, _change: object) -> None:
        self.feedback.steps = self.shown_steps()
        self.feedback.refresh(self.session.workbook)
