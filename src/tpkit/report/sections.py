"""The parts of a report: each section turns a workbook into an HTML fragment.

A section is a title key and a function ``body(ctx) -> str``; :data:`SECTIONS` lists them
in report order. Adding one (diagnostics, customer feedback, an action plan) is a body
function, one :class:`Section` line in the registry and its texts under ``report.``.

Every text from the workbook is HTML-escaped here, and the workbook is masked once
(:attr:`ReportContext.shown`) before any section reads it, so tables, charts and the
journey map all hide the same personal data and number the participants the same way.
Charts are inline SVG: WeasyPrint keeps them as vectors with real text.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from tpkit import charts
from tpkit.charts.data import CRITERIA, DISPUTED, level
from tpkit.diagnostics.facts import KeyFigures, key_figures
from tpkit.diagnostics.findings import Finding
from tpkit.diagnostics.text import signed as emotion  # an emotion as printed: −2, 0, +1
from tpkit.i18n import decimal, label, plural, t
from tpkit.metrics import TeamScore, incomplete_text, team_scores
from tpkit.model import PHASES, Rating, Touchpoint, Workbook
from tpkit.report import diagnostics, digital, feedback
from tpkit.report.coverage import coverage_html
from tpkit.report.journey import journey_html
from tpkit.safety import PRINTED_NAME, mask_workbook, shown_text, shown_workbook, svg_image

DISAGREEMENTS_SHOWN = 8  # touchpoints in the "where the team disagrees" list
KEEP_TOGETHER_ROWS = 12  # a table this short moves to the next page whole rather than split


def esc(text: object) -> str:
    """User text as HTML text: '<script>' stays visible as text and never becomes markup."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class ReportContext:
    """Everything a section needs: the workbook and the report's parameters."""

    workbook: Workbook
    language: str
    sections: tuple[str, ...]  # names from SECTIONS, in order
    period: str = ""  # free text, e.g. "2026-Q4" or "November 2026"
    title: str = ""  # "" → a translated default with the team's name
    logo: str = ""  # path of an image file, or ""
    accent: str = "#1f6f8b"  # CSS colour of headings, rules, cover band
    mask_personal_data: bool = True
    issued: date | None = None  # the date on the cover; None → today
    workbook_path: str = ""  # where the workbook lies: its survey responses lie beside it

    @cached_property
    def shown(self) -> Workbook:
        """The workbook as the report prints it, shared by every section: masked once,
        then its texts made safe to print (:func:`tpkit.safety.shown_text`)."""
        if self.mask_personal_data:
            return shown_workbook(mask_workbook(self.workbook, self.language))
        return shown_workbook(self.workbook)

    @cached_property
    def findings(self) -> list[Finding]:
        """The diagnostics' ranked findings on the shown workbook, with its customers'
        figures: the summary and the diagnostics section share one run."""
        from tpkit.diagnostics import diagnose
        from tpkit.diagnostics.evidence import Customers, customers_of

        customers = customers_of(self.shown, self.workbook_path) if self.workbook_path else None
        return diagnose(self.shown, customers or Customers())

    @property
    def report_title(self) -> str:
        team = self.shown.meta.team
        return shown_text(self.title.strip(), PRINTED_NAME) or self.text("default_title", team=team)

    @property
    def period_shown(self) -> str:
        """The period as printed (the period itself still selects the responses)."""
        return shown_text(self.period.strip(), PRINTED_NAME)

    def text(self, key: str, **values: Any) -> str:
        """A report text (``report.KEY``) in the report's language."""
        return t(f"report.{key}", self.language, **values)

    def counted(self, key: str, **values: Any) -> str:
        """A text that may name a ``count``: ``KEY_one`` for exactly one, where the catalogue
        has it ("1 touchpoint without an owner"), else ``KEY``."""
        return plural(f"report.{key}", values["count"], self.language, **values)

    def label(self, group: str, key: str) -> str:
        return label(group, key, self.language)

    def number(self, value: float) -> str:
        """One decimal, with the language's decimal mark: 3.8 or 3,8."""
        return decimal(value, self.language)


# --- small HTML builders --------------------------------------------------------------


def note(text: str) -> str:
    """A short muted paragraph, e.g. why a part of the report is still empty."""
    return f'<p class="tp-note">{esc(text)}</p>'


def bullet_list(items: Iterable[str], css: str = "") -> str:
    """A list of already-built HTML items ("" when there are none)."""
    lines = "".join(f"<li>{item}</li>" for item in items)
    return f'<ul class="{css}">{lines}</ul>' if lines else ""


