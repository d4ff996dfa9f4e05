"""The navigator's forms (notebook 04): import a survey export with a checked column
mapping, then see what customers say.

:class:`MappingForm` lists the exports in the workbook's folder (and the bundled
samples), shows what each question column answers as two drop-downs prefilled from
the headers (:func:`tpkit.survey.mapping.propose`), imports with those choices and
lists every line it did not take, with the reason. :class:`FeedbackView` shows the
stored responses: key figures, the ranking, the trend, the team-vs-customer gaps and
the comments, masked like the report. Both are plain widgets: tests set ``.value``
and call ``.click()``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w
from IPython.display import Markdown

from tpkit.charts.feedback import HEADLINES, gap_chart, names, trend
from tpkit.errors import TpkitError
from tpkit.forms.fields import InlineMessage, escaped_table, row
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import t
from tpkit.report.feedback import (
    Feedback,
    collect,
    counted,
    interval_text,
    league,
    masker,
    score_text,
)
from tpkit.resources import bundled
from tpkit.survey.export import Export
from tpkit.survey.importer import ImportResult, import_export
from tpkit.survey.mapping import (
    ROW_TOUCHPOINT,
    WHOLE_FIRM,
    Mapping,
    Target,
    mapping_file_text,
    propose,
)
from tpkit.survey.measures import MEASURES
from tpkit.survey.metrics import MIN_SAMPLE, Figure

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
Reader = Callable[[Path], Export]
_SCROLL = "max-height: 18em; overflow-y: auto"


def navigator_guide(topic: str, language: str | None = None) -> Markdown:
    """The notebook's guidance between the forms, from the ``navigator.guide`` texts."""
    return Markdown(t(f"navigator.guide.{topic}", language))


def _read_export(path: Path) -> Export:
    from tpkit.survey.formats import read_export

    return read_export(path)


def export_files(folder: Path) -> list[Path]:
    """Survey exports a team may import: its folder's tables, then the bundled samples."""
    samples = bundled("data/samples") / "surveys"
    found = []
    for place in (folder, samples):
        if place.is_dir():
            found += sorted(
                p
                for p in place.iterdir()
                if p.suffix.lower() in EXPORT_SUFFIXES and not p.name.startswith(".")
            )
    return found


