"""The navigator's forms (notebook 04 and the app's feedback tab): import a survey export
with a checked column mapping, then see what customers say.

:class:`MappingForm` lists the exports in the workbook's folder (and the bundled
samples), or takes an uploaded file's bytes (:meth:`MappingForm.load_upload`), reads it
once and shows the same proposal the command line prints
(:func:`tpkit.survey.proposal.propose`): per question column a measure, a touchpoint and
a scale as drop-downs, the confidence, the evidence, and ⚠ on the doubtful lines. A line
the user changes is theirs (✓). Import stores what the drop-downs say and lists every
line it did not take, with the reason. :class:`FeedbackView` shows the stored responses:
key figures, the ranking, the trend, the team-vs-customer gaps and the comments, masked
like the report. Both are plain widgets: tests set ``.value`` and call ``.click()``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w
from IPython.display import Markdown

from tpkit.charts.feedback import HEADLINES, gap_chart, names, trend
from tpkit.errors import TpkitError
from tpkit.forms.dropzone import MAX_UPLOAD_BYTES, DropZone
from tpkit.forms.fields import InlineMessage, escaped_table, row
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import decimal, plural, t
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
from tpkit.store import write_atomic
from tpkit.survey.display import proposal_row
from tpkit.survey.export import Export
from tpkit.survey.formats import ExportFile, uploaded
from tpkit.survey.importer import ImportResult, Scan, scan_export, store
from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM, Mapping, Target
from tpkit.survey.measures import MEASURES
from tpkit.survey.metrics import MIN_SAMPLE, Figure
from tpkit.survey.proposal import ColumnProposal, Proposal, mapping_file_text, propose
from tpkit.survey.scales import ACCEPTED, Answers, best_scale, scale_label

EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
Reader = Callable[[ExportFile], Export]
_SCROLL = "max-height: 18em; overflow-y: auto"
_DOUBT, _MINE = "⚠", "✓"


def navigator_guide(topic: str, language: str | None = None) -> Markdown:
    """The notebook's guidance between the forms, from the ``navigator.guide`` texts."""
    return Markdown(t(f"navigator.guide.{topic}", language))


def _read_export(source: ExportFile) -> Export:
    from tpkit.survey.formats import read_export

    return read_export(source)


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


@dataclass
class _Line:
    """One question column's line of the form: the proposal and its drop-downs."""

    proposal: ColumnProposal
    measure: w.Dropdown
    touchpoint: w.Dropdown
    scale: w.Dropdown
    mark: w.HTML
    evidence: w.HTML
    changed: bool = False


