"""What customers say, for the report's "Customer feedback" section and the navigator.

:func:`collect` reads a workbook's stored responses once, keeps those of the report's
period, and reduces them to what both the printed section and notebook 04 show: key
figures, touchpoints ranked, the monthly tallies behind the trend, the team-vs-customer
gaps and the newest comments per touchpoint. Comments are customers' own words and
may name people or give an e-mail address or phone number: they are masked here,
before anything shows them, unless the caller passes no mask.

The section body builds on the small HTML helpers of :mod:`tpkit.report.sections`,
which in turn lists this section in its registry; the helpers are therefore looked up
when the section is drawn, not when the module is imported.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tpkit.charts.feedback import HEADLINES, gap_chart, headline, names, overall, trend
from tpkit.i18n import decimal, plural, t
from tpkit.model import Workbook
from tpkit.report import sections
from tpkit.safety import shown_text, text_masker
from tpkit.survey import responses
from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM
from tpkit.survey.metrics import MIN_SAMPLE, Figure, Gap, Tally, gaps, summarise, tally

COMMENTS_SHOWN = 5  # the newest comments printed per touchpoint
_PERIOD = re.compile(r"^\s*(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])|[Hh]([12])))?\s*$")

Mask = Callable[[str], str]


@dataclass(frozen=True)
class Comment:
    """One customer's answer to "why?", about one touchpoint."""

    touchpoint: str
    submitted: str  # "2026-11-20", or "" when the export had no dates
    text: str


@dataclass
class Feedback:
    """Everything the navigator shows about one workbook's responses (in one period)."""

    responses: int = 0
    stored: int = 0  # all stored responses, whatever the period
    first_month: str = ""
    last_month: str = ""
    tallies: list[Tally] = field(default_factory=list)
    overall: dict[str, Figure] = field(default_factory=dict)
    touchpoints: list[Figure] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    comments: dict[str, list[Comment]] = field(default_factory=dict)  # newest first
    comment_counts: dict[str, int] = field(default_factory=dict)  # all of them, not only shown

    @property
    def headline(self) -> str | None:
        return headline(self.overall.values())


@dataclass(frozen=True)
class LeagueRow:
    """A touchpoint's line in the ranking: its headline figures side by side."""

    touchpoint: str
    name: str
    phase: str
    figures: dict[str, Figure]


def period_months(period: str) -> tuple[str, str] | None:
    """The months a report period covers: '2026' → 2026-01…2026-12, '2026-Q4',
    '2026-H1', '2026-11'. Free text ('autumn campaign') covers every month: None."""
    match = _PERIOD.match(period)
    if match is None:
        return None
    year, month, quarter, half = match.groups()
    if month:
        first = last = int(month)
    elif quarter:
        first, last = 3 * int(quarter) - 2, 3 * int(quarter)
    elif half:
        first, last = 6 * int(half) - 5, 6 * int(half)
    else:
        first, last = 1, 12
    return f"{year}-{first:02d}", f"{year}-{last:02d}"


def masker(workbook: Workbook, language: str) -> Mask:
    """Masks customers' text as the report masks the workbook: e-mails, phone numbers
    and the team's names, with the same participant numbers."""
    return text_masker(workbook, language)


def collect(
    workbook: Workbook,
    workbook_path: str | os.PathLike[str],
    period: str = "",
    mask: Mask | None = None,
    shown: int = COMMENTS_SHOWN,
) -> Feedback:
    """Read, filter to the period and reduce a workbook's responses in one pass."""
    table = responses.load(workbook_path)
    stored = table.num_rows
    months = period_months(period)
    if months and table.num_rows:
        month = pc.strftime(table.column(responses.SUBMITTED), format="%Y-%m")
        inside = pc.and_(pc.greater_equal(month, months[0]), pc.less_equal(month, months[1]))
        table = table.filter(pc.fill_null(inside, False))
    if not table.num_rows:
        return Feedback(stored=stored)
    tallies = tally(table)
    by_touchpoint = summarise(tallies, "touchpoint", workbook)
    dated = sorted(item.month for item in tallies if item.month)
    latest, counts = _comments(table, shown)
    clean = mask or (lambda text: text)
    return Feedback(
        responses=table.num_rows,
        stored=stored,
        first_month=dated[0] if dated else "",
        last_month=dated[-1] if dated else "",
        tallies=tallies,
        overall=overall(tallies, workbook),
        touchpoints=by_touchpoint,
        gaps=gaps(by_touchpoint, workbook),
        comments={  # in the workbook's order, then answers about the firm, then stray ids
            touchpoint: [Comment(c.touchpoint, c.submitted, clean(c.text)) for c in items]
            for touchpoint in [tp.id for tp in workbook.touchpoints] + sorted(latest)
            if (items := latest.get(touchpoint))
        },
        comment_counts=counts,
    )


