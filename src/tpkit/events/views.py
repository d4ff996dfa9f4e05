"""What notebook 06 and the report's *Digital touchpoints* section show: HTML tables,
bars and a small flow chart of the events' figures, plus the notebook's import form.

Everything is plain HTML and one small SVG, so the same fragment reads in JupyterLab,
in Voila and in the PDF, where WeasyPrint lays it out in milliseconds. Every name
comes from the workbook and is escaped; no customer id is ever shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from tpkit.events.overview import Overview
from tpkit.i18n import decimal, plural, t
from tpkit.model import Workbook

TRANSITIONS_SHOWN = 10
PATHS_SHOWN = 8
SEGMENTS_SHOWN = 6
FLOW_LINKS = 12
_BAR = "#1f6f8b"


def _text(key: str, language: str, **values: object) -> str:
    return escape(t(f"events.view.{key}", language, **values))


def _names(workbook: Workbook) -> dict[str, str]:
    return {tp.id: tp.name for tp in workbook.touchpoints}


def _name(names: dict[str, str], tp_id: str) -> str:
    return escape(names.get(tp_id, tp_id))


def _table(headings: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """A small table of built cells; columns in ``numeric`` align right."""
    head = "".join(
        f'<th class="{"tp-num" if i in numeric else ""}">{h}</th>' for i, h in enumerate(headings)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"tp-num" if i in numeric else ""}">{cell}</td>'
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="tp-table tp-events"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _bar(value: float, widest: float) -> str:
    share = 100 * value / widest if widest else 0
    return (
        '<div style="background:#e6eef2;height:3.5mm;width:100%">'
        f'<div style="background:{_BAR};height:3.5mm;width:{share:.1f}%"></div></div>'
    )


def duration(seconds: float | None, language: str) -> str:
    """A median time as read: minutes, hours or days."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return t("events.view.minutes", language, n=f"{seconds / 60:.0f}")
    if seconds < 86400:
        return t("events.view.hours", language, n=decimal(seconds / 3600, language))
    return t("events.view.days", language, n=decimal(seconds / 86400, language))


def key_figures_html(view: Overview, language: str) -> str:
    j = view.journeys
    return (
        '<p class="tp-intro">'
        + _text(
            "figures",
            language,
            events=j.events,
            customers=j.customers,
            mapped=j.touchpoint_events,
            first=j.first[:10],
            last=j.last[:10],
        )
        + "</p>"
    )


def funnel_html(view: Overview, workbook: Workbook, language: str) -> str:
    if not view.funnel:
        return f'<p class="tp-note">{_text("no_stages", language)}</p>'
    names = {stage.id: stage.name for stage in workbook.stages}
    widest = max(stage.at_least for stage in view.funnel) or 1
    rows = [
        (
            escape(names[s.stage]),
            _bar(s.at_least, widest),
            str(s.at_least),
            str(s.reached),
            str(s.dropped),
            escape(duration(s.median_seconds, language)),
        )
        for s in view.funnel
    ]
    headings = [
        _text(f"funnel.{k}", language)
        for k in ("stage", "bar", "at_least", "reached", "dropped", "time")
    ]
    return _table(headings, rows, {2, 3, 4, 5})


def transitions_html(view: Overview, workbook: Workbook, language: str) -> str:
    names = _names(workbook)
    shown = view.transitions[:TRANSITIONS_SHOWN]
    widest = max((m.customers for m in shown), default=1)
    rows = [
        (
            f"{_name(names, m.source)} → {_name(names, m.target)}",
            _bar(m.customers, widest),
            str(m.customers),
            str(m.events),
            escape(duration(m.median_seconds, language)),
        )
        for m in shown
    ]
    headings = [
        _text(f"transitions.{k}", language) for k in ("move", "bar", "customers", "events", "time")
    ]
    return _table(headings, rows, {2, 3, 4})


def paths_html(view: Overview, workbook: Workbook, language: str) -> str:
    names = _names(workbook)
    total = view.journeys.customers or 1
    rows = [
        (
            " → ".join(_name(names, tp) for tp in p.touchpoints),
            str(p.customers),
            f"{100 * p.customers / total:.0f} %",
        )
        for p in view.paths[:PATHS_SHOWN]
    ]
    headings = [_text(f"paths.{k}", language) for k in ("path", "customers", "share")]
    return _table(headings, rows, {1, 2})


def attribution_html(view: Overview, workbook: Workbook, language: str) -> str:
    result = view.attribution
    if result is None:
        return f'<p class="tp-note">{_text("no_conversion", language)}</p>'
    names = _names(workbook)
    widest = max((c.markov for c in result.credits), default=1.0) or 1.0
    rows = [
        (
            _name(names, c.touchpoint),
            _bar(c.markov, widest),
            decimal(c.markov, language),
            f"{100 * c.removal_effect:.0f} %",
            str(c.first_touch),
            str(c.last_touch),
        )
        for c in result.credits
    ]
    intro = _text(
        "attribution.intro",
        language,
        conversions=result.conversions,
        journeys=result.journeys,
        conversion=result.conversion,
    )
    headings = [
        _text(f"attribution.{k}", language)
        for k in ("touchpoint", "bar", "markov", "effect", "first", "last")
    ]
    return f'<p class="tp-intro">{intro}</p>' + _table(headings, rows, {2, 3, 4, 5})


