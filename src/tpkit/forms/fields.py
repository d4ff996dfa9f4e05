"""Widget pieces the forms share: labelled inputs, inline messages, the save status,
and field checks that reuse the model's rules and the file validator's messages."""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import cache
from typing import Annotated, Any

import ipywidgets as w
from pydantic import BaseModel, TypeAdapter, ValidationError

from tpkit.errors import problem_text
from tpkit.fileformat import problem_from
from tpkit.forms.session import SaveResult, WorkbookSession
from tpkit.i18n import label, t
from tpkit.safety import printable

LABEL_WIDTH = "13em"
_STYLES = {"error": "#b00020", "ok": "#1b7f3b", "info": "#555555"}
_SYMBOLS = {"error": "⚠", "ok": "✓", "info": "ℹ"}


class InlineMessage:
    """A short message next to a field: why a value was refused, or that it was saved."""

    def __init__(self) -> None:
        self.widget = w.HTML(layout=w.Layout(margin="0 0 0 0.5em"))
        self.kind = ""
        self.text = ""

    def show(self, text: str, kind: str = "error") -> None:
        self.kind, self.text = kind, text
        self.widget.value = (
            f'<span style="color:{_STYLES[kind]}">{_SYMBOLS[kind]} {html.escape(text)}</span>'
        )

    def clear(self) -> None:
        self.kind, self.text = "", ""
        self.widget.value = ""


class SaveStatus:
    """The visible "saved" state of a form: every change says whether it reached the file."""

    def __init__(self, session: WorkbookSession) -> None:
        self.language = session.language
        self.message = InlineMessage()
        self.message.show(t("form.status.ready", self.language, file=session.path.name), "info")
        self.widget = self.message.widget
        self.widget.add_class("tpkit-save-status")  # the app shows one, in its header
        session.on_save(self._show)

    def _show(self, result: SaveResult) -> None:
        from datetime import datetime

        if result.saved:
            moment = datetime.now().strftime("%H:%M:%S")
            self.message.show(t("form.status.saved", self.language, time=moment), "ok")
        else:
            self.message.show(t("form.status.not_saved", self.language, detail=result.message))


def row(caption: str, widget: w.Widget, message: InlineMessage | None = None) -> w.HBox:
    """A form line: caption, input, and room for its message."""
    caption_widget = w.HTML(html.escape(caption), layout=w.Layout(width=LABEL_WIDTH))
    caption_widget.add_class("tpkit-caption")  # wraps instead of clipping long captions
    parts = [caption_widget, widget]
    if message is not None:
        parts.append(message.widget)
    return w.HBox(parts, layout=w.Layout(align_items="center"))


def heading(text: str) -> w.HTML:
    return w.HTML(f"<h4>{html.escape(text)}</h4>")


def choices(group: str, keys: Iterable[str], language: str) -> list[tuple[str, str]]:
    """Dropdown options for fixed values: translated label shown, key kept."""
    return [(label(group, key, language), key) for key in keys]


def text_lines(text: str) -> list[str]:
    """A text area with one item per line → the list of items."""
    return [line.strip() for line in printable(text).splitlines() if line.strip()]


def field_problem(record: type[BaseModel], field: str, value: Any, language: str) -> str | None:
    """Why ``value`` cannot go into ``record.field`` (None if it can), in the same words
    ``tpkit validate`` uses for a file."""
    try:
        _adapter(record, field).validate_python(value)
    except ValidationError as error:
        return problem_text(problem_from(error.errors(include_url=False)[0]), language)
    return None


@cache
def _adapter(record: type[BaseModel], field: str) -> TypeAdapter[Any]:
    info = record.model_fields[field]
    return TypeAdapter(
        Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    )


def escaped_table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    """An HTML table of user text, every cell escaped."""
    if not rows:
        return f"<p><i>{html.escape(empty)}</i></p>"
    head = "".join(
        f"<th style='text-align:left;padding:2px 8px'>{html.escape(h)}</th>" for h in headers
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 8px'>{html.escape(c)}</td>" for c in cells)
        + "</tr>"
        for cells in rows
    )
    return f"<table class='tpkit-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class LiveChart:
    """A chart that redraws after every saved change of the session's workbook.

    ``build(workbook, language)`` is one of the pure functions of :mod:`tpkit.charts`;
    the view renders offline (no CDN) in JupyterLab and Voila.
    """

    def __init__(self, session: WorkbookSession, build: Any) -> None:
        from tpkit.charts import ChartView

        self.build, self.language = build, session.language
        self.view = ChartView(build(session.workbook, session.language), session.language)
        self.widget = self.view.widget
        session.on_change(self.redraw)

    def redraw(self, workbook: Any) -> None:
        self.view.update(self.build(workbook, self.language))