def _comments(table: pa.Table, shown: int) -> tuple[dict[str, list[Comment]], dict[str, int]]:
    """The newest ``shown`` comments per touchpoint and how many there are in all. Arrow
    sorts and numpy ranks them, so a million comments never become Python strings."""
    parts = []
    for name in responses.answer_columns(table):
        measure, _, about = name.partition("@")
        if measure != "comment":
            continue
        touchpoint = (
            table.column(responses.TOUCHPOINT)
            if about == ROW_TOUCHPOINT
            else pa.repeat(pa.scalar(about, pa.string()), table.num_rows)
        )
        text = pc.utf8_trim_whitespace(table.column(name))
        written = pc.and_(pc.invert(pc.equal(text, "")), pc.is_valid(touchpoint))
        part = pa.table(
            {"touchpoint": touchpoint, "submitted": table.column(responses.SUBMITTED), "text": text}
        )
        parts.append(part.filter(pc.fill_null(written, False)))
    answers = pa.concat_tables(parts) if parts else None
    if answers is None or not answers.num_rows:
        return {}, {}
    answers = answers.sort_by([("touchpoint", "ascending"), ("submitted", "descending")])
    groups = pc.dictionary_encode(answers.column("touchpoint").combine_chunks())
    codes = groups.indices.to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    rank = np.arange(len(codes)) - np.repeat(starts, sizes)
    kept = answers.filter(pa.array(rank < shown)).to_pylist()
    counts = dict(
        zip(groups.dictionary.take(codes[starts]).to_pylist(), sizes.tolist(), strict=True)
    )
    latest: dict[str, list[Comment]] = {}
    for row in kept:
        day = row["submitted"].strftime("%Y-%m-%d") if row["submitted"] else ""
        latest.setdefault(row["touchpoint"], []).append(
            Comment(row["touchpoint"], day, row["text"])
        )
    return latest, counts


def league(feedback: Feedback, workbook: Workbook, language: str) -> list[LeagueRow]:
    """Touchpoints best first by the headline measure; those without it follow in
    workbook order. Answers about the company as a whole are not a touchpoint."""
    phases = {tp.id: tp.phase for tp in workbook.touchpoints}
    shown = names(workbook, language)
    rows: dict[str, LeagueRow] = {}
    for item in feedback.touchpoints:
        if item.group == WHOLE_FIRM or item.measure not in HEADLINES:
            continue
        row = rows.setdefault(
            item.group,
            LeagueRow(
                item.group, shown.get(item.group, item.group), phases.get(item.group, ""), {}
            ),
        )
        row.figures[item.measure] = item
    lead = feedback.headline

    def rank(row: LeagueRow) -> tuple[bool, float]:
        top = row.figures.get(lead or "")
        return top is None, -(top.score if top else 0.0)

    return sorted(rows.values(), key=rank)


# --- how figures read ------------------------------------------------------------------


def _number(value: float, language: str, decimals: int) -> str:
    return decimal(value, language, decimals).replace("-", "\u2212")  # a real minus sign


def score_text(item: Figure, language: str) -> str:
    """'77%', '+22', '5,7': the headline of a figure as people read it."""
    if item.measure == "csat":
        return t("navigator.percent", language, value=round(item.score))
    if item.measure == "nps":
        return sections.emotion(round(item.score))
    return _number(item.score, language, 1)


def interval_text(item: Figure, language: str) -> str:
    """The 95 % interval: '68 to 84', '+7 to +38', '5,4 to 5,9'."""
    if item.measure == "nps":
        low, high = (
            sections.emotion(round(item.score_low)),
            sections.emotion(round(item.score_high)),
        )
    elif item.measure == "csat":
        low, high = str(round(item.score_low)), str(round(item.score_high))
    else:
        low, high = _number(item.score_low, language, 1), _number(item.score_high, language, 1)
    return t("navigator.interval", language, low=low, high=high)


def counted(key: str, count: int, language: str) -> str:
    """``navigator.KEY`` naming a count, or ``KEY_one`` for exactly one."""
    return plural(f"navigator.{key}", count, language)


def month_text(month: str, language: str) -> str:
    """'2026-11' → 'Nov 2026' in the language's short month names."""
    year, number = month.split("-")
    return f"{t('navigator.months', language).split()[int(number) - 1]} {year}"


# --- the report section -------------------------------------------------------------------


def body(ctx: sections.ReportContext) -> str:
    """The section: key figures, the ranking, the trend, the gaps, the comments."""
    if not ctx.workbook_path:
        return sections.note(t("navigator.empty", ctx.language))
    mask = masker(ctx.workbook, ctx.language) if ctx.mask_personal_data else None
    feedback = collect(
        ctx.workbook,
        ctx.workbook_path,
        ctx.period,
        lambda text: shown_text(mask(text) if mask else text),
    )
    if not feedback.responses:
        key = "navigator.empty_period" if feedback.stored else "navigator.empty"
        return sections.note(t(key, ctx.language, period=ctx.period_shown))
    shown, language = ctx.shown, ctx.language
    return "".join(
        [
            _heading("navigator.figures.title", language),
            _key_figures(feedback, language),
            _heading("navigator.league.title", language),
            _league(feedback, shown, language),
            _together(
                _heading("navigator.trend.title", language)
                + sections.figure(trend(feedback.tallies, shown, language))
            ),
            _together(_heading("navigator.gap.title", language) + _gaps(feedback, shown, language)),
            _heading("navigator.comments.title", language),
            _comments_html(feedback, shown, language),
        ]
    )