def next_html(view: Overview, workbook: Workbook, language: str) -> str:
    result = view.next_best
    names = _names(workbook)
    intro = _text("next.intro", language, days=result.recent_days, limit=result.contact_limit)
    if not result.segments:
        return f'<p class="tp-note">{_text("next.none", language)}</p>'
    rows = [
        (
            " → ".join(_name(names, tp) for tp in s.path),
            _name(names, s.offer),
            str(s.customers),
            str(s.consenting),
            str(s.eligible),
        )
        for s in result.segments[:SEGMENTS_SHOWN]
    ]
    headings = [
        _text(f"next.{k}", language)
        for k in ("path", "offer", "customers", "consenting", "eligible")
    ]
    return f'<p class="tp-intro">{intro}</p>' + _table(headings, rows, {2, 3, 4})


def gaps_html(view: Overview, workbook: Workbook, language: str) -> str:
    """Dead links in the map and heavy events without a touchpoint."""
    names = _names(workbook)
    items = [
        f"<li>{_text('unreached', language, touchpoint=names.get(tp, tp))}</li>"
        for tp in view.coverage.unreached
    ] + [
        f"<li>{_text('unmapped', language, event=_where(g), events=g.events)}</li>"
        for g in view.coverage.unmapped[:5]
    ]
    if not items:
        return f'<p class="tp-note">{_text("no_gaps", language)}</p>'
    return f"<ul>{''.join(items)}</ul>"


def _where(group: object) -> str:
    """An unmapped group as read: the event name, and its page when it has one."""
    return f"{group.event} {group.page}".strip()  # type: ignore[attr-defined]


def flow_svg(view: Overview, workbook: Workbook, language: str) -> str:
    """The strongest transitions as a small flow chart: a column per journey stage, a box
    per touchpoint, a band per transition as wide as its customers."""
    moves = view.transitions[:FLOW_LINKS]
    if not moves:
        return ""
    names = _names(workbook)
    position = {stage.id: i for i, stage in enumerate(workbook.stages)}
    column: dict[str, int] = {}
    for tp in workbook.touchpoints:
        places = [position[s] for s in tp.stages if s in position]
        column[tp.id] = min(places) if places else len(workbook.stages)
    shown = sorted(
        {m.source for m in moves} | {m.target for m in moves},
        key=lambda tp: (column.get(tp, 99), tp),
    )
    columns = sorted({column.get(tp, 99) for tp in shown})
    x_of = {c: 10 + i * 150 for i, c in enumerate(columns)}
    rows: dict[int, int] = {}
    point: dict[str, tuple[float, float]] = {}
    for tp in shown:
        c = column.get(tp, 99)
        point[tp] = (x_of[c], 22 + 34 * rows.get(c, 0))
        rows[c] = rows.get(c, 0) + 1
    width, height = 10 + 150 * len(columns), 22 + 34 * max(rows.values())
    widest = max(m.customers for m in moves)
    bands = []
    for m in moves:
        (x1, y1), (x2, y2) = point[m.source], point[m.target]
        x1, x2 = x1 + 120, x2
        if x2 <= x1:  # back to an earlier (or the same) column: loop under the boxes
            x1, x2 = point[m.source][0] + 60, point[m.target][0] + 60
        stroke = 1 + 9 * m.customers / widest
        middle = (x1 + x2) / 2
        bands.append(
            f'<path d="M{x1:.0f},{y1 + 10:.0f} C{middle:.0f},{y1 + 10:.0f} {middle:.0f},'
            f'{y2 + 10:.0f} {x2:.0f},{y2 + 10:.0f}" fill="none" stroke="{_BAR}" '
            f'stroke-opacity="0.35" stroke-width="{stroke:.1f}">'
            f"<title>{_name(names, m.source)} → {_name(names, m.target)}: "
            f"{m.customers}</title></path>"
        )
    boxes = "".join(
        f'<rect x="{x:.0f}" y="{y:.0f}" width="120" height="20" rx="3" fill="#ffffff" '
        f'stroke="{_BAR}"/><text x="{x + 60:.0f}" y="{y + 14:.0f}" font-size="8" '
        f'text-anchor="middle" font-family="DejaVu Sans, sans-serif">{_name(names, tp)[:26]}</text>'
        for tp, (x, y) in point.items()
    )
    label = _text("flow", language)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 10}" '
        f'width="100%" role="img" aria-label="{label}">{"".join(bands)}{boxes}</svg>'
    )


