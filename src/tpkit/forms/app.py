"""The code-free app (Voila): the start line, then one tab per step of the workshop."""

from __future__ import annotations

import ipywidgets as w

from tpkit.forms.inventory import InventoryForm
from tpkit.forms.journey import JourneyForm
from tpkit.forms.rating import RatingForm
from tpkit.forms.session import WorkbookSession, recall
from tpkit.forms.start import StartForm
from tpkit.forms.survey import FeedbackView, MappingForm
from tpkit.forms.team import TeamView
from tpkit.i18n import t
from tpkit.survey.importer import ImportResult


class App:
    def __init__(self, with_charts: bool = True) -> None:
        self.with_charts = with_charts
        self.session: WorkbookSession | None = None
        self.tabs = w.Tab()
        self.title = w.HTML()
        self.start_panel = w.Accordion()
        self.start = StartForm(on_open=self._opened, on_language=self._language_chosen)
        self.start_panel.children = [self.start.widget]
        self.start_panel.titles = (t("app.workbook", self.start.language_code),)
        self.start_panel.selected_index = 0
        self.title.value = f"<h2>{t('app.title', self.start.language_code)}</h2>"
        self.exercise_slot = w.VBox()  # the exercise panel, once a workbook is open
        self.widget = w.VBox([self.title, self.start_panel, self.tabs, self.exercise_slot])
        remembered = recall()
        if remembered:  # a reload of the page comes back to the same workbook
            self.start.open(remembered[0])

    def _opened(self, session: WorkbookSession) -> None:
        if self.session is not None:
            self.session.close()  # the forms it fed are replaced
        self.session = session
        session.watch()  # colleagues' saves show up in every tab within seconds
        language = session.language
        self.title.value = f"<h2>{t('app.title', language)}</h2>"
        charts = self.with_charts
        self.inventory = InventoryForm(session, with_chart=charts)
        self.rating = RatingForm(session)
        self.team = TeamView(session, with_charts=charts)
        self.journey = JourneyForm(session, with_chart=charts)
        self.feedback = FeedbackView(session)
        self.mapping = MappingForm(session, on_import=self._imported)
        from tpkit.diagnostics.widgets import DiagnosticsView  # it builds on tpkit.forms
        from tpkit.teaching.exercise_panel import ExercisePanel  # so does this

        self.diagnostics = DiagnosticsView(session)
        pages = {
            "app.tab.inventory": [self.inventory.widget, *self.inventory.views()],
            "app.tab.rating": [self.rating.widget],
            "app.tab.team": [self.team.widget],
            "app.tab.journey": [self.journey.widget, *self.journey.views()],
            "app.tab.feedback": [self.mapping.widget, *self.feedback.views()],
            "diagnostics.tab": [self.diagnostics.widget],
        }
        self.tabs.children = [w.VBox(children) for children in pages.values()]
        self.tabs.titles = tuple(t(key, language) for key in pages)
        self.tabs.selected_index = 0
        self.exercises = ExercisePanel(session, self.tabs, tuple(pages))
        self.exercise_slot.children = [self.exercises.widget]
        workbook = session.workbook
        self.start_panel.titles = (
            t("app.open_workbook", language, team=workbook.meta.team, file=session.path.name),
        )
        self.start_panel.selected_index = None  # fold the start section away

    def _language_chosen(self, language: str) -> None:
        """A language chosen in the page: every text on it changes at once."""
        self.title.value = f"<h2>{t('app.title', language)}</h2>"
        if self.start.session is None:
            self.start_panel.titles = (t("app.workbook", language),)
        else:
            self.start.open(self.start.session.path)  # a fresh session: forms in the language
            self.start_panel.selected_index = 0  # the language was chosen there: stay

    def _imported(self, result: ImportResult) -> None:
        """New customer answers: the feedback views and the diagnostics read them again."""
        self.feedback.refresh(result)
        self.diagnostics.refresh()
