"""The exercises in the notebooks and the app: under a form, what the team's workbook still
lacks for that step; above, a progress line across the workshop. Both redraw after every
saved change.

The HTML is built by pure functions (:func:`feedback_html`, :func:`progress_html`), so it
is tested without widgets; the widget classes only hold an ``HTML`` and listen to the
session. Every name from the workbook is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as w

from tpkit.forms.session import WorkbookSession
from tpkit.i18n import plural, t
from tpkit.model import Workbook
from tpkit.teaching.exercises import (
    DONE,
    MISSING,
    STARTED,
    STEPS,
    Remark,
    StepProgress,
    progress,
    remarks,
)

ITEMS_NAMED = 4  # entries a remark names before "and N more"
# Signs every font has (DejaVu, Liberation): a full-width ？ showed as an empty box.
SYMBOLS = {MISSING: "⚠", "doubtful": "?", DONE: "✓", STARTED: "◐", "todo": "○"}
INKS = {MISSING: "#b34700", "doubtful": "#8f6100", "ok": "#00735a", "box": "#1f6f8b"}


QUOTES = {"en": "“{}”", "it": "«{}»", "de": "„{}“", "fr": "«\u00a0{}\u00a0»"}


def _items(items: Sequence[str], language: str) -> str:
    quoted = [QUOTES[language].format(item) for item in items]
    if len(quoted) <= ITEMS_NAMED:
        return ", ".join(quoted)
    shown = ", ".join(quoted[:ITEMS_NAMED])
    return t("exercises.more", language, items=shown, count=len(quoted) - ITEMS_NAMED)


def remark_text(remark: Remark, language: str) -> str:
    """The remark in plain words, naming its entries (``KEY_one`` for exactly one)."""
    key = f"exercises.check.{remark.check}"
    return plural(key, len(remark.items), language, items=_items(remark.items, language))


def feedback_html(found: Sequence[Remark], language: str) -> str:
    """The box under a form: each remark with its symbol, or that nothing is missing."""
    title = html.escape(t("exercises.title", language))
    if not found:
        body = (
            f'<p style="margin:0;color:{INKS["ok"]}">✓ '
            f"{html.escape(t('exercises.nothing', language))}</p>"
        )
    else:
        lines = "".join(
            f'<li class="tpkit-remark-{remark.check}" style="margin:0.2em 0">'
            f'<span style="color:{INKS[remark.kind]}" '
            f'title="{html.escape(t(f"exercises.{remark.kind}", language))}">'
            f"{SYMBOLS[remark.kind]}</span> {html.escape(remark_text(remark, language))}</li>"
            for remark in found
        )
        body = f'<ul style="margin:0;padding-left:1.2em;list-style:none">{lines}</ul>'
    return (
        f'<div class="tpkit-exercise" style="border-left:4px solid {INKS["box"]};'
        f'padding:0.4em 0.8em;margin:0.6em 0;background:#f3f5f8">'
        f'<p style="margin:0 0 0.3em"><b>{title}</b></p>{body}</div>'
    )


def progress_html(steps: Sequence[StepProgress], language: str) -> str:
    """One line: each step with its state and count, then what comes next."""
    parts = []
    for step in steps:
        name = html.escape(t(f"exercises.step.{step.step}", language))
        count = html.escape(
            t(f"exercises.count.{step.step}", language, done=step.done, total=step.total)
        )
        state = html.escape(t(f"exercises.progress.{step.state}", language))
        parts.append(
            f'<span class="tpkit-progress-{step.step} tpkit-{step.state}" title="{state}">'
            f"{SYMBOLS[step.state]} {name} <small>({count})</small></span>"
        )
    coming = next((step.step for step in steps if step.state != DONE), None)
    if coming is None:
        after = t("exercises.progress.all_done", language)
    else:
        after = t("exercises.progress.next", language, step=t(f"exercises.step.{coming}", language))
    title = html.escape(t("exercises.progress.title", language))
    return (
        f'<div class="tpkit-progress" style="margin:0.4em 0"><b>{title}:</b> '
        f"{' · '.join(parts)} — <b>{html.escape(after)}</b></div>"
    )


class ExerciseFeedback:
    """What the workbook still lacks for these steps, under the forms of a notebook."""

    def __init__(self, session: WorkbookSession, steps: tuple[str, ...]) -> None:
        self.language, self.steps = session.language, steps
        self.widget = w.HTML()
        self.remarks: list[Remark] = []
        session.on_change(self.refresh)
        self.refresh(session.workbook)

    def refresh(self, workbook: Workbook) -> None:
        self.remarks = remarks(workbook, self.steps)
        self.widget.value = feedback_html(self.remarks, self.language)


class ProgressLine:
    """Which steps are done and which comes next, across the whole workbook."""

    def __init__(self, session: WorkbookSession) -> None:
        self.language = session.language
        self.widget = w.HTML()
        self.steps: list[StepProgress] = []
        session.on_change(self.refresh)
        self.refresh(session.workbook)

    def refresh(self, workbook: Workbook) -> None:
        self.steps = progress(workbook)
        self.widget.value = progress_html(self.steps, self.language)


def exercise(session: WorkbookSession, *steps: str) -> w.VBox:
    """The progress line and the checks of ``steps`` (all steps if none is named): what a
    notebook cell shows after a step."""
    chosen = steps or STEPS
    return w.VBox([ProgressLine(session).widget, ExerciseFeedback(session, chosen).widget])