def import_summary(result: object, language: str) -> str:
    """What an import did, as HTML for the notebook's form."""
    from tpkit.events.store import ImportResult

    assert isinstance(result, ImportResult)
    lines = [escape(t("events.cli.import.summary", language, **result.counted(language)))]
    lines += [
        escape(
            t(
                "events.cli.import.skip",
                language,
                file=Path(s.file).name,
                line=s.line,
                reason=t(f"events.reason.{s.reason}", language),
            )
        )
        for s in result.skipped[:20]
    ]
    lines += [
        escape(
            t(
                "events.cli.import.unmapped",
                language,
                event=f"{g.event} {g.page}".strip(),
                events=plural("events.counts.events", g.events, language),
            )
        )
        for g in result.top_unmapped
    ]
    return "<br>".join(lines)


# --- notebook 06 -----------------------------------------------------------------------

DEMO_WORKBOOK = "demo-bank.yaml"


def open_digital(workbook: str = "", language: str = "") -> object:
    """The session notebook 06 works on: the given workbook, else the one chosen in
    notebook 00, else a demo copy of the bank sample with its month of events."""
    from tpkit.forms.session import WorkbookSession, open_session, recall, workbook_folder

    if workbook or recall():
        return open_session(workbook, language)
    from tpkit.samples import copy_sample_events, from_sample
    from tpkit.store import create

    demo = workbook_folder() / DEMO_WORKBOOK
    if not demo.exists():
        create(demo, from_sample("bank", language or None))
        copy_sample_events("bank", demo)
    return WorkbookSession(demo, language or None)


def log_files(folder: Path) -> list[Path]:
    """Logs a team may import: its folder's CSV, Parquet and JSON lines, then the samples'."""
    from tpkit.resources import bundled

    kinds = {".csv", ".tsv", ".txt", ".parquet", ".jsonl", ".ndjson", ".json", ".xlsx"}
    found = []
    for place in (folder, bundled("data/samples") / "events"):
        if place.is_dir():
            found += sorted(p for p in place.iterdir() if p.suffix.lower() in kinds)
    return found


class DigitalView:
    """The figures of notebook 06 as HTML widgets, drawn again after an import."""

    def __init__(self, session: object) -> None:
        import ipywidgets as widgets

        self.session = session
        names = ("figures", "funnel", "flow", "paths", "transitions", "attribution", "next", "gaps")
        for name in names:
            setattr(self, name, widgets.HTML())
        self.refresh()

    def refresh(self) -> None:
        from tpkit.events.overview import overview

        workbook, language = self.session.workbook, self.session.language
        view = overview(workbook, self.session.path)
        if view is None:
            empty = f'<p class="tp-note">{_text("empty", language)}</p>'
            for part in (
                "figures",
                "funnel",
                "flow",
                "paths",
                "transitions",
                "attribution",
                "next",
                "gaps",
            ):
                getattr(self, part).value = empty if part == "figures" else ""
            return
        self.figures.value = key_figures_html(view, language)
        self.funnel.value = funnel_html(view, workbook, language)
        self.flow.value = flow_svg(view, workbook, language)
        self.paths.value = paths_html(view, workbook, language)
        self.transitions.value = transitions_html(view, workbook, language)
        self.attribution.value = attribution_html(view, workbook, language)
        self.next.value = next_html(view, workbook, language)
        self.gaps.value = gaps_html(view, workbook, language)


class ImportForm:
    """Choose logs, import them into the workbook's events, read what happened."""

    def __init__(self, session: object, on_import: object = None) -> None:
        import ipywidgets as widgets

        self.session, self.on_import = session, on_import
        language = session.language
        options = [(p.name, str(p)) for p in log_files(session.path.parent)]
        self.logs = widgets.SelectMultiple(
            options=options, description=t("events.view.form.logs", language), rows=4
        )
        self.other = widgets.Text(
            placeholder=t("events.view.form.other_hint", language),
            description=t("events.view.form.other", language),
        )
        self.run = widgets.Button(description=t("events.view.form.run", language))
        self.result = widgets.HTML()
        self.run.on_click(lambda _: self.import_chosen())
        self.widget = widgets.VBox([self.logs, self.other, self.run, self.result])

    def chosen(self) -> list[Path]:
        paths = [Path(p) for p in self.logs.value]
        paths += [Path(p.strip()) for p in self.other.value.split(",") if p.strip()]
        return paths

    def import_chosen(self) -> None:
        from tpkit.errors import TpkitError
        from tpkit.events.store import import_logs

        language = self.session.language
        paths = self.chosen()
        if not paths:
            self.result.value = f'<p class="tp-note">{_text("form.none", language)}</p>'
            return
        try:
            result = import_logs(paths, self.session.workbook, self.session.path)
        except TpkitError as error:
            self.result.value = f'<p class="tp-error">{escape(error.message(language))}</p>'
            return
        self.result.value = import_summary(result, language)
        if callable(self.on_import):
            self.on_import()


def digital_guide(topic: str, language: str | None = None) -> object:
    """The notebook's guidance between the views, from the ``events.guide`` texts."""
    from IPython.display import Markdown

    return Markdown(t(f"events.guide.{topic}", language))