@dataclass(frozen=True)
class Column:
    """A table column: heading, share of the width (%), and numbers align right."""

    heading: str
    width: int
    numeric: bool = False


def table(columns: Sequence[Column], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """A table of already-built HTML cells with a header that repeats on every page.

    Fixed widths keep it inside the page whatever the text: long names wrap instead of
    pushing columns over the margin. A short table is kept on one page, so no row is
    left alone at the foot of a page.
    """
    cols = "".join(f'<col style="width:{c.width}%">' for c in columns)
    head = "".join(f'<th class="{_align(c)}">{esc(c.heading)}</th>' for c in columns)
    lines = [
        "<tr>"
        + "".join(
            f'<td class="{_align(c)}">{cell}</td>' for c, cell in zip(columns, row, strict=True)
        )
        + "</tr>"
        for row in rows
    ]
    css += " tp-keep" if len(lines) <= KEEP_TOGETHER_ROWS else ""
    body = "".join(lines)
    return (
        f'<table class="tp-table {css}"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _align(column: Column) -> str:
    return "tp-num" if column.numeric else ""


def figure(chart: Any, css: str = "") -> str:
    """An altair chart as an SVG image (vector, real text) in a figure that never splits;
    its title, when it has one, is the image's text for a screen reader."""
    image = svg_image(charts.to_svg(chart), _title(chart))
    return f'<figure class="tp-figure {css}">{image}</figure>'


def _title(chart: Any) -> str:
    title = getattr(chart, "title", None)
    text = getattr(title, "text", title)
    return text if isinstance(text, str) else ""


# --- the section mechanism --------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A part of the report: its heading (a translation key) and how to draw its body."""

    name: str
    title_key: str
    body: Callable[[ReportContext], str]
    landscape: bool = False  # printed on A4-landscape pages

    def render(self, ctx: ReportContext) -> str:
        """The section as one HTML fragment, in its own language and free of MathJax."""
        classes = "tp-section landscape" if self.landscape else "tp-section"
        return (
            # MathJax (JupyterLab, HTML reports) would typeset "$x$" in user text: not here
            f'<section class="{classes} tex2jax_ignore mathjax_ignore" '
            f'id="section-{self.name}" lang="{esc(ctx.language)}">'
            f"<h1>{esc(t(self.title_key, ctx.language))}</h1>{self.body(ctx)}</section>"
        )


# --- summary --------------------------------------------------------------------------


def _summary(ctx: ReportContext) -> str:
    shown = ctx.shown
    return (
        f"<h2>{esc(ctx.text('figures.title'))}</h2>"
        + _key_figures(ctx, key_figures(shown))
        + f"<h2>{esc(ctx.text('findings.title'))}</h2>"
        + diagnostics.summary(ctx)
    )


def _tile(value_html: str, caption: str, css: str = "") -> str:
    return (
        f'<div class="tp-tile {css}"><div class="tp-tile-value">{value_html}</div>'
        f'<div class="tp-tile-label">{esc(caption)}</div></div>'
    )


def _with_aside(main: str, aside: str) -> str:
    """'3.6 of 5': a figure with a small muted addition."""
    return f"{esc(main)} <small>{esc(aside)}</small>"


def _key_figures(ctx: ReportContext, figures: KeyFigures) -> str:
    """Tiles: touchpoints per phase, who rated, mean qualities, low point, open actions."""

    def quality(value: float | None) -> str:
        return "–" if value is None else _with_aside(ctx.number(value), ctx.text("figures.out_of"))

    low = figures.lowest_stage
    low_html = (
        _with_aside(low.name, ctx.text("figures.emotion", emotion=emotion(low.emotion)))
        if low
        else "–"
    )
    actions = ctx.text("figures.actions_value", open=figures.open_actions, total=figures.actions)
    tiles = [
        _tile(str(figures.touchpoints), ctx.text("figures.touchpoints"), "tp-tile-lead"),
        *(_tile(str(n), ctx.label("phase", p)) for p, n in figures.per_phase.items()),
        _tile(str(figures.participants), ctx.text("figures.participants")),
        _tile(str(figures.ratings), ctx.text("figures.ratings")),
        _tile(quality(figures.contact_quality), ctx.text("figures.contact")),
        _tile(quality(figures.process_quality), ctx.text("figures.process")),
        _tile(low_html, ctx.text("figures.lowest"), "tp-tile-wide tp-tile-text"),
        _tile(esc(actions), ctx.text("figures.actions")),
    ]
    return f'<div class="tp-tiles">{"".join(tiles)}</div>'


# --- inventory ------------------------------------------------------------------------


def _inventory(ctx: ReportContext) -> str:
    shown = ctx.shown
    if not shown.touchpoints:
        return note(ctx.text("inventory.empty"))
    parts = [f'<p class="tp-intro">{esc(ctx.text("inventory.intro"))}</p>']
    parts.append(coverage_html(shown, ctx.language))
    for phase in PHASES:
        touchpoints = shown.touchpoints_in(phase)
        heading = ctx.text(
            "inventory.phase_count", phase=ctx.label("phase", phase), count=len(touchpoints)
        )
        parts.append(f"<h2>{esc(heading)}</h2>")
        parts.append(
            _inventory_table(ctx, touchpoints)
            if touchpoints
            else note(ctx.text("inventory.empty_phase"))
        )
    return "".join(parts)


def _inventory_table(ctx: ReportContext, touchpoints: list[Touchpoint]) -> str:
    columns = [
        Column(t("field.touchpoint", ctx.language), 27),
        Column(t("field.channel", ctx.language), 14),
        Column(t("field.kind", ctx.language), 11),
        Column(t("field.owner", ctx.language), 16),
        Column(ctx.text("inventory.frequency"), 14),
        Column(ctx.text("inventory.marketing"), 18),
    ]
    rows = (
        [
            esc(tp.name),
            esc(ctx.label("channel", tp.channel)),
            esc(ctx.label("kind", tp.kind)),
            esc(tp.owner) if tp.owner.strip() else _flag(ctx.text("inventory.no_owner")),
            esc(ctx.label("frequency", tp.frequency)),
            _marketing(ctx, tp),
        ]
        for tp in touchpoints
    )
    return table(columns, rows, "tp-inventory")


def _flag(text: str) -> str:
    """Something missing that should be there, shown in red."""
    return f'<span class="tp-missing">{esc(text)}</span>'


def _marketing(ctx: ReportContext, tp: Touchpoint) -> str:
    """'–' for other contacts; for marketing contacts, consent and opt-out ticked or flagged."""
    if not tp.marketing_contact:
        return '<span class="tp-muted">–</span>'
    marks = ((tp.consent, "inventory.consent"), (tp.opt_out, "inventory.opt_out"))
    return "<br>".join(
        f'<span class="tp-ok">✓ {esc(ctx.text(key))}</span>'
        if present
        else _flag(f"✗ {ctx.text(key)}")
        for present, key in marks
    )


# --- ratings --------------------------------------------------------------------------


def _ratings(ctx: ReportContext) -> str:
    shown = ctx.shown
    known = {tp.id: tp for tp in shown.touchpoints}
    scores = [s for s in team_scores(shown).values() if s.touchpoint in known]
    if not scores:
        return note(ctx.text("ratings.empty"))
    order = {tp_id: i for i, tp_id in enumerate(known)}
    scores.sort(key=lambda s: (-s.spread, order[s.touchpoint]))
    return (
        figure(charts.quality_matrix(shown, ctx.language), "tp-figure-large")
        # the short list first, then the long table, which may run over pages
        + f"<h2>{esc(ctx.text('ratings.disagree_title'))}</h2>"
        + _disagreements(ctx, scores, known)
        + f"<h2>{esc(ctx.text('ratings.consensus_title'))}</h2>"
        + f'<p class="tp-intro">{esc(ctx.text("ratings.consensus_intro"))}</p>'
        + _consensus_table(ctx, scores, known)
        + _incomplete_note(ctx, scores)
    )


def _incomplete_note(ctx: ReportContext, scores: list[TeamScore]) -> str:
    """How many ratings lack a score: the means above count only the scores given."""
    text = incomplete_text(sum(s.incomplete for s in scores), ctx.language)
    return note(text) if text else ""


def _consensus_table(
    ctx: ReportContext, scores: list[TeamScore], known: dict[str, Touchpoint]
) -> str:
    columns = [
        Column(t("field.touchpoint", ctx.language), 40),
        *(
            Column(ctx.text(f"ratings.{key}"), 12, numeric=True)
            for key in ("contact", "process", "importance")
        ),
        Column(ctx.text("ratings.raters"), 12, numeric=True),
        Column(ctx.text("ratings.spread"), 12, numeric=True),
    ]

    def scored(value: float | None) -> str:
        if value is None:
            return "–"
        return f'<span class="tp-score tp-{level(value)}">{esc(ctx.number(value))}</span>'

    def spread(value: int) -> str:
        css = "tp-missing" if value >= DISPUTED else ""
        return f'<span class="{css}">{value}</span>'

    rows = (
        [
            esc(known[s.touchpoint].name),
            scored(s.contact_quality),
            scored(s.process_quality),
            "–" if s.importance is None else esc(ctx.number(s.importance)),
            str(s.raters),
            spread(s.spread),
        ]
        for s in scores
    )
    return table(columns, rows, "tp-consensus")


def _disagreements(
    ctx: ReportContext, scores: list[TeamScore], known: dict[str, Touchpoint]
) -> str:
    """The most disputed touchpoints, each criterion that splits the team, and who is where."""
    if len(ctx.shown.participants()) < 2:
        return note(ctx.text("ratings.one_rater"))
    disputed = [s for s in scores if s.spread >= DISPUTED]
    if not disputed:
        return note(ctx.text("ratings.agree"))
    by_touchpoint: dict[str, list[Rating]] = {}
    for rating in ctx.shown.ratings:
        by_touchpoint.setdefault(rating.touchpoint, []).append(rating)
    entries = [
        f"<strong>{esc(known[s.touchpoint].name)}</strong>"
        + bullet_list(_split(ctx, by_touchpoint[s.touchpoint]))
        for s in disputed[:DISAGREEMENTS_SHOWN]
    ]
    more = len(disputed) - DISAGREEMENTS_SHOWN
    tail = note(ctx.counted("ratings.disagree_more", count=more)) if more > 0 else ""
    return (
        f'<p class="tp-intro">{esc(ctx.text("ratings.disagree_intro"))}</p>'
        + bullet_list(entries, "tp-disagreements")
        + tail
    )


def _split(ctx: ReportContext, ratings: list[Rating]) -> list[str]:
    """For each criterion that is DISPUTED points apart: the lowest and highest scores, and who."""
    lines = []
    for criterion in CRITERIA:
        given = {r.participant: v for r in ratings if (v := getattr(r, criterion)) is not None}
        low, high = min(given.values(), default=0), max(given.values(), default=0)
        if high - low >= DISPUTED:
            text = ctx.text(
                "ratings.disagree_item",
                criterion=t(f"field.{criterion}", ctx.language),
                low=low,
                low_names=_who_gave(given, low),
                high=high,
                high_names=_who_gave(given, high),
            )
            lines.append(esc(text))
    return lines


def _who_gave(given: dict[str, int], score: int) -> str:
    return ", ".join(name for name, value in given.items() if value == score)


# --- journey --------------------------------------------------------------------------


def _journey(ctx: ReportContext) -> str:
    shown = ctx.shown
    if not shown.stages:
        return _persona(ctx) + note(ctx.text("journey.empty"))
    return _persona(ctx) + f'<div class="tp-map">{journey_html(shown, ctx.language)}</div>'


def _persona(ctx: ReportContext) -> str:
    """Who the journey follows: description beside goals and frustrations. Without a
    persona, nothing: the map then starts on the section's first page."""
    persona = ctx.shown.persona
    if persona is None:
        return ""
    columns = [f"<div><p>{esc(persona.description)}</p></div>"] + [
        f"<div><h3>{esc(t(f'field.{key}', ctx.language))}</h3>"
        + bullet_list(esc(item) for item in getattr(persona, key))
        + "</div>"
        for key in ("goals", "frustrations")
    ]
    return (
        f'<div class="tp-persona"><h2>{esc(ctx.text("journey.persona", name=persona.name))}</h2>'
        f'<div class="tp-persona-body">{"".join(columns)}</div></div>'
    )


def _registry(*sections: Section) -> dict[str, Section]:
    return {section.name: section for section in sections}


SECTIONS: dict[str, Section] = _registry(
    Section("summary", "report.section.summary", _summary),
    Section("inventory", "report.section.inventory", _inventory),
    Section("ratings", "report.section.ratings", _ratings),
    # late-bound: feedback.py draws with this module's helpers, so it may load second
    Section("feedback", "navigator.section", lambda ctx: feedback.body(ctx)),
    Section("digital", "events.report.section", lambda ctx: digital.body(ctx)),
    Section("diagnostics", "diagnostics.section", lambda ctx: diagnostics.body(ctx)),
    Section("journey", "report.section.journey", _journey, landscape=True),
)


def section_html(name: str, ctx: ReportContext) -> str:
    """One section as an HTML fragment (KeyError for a name not in SECTIONS)."""
    return SECTIONS[name].render(ctx)


def section_title(name: str, language: str) -> str:
    """The heading of a section in a language, e.g. for the table of contents."""
    return t(SECTIONS[name].title_key, language)
