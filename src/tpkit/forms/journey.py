"""Notebook 03: the persona and the Shawna-style journey map, stage by stage."""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import cached_property

import ipywidgets as w

from tpkit.errors import TpkitError
from tpkit.forms.editor import (
    FieldSpec,
    RecordEditor,
    choice_spec,
    lines_spec,
    links_spec,
    text_spec,
)
from tpkit.forms.fields import InlineMessage, LiveChart, SaveStatus, heading, row, text_lines
from tpkit.forms.session import SaveResult, WorkbookSession
from tpkit.i18n import t
from tpkit.model import PHASES, Kpi, Persona, Stage, Workbook
from tpkit.safety import printable

PERSONA_FIELDS = ("name", "description", "goals", "frustrations")


def _number(text: str) -> float | int | None:
    """'64', '3,8' or '3.8' → a number; '' → None; ValueError otherwise."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def _write_kpi_name(workbook: Workbook, stage_id: str, name: str) -> None:
    stage = workbook.stage(stage_id)
    stage.kpi = Kpi(name=name, value=stage.kpi.value if stage.kpi else None) if name else None


def _write_kpi_value(workbook: Workbook, stage_id: str, text: str) -> None:
    stage = workbook.stage(stage_id)
    value = _number(text)
    if stage.kpi is None:
        if value is None:
            return
        raise TpkitError("form.journey.kpi_name_first")
    stage.kpi = Kpi(name=stage.kpi.name, value=value)


def stage_specs(language: str) -> list[FieldSpec]:
    def touchpoint_options(wb: Workbook) -> list[tuple[str, str]]:
        return [(tp.name, tp.id) for tp in wb.touchpoints]

    def number_problem(text: str) -> str | None:
        try:
            _number(text)
        except ValueError:
            return t("problem.not_number", language, value=text)
        return None

    return [
        text_spec("name"),
        choice_spec("phase", PHASES, language),
        text_spec("doing", area=True),
        links_spec(
            "touchpoints",
            touchpoint_options,
            lambda wb, stage_id, ids: wb.set_touchpoints_of(stage_id, ids),
            6,
        ),
        text_spec("thinking", area=True),
        text_spec("feeling"),
        FieldSpec("emotion", lambda wb: w.IntSlider(min=-2, max=2, continuous_update=False)),
        lines_spec("pain_points"),
        lines_spec("opportunities"),
        text_spec("owner"),
        FieldSpec(
            "kpi_name",
            lambda wb: w.Text(),
            read=lambda stage: stage.kpi.name if stage.kpi else "",
            write=_write_kpi_name,
            caption_key="field.kpi",
        ),
        FieldSpec(
            "kpi_value",
            lambda wb: w.Text(layout=w.Layout(width="8em")),
            read=lambda stage: (
                "" if stage.kpi is None or stage.kpi.value is None else str(stage.kpi.value)
            ),
            write=_write_kpi_value,
            check=number_problem,
        ),
    ]


class PersonaForm:
    """The typical customer the map follows; saved field by field like everything else."""

    def __init__(self, session: WorkbookSession) -> None:
        self.session = session
        area = w.Layout(width="32em", height="4.5em")
        self.inputs = {
            "name": w.Text(layout=w.Layout(width="32em")),
            "description": w.Textarea(layout=area),
            "goals": w.Textarea(layout=area),
            "frustrations": w.Textarea(layout=area),
        }
        self.messages = {name: InlineMessage() for name in PERSONA_FIELDS}
        self._loading = False
        for name, widget in self.inputs.items():
            widget.add_class(f"tpkit-persona-{name}")
            widget.observe(lambda change, name=name: self._edited(name), names="value")
        session.on_change(self._show)
        self._show(session.workbook)
        language = session.language
        self.widget = w.VBox(
            [
                row(t(f"field.{name}", language), self.inputs[name], self.messages[name])
                for name in PERSONA_FIELDS
            ]
        )
        self.widget.add_class("tpkit-persona-form")

    def _show(self, workbook: Workbook) -> None:
        """The file's persona, except in fields typed but not saved yet or refused."""
        persona = workbook.persona
        self._loading = True
        try:
            for name, widget in self.inputs.items():
                if self.messages[name].kind == "error" or self.session.waiting(("persona", name)):
                    continue
                value = getattr(persona, name) if persona else ""
                if self._value(name) != value:  # a trailing space being typed stays
                    widget.value = "\n".join(value) if isinstance(value, list) else value
        finally:
            self._loading = False

    def _value(self, name: str) -> str | list[str]:
        text = printable(self.inputs[name].value)
        return text_lines(text) if name in ("goals", "frustrations") else text.strip()

    def _edited(self, name: str) -> None:
        if self._loading:
            return
        language = self.session.language
        value = self._value(name)
        if name == "name" and not value:
            self.messages[name].show(t("problem.empty", language))
            persona = self.session.workbook.persona
            if persona is not None:  # the saved name comes back: the file still holds it
                self._loading = True
                try:
                    self.inputs["name"].value = persona.name
                finally:
                    self._loading = False
            return
        unnamed = self.session.workbook.persona is None and not self.session.waiting(
            ("persona", "name")
        )
        if unnamed and name != "name":
            self.messages[name].show(t("form.journey.persona_name_first", language))
            return
        self.messages[name].clear()

        def write(workbook: Workbook) -> None:
            if workbook.persona is None:
                if name != "name":
                    raise TpkitError("form.journey.persona_name_first")  # its name was refused
                workbook.persona = Persona(name=value)
            setattr(workbook.persona, name, value)

        self.session.later(("persona", name), write, done=lambda result: self._saved(name, result))

    def _saved(self, name: str, result: SaveResult) -> None:
        if not result.saved:
            self.messages[name].show(result.message)