class MappingForm:
    """Choose or upload an export, check what each question answers, import, keep the
    mapping.

    ``uploads_only`` is the app's form: the export comes by upload only, and nothing on
    it names a server folder, a file on the server or a command (a marketer at a browser
    has neither); the notebook's form also lists the workbook's folder and saves the
    mapping for the command line.
    """

    def __init__(
        self,
        session: WorkbookSession,
        on_import: Callable[[ImportResult], None] | None = None,
        reader: Reader = _read_export,
        *,
        uploads_only: bool = False,
    ) -> None:
        self.session, self.reader, self.on_import = session, reader, on_import
        self.uploads_only = uploads_only
        language = session.language
        self.source: ExportFile | None = None
        self.scan: Scan | None = None
        self.proposal: Proposal | None = None
        self.answers: dict[int, Answers] = {}
        self.lines: dict[int, _Line] = {}
        self.file = w.Dropdown(layout=w.Layout(width="32em"))
        self.upload = DropZone(
            on_file=self.load_upload,
            on_refused=self._too_big,
            label=t("navigator.form.drop", language),
            accept=",".join(EXPORT_SUFFIXES),
        )
        self.rescan = w.Button(description=t("navigator.form.rescan", language), icon="refresh")
        self.tool = w.HTML()
        self.summary = w.HTML()
        self.columns = w.VBox()
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
        self.rescan.on_click(lambda _: self.scan_folder())
        self.import_button.on_click(lambda _: self.run_import())
        self.save_button.on_click(lambda _: self.save_mapping())
        if uploads_only:
            intro = w.HTML(_paragraph(t("navigator.form.upload_intro", language)))
            choose: list[w.Widget] = [intro, self.upload]
            buttons = [self.import_button, self.message.widget]
        else:
            self.scan_folder()
            folder = row(t("navigator.form.export", language), self.file)
            choose = [w.HBox([folder, self.rescan, self.upload])]
            buttons = [self.import_button, self.save_button, self.message.widget]
        self.widget = w.VBox(
            [*choose, self.tool, self.summary, self.columns, w.HBox(buttons), self.result]
        )

    @property
    def language(self) -> str:
        return self.session.language

    @property
    def measures(self) -> dict[int, w.Dropdown]:
        return {index: line.measure for index, line in self.lines.items()}

    @property
    def touchpoints(self) -> dict[int, w.Dropdown]:
        return {index: line.touchpoint for index, line in self.lines.items()}

    @property
    def scales(self) -> dict[int, w.Dropdown]:
        return {index: line.scale for index, line in self.lines.items()}

    def scan_folder(self) -> None:
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
        if self.file.value or not (self.source and self.source.data is not None):
            self.load(ExportFile(Path(self.file.value)) if self.file.value else None)

    def _too_big(self, name: str, size: int) -> None:
        """A file over the drop zone's limit: refused in the page, before any byte came."""
        self.message.show(
            t(
                "navigator.form.too_big",
                self.language,
                file=name,
                size=decimal(size / 2**20, self.language),
                limit=MAX_UPLOAD_BYTES // 2**20,
            )
        )

    def load_upload(self, name: str, data: bytes) -> None:
        """Show the proposal for an uploaded export (dropped or chosen in the page): its
        bytes and the name it had on the user's disk."""
        source = uploaded(data, name)
        if self.file.value:  # the folder's choice no longer holds: the upload does
            self.source = source
            self.file.value = ""
        self.load(source)

    def load(self, source: ExportFile | None) -> None:
        """Read an export once and show what each of its question columns is proposed
        to answer, with the same marks as the command line."""
        self.lines, self.columns.children = {}, ()
        self.result.value = self.summary.value = self.tool.value = ""
        self.message.clear()
        self.source, self.scan, self.proposal = source, None, None
        if source is not None:
            try:
                export = self.reader(source)
                self.scan = scan_export(export, self.session.workbook)
            except TpkitError as error:
                self.message.show(error.message(self.language))
            else:
                self.answers = self.scan.answers()
                self.proposal = propose(export, self.answers, self.session.workbook)
        ready = self.proposal is not None
        self.import_button.disabled = self.save_button.disabled = not ready
        if self.proposal is None or self.scan is None:
            return
        tool = t(f"survey.tool.{self.proposal.tool}", self.language)
        self.tool.value = _paragraph(t("navigator.form.tool", self.language, tool=tool))
        self._show_columns(self.proposal)

    def _show_columns(self, proposal: Proposal) -> None:
        language = self.language
        measures = [(t("navigator.form.ignore", language), "")] + [
            (t(f"navigator.measure.{m}", language), m) for m in MEASURES
        ]
        about = [(t("navigator.form.about_firm", language), WHOLE_FIRM)]
        if any(c.target and c.target.touchpoint == ROW_TOUCHPOINT for c in proposal.columns) or (
            self.scan is not None and self.scan.export.index_of("touchpoint") is not None
        ):
            about.insert(0, (t("navigator.form.about_link", language), ROW_TOUCHPOINT))
        about += [(tp.name, tp.id) for tp in self.session.workbook.touchpoints]
        heads = ("mark", "column", "measure", "touchpoint", "scale", "confidence")
        lines = [
            w.HBox(
                [
                    w.HTML(
                        f"<b>{html.escape(t(f'navigator.form.{key}', language))}</b>",
                        layout=_layout(key),
                    )
                    for key in heads
                ]
            )
        ]
        for column in proposal.columns:
            target = column.target
            measure = w.Dropdown(
                options=measures, value=target.measure if target else "", layout=_WIDE
            )
            touchpoint = w.Dropdown(
                options=about,
                value=target.touchpoint
                if target and target.touchpoint in dict(about).values()
                else about[0][1],
                layout=_WIDE,
            )
            scale = w.Dropdown(layout=_layout("scale"))
            line = _Line(
                column, measure, touchpoint, scale, w.HTML(layout=_layout("mark")), w.HTML()
            )
            self._scales_for(line, target.scale if target else "")
            self.lines[column.index] = line
            measure.observe(lambda _, line=line: self._changed(line, measure=True), "value")
            touchpoint.observe(lambda _, line=line: self._changed(line), "value")
            scale.observe(lambda _, line=line: self._changed(line), "value")
            self._mark(line)
            caption = w.HTML(html.escape(column.column.header), layout=_layout("column"))
            sure = w.HTML(layout=_layout("confidence"))
            sure.value = html.escape(proposal_row(column, self.session.workbook, language)[4])
            lines += [w.HBox([line.mark, caption, measure, touchpoint, scale, sure]), line.evidence]
        self.columns.children = lines
        self._summarise()

    def _scales_for(self, line: _Line, chosen: str) -> None:
        """The scales the line's measure accepts, the chosen (or best fitting) one set."""
        measure = line.measure.value
        names = list(ACCEPTED.get(measure, ()))
        line.scale.options = [(scale_label(n, self.language), n) for n in names]
        if not names:
            return
        if chosen not in names:
            answers = self.answers.get(line.proposal.index, Answers({}))
            found = best_scale(measure, answers, line.proposal.column.header)
            chosen = found.scale.name if found else names[0]
        line.scale.value = chosen if chosen in names else names[0]

    def _changed(self, line: _Line, measure: bool = False) -> None:
        if measure:
            self._scales_for(line, line.scale.value)
        line.changed = True
        self._mark(line)
        self._summarise()

    def _mark(self, line: _Line) -> None:
        """⚠ on a doubtful line the user has not touched, ✓ on one they set."""
        language = self.language
        if line.changed:
            line.mark.value = (
                f'<span title="{html.escape(t("survey.evidence.by_you", language))}">{_MINE}</span>'
            )
            line.evidence.value = _small(t("survey.evidence.by_you", language))
            return
        doubt = line.proposal.doubtful
        tip = html.escape(t("navigator.form.doubtful", language)) if doubt else ""
        line.mark.value = (
            f'<span title="{tip}" style="color:#b00020">{_DOUBT}</span>' if doubt else ""
        )
        line.evidence.value = _small("; ".join(e.text(language) for e in line.proposal.evidence))

    def _summarise(self) -> None:
        doubtful = sum(
            1 for line in self.lines.values() if line.proposal.doubtful and not line.changed
        )
        key = "navigator.form.doubtful_count" if doubtful else "navigator.form.confident"
        self.summary.value = _paragraph(t(key, self.language, count=doubtful))

    def mapping(self) -> Mapping:
        """The mapping as the drop-downs now say: unmeasured columns are left out."""
        return {
            index: Target(line.measure.value, line.touchpoint.value, line.scale.value)
            for index, line in self.lines.items()
            if line.measure.value
        }

    def current(self) -> Proposal | None:
        """The proposal with the user's changes: their lines chosen, the others as
        proposed (a doubtful one stays doubtful until they touch or import it)."""
        if self.proposal is None:
            return None
        mine = self.mapping()
        chosen = self.proposal.chosen(mine)
        columns = [
            chosen_line if self.lines[c.index].changed else c
            for c, chosen_line in zip(self.proposal.columns, chosen.columns, strict=True)
        ]
        return Proposal(self.proposal.source, self.proposal.tool, tuple(columns))

    def run_import(self) -> ImportResult | None:
        """Import the export with the mapping shown — the user's look confirms every
        line — and report every skip."""
        mapping = self.mapping()
        if not mapping or self.proposal is None or self.source is None:
            self.message.show(t("navigator.form.nothing", self.language))
            return None
        try:  # read afresh: the file may have grown since it was chosen
            scan = scan_export(self.reader(self.source), self.session.workbook)
            result = store(scan, self.proposal.chosen(mapping), self.session.path)
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
        proposal = self.current()
        if proposal is None or self.source is None:
            return None
        target = self.session.path.parent / f"{self.source.name.stem}.mapping.yaml"
        text = mapping_file_text(proposal, self.language).encode("utf-8")
        try:
            write_atomic(target, lambda stream: stream.write(text))
        except OSError as error:
            detail = error.strerror or str(error)
            self.message.show(
                t("navigator.form.unreadable", self.language, file=target, detail=detail)
            )
            return None
        self.message.show(t("navigator.form.saved", self.language, file=target), "ok")
        return target


_WIDE = w.Layout(width="16em")
_WIDTHS = {"mark": "2em", "column": "22em", "measure": "16em", "touchpoint": "16em"}
_WIDTHS |= {"scale": "13em", "confidence": "5em"}


def _layout(key: str) -> w.Layout:
    return w.Layout(width=_WIDTHS[key])


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _small(text: str) -> str:
    return f'<div style="margin:0 0 0.4em 2.5em;color:#555;font-size:85%">{html.escape(text)}</div>'


def result_html(result: ImportResult, language: str) -> str:
    """What an import did, then every row and cell it left out with the reason."""
    parts = [_paragraph(t("navigator.form.result", language, **result.counted(language)))]
    if result.replaced:
        day = result.replaced_on or "–"
        parts.append(
            _paragraph(plural("navigator.form.replaced", result.replaced, language, day=day))
        )
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
        self.trend = ChartView(
            trend(feedback.tallies, session.workbook, session.language), session.language
        )
        self.gaps = ChartView(
            gap_chart(feedback.gaps, session.workbook, session.language), session.language
        )
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
            self.figures.value = _paragraph(t("navigator.form.empty", language))
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