def _together(html: str) -> str:
    """A heading and its chart on one page: the heading never waits alone at a page foot."""
    return f'<div style="break-inside: avoid">{html}</div>'


def _heading(key: str, language: str) -> str:
    return f"<h2>{sections.esc(t(key, language))}</h2>"


def _intro(text: str) -> str:
    return f'<p class="tp-intro">{sections.esc(text)}</p>'


def _warning(language: str) -> str:
    text = t("navigator.small_sample", language, count=MIN_SAMPLE)
    return f'<span class="tp-missing" title="{sections.esc(text)}">⚠</span>'


def _key_figures(feedback: Feedback, language: str) -> str:
    """Tiles: how many responses, then each headline with its interval; the months and
    the number of answers go in the small print under them."""
    esc = sections.esc
    caption = t("navigator.figures.responses", language)
    if feedback.first_month:
        first, last = (month_text(m, language) for m in (feedback.first_month, feedback.last_month))
        caption += f", {t('navigator.figures.months', language, first=first, last=last)}"
    tiles = [sections._tile(str(feedback.responses), caption, "tp-tile-lead")]
    for measure in HEADLINES:
        item = feedback.overall.get(measure)
        if item is None:
            continue
        interval = esc(interval_text(item, language))
        value = f"{esc(score_text(item, language))}<br><small>{interval}</small>"
        if item.small_sample:
            value += f" {_warning(language)}"
        answers = counted("answers", item.n, language)
        caption = f"{t(f'navigator.headline.{measure}', language)}, {answers}"
        tiles.append(sections._tile(value, caption))
    return f'<div class="tp-tiles">{"".join(tiles)}</div>'


def _league(feedback: Feedback, workbook: Workbook, language: str) -> str:
    rows = league(feedback, workbook, language)
    lead = feedback.headline or "csat"
    measures = [m for m in HEADLINES if m in feedback.overall]
    width = (100 - 5 - 33 - 14 - 10) // max(len(measures), 1)
    columns = [
        sections.Column(t("navigator.league.rank", language), 5, numeric=True),
        sections.Column(t("field.touchpoint", language), 33),
        sections.Column(t("field.phase", language), 14),
        sections.Column(t("navigator.league.answers", language), 10, numeric=True),
        *(
            sections.Column(t(f"navigator.measure.{m}", language), width, numeric=True)
            for m in measures
        ),
    ]

    def cell(item: Figure | None) -> str:
        if item is None:
            return '<span class="tp-muted">–</span>'
        flag = f" {_warning(language)}" if item.small_sample else ""
        return (
            f"<b>{sections.esc(score_text(item, language))}</b>{flag}"
            f"<br><small>{sections.esc(interval_text(item, language))}</small>"
        )

    lines = [
        [
            str(number),
            sections.esc(row.name),
            sections.esc(t(f"phase.{row.phase}", language)) if row.phase else "",
            str(max(item.n for item in row.figures.values())),
            *(cell(row.figures.get(m)) for m in measures),
        ]
        for number, row in enumerate(rows, start=1)
    ]
    intro = t("navigator.league.intro", language, measure=t(f"navigator.measure.{lead}", language))
    small = any(item.small_sample for row in rows for item in row.figures.values())
    footnote = (
        f'<p class="tp-muted"><small>{_warning(language)} '
        f"{sections.esc(t('navigator.small_sample', language, count=MIN_SAMPLE))}</small></p>"
        if small
        else ""
    )
    return _intro(intro) + sections.table(columns, lines, "tp-league") + footnote


def _gaps(feedback: Feedback, workbook: Workbook, language: str) -> str:
    if not feedback.gaps:
        return sections.note(t("navigator.gap.none", language))
    return _intro(t("navigator.gap.intro", language)) + sections.figure(
        gap_chart(feedback.gaps, workbook, language)
    )


def _comments_html(feedback: Feedback, workbook: Workbook, language: str) -> str:
    if not feedback.comments:
        return sections.note(t("navigator.comments.none", language))
    esc = sections.esc
    shown = names(workbook, language)
    parts = [_intro(t("navigator.comments.intro", language))]
    for touchpoint, comments in feedback.comments.items():
        total = feedback.comment_counts[touchpoint]
        parts.append(
            f"<h3>{esc(shown.get(touchpoint, touchpoint))} "
            f"<small>({esc(counted('comments.count', total, language))})</small></h3>"
        )
        parts.append(sections.bullet_list(_comment(c) for c in comments))
        more = total - len(comments)
        if more > 0:
            parts.append(f'<p class="tp-muted">{esc(counted("comments.more", more, language))}</p>')
    return "".join(parts)


def _comment(comment: Comment) -> str:
    text = sections.esc(comment.text)
    if not comment.submitted:
        return text
    return f'<span class="tp-muted">{sections.esc(comment.submitted)}</span> {text}'
