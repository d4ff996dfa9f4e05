"""A generic editor for a list of records (touchpoints, journey stages).

Pick a record (or "new"), edit its fields: each change is checked, shown next to its
field if refused, and otherwise saved as it is typed (text waits for a pause in the
typing, :meth:`WorkbookSession.later`). New records get a stable id from their name;
removing asks for a second click and says what goes with the record. Every action
leaves one message: a refusal (next to the fields it concerns, with one line saying
what to do) or a success, never both. The forms for the inventory and the journey
map are this editor with field specs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
from pydantic import BaseModel

from tpkit.forms.fields import InlineMessage, choices, field_problem, row, text_lines
from tpkit.forms.session import SaveResult, WorkbookSession
from tpkit.i18n import t
from tpkit.model import Workbook, new_id
from tpkit.safety import printable

Reader = Callable[[Any], Any]  # record → widget value
Writer = Callable[[Workbook, str, Any], None]  # (workbook, record id, field value) → None


@dataclass
class FieldSpec:
    """One input of an editor and how it maps to the record."""

    name: str
    make: Callable[[Workbook], w.Widget]
    to_widget: Callable[[Any], Any] = lambda value: value
    from_widget: Callable[[Any], Any] = lambda value: value
    read: Reader | None = None  # default: getattr(record, name)
    write: Writer | None = None  # default: setattr on the record
    check: Callable[[Any], str | None] | None = None  # default: the model's rules
    options: Callable[[Workbook], list[tuple[str, str]]] | None = None  # refreshed choices
    caption_key: str = field(default="")


# --- field specs the forms are made of ---------------------------------------------


def text_spec(name: str, area: bool = False) -> FieldSpec:
    kind = w.Textarea if area else w.Text
    layout = w.Layout(width="32em", height="4.5em" if area else None)
    return FieldSpec(name, lambda wb: kind(layout=layout), from_widget=printable)


def lines_spec(name: str) -> FieldSpec:
    """A list of texts, edited one per line."""
    return FieldSpec(
        name,
        lambda wb: w.Textarea(layout=w.Layout(width="32em", height="4.5em")),
        to_widget="\n".join,
        from_widget=text_lines,
    )


def choice_spec(name: str, keys: tuple[str, ...], language: str) -> FieldSpec:
    return FieldSpec(name, lambda wb: w.Dropdown(options=choices(name, keys, language)))


def flag_spec(name: str) -> FieldSpec:
    return FieldSpec(name, lambda wb: w.Checkbox(indent=False))


def links_spec(
    name: str,
    options: Callable[[Workbook], list[tuple[str, str]]],
    write: Writer,
    rows: int,
) -> FieldSpec:
    """Links to other records (a touchpoint's stages, a stage's touchpoints), set both ways."""
    return FieldSpec(
        name,
        lambda wb: w.SelectMultiple(options=options(wb), rows=rows, layout=w.Layout(width="32em")),
        to_widget=tuple,
        from_widget=list,
        write=write,
        options=options,
    )


def _same(typed: Any, stored: Any) -> bool:
    """Whether an input already shows the stored value (text compared as the model
    keeps it: without the spaces around it)."""
    if isinstance(typed, str) and isinstance(stored, str):
        return typed.strip() == stored.strip()
    return typed == stored


class RecordEditor:
    def __init__(
        self,
        session: WorkbookSession,
        section: str,
        record: type[BaseModel],
        specs: list[FieldSpec],
        remove: Callable[[Workbook, str], None],
        removal_note: Callable[[Workbook, str], str] = lambda wb, record_id: "",
    ) -> None:
        self.session, self.section, self.record, self.specs = session, section, record, specs
        self._remove_record, self._removal_note = remove, removal_note
        language = session.language
        self._loading = False
        self._confirming = False
        self._refused: set[str] = set()  # fields showing a value that was not saved
        # where the next new record goes, in the same save (default: at the end)
        self.place_new: Callable[[Workbook, str], None] | None = None
        wb = session.workbook
        self.picker = w.Dropdown(layout=w.Layout(width="32em"))
        self.inputs: dict[str, w.Widget] = {spec.name: spec.make(wb) for spec in specs}
        self.messages = {spec.name: InlineMessage() for spec in specs}
        self.feedback = InlineMessage()
        self.add_button = w.Button(
            description=t("form.add", language), button_style="primary", icon="plus"
        )
        self.remove_button = w.Button(description=t("form.remove", language), icon="trash")
        self.buttons = w.HBox([self.add_button, self.remove_button, self.feedback.widget])
        rows = [
            row(
                t(spec.caption_key or f"field.{spec.name}", language),
                self.inputs[spec.name],
                self.messages[spec.name],
            )
            for spec in specs
        ]
        self.widget = w.VBox(
            [row(t(f"form.{section}.pick", language), self.picker), *rows, self.buttons]
        )
        # stable hooks for browser tests and custom styling: tpkit-touchpoints-name, …
        self.widget.add_class(f"tpkit-{section}-form")
        self.picker.add_class(f"tpkit-{section}-pick")
        self.add_button.add_class(f"tpkit-{section}-add")
        self.remove_button.add_class(f"tpkit-{section}-remove")
        for spec in specs:
            self.inputs[spec.name].add_class(f"tpkit-{section}-{spec.name}")
        for spec in specs:
            self.inputs[spec.name].observe(
                lambda change, name=spec.name: self._edited(name), names="value"
            )
        self.picker.observe(lambda change: self._load(change["new"]), names="value")
        self.add_button.on_click(lambda _: self.add())
        self.remove_button.on_click(lambda _: self.remove())
        session.on_change(self._refresh)
        self._refresh(wb)
        self._load("")

    # --- reading the workbook into the widgets ---------------------------------------

    @property
    def current_id(self) -> str:
        return self.picker.value or ""

    def records(self, workbook: Workbook) -> list[Any]:
        return getattr(workbook, self.section)

    def _find(self, workbook: Workbook, record_id: str) -> Any:
        return next(r for r in self.records(workbook) if r.id == record_id)

    def _refresh(self, workbook: Workbook) -> None:
        self._loading = True
        try:
            current = self.current_id
            ids = [r.id for r in self.records(workbook)]
            self.picker.options = [(t(f"form.{self.section}.new", self.session.language), "")] + [
                (r.name, r.id) for r in self.records(workbook)
            ]
            for spec in self.specs:
                if spec.options is not None:
                    self.inputs[spec.name].options = spec.options(workbook)
            self.picker.value = current if current in ids else ""
        finally:
            self._loading = False
        if self.current_id == current:
            self._show(self.current_id)  # what others saved; what is being typed stays
        else:
            self._load(self.current_id)

    def _load(self, record_id: str) -> None:
        """Show a record's values (or blank ones for a new record), and no message."""
        self._cancel_confirmation()
        for spec in self.specs:
            self.messages[spec.name].clear()
        self._refused.clear()
        self._show(record_id, everything=True)
        self.add_button.layout.display = "none" if record_id else None
        self.remove_button.layout.display = None if record_id else "none"

    def _show(self, record_id: str, everything: bool = False) -> None:
        """Put the file's values into the inputs; unless ``everything``, leave alone a
        draft of a new record, a refused value and a change waiting to be saved."""
        if not record_id and not everything:
            return
        self._loading = True
        try:
            record = self._find(self.session.workbook, record_id) if record_id else None
            for spec in self.specs:
                widget = self.inputs[spec.name]
                if record is None:
                    widget.value = self._blank(spec, widget)
                    continue
                value = spec.read(record) if spec.read else getattr(record, spec.name)
                if not everything and (
                    spec.name in self._refused
                    or self.session.waiting((self.section, record_id, spec.name))
                    or _same(spec.from_widget(widget.value), value)
                ):
                    continue  # (a trailing space being typed is not taken away)
                widget.value = spec.to_widget(value)
        finally:
            self._loading = False
        self._forget_fix_first()
        self.add_button.layout.display = "none" if record_id else None
        self.remove_button.layout.display = None if record_id else "none"

    def _blank(self, spec: FieldSpec, widget: w.Widget) -> Any:
        """A new record starts from the model's defaults (channel "other", kind "digital"…)."""
        field = self.record.model_fields.get(spec.name)
        if field is not None and not field.is_required() and field.default not in (None, [], ""):
            return spec.to_widget(field.default)
        if isinstance(widget, w.SelectMultiple):
            return ()
        if isinstance(widget, w.Checkbox):
            return False
        if isinstance(widget, w.Dropdown):
            return widget.options[0][1] if widget.options else None
        if isinstance(widget, w.IntSlider):
            return 0
        return ""

    # --- writing the widgets into the workbook ---------------------------------------

    def value(self, name: str) -> Any:
        spec = next(s for s in self.specs if s.name == name)
        return spec.from_widget(self.inputs[name].value)

    def _problem(self, spec: FieldSpec, value: Any, record_id: str) -> str | None:
        language = self.session.language
        if spec.check is not None:
            problem = spec.check(value)
        elif spec.name in self.record.model_fields:
            problem = field_problem(self.record, spec.name, value, language)
        else:
            problem = None
        if problem is None and spec.name == "name":
            taken = {
                r.name.casefold() for r in self.records(self.session.workbook) if r.id != record_id
            }
            if value.strip().casefold() in taken:
                problem = t("form.duplicate_name", language, name=value.strip())
        return problem

    def _edited(self, name: str) -> None:
        if self._loading:
            return
        spec = next(s for s in self.specs if s.name == name)
        value = self.value(name)
        problem = self._problem(spec, value, self.current_id)
        self._cancel_confirmation()
        if self.feedback.kind == "ok":
            self.feedback.clear()  # "added" was the last action's message, not this one's
        if problem:
            self._refused.add(name)
            self._show_refusal(spec, problem)
            return
        self._refused.discard(name)
        self.messages[name].clear()
        self._forget_fix_first()
        if self.current_id:
            record_id = self.current_id
            self.session.later(
                (self.section, record_id, name),
                lambda wb: self._write(wb, spec, record_id, value),
                done=lambda result: self._saved(spec, record_id, result),
            )

    def _saved(self, spec: FieldSpec, record_id: str, result: SaveResult) -> None:
        if not result.saved and record_id == self.current_id:
            self._refused.add(spec.name)
            self._show_refusal(spec, result.message)

    def _show_refusal(self, spec: FieldSpec, problem: str) -> None:
        """Say why a value was refused. A refused rename shows the saved name again (the
        name the picker and the file hold); other fields keep what was typed, so a long
        text refused for one character is not lost."""
        self.messages[spec.name].show(problem)
        if self.current_id and spec.name == "name":
            record = self._find(self.session.workbook, self.current_id)
            value = spec.read(record) if spec.read else getattr(record, spec.name)
            self._loading = True
            try:
                self.inputs[spec.name].value = spec.to_widget(value)
            finally:
                self._loading = False

    def _forget_fix_first(self) -> None:
        """The "correct the fields marked above" line goes once no field is marked."""
        if self.feedback.text == t("form.fix_first", self.session.language) and not any(
            message.kind == "error" for message in self.messages.values()
        ):
            self.feedback.clear()

    def _write(self, workbook: Workbook, spec: FieldSpec, record_id: str, value: Any) -> None:
        if not any(r.id == record_id for r in self.records(workbook)):
            return  # removed meanwhile (here or by someone else): nothing to write to
        if spec.write is not None:
            spec.write(workbook, record_id, value)
        else:
            setattr(self._find(workbook, record_id), spec.name, value)

    def add(self) -> bool:
        """Add a record from the form's values; refuse with messages if any is wrong."""
        language = self.session.language
        self.feedback.clear()
        values = {spec.name: self.value(spec.name) for spec in self.specs}
        problems = {spec.name: self._problem(spec, values[spec.name], "") for spec in self.specs}
        for name, problem in problems.items():
            if problem:
                self.messages[name].show(problem)
            else:
                self.messages[name].clear()
        self._refused = {name for name, problem in problems.items() if problem}
        if self._refused:
            self.feedback.show(t("form.fix_first", language))
            return False
        record_id = new_id(values["name"], [r.id for r in self.records(self.session.workbook)])
        fresh = self.record(id=record_id, name=values["name"], phase=values["phase"])
        place = self.place_new

        def add_record(workbook: Workbook) -> None:
            setattr(workbook, self.section, [*self.records(workbook), fresh])
            for spec in self.specs:
                if spec.name not in ("name", "phase"):
                    self._write(workbook, spec, record_id, values[spec.name])
            if place is not None:
                place(workbook, record_id)

        result = self.session.apply(add_record)
        if result.saved:
            self.place_new = None  # a placement is for one new record
            self._load("")  # ready for the next one
            self.feedback.show(t("form.added", language, name=values["name"]), "ok")
        else:
            self.feedback.show(result.message)
        return result.saved

    def remove(self) -> None:
        """First click asks for confirmation; the second one removes."""
        record_id = self.current_id
        if not record_id:
            return
        if not self._confirming:
            self._confirming = True
            name = self._find(self.session.workbook, record_id).name
            note = self._removal_note(self.session.workbook, record_id)
            self.remove_button.button_style = "danger"
            self.feedback.show(
                t("form.confirm_remove", self.session.language, name=name, note=note), "info"
            )
            return
        self._cancel_confirmation()
        name = self._find(self.session.workbook, record_id).name
        self.session.flush()  # a change typed into it just now is not written after it
        self.picker.value = ""
        result = self.session.apply(lambda wb: self._remove_record(wb, record_id))
        if result.saved:
            self.feedback.show(t("forms.removed", self.session.language, name=name), "ok")
        else:
            self.feedback.show(result.message)

    def _cancel_confirmation(self) -> None:
        self._confirming = False
        self.remove_button.button_style = ""
        if self.feedback.kind == "info":
            self.feedback.clear()
