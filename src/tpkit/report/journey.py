"""The printed journey map (Shawna style) as an HTML table with one small SVG for the curve.

The live map (:func:`tpkit.charts.journey_map`) places every word in pixels because a
static SVG cannot wrap text; printed that way it costs WeasyPrint hundreds of separately
shaped text nodes. Here the lanes are table rows that WeasyPrint wraps and hyphenates
itself, splits between rows onto as many landscape pages as needed and repeats the
stage headers on each. Only the feelings lane is drawn: the emotion curve needs real
geometry. Column widths are fixed in millimetres, so the drawing lines up with the
stage columns above and below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby, pairwise

import pandas as pd

from tpkit.charts.data import journey_data, journey_touchpoints
from tpkit.charts.journey import EMOTION_COLOURS, number_text, shown_lanes
from tpkit.charts.style import INK, LEVEL_INKS, LEVELS, MUTED, PAPER, RULE, wrap
from tpkit.i18n import label, t
from tpkit.model import Workbook

WIDTH = 271.0  # mm: A4 landscape (297 mm) less the 13 mm margins of report.css's landscape page
LABELS = 23.0  # mm: the column of lane titles
GAP = 1.2  # mm between cards, across and down (the table's border-spacing)
PAD = 1.3  # mm inside a card, as in report.css's .tp-journey td
SIZE = 7 * 25.4 / 72  # the map's 7-point text, in mm
LINE = SIZE * 1.3  # its line height, as in report.css
CURVE = 13.0  # mm from +2 down to −2
DOT, LOW_DOT = 1.2, 2.0  # dot radii, mm: a stage, the lowest point
BOLD = 'font-weight="bold"'


@dataclass(frozen=True)
class _Grid:
    """Where the stage columns sit, in mm from the left of the row's inner edge."""

    stages: int

    @property
    def column(self) -> float:
        """A stage column: what the lane titles and the spacing around each column leave."""
        return (WIDTH - LABELS - (self.stages + 2) * GAP) / self.stages

    @property
    def span(self) -> float:
        """Width of a cell spanning the label and every stage column."""
        return LABELS + self.stages * (self.column + GAP)

    def left(self, i: int) -> float:
        return LABELS + GAP + i * (self.column + GAP)

    def centre(self, i: int) -> float:
        return self.left(i) + self.column / 2


def journey_html(workbook: Workbook, language: str) -> str:
    """The whole map: title and legend, phase bands and stage names (repeated on every
    page it runs over), then one row per lane; owner and KPI only when some stage has one."""
    stages = journey_data(workbook)
    grid = _Grid(len(stages))
    widths = [LABELS] + [grid.column] * grid.stages
    cols = "".join(f'<col style="width:{width:.3f}mm">' for width in widths)
    head = _title(workbook, language, grid) + _phases(stages, language) + _names(stages)
    rows = "".join(_lane(key, stages, workbook, language, grid) for key in shown_lanes(stages))
    return (
        f'<table class="tp-journey" style="width:{WIDTH}mm;border-spacing:{GAP}mm">'
        f"<colgroup>{cols}</colgroup><thead>{head}</thead><tbody>{rows}</tbody></table>"
    )


def _title(workbook: Workbook, language: str, grid: _Grid) -> str:
    """The map's title and subtitle, with the key to the touchpoint colours at the right."""
    persona = workbook.persona.name if workbook.persona else workbook.meta.team
    keys = "".join(
        f'<span class="tp-key tp-chip-{level}">{escape(t(f"chart.level.{level}", language))}</span>'
        for level in LEVELS
    )
    return (
        f'<tr><th colspan="{grid.stages + 1}" class="tp-journey-title">'
        f'<p class="tp-journey-legend"><b>{escape(t("chart.journey.legend", language))}</b> '
        f"{keys}</p>"
        f"<p><b>{escape(t('chart.journey.title', language, persona=persona))}</b></p>"
        f"<p>{escape(t('chart.journey.subtitle', language))}</p></th></tr>"
    )


