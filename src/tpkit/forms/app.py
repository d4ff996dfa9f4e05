"""The code-free app (Voila): a header, the start section, then one tab per step of the
workshop, named by what the team does there.

The header always shows the product, the open workbook, the language (a choice there
or in the start section redraws every text at once) and whether the last change was
saved. The look is the report's (:mod:`tpkit.forms.theme`); each tab lays its form
and its views out side by side where the screen allows.
"""

from __future__ import annotations

import html

import ipywidgets as w

from tpkit.forms.fields import SaveStatus, heading
from tpkit.forms.inventory import InventoryForm
from tpkit.forms.journey import JourneyForm
from tpkit.forms.rating import RatingForm
from tpkit.forms.session import WorkbookSession, recall
from tpkit.forms.start import StartForm
from tpkit.forms.survey import FeedbackView, MappingForm
from tpkit.forms.team import TeamView
from tpkit.forms.theme import style_widget
from tpkit.i18n import t
from tpkit.model import LANGUAGES
from tpkit.survey.importer import ImportResult

TABS = ("inventory", "rating", "team", "journey", "feedback", "diagnostics")
TAB_TITLES = (*(f"app.tab.{name}" for name in TABS[:-1]), "diagnostics.tab")


def ready_for_page(with_charts: bool = True) -> App:
    """The app for the page that takes this kernel.

    In a kernel that Voila starts ahead of time (``tpkit app`` keeps two), the app is
    built now; when a page takes the kernel, the app only catches up with what changed
    meanwhile (another workbook or language chosen: built again; its file saved by
    someone: read again), so the page waits for neither a kernel's imports nor the
    building. Anywhere else (JupyterLab, papermill, a kernel Voila starts for the
    request) this builds the app and returns it at once."""
    from voila.utils import wait_for_request

    from tpkit.servers import signal_ready

    app = App(with_charts)
    signal_ready()  # `tpkit app` gives its address now
    wait_for_request()
    return app.caught_up()


def two_columns(left: list[w.Widget], right: list[w.Widget], left_width: str = "46em") -> w.GridBox:
    """A form beside what it changes; one column when the window is narrow."""
    grid = w.GridBox(
        [w.VBox(left), w.VBox(right)],
        layout=w.Layout(
            grid_template_columns=f"repeat(auto-fit, minmax(min(100%, {left_width}), 1fr))",
            width="100%",
        ),
    )
    grid.add_class("tpkit-grid")
    return grid


