"""Customer figures as plain-text tables for the terminal, in the user's language."""

from __future__ import annotations

import math

from tpkit.i18n import label, t
from tpkit.model import Workbook
from tpkit.survey.mapping import WHOLE_FIRM
from tpkit.survey.measures import SCORE_MEASURES
from tpkit.survey.metrics import MIN_SAMPLE, Figure, Gap, Grouping


def group_name(group: str, by: Grouping, workbook: Workbook) -> str:
    """What a reader calls a group: the touchpoint's or stage's name, the phase's label."""
    if group == WHOLE_FIRM:
        return t("survey.whole_firm") if by != "month" else t("survey.no_date")
    if by == "phase":
        return label("phase", group)
    names = {tp.id: tp.name for tp in workbook.touchpoints} if by == "touchpoint" else {}
    names |= {stage.id: stage.name for stage in workbook.stages} if by == "stage" else {}
    return names.get(group, group)


def figure_cell(item: Figure) -> str:
    """'72 [64–79] n=45', with a '*' when the sample is too small to trust."""
    digits = 1 if item.measure in ("ces", "contact", "process") else 0
    shown = f"{item.score:.{digits}f}"
    if not math.isnan(item.score_low):
        shown += f" [{item.score_low:.{digits}f}–{item.score_high:.{digits}f}]"
    return f"{shown} n={item.n}" + ("*" if item.small_sample else "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in lines)


def figures_text(figures: list[Figure], by: Grouping, workbook: Workbook) -> str:
    """One row per group, one column per measure, and a line that explains the cells."""
    measures = [m for m in SCORE_MEASURES if any(f.measure == m for f in figures)]
    groups = list(dict.fromkeys(f.group for f in figures))
    cells = {(f.group, f.measure): figure_cell(f) for f in figures}
    header = [t(f"survey.by.{by}")] + [t(f"survey.heading.{m}") for m in measures]
    rows = [
        [group_name(g, by, workbook)] + [cells.get((g, m), "–") for m in measures] for g in groups
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