class MappingForm:
    """Choose an export, check what each question answers, import, keep the mapping."""

    def __init__(
        self,
        session: WorkbookSession,
        on_import: Callable[[ImportResult], None] | None = None,
        reader: Reader = _read_export,
    ) -> None:
        self.session, self.reader, self.on_import = session, reader, on_import
        language = session.language
        self.export: Export | None = None
        self.file = w.Dropdown(layout=w.Layout(width="32em"))
        self.rescan = w.Button(description=t("navigator.form.rescan", language), icon="refresh")
        self.tool = w.HTML()
        self.columns = w.VBox()
        self.measures: dict[int, w.Dropdown] = {}
        self.touchpoints: dict[int, w.Dropdown] = {}
        self.import_button = w.Button(
            description=t("navigator.form.import", language),
            icon="upload",
            button_style="primary",
            disabled=True,
            layout=w.Layout(width="auto"),
        )
        self.save_button = w.Button(
            description=t("navigator.form.save", language),
            icon="save",
            disabled=True,
            layout=w.Layout(width="auto"),
        )
        self.message = InlineMessage()
        self.result = w.HTML()
        self.file.observe(lambda _: self._choose(), "value")
        self.rescan.on_click(lambda _: self.scan())
        self.import_button.on_click(lambda _: self.run_import())
        self.save_button.on_click(lambda _: self.save_mapping())
        self.scan()
        self.widget = w.VBox(
            [
                w.HBox([row(t("navigator.form.export", language), self.file), self.rescan]),
                self.tool,
                self.columns,
                w.HBox([self.import_button, self.save_button, self.message.widget]),
                self.result,
            ]
        )

    @property
    def language(self) -> str:
        return self.session.language

    def scan(self) -> None:
        """List the exports again (after the team dropped a new file in the folder)."""
        folder = self.session.path.parent
        files = export_files(folder)
        samples = bundled("data/samples") / "surveys"
        options = [(t("navigator.form.choose", self.language), "")] + [
            (
                t("navigator.form.sample", self.language, file=p.name)
                if p.parent == samples
                else p.name,
                str(p),
            )
            for p in files
        ]
        self.file.options = options
        if not any(p.parent == folder for p in files):
            self.tool.value = _paragraph(
                t("navigator.form.no_exports", self.language, folder=folder)
            )

    def _choose(self) -> None:
        """Read the chosen file's columns and propose what each answers."""
        self.measures, self.touchpoints = {}, {}
        self.columns.children, self.result.value = (), ""
        self.message.clear()
        self.export = None
        if self.file.value:
            try:
                self.export = self.reader(Path(self.file.value))
            except TpkitError as error:
                self.message.show(error.message(self.language))
        ready = self.export is not None
        self.import_button.disabled = self.save_button.disabled = not ready
        if not ready:
            self.tool.value = ""
            return
        tool = t(f"survey.tool.{self.export.tool}", self.language)
        self.tool.value = _paragraph(t("navigator.form.tool", self.language, tool=tool))
        self._show_columns(self.export, propose(self.export, self.session.workbook))

    def _show_columns(self, export: Export, proposed: Mapping) -> None:
        language = self.language
        measures = [(t("navigator.form.ignore", language), "")] + [
            (t(f"navigator.measure.{m}", language), m) for m in MEASURES
        ]
        about = [(t("navigator.form.about_firm", language), WHOLE_FIRM)]
        if export.index_of("touchpoint") is not None:
            about.insert(0, (t("navigator.form.about_link", language), ROW_TOUCHPOINT))
        about += [(tp.name, tp.id) for tp in self.session.workbook.touchpoints]
        lines = [
            w.HBox(
                [
                    w.HTML(
                        f"<b>{html.escape(t(f'navigator.form.{key}', language))}</b>", layout=_WIDE
                    )
                    for key in ("column", "measure", "touchpoint")
                ]
            )
        ]
        for index, column in enumerate(export.columns):
            if column.role != "question":
                continue
            target = proposed.get(index)
            self.measures[index] = w.Dropdown(
                options=measures, value=target.measure if target else "", layout=_WIDE
            )
            self.touchpoints[index] = w.Dropdown(
                options=about, value=target.touchpoint if target else about[0][1], layout=_WIDE
            )
            caption = w.HTML(html.escape(column.header), layout=_WIDE)
            lines.append(w.HBox([caption, self.measures[index], self.touchpoints[index]]))
        self.columns.children = lines

    def mapping(self) -> Mapping:
        """The mapping as the drop-downs now say: unmeasured columns are left out."""
        return {
            index: Target(measure.value, self.touchpoints[index].value)
            for index, measure in self.measures.items()
            if measure.value
        }

    def run_import(self) -> ImportResult | None:
        """Import the chosen export with the shown mapping and report every skip."""
        mapping = self.mapping()
        if not mapping:
            self.message.show(t("navigator.form.nothing", self.language))
            return None
        try:  # read afresh: an export's rows can be read once, and the file may have grown
            export = self.reader(Path(self.file.value))
            result = import_export(export, self.session.workbook, self.session.path, mapping)
        except TpkitError as error:
            self.message.show(error.message(self.language))
            return None
        self.message.clear()
        self.result.value = result_html(result, self.language)
        if self.on_import:
            self.on_import(result)
        return result

    def save_mapping(self) -> Path | None:
        """Write the mapping beside the workbook, for ``tpkit survey import --mapping``."""
        if self.export is None:
            return None
        source = Path(self.file.value)
        target = self.session.path.parent / f"{source.stem}.mapping.yaml"
        try:
            target.write_text(mapping_file_text(self.mapping(), self.export), encoding="utf-8")
        except OSError as error:
            detail = error.strerror or str(error)
            self.message.show(
                t("navigator.form.unreadable", self.language, file=target, detail=detail)
            )
            return None
        self.message.show(t("navigator.form.saved", self.language, file=target), "ok")
        return target


