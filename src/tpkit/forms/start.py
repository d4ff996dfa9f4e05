"""Notebook 00 and the app's first line: choose the language and the team's workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from tpkit.errors import TpkitError
from tpkit.forms.fields import InlineMessage, choices, heading, row
from tpkit.forms.session import WorkbookSession, recall, remember, workbook_folder
from tpkit.i18n import default_language, requested_language, t
from tpkit.model import INDUSTRIES, LANGUAGES, Workbook, new_id

STARTS = ("blank", "sample", "catalogue")
GUIDANCE = ("start.intro", "start.next")  # notebook 00's texts above and below the form


def workbook_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("."))


def starting_workbook(start: str, team: str, language: str, sample: str, industry: str) -> Workbook:
    """A new team's workbook: blank, a copy of a sample, or the industry's suggestions."""
    from tpkit.catalogue import suggestions
    from tpkit.samples import blank, from_sample

    if start == "sample":
        workbook = from_sample(sample, language)
        workbook.meta.team = team
        return workbook
    workbook = blank(team, language, industry)
    if start == "catalogue":
        taken: list[str] = []
        for suggestion in suggestions(industry):
            touchpoint = suggestion.to_touchpoint(taken, language)
            taken.append(touchpoint.id)
            workbook.touchpoints.append(touchpoint)
    return workbook


class StartForm:
    """The language and the workbook. ``guidance=True`` (notebook 00) puts the notebook's
    guidance above and below the form, so a language choice changes every text at once;
    ``on_language`` hears of a choice (the app redraws its tabs in that language)."""

    def __init__(
        self,
        on_open: Callable[[WorkbookSession], None] | None = None,
        language: str | None = None,
        guidance: bool = False,
        on_language: Callable[[str], None] | None = None,
    ) -> None:
        self.on_open, self.on_language = on_open, on_language
        self.session: WorkbookSession | None = None
        remembered = recall()
        self.language_code = (
            language
            or requested_language()  # tpkit app --lang fr, TPKIT_LANG=de
            or (remembered[1] if remembered else default_language())
        )
        self.form = w.VBox()
        self.form.add_class("tpkit-start")
        self.guides = {topic: w.Output() for topic in (GUIDANCE if guidance else ())}
        before, after = list(self.guides.values())[:1], list(self.guides.values())[1:]
        self.widget = w.VBox([*before, self.form, *after]) if guidance else self.form
        self._build()

    def _build(self) -> None:
        from tpkit.samples import SAMPLE_NAMES

        language = self.language_code
        for topic, output in self.guides.items():
            output.outputs = (
                {
                    "output_type": "display_data",
                    "data": {"text/markdown": t(f"guide.{topic}", language)},
                    "metadata": {},
                },
            )
        self.language = w.Dropdown(
            options=[(t(f"language.{code}", code), code) for code in LANGUAGES], value=language
        )
        self.language.add_class("tpkit-language")
        self.existing = w.Dropdown(layout=w.Layout(width="24em"))
        self.list_workbooks()
        self.open_button = w.Button(
            description=t("form.start.open", language), icon="folder-open", button_style="primary"
        )
        self.open_button.add_class("tpkit-start-open")
        self.team = w.Text(
            placeholder=t("form.start.team_placeholder", language), layout=w.Layout(width="24em")
        )
        self.start_from = w.ToggleButtons(
            options=[(t(f"form.start.from_{key}", language), key) for key in STARTS],
            style={"button_width": "auto"},  # "Industry suggestions" in full, in any language
        )
        self.sample = w.Dropdown(
            options=[(t(f"form.start.sample_{name}", language), name) for name in SAMPLE_NAMES],
            layout=w.Layout(width="32em"),
        )
        self.industry = w.Dropdown(
            options=choices("industry", INDUSTRIES, language), layout=w.Layout(width="24em")
        )
        self.create_button = w.Button(
            description=t("form.start.create", language), icon="plus", button_style="primary"
        )
        self.create_button.add_class("tpkit-start-create")
        self.open_message = InlineMessage()  # next to Open: what was opened, or why not
        self.message = InlineMessage()  # next to Create: why nothing was created
        self.language.observe(lambda change: self._switch_language(change["new"]), names="value")
        self.open_button.on_click(lambda _: self._open_chosen())
        self.create_button.on_click(lambda _: self.create())
        self.start_from.observe(lambda change: self._show_choices(), names="value")
        self.sample_row = row(t("form.start.sample", language), self.sample)
        self.industry_row = row(t("field.industry", language), self.industry)
        self.form.children = [
            row(t("field.language", language), self.language),
            heading(t("form.start.open_title", language)),
            row(
                t("form.start.workbook", language),
                w.HBox([self.existing, self.open_button, self.open_message.widget]),
            ),
            heading(t("form.start.create_title", language)),
            row(t("field.team", language), self.team),
            row(t("form.start.start_from", language), self.start_from),
            self.sample_row,
            self.industry_row,
            w.HBox([self.create_button, self.message.widget]),
        ]
        self._show_choices()

    def _switch_language(self, language: str) -> None:
        self.language_code = language
        self._build()
        if self.session is not None:  # the next notebooks and a reload keep the choice
            self.session.language = language
            remember(self.session.path, language)
            self._say_opened()
        if self.on_language:
            self.on_language(language)

    def _open_chosen(self) -> WorkbookSession | None:
        if not self.existing.value:
            self.open_message.show(t("app.start.none_to_open", self.language_code), "info")
            return None
        return self.open(Path(self.existing.value))

    def _show_choices(self) -> None:
        start = self.start_from.value
        self.sample_row.layout.display = None if start == "sample" else "none"
        self.industry_row.layout.display = None if start == "catalogue" else "none"

    def create(self) -> WorkbookSession | None:
        from tpkit.store import create

        language = self.language_code
        team = self.team.value.strip()
        if not team:
            self.message.show(t("form.start.team_needed", language))
            return None
        path = workbook_folder() / f"{new_id(team, [])}.yaml"
        workbook = starting_workbook(
            self.start_from.value, team, language, self.sample.value, self.industry.value
        )
        try:
            create(path, workbook)
        except TpkitError as error:
            self.message.show(error.message(language))
            return None
        if self.start_from.value == "sample":  # the bank sample comes with its events
            from tpkit.samples import copy_sample_events

            copy_sample_events(self.sample.value, path)
        return self.open(path)

    def list_workbooks(self) -> None:
        """The workbooks in the folder as they are now, the remembered one chosen."""
        self.existing.options = [(p.name, str(p)) for p in workbook_files(workbook_folder())]
        remembered = recall()
        if remembered and str(remembered[0]) in [value for _, value in self.existing.options]:
            self.existing.value = str(remembered[0])

    def open(self, path: Path) -> WorkbookSession | None:
        try:
            self.session = WorkbookSession(path, self.language_code)
        except TpkitError as error:
            self.open_message.show(error.message(self.language_code))
            return None
        remember(path, self.language_code)
        self.message.clear()
        self._say_opened()
        if self.on_open:
            self.on_open(self.session)
        return self.session

    def _say_opened(self) -> None:
        if self.session is None:
            return
        workbook = self.session.workbook
        self.open_message.show(
            t(
                "form.start.opened",
                self.language_code,
                file=self.session.path.name,
                team=workbook.meta.team,
                touchpoints=len(workbook.touchpoints),
            ),
            "ok",
        )
