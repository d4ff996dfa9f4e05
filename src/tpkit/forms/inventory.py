"""Notebook 01: the touchpoint inventory per phase — edit, add from the catalogue, see coverage."""

from __future__ import annotations

import html
from functools import cached_property

import ipywidgets as w

from tpkit.catalogue import suggestions
from tpkit.forms.editor import (
    FieldSpec,
    RecordEditor,
    choice_spec,
    flag_spec,
    lines_spec,
    links_spec,
    text_spec,
)
from tpkit.forms.fields import (
    InlineMessage,
    LiveChart,
    SaveStatus,
    escaped_table,
    heading,
    row,
)
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import label, t
from tpkit.model import (
    CHANNEL_KINDS,
    CHANNELS,
    FREQUENCIES,
    KINDS,
    PHASES,
    Touchpoint,
    Workbook,
)


def touchpoint_specs(language: str) -> list[FieldSpec]:
    def stage_options(wb: Workbook) -> list[tuple[str, str]]:
        return [(stage.name, stage.id) for stage in wb.stages]

    def owner_options(wb: Workbook) -> list[str]:
        return sorted({tp.owner for tp in wb.touchpoints if tp.owner})

    return [
        text_spec("name"),
        choice_spec("phase", PHASES, language),
        links_spec("stages", stage_options, lambda wb, tp_id, ids: wb.set_stages_of(tp_id, ids), 4),
        choice_spec("channel", CHANNELS, language),
        choice_spec("kind", KINDS, language),
        FieldSpec(
            "owner",
            lambda wb: w.Combobox(
                options=owner_options(wb),
                ensure_option=False,
                layout=w.Layout(width="32em"),
            ),
            options=owner_options,
        ),
        choice_spec("frequency", FREQUENCIES, language),
        flag_spec("marketing_contact"),
        flag_spec("consent"),
        flag_spec("opt_out"),
        lines_spec("aliases"),
        text_spec("notes", area=True),
    ]


def _removal_note(workbook: Workbook, touchpoint_id: str) -> str:
    ratings = sum(r.touchpoint == touchpoint_id for r in workbook.ratings)
    return t("form.touchpoints.removal_note", workbook.meta.language, ratings=ratings)


class InventoryForm:
    """Everything notebook 01 shows, bound to one session."""

    def __init__(self, session: WorkbookSession, with_chart: bool = True) -> None:
        self.session = session
        language = session.language
        self.status = SaveStatus(session)
        self.editor = RecordEditor(
            session,
            "touchpoints",
            Touchpoint,
            touchpoint_specs(language),
            remove=lambda wb, tp_id: wb.remove_touchpoint(tp_id),
            removal_note=_removal_note,
        )
        self.editor.inputs["channel"].observe(self._channel_chosen, names="value")
        self.suggestion = w.Dropdown(layout=w.Layout(width="32em"))
        self.suggestion_hint = w.Label()
        self.suggestion_message = InlineMessage()
        self.add_suggestion = w.Button(description=t("form.add", language), icon="plus")
        self.add_suggestion.on_click(lambda _: self.add_selected_suggestion())
        self.suggestion.observe(lambda change: self._show_hint(), names="value")
        self.tables = w.HTML()
        self.with_chart = with_chart
        session.on_change(self._refresh)
        self._refresh(session.workbook)
        suggestion_box = w.VBox(
            [
                heading(t("form.suggestions.title", language)),
                row(
                    t("form.suggestions.pick", language),
                    w.HBox([self.suggestion, self.add_suggestion, self.suggestion_message.widget]),
                ),
                self.suggestion_hint,
            ]
        )
        self.widget = w.VBox(
            [
                self.status.widget,
                heading(t("form.touchpoints.title", language)),
                self.editor.widget,
                suggestion_box,
            ]
        )

    def _refresh(self, workbook: Workbook) -> None:
        language = self.session.language
        present = {tp.id for tp in workbook.touchpoints}
        names = {tp.name.casefold() for tp in workbook.touchpoints}
        options = [
            (f"{label('phase', s.phase, language)} · {s.name(language)}", s.key)
            for s in suggestions(workbook.meta.industry)
            if s.key.replace("_", "-") not in present and s.name(language).casefold() not in names
        ]
        chosen = self.suggestion.value
        self.suggestion.options = options
        keys = [key for _, key in options]
        self.suggestion.value = chosen if chosen in keys else (keys[0] if keys else None)
        self._show_hint()
        self.tables.value = self._tables_html(workbook)

    def _channel_chosen(self, change: dict) -> None:
        """A new touchpoint's kind follows its channel (phone → human, letter → print),
        unless someone chose a kind other than the one the previous channel implied."""
        kind = self.editor.inputs["kind"]
        if not self.editor.current_id and kind.value == CHANNEL_KINDS.get(change["old"]):
            kind.value = CHANNEL_KINDS[change["new"]]

    def _show_hint(self) -> None:
        key = self.suggestion.value
        self.suggestion_hint.value = (
            next(s.hint(self.session.language) for s in suggestions() if s.key == key)
            if key
            else ""
        )

    def add_selected_suggestion(self) -> None:
        key = self.suggestion.value
        if not key:
            return
        chosen = next(s for s in suggestions() if s.key == key)
        language = self.session.language

        def add(workbook: Workbook) -> None:
            fresh = chosen.to_touchpoint([tp.id for tp in workbook.touchpoints], language)
            workbook.touchpoints = [*workbook.touchpoints, fresh]

        if self.session.apply(add).saved:
            self.suggestion_message.show(
                t("form.added", language, name=chosen.name(language)), "ok"
            )

    def _tables_html(self, workbook: Workbook) -> str:
        language = self.session.language
        headers = [
            t(f"field.{name}", language)
            for name in ("name", "channel", "kind", "owner", "frequency", "marketing_contact")
        ]
        parts = []
        for phase in PHASES:
            rows = [
                [
                    tp.name,
                    label("channel", tp.channel, language),
                    label("kind", tp.kind, language),
                    tp.owner or "–",
                    label("frequency", tp.frequency, language),
                    _marketing_cell(tp, language),
                ]
                for tp in workbook.touchpoints_in(phase)
            ]
            title = html.escape(f"{label('phase', phase, language)} ({len(rows)})")
            parts.append(
                f"<h4>{title}</h4>" + escaped_table(headers, rows, t("form.none_yet", language))
            )
        return "".join(parts)

    @cached_property
    def chart(self) -> LiveChart:
        """The coverage chart, built on first use: the form is usable before altair loads."""
        from tpkit.charts import coverage

        return LiveChart(self.session, coverage)

    def views(self) -> list[w.Widget]:
        """What the notebook displays after the form: the tables and the chart."""
        return [self.tables, *([self.chart.widget] if self.with_chart else [])]


def _marketing_cell(touchpoint: Touchpoint, language: str) -> str:
    if not touchpoint.marketing_contact:
        return ""
    parts = [t("form.marketing_yes", language)]
    if not touchpoint.consent:
        parts.append(t("form.touchpoints.no_consent", language))
    if not touchpoint.opt_out:
        parts.append(t("form.touchpoints.no_opt_out", language))
    return ", ".join(parts)