def _after(stage_id: str) -> Callable[[Workbook, str], None]:
    """Places a new stage right after ``stage_id`` (at the end if that one is gone)."""

    def place(workbook: Workbook, new_id: str) -> None:
        ids = [stage.id for stage in workbook.stages]
        if stage_id in ids:
            workbook.move_stage(new_id, ids.index(stage_id) + 1 - ids.index(new_id))

    return place


class JourneyForm:
    """The persona, the stage editor and the map; a click on a stage of the map opens
    the same stage editor in a panel beside it, so the map is edited where it is read."""

    def __init__(self, session: WorkbookSession, with_chart: bool = True) -> None:
        self.session = session
        language = session.language
        self.status = SaveStatus(session)
        self.persona = PersonaForm(session)
        self.editor = RecordEditor(
            session,
            "stages",
            Stage,
            stage_specs(language),
            remove=lambda wb, stage_id: wb.remove_stage(stage_id),
        )
        self.earlier = w.Button(description=t("form.journey.earlier", language), icon="arrow-left")
        self.later = w.Button(description=t("form.journey.later", language), icon="arrow-right")
        self.insert = w.Button(description=t("form.journey.insert_after", language), icon="plus")
        self.insert.add_class("tpkit-stages-insert")
        self.placement = InlineMessage()  # where the new stage will go
        self.earlier.on_click(lambda _: self.move(-1))
        self.later.on_click(lambda _: self.move(1))
        self.insert.on_click(lambda _: self.new_after(self.editor.current_id))
        self.editor.add_button.on_click(lambda _: self._added())  # after the editor's add
        self.editor.buttons.children = (
            self.earlier,
            self.later,
            self.insert,
            *self.editor.buttons.children,
            self.placement.widget,
        )
        self.editor.picker.observe(lambda change: self._picked(change["new"]), names="value")
        self._picked(self.editor.current_id)
        self.with_chart = with_chart
        self.close = w.Button(description=t("form.journey.close", language), icon="times")
        self.close.add_class("tpkit-map-panel-close")
        self.close.on_click(lambda _: self.close_panel())
        self.panel = w.VBox()  # empty until a stage is clicked on the map
        self.panel.add_class("tpkit-map-panel")
        self.widget = w.VBox(
            [
                self.status.widget,
                heading(t("section.persona", language)),
                self.persona.widget,
                heading(t("section.stages", language)),
                self.editor.widget,
            ]
        )

    def move(self, offset: int) -> None:
        stage_id = self.editor.current_id
        if stage_id:
            self.session.apply(lambda wb: wb.move_stage(stage_id, offset))

    def new_after(self, stage_id: str) -> None:
        """The form ready for a new stage that goes right after ``stage_id``."""
        if not stage_id:
            return
        language = self.session.language
        name = self.session.workbook.stage(stage_id).name
        self.editor.picker.value = ""  # a blank form for the new stage
        self.editor.place_new = _after(stage_id)
        add = t("form.add", language)
        self.placement.show(t("form.journey.goes_after", language, name=name, add=add), "info")

    def _picked(self, stage_id: str) -> None:
        """Moving and inserting concern a stage: shown only while one is picked."""
        display = None if stage_id else "none"
        for button in (self.earlier, self.later, self.insert):
            button.layout.display = display
        if stage_id:  # another stage picked: the new one is no longer placed
            self.editor.place_new = None
            self.placement.clear()

    def _added(self) -> None:
        if self.editor.place_new is None:  # the new stage went in, in its place
            self.placement.clear()

    def open_stage(self, stage_id: str) -> None:
        """A stage clicked on the map: its fields in the panel beside the map."""
        if not any(stage.id == stage_id for stage in self.session.workbook.stages):
            return  # the map was older than the file (removed meanwhile)
        self.editor.picker.value = stage_id
        if not self.panel.children:
            language = self.session.language
            title = heading(t("form.journey.panel_title", language))
            head = w.HBox([title, self.close])
            head.add_class("tpkit-map-panel-head")
            self.panel.children = [head, self.editor.widget]

    def close_panel(self) -> None:
        self.panel.children = []

    @cached_property
    def chart(self) -> LiveChart:
        """The journey map, built on first use: the form is usable before altair loads."""
        from tpkit.charts import journey_map
        from tpkit.charts.journey import PICKED

        chart = LiveChart(self.session, journey_map)
        chart.view.on_pick(PICKED, "pick", self.open_stage)
        return chart

    @cached_property
    def map(self) -> w.VBox:
        """The map with its hint and its stage panel, for a notebook cell (in a notebook
        the panel opens under the map, where the click was)."""
        return w.VBox(self.views())

    def views(self) -> list[w.Widget]:
        if not self.with_chart:
            return []
        hint = w.HTML(html.escape(t("form.journey.map_hint", self.session.language)))
        hint.add_class("tpkit-map-hint")
        self.chart.widget.add_class("tpkit-map-view")
        return [hint, self.chart.widget, self.panel]