def _phases(stages: pd.DataFrame, language: str) -> str:
    """A band per run of stages in the same purchase phase, across their columns."""
    bands = "".join(
        f'<th colspan="{len(list(run))}" class="tp-phase tp-phase-{phase}">'
        f"{escape(label('phase', phase, language))}</th>"
        for phase, run in groupby(stages["phase"])
    )
    return f'<tr class="tp-phases"><td></td>{bands}</tr>'


def _names(stages: pd.DataFrame) -> str:
    """Stage numbers and names, in the order the customer lives them."""
    names = "".join(
        f'<th class="tp-stage">{i}. {escape(name)}</th>' for i, name in enumerate(stages["name"], 1)
    )
    return f'<tr class="tp-stages"><td></td>{names}</tr>'


def _lane(key: str, stages: pd.DataFrame, workbook: Workbook, language: str, grid: _Grid) -> str:
    """A lane: its title at the left and a card per stage (the curve: one drawing)."""
    title = t(f"chart.lane.{key}", language)
    if key == "feeling":
        return (
            f'<tr class="tp-lane-feeling"><td colspan="{grid.stages + 1}">'
            f"{_curve(stages, language, grid, title)}</td></tr>"
        )
    cells = "".join(f"<td>{cell}</td>" for cell in _cells(key, stages, workbook, language))
    return f'<tr class="tp-lane-{key}"><th scope="row">{escape(title)}</th>{cells}</tr>'


def _cells(key: str, stages: pd.DataFrame, workbook: Workbook, language: str) -> list[str]:
    """The HTML of each stage's card in a lane of text, touchpoints or lists."""
    if key == "touchpoints":
        return _chips(stages, workbook, language)
    if key in ("pain_points", "opportunities"):
        return [_items(items) for items in stages[key]]
    if key == "thinking":
        quote = "chart.journey.quote"
        return [escape(t(quote, language, text=x)) if x else "" for x in stages[key]]
    if key == "owner":
        missing = (
            f'<span class="tp-missing-owner">{escape(t("chart.journey.no_owner", language))}</span>'
        )
        return [escape(owner) if owner else missing for owner in stages[key]]
    if key == "kpi":
        decimal = t("chart.decimal_mark", language)
        values = zip(stages["kpi"], stages["kpi_value"], strict=True)
        return [
            escape(f"{name}: {number_text(value, decimal)}" if name and pd.notna(value) else name)
            for name, value in values
        ]
    return [escape(text) for text in stages[key]]


def _items(items: Iterable[str]) -> str:
    lines = "".join(f"<li>{escape(item)}</li>" for item in items)
    return f"<ul>{lines}</ul>" if lines else ""


def _chips(stages: pd.DataFrame, workbook: Workbook, language: str) -> list[str]:
    """Touchpoints as chips tinted by the team's quality, with the score at the right."""
    decimal = t("chart.decimal_mark", language)
    cells: dict[str, list[str]] = {stage: [] for stage in stages["stage"]}
    for chip in journey_touchpoints(workbook).itertuples(index=False):
        rated = pd.notna(chip.quality)
        score = number_text(round(chip.quality, 1), decimal) if rated else "–"
        cells[chip.stage].append(
            f'<div class="tp-chip tp-chip-{chip.level}">'
            f'<span class="tp-chip-score">{escape(score)}</span>{escape(chip.name)}</div>'
        )
    return ["".join(chips) for chips in cells.values()]


