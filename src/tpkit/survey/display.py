"""Customer figures and import proposals as plain-text tables for the terminal, in the
user's language."""

from __future__ import annotations

import math

from tpkit.i18n import label, t
from tpkit.model import Workbook
from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM
from tpkit.survey.measures import SCORE_MEASURES
from tpkit.survey.metrics import MIN_SAMPLE, Figure, Gap, Grouping
from tpkit.survey.proposal import ColumnProposal, Proposal
from tpkit.survey.scales import scale_label


def group_name(group: str, by: str, workbook: Workbook) -> str:
    """What a reader calls a group: the touchpoint's or stage's name, the phase's label."""
    by = by.partition(",")[0]
    if group == WHOLE_FIRM:
        return t("survey.whole_firm") if by != "month" else t("survey.no_date")
    if by == "phase":
        return label("phase", group)
    names = {tp.id: tp.name for tp in workbook.touchpoints} if by == "touchpoint" else {}
    names |= {stage.id: stage.name for stage in workbook.stages} if by == "stage" else {}
    return names.get(group, group)


def figure_cell(item: Figure) -> str:
    """'72 [64–79] n=45', with a '*' when the sample is too small to trust; an NPS
    with its promoters, passives and detractors, a CES with the share agreeing."""
    digits = 1 if item.measure in ("ces", "contact", "process") else 0
    shown = f"{item.score:.{digits}f}"
    if not math.isnan(item.score_low):
        shown += f" [{item.score_low:.{digits}f}–{item.score_high:.{digits}f}]"
    shown += f" n={item.n}" + ("*" if item.small_sample else "")
    counts = item.counts()
    if item.measure == "nps":
        shown += f" ({counts['promoters']}/{counts['passives']}/{counts['detractors']})"
    elif item.measure == "ces":
        shown += f" ({counts['agree_pct']:.0f}%)"
    return shown


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in lines)


def figures_text(figures: list[Figure], by: Grouping, workbook: Workbook) -> str:
    """One row per group (and month), one column per measure, and a line that explains
    the cells."""
    first, _, then = by.partition(",")
    measures = [m for m in SCORE_MEASURES if any(f.measure == m for f in figures)]
    groups = list(dict.fromkeys((f.group, f.month) for f in figures))
    cells = {(f.group, f.month, f.measure): figure_cell(f) for f in figures}
    header = [t(f"survey.by.{first}")] + ([t("survey.by.month")] if then else [])
    header += [t(f"survey.heading.{m}") for m in measures]
    rows = [
        [group_name(g, by, workbook)]
        + ([month or t("survey.no_date")] if then else [])
        + [cells.get((g, month, m), "–") for m in measures]
        for g, month in groups
    ]
    return _table(header, rows) + "\n\n" + t("survey.cli.metrics.legend", minimum=MIN_SAMPLE)


def gaps_text(gaps: list[Gap], workbook: Workbook) -> str:
    """The team's own ratings beside the customers', largest disagreement first."""
    header = [
        t("survey.by.touchpoint"),
        t("survey.gap.measure"),
        t("survey.gap.team"),
        t("survey.gap.customers"),
        t("survey.gap.difference"),
    ]
    rows = [
        [
            group_name(gap.touchpoint, "touchpoint", workbook),
            t(f"survey.measure.{gap.measure}"),
            f"{gap.team:.1f}",
            f"{gap.customers:.1f} n={gap.n}",
            f"{gap.gap:+.1f}",
        ]
        for gap in sorted(gaps, key=lambda gap: -abs(gap.gap))
    ]
    return t("survey.gap.title") + "\n" + _table(header, rows)


_SHOWN_HEADER = 48  # characters of a question shown in the proposal's table


def proposal_text(proposal: Proposal, workbook: Workbook, language: str | None = None) -> str:
    """The proposed mapping as a table: one line per question column with its measure,
    touchpoint, scale and confidence, '?' in front of the doubtful ones, and under each
    line the evidence."""
    header = [
        "",
        t("survey.proposal.column", language),
        t("survey.proposal.measure", language),
        t("survey.proposal.touchpoint", language),
        t("survey.proposal.scale", language),
        t("survey.proposal.confidence", language),
    ]
    rows = [
        ["?" if c.doubtful else "", *proposal_row(c, workbook, language)[:5]]
        for c in proposal.columns
    ]
    lines = _table(header, rows).splitlines()
    shown = lines[:2]
    for column, line in zip(proposal.columns, lines[2:], strict=True):
        shown.append(line.rstrip())
        why = "; ".join(e.text(language) for e in column.evidence)
        if why:
            shown.append(f"     {why}")
    return "\n".join(shown)


def proposal_row(column: ColumnProposal, workbook: Workbook, language: str | None) -> list[str]:
    """One column's proposal as the table and the mapping form show it."""
    text = column.column.header
    shown = text if len(text) <= _SHOWN_HEADER else text[: _SHOWN_HEADER - 1] + "…"
    evidence = "; ".join(e.text(language) for e in column.evidence)
    if column.target is None:
        return [shown, t("survey.proposal.not_imported", language), "", "", "", evidence]
    target = column.target
    return [
        shown,
        t(f"survey.measure.{target.measure}", language),
        about_text(target.touchpoint, workbook, language),
        scale_label(target.scale, language) if target.scale else "",
        "" if column.chosen else f"{100 * column.confidence:.0f} %",
        evidence,
    ]


def about_text(touchpoint: str, workbook: Workbook, language: str | None = None) -> str:
    """What a column is about: a touchpoint's name, the link's, or the firm."""
    if touchpoint == ROW_TOUCHPOINT:
        return t("survey.cli.import.about_link", language)
    if touchpoint == WHOLE_FIRM:
        return t("survey.cli.import.about_firm", language)
    return {tp.id: tp.name for tp in workbook.touchpoints}.get(touchpoint, touchpoint)