class App:
    def __init__(self, with_charts: bool = True) -> None:
        self.with_charts = with_charts
        self.session: WorkbookSession | None = None
        self.tabs = w.Tab()
        self.tabs.add_class("tpkit-tabs")
        self.tabs.observe(lambda change: self._tab_shown(change["new"]), names="selected_index")
        self.title = w.HTML()
        self.workbook_line = w.HTML()
        self.workbook_line.add_class("tpkit-header-workbook")
        self.status_slot = w.Box()
        self.start_panel = w.Accordion()
        self.start = StartForm(on_open=self._opened, on_language=self._language_chosen)
        self.language = w.Dropdown(
            options=[(t(f"language.{code}", code), code) for code in LANGUAGES],
            value=self.start.language_code,
            layout=w.Layout(width="10em"),
        )
        self.language.add_class("tpkit-header-language")
        self.language.observe(lambda change: self._header_language(change["new"]), names="value")
        self.start_panel.children = [self.start.widget]
        self.start_panel.selected_index = 0
        self.header = w.HBox([self.title, self.workbook_line, self.language, self.status_slot])
        self.header.add_class("tpkit-header")
        self._label(self.start.language_code)
        self.exercise_slot = w.VBox()  # the exercise panel, once a workbook is open
        self.widget = w.VBox(
            [style_widget(), self.header, self.start_panel, self.tabs, self.exercise_slot]
        )
        self.widget.add_class("tpkit-app")
        remembered = recall()
        if remembered:  # a reload of the page comes back to the same workbook
            self.start.open(remembered[0])
        self._remembered = recall()  # as this app left it (opening remembers its language)

    def caught_up(self) -> App:
        """This app as a page opened now would find it: built again if another workbook
        or language was chosen since it was built, else with its file read again."""
        if recall() != self._remembered:
            if self.session is not None:
                self.session.close()
            return App(self.with_charts)
        self.start.list_workbooks()
        if self.session is not None:
            self.session.check_file()
        return self

    def _label(self, language: str) -> None:
        """The header's and start section's texts in ``language``."""
        self.title.value = f"<h1>{html.escape(t('app.title', language))}</h1>"
        self.language.value = language
        session = self.start.session
        if session is None:
            self.workbook_line.value = ""
            self.start_panel.titles = (t("app.workbook", language),)
            return
        team, file = session.workbook.meta.team, session.path.name
        self.workbook_line.value = f"<b>{html.escape(team)}</b> · {html.escape(file)}"
        self.start_panel.titles = (t("app.open_workbook", language, team=team, file=file),)

    def _header_language(self, language: str) -> None:
        self.start.language.value = language  # the start form switches and tells _language_chosen

    def _opened(self, session: WorkbookSession) -> None:
        if self.session is not None:
            self.session.close()  # the forms it fed are replaced
        self.session = session
        session.watch()  # colleagues' saves show up in every tab within seconds
        language = session.language
        self.status = SaveStatus(session)
        self.status_slot.children = [self.status.widget]
        # Each tab is filled the first time it is shown: the page is usable once the
        # first form is drawn, not after ~1,300 widgets of six tabs reach the browser.
        self._forms: dict[str, object] = {}
        self._pages = {name: w.VBox() for name in TABS}
        for name, page in self._pages.items():
            page.add_class(f"tpkit-tab-{name}")
        self.tabs.children = list(self._pages.values())
        self.tabs.titles = tuple(t(key, language) for key in TAB_TITLES)
        self.tabs.selected_index = 0
        self._fill(TABS[0])
        from tpkit.teaching.exercise_panel import ExercisePanel  # it builds on tpkit.forms

        self.exercises = ExercisePanel(session, self.tabs, TAB_TITLES)
        self.exercise_slot.children = [self.exercises.widget]
        self._label(language)
        self.start_panel.selected_index = None  # fold the start section away

    def _tab_shown(self, index: int | None) -> None:
        if self.session is not None and index is not None:
            self._fill(TABS[index])

    def _fill(self, name: str) -> None:
        """Builds tab ``name``'s forms and views into its page, once per session."""
        page = self._pages[name]
        if not page.children:
            page.children = [getattr(self, f"_build_{name}")(self.session)]

    def _form(self, name: str):
        """A tab's form or view, built if nobody has shown its tab yet."""
        self._fill("feedback" if name == "mapping" else name)
        return self._forms[name]

    def _build_inventory(self, session: WorkbookSession) -> w.Widget:
        form = self._forms["inventory"] = InventoryForm(session, with_chart=self.with_charts)
        return two_columns([form.widget], form.views())

    def _build_rating(self, session: WorkbookSession) -> w.Widget:
        form = self._forms["rating"] = RatingForm(session)
        return form.widget

    def _build_team(self, session: WorkbookSession) -> w.Widget:
        view = self._forms["team"] = TeamView(session, with_charts=self.with_charts)
        return view.widget

    def _build_journey(self, session: WorkbookSession) -> w.Widget:
        journey = self._forms["journey"] = JourneyForm(session, with_chart=self.with_charts)
        language = session.language
        return w.VBox(
            [
                two_columns(
                    [heading(t("section.persona", language)), journey.persona.widget],
                    [heading(t("section.stages", language)), journey.editor.widget],
                ),
                *journey.views(),
            ]
        )

    def _build_feedback(self, session: WorkbookSession) -> w.Widget:
        feedback = self._forms["feedback"] = FeedbackView(session)
        mapping = self._forms["mapping"] = MappingForm(
            session, on_import=self._imported, uploads_only=True
        )
        return w.VBox([mapping.widget, *feedback.views()])

    def _build_diagnostics(self, session: WorkbookSession) -> w.Widget:
        from tpkit.diagnostics.widgets import DiagnosticsView  # it builds on tpkit.forms

        view = self._forms["diagnostics"] = DiagnosticsView(session)
        return view.widget

    inventory = property(lambda self: self._form("inventory"))
    rating = property(lambda self: self._form("rating"))
    team = property(lambda self: self._form("team"))
    journey = property(lambda self: self._form("journey"))
    feedback = property(lambda self: self._form("feedback"))
    mapping = property(lambda self: self._form("mapping"))
    diagnostics = property(lambda self: self._form("diagnostics"))

    def _language_chosen(self, language: str) -> None:
        """A language chosen in the page: every text on it changes at once."""
        if self.start.session is None:
            self._label(language)
        else:  # a fresh session: forms in the language, the same section and tab shown
            section, tab = self.start_panel.selected_index, self.tabs.selected_index
            self.start.open(self.start.session.path)
            self.start_panel.selected_index, self.tabs.selected_index = section, tab

    def _imported(self, result: ImportResult) -> None:
        """New customer answers: the feedback views and the diagnostics read them again."""
        self.feedback.refresh(result)
        if "diagnostics" in self._forms:  # otherwise it reads them when first shown
            self.diagnostics.refresh()