def _curve(stages: pd.DataFrame, language: str, grid: _Grid, title: str) -> str:
    """The feelings lane as one drawing: lane title, scale, a card per stage with its
    feeling words, the emotion curve and its lowest point(s) marked."""
    width = grid.column - 2 * PAD
    words = [wrap(text, width, SIZE, bold=True) for text in stages["feeling"]]
    top = max(1, *map(len, words)) * LINE + PAD + 2.5
    zero = top + CURVE / 2
    height = top + CURVE + 2 * LINE + PAD

    def y_of(emotion: float) -> float:
        return zero - emotion * CURVE / 4

    parts = [_text(0, PAD + SIZE, title)]
    for i, lines in enumerate(words):
        x = grid.left(i)
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{grid.column:.2f}" height="{height:.2f}" '
            f'rx="0.6" fill="{PAPER}"/>'
        )
        parts += [
            _text(x + PAD, PAD + SIZE + n * LINE, line, colour=MUTED)
            for n, line in enumerate(lines)
        ]
    for value, tick in ((2, "+2"), (0, "0"), (-2, "\u22122")):
        y = y_of(value)
        dash = ' stroke-dasharray="0.8 0.8"' if value else ""
        parts.append(
            f'<line x1="{LABELS:.2f}" x2="{grid.span:.2f}" y1="{y:.2f}" y2="{y:.2f}" '
            f'stroke="{RULE}" stroke-width="0.2"{dash}/>'
        )
        parts.append(_text(LABELS - PAD, y + SIZE * 0.35, tick, f'{BOLD} text-anchor="end"', MUTED))
    points = [(grid.centre(i), y_of(e)) for i, e in enumerate(stages["emotion"])]
    parts.append(
        f'<path d="{monotone_path(points)}" fill="none" stroke="{INK}" stroke-width="0.55"/>'
    )
    lowest = t("chart.journey.lowest", language)
    for (x, y), row in zip(points, stages.itertuples(index=False), strict=True):
        radius = LOW_DOT if row.lowest else DOT
        parts.append(
            f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{radius}" fill="{EMOTION_COLOURS[row.emotion]}" '
            'stroke="white" stroke-width="0.4"/>'
        )
        if row.lowest:
            parts.append(
                _text(
                    x,
                    y + LOW_DOT + SIZE + 0.6,
                    lowest,
                    f'{BOLD} text-anchor="middle"',
                    LEVEL_INKS["poor"],
                )
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{grid.span:.2f}mm" '
        f'height="{height:.2f}mm" viewBox="0 0 {grid.span:.2f} {height:.2f}" '
        f'font-family="DejaVu Sans" font-size="{SIZE:.3f}">{"".join(parts)}</svg>'
    )


def _text(x: float, y: float, text: str, style: str = BOLD, colour: str = INK) -> str:
    """One line of text; ``style`` holds further SVG attributes (weight, anchor, size)."""
    return f'<text x="{x:.2f}" y="{y:.2f}" fill="{colour}" {style}>{escape(text)}</text>'


def monotone_path(points: Sequence[tuple[float, float]]) -> str:
    """An SVG path through the points that never overshoots them (monotone cubic, as
    Vega's ``interpolate="monotone"``): a curve from −2 to +2 stays within −2…+2."""
    if len(points) < 2:
        return ""
    slopes = [(y1 - y0) / (x1 - x0) for (x0, y0), (x1, y1) in pairwise(points)]
    inner = [
        (1 if s0 > 0 else -1) * 2 * min(abs(s0), abs(s1), abs(s0 + s1) / 4) if s0 * s1 > 0 else 0
        for s0, s1 in pairwise(slopes)
    ]
    tangents = (
        [(3 * slopes[0] - inner[0]) / 2, *inner, (3 * slopes[-1] - inner[-1]) / 2]
        if inner
        else slopes * 2  # two points: a straight line
    )
    path = [f"M{points[0][0]:.2f},{points[0][1]:.2f}"]
    for ((x0, y0), (x1, y1)), (t0, t1) in zip(pairwise(points), pairwise(tangents), strict=True):
        third = (x1 - x0) / 3
        path.append(
            f"C{x0 + third:.2f},{y0 + t0 * third:.2f} {x1 - third:.2f},{y1 - t1 * third:.2f} "
            f"{x1:.2f},{y1:.2f}"
        )
    return "".join(path)