_WIDE = w.Layout(width="22em")


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def result_html(result: ImportResult, language: str) -> str:
    """What an import did, then every row and cell it left out with the reason."""
    parts = [_paragraph(t("navigator.form.result", language, **result.counts()))]
    if result.personal_left_out:
        columns = ", ".join(result.personal_left_out)
        parts.append(_paragraph(t("navigator.form.personal", language, columns=columns)))
    if result.skipped:
        parts.append(_paragraph(t("navigator.form.skipped", language, count=len(result.skipped))))
        headers = [
            t(f"navigator.form.{key}", language) for key in ("line", "column", "value", "reason")
        ]
        rows = [
            [str(s.line), s.column, s.value, t(f"survey.reason.{s.reason}", language)]
            for s in result.skipped
        ]
        parts.append(f'<div style="{_SCROLL}">{escaped_table(headers, rows, "")}</div>')
    return "".join(parts)


class FeedbackView:
    """What customers say, from the stored responses; redrawn after every import and
    every saved change of the team's ratings."""

    def __init__(self, session: WorkbookSession, mask_personal_data: bool = True) -> None:
        from tpkit.charts import ChartView

        self.session, self.mask_personal_data = session, mask_personal_data
        self.figures, self.league, self.comments = w.HTML(), w.HTML(), w.HTML()
        feedback = self._collect()
        self.trend = ChartView(trend(feedback.tallies, session.workbook, session.language))
        self.gaps = ChartView(gap_chart(feedback.gaps, session.workbook, session.language))
        self._show(feedback)
        session.on_change(lambda _: self.refresh())

    def views(self) -> list[w.Widget]:
        """Everything it shows, in reading order: for the app's feedback tab."""
        return [self.figures, self.league, self.trend.widget, self.gaps.widget, self.comments]

    def _collect(self) -> Feedback:
        workbook, language = self.session.workbook, self.session.language
        mask = masker(workbook, language) if self.mask_personal_data else None
        return collect(workbook, self.session.path, mask=mask)

    def refresh(self, *_: object) -> None:
        """Read the responses again (after an import) and redraw everything."""
        feedback = self._collect()
        workbook, language = self.session.workbook, self.session.language
        self.trend.update(trend(feedback.tallies, workbook, language))
        self.gaps.update(gap_chart(feedback.gaps, workbook, language))
        self._show(feedback)

    def _show(self, feedback: Feedback) -> None:
        language, workbook = self.session.language, self.session.workbook
        if not feedback.responses:
            self.figures.value = _paragraph(t("navigator.empty", language))
            self.league.value = self.comments.value = ""  # said once is enough
            return
        answers = t("navigator.league.answers", language)
        figures = [
            [t(f"navigator.headline.{m}", language), self._figure(item), str(item.n)]
            for m, item in feedback.overall.items()
            if m in HEADLINES
        ]
        responses = f"{t('navigator.figures.responses', language)}: {feedback.responses}"
        self.figures.value = _paragraph(responses) + escaped_table(["", "", answers], figures, "")
        measures = [m for m in HEADLINES if m in feedback.overall]
        headers = [
            t("navigator.league.rank", language),
            t("field.touchpoint", language),
            answers,
            *(t(f"navigator.measure.{m}", language) for m in measures),
        ]
        rows = [
            [
                str(number),
                entry.name,
                str(max(item.n for item in entry.figures.values())),
                *(self._figure(entry.figures[m]) if m in entry.figures else "–" for m in measures),
            ]
            for number, entry in enumerate(league(feedback, workbook, language), start=1)
        ]
        self.league.value = escaped_table(headers, rows, "")
        shown = names(workbook, language)
        self.comments.value = "".join(
            f"<h4>{html.escape(shown.get(tp, tp))} "
            f"({html.escape(counted('comments.count', feedback.comment_counts[tp], language))})"
            "</h4><ul>"
            + "".join(f"<li>{html.escape(f'{c.submitted} {c.text}')}</li>" for c in comments)
            + "</ul>"
            for tp, comments in feedback.comments.items()
        ) or _paragraph(t("navigator.comments.none", language))

    def _figure(self, item: Figure) -> str:
        """'77% (68 to 84)', with a warning when too few customers answered."""
        language = self.session.language
        text = f"{score_text(item, language)} ({interval_text(item, language)})"
        if item.small_sample:
            text += f" ⚠ {t('navigator.small_sample', language, count=MIN_SAMPLE)}"
        return text
