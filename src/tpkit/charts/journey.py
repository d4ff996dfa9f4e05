"""The journey map (Shawna style): stages across, lanes down, the emotion curve in between.

Vega-Lite has no table layout, and the browser's text wrapping does not exist in a
static SVG, so the map is laid out here in pixels: every lane is as tall as its fullest
cell, text is wrapped with DejaVu Sans's real widths, and the chart only draws boxes,
lines and text at fixed positions (``scale=None``). The result reads the same in
JupyterLab, on a projector and on an A4-landscape page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import altair as alt
import pandas as pd

from tpkit.charts.data import journey_data, journey_touchpoints
from tpkit.charts.style import (
    INK,
    LEVEL_COLOURS,
    LEVEL_INKS,
    LEVEL_TINTS,
    LEVELS,
    MUTED,
    PAPER,
    PHASE_COLOURS,
    RULE,
    Datasets,
    bullets,
    finish,
    message,
    text_width,
    titled,
    wrap,
)
from tpkit.i18n import label, t
from tpkit.model import Workbook
from tpkit.safety import shown_workbook

SIZE = 12  # body text in px: 7 pt when 1280 px are printed 270 mm wide
LINE = 14
PAD = 6  # inside a cell
GAP = 5  # between cells, across and down
LABELS = 108  # the column of lane titles
CHIP = 3  # padding inside a touchpoint chip, and the gap between chips
CHIP_SCORE = 36  # room for the score at the right of a touchpoint chip
CURVE = 64  # height of the emotion curve from +2 to −2
LANES = (
    "doing", "touchpoints", "thinking", "feeling", "pain_points", "opportunities", "owner", "kpi"
)  # fmt: skip

PHASE_TINTS = {"before": "#dcefFA", "during": "#d3e4f2", "after": "#f5e1ec"}
LANE_TINTS = {"pain_points": "#fbe8de", "opportunities": "#dff1ea"}
EMOTION_COLOURS = {-2: "#D55E00", -1: "#D55E00", 0: MUTED, 1: "#009E73", 2: "#009E73"}

# Mark styles of the text layers; each text item names one.
TEXT = {
    "body": {"fontSize": SIZE},
    "italic": {"fontSize": SIZE, "fontStyle": "italic"},
    "bold": {"fontSize": SIZE, "fontWeight": "bold"},
    "heading": {"fontSize": SIZE + 2, "fontWeight": "bold", "lineHeight": LINE + 2},
    "score": {"fontSize": SIZE - 1, "fontWeight": "bold", "align": "right"},
    "centre": {"fontSize": SIZE - 1, "fontWeight": "bold", "align": "center"},
}


@dataclass
class _Canvas:
    """Everything the map draws, collected as plain rows before it becomes a chart."""

    boxes: list[dict[str, Any]] = field(default_factory=list)
    chips: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rules: list[dict[str, Any]] = field(default_factory=list)
    curve: list[dict[str, Any]] = field(default_factory=list)

    def box(self, x: float, y: float, w: float, h: float, fill: str, **extra: Any) -> None:
        self.boxes.append({"x": x, "x2": x + w, "y": y, "y2": y + h, "fill": fill, **extra})

    def write(self, style: str, x: float, y: float, lines: list[str], colour: str = INK) -> None:
        if lines:
            self.texts[style].append({"x": x, "y": y, "text": "\n".join(lines), "colour": colour})


@dataclass(frozen=True)
class _Grid:
    """Where stage columns sit: ``x(i)`` is the left edge of column i's content."""

    stages: int
    width: int

    @property
    def column(self) -> float:
        return (self.width - LABELS) / self.stages

    @property
    def inner(self) -> float:
        return self.column - GAP - 2 * PAD

    def left(self, i: int) -> float:
        return LABELS + i * self.column

    def x(self, i: int) -> float:
        return self.left(i) + PAD

    def centre(self, i: int) -> float:
        return self.left(i) + (self.column - GAP) / 2


def journey_map(
    workbook: Workbook,
    language: str | None = None,
    *,
    width: int = 1280,
    lanes: Sequence[str] = LANES,
) -> alt.LayerChart | alt.Chart:
    """The journey map of the workbook's persona, ``width`` px wide (height follows the text).

    ``lanes`` picks and orders the rows; owner and KPI only appear when some stage has one.
    (Reports print the map as HTML instead: :mod:`tpkit.report.journey`.)
    """
    if not workbook.stages:
        return message("chart.journey", language)
    workbook = shown_workbook(workbook)
    stages = journey_data(workbook)
    grid = _Grid(len(stages), width)
    canvas = _Canvas()
    y = _headers(canvas, grid, stages, language)
    for lane in _lanes(workbook, stages, grid, lanes, language):
        y = lane(canvas, y) + GAP
    lanes_end = y
    if "touchpoints" in lanes:
        y = _legend(canvas, y + 4, language)
    _mark_stages(canvas, grid, list(stages["stage"]), bottom=lanes_end)
    persona = workbook.persona.name if workbook.persona else workbook.meta.team
    title = titled("chart.journey", language, persona=persona)
    tables = Datasets()
    return finish(
        _draw(canvas, tables, language, width=width, height=y, title=title), language, tables
    )


PICKED = "picked_stage"  # the map's selection: the stage of the card or cell clicked last


def _mark_stages(canvas: _Canvas, grid: _Grid, ids: list[str], bottom: float) -> None:
    """Every card and cell of a stage's column (its name down to its last lane) knows
    the stage's id, so a click anywhere on the stage picks it for editing. Phase bands
    (across several stages), lane titles and the legend pick nothing."""
    top = _phases_height()
    rows = (*canvas.boxes, *canvas.chips, *canvas.curve, *chain(*canvas.texts.values()))
    for row in rows:
        column = int((row["x"] - LABELS) // grid.column)
        inside = 0 <= column < len(ids) and row.get("x2", row["x"]) <= grid.left(column + 1)
        row["pick"] = ids[column] if inside and top <= row["y"] < bottom else ""


def _headers(canvas: _Canvas, grid: _Grid, stages: pd.DataFrame, language: str | None) -> float:
    """The top of the map: purchase phases, then stage names; returns where lanes start."""
    return _names(canvas, grid, stages, _phases(canvas, grid, stages, language))


def _phases(canvas: _Canvas, grid: _Grid, stages: pd.DataFrame, language: str | None) -> float:
    """A band per run of stages in the same purchase phase, across their columns."""
    runs: list[list[Any]] = []
    for i, phase in enumerate(stages["phase"]):
        if runs and runs[-1][0] == phase:
            runs[-1][2] = i
        else:
            runs.append([phase, i, i])
    height = _phases_height() - GAP
    for phase, first, last in runs:
        x, w = grid.left(first), grid.left(last + 1) - grid.left(first) - GAP
        canvas.box(x, 0, w, height, PHASE_TINTS[phase])
        canvas.box(x, 0, w, 4, PHASE_COLOURS[phase])
        name = wrap(label("phase", phase, language), w - 2 * PAD, SIZE, bold=True)[:1]
        canvas.write("bold", x + PAD, PAD, name)
    return height + GAP


def _phases_height() -> float:
    """Where the stage cards start: under the band of purchase phases."""
    return LINE + 2 * PAD - 2 + GAP


def _names(canvas: _Canvas, grid: _Grid, stages: pd.DataFrame, top: float) -> float:
    """Stage numbers and names, bold, in the order the customer lives them."""
    cells = [
        wrap(f"{i + 1}. {name}", grid.inner, SIZE + 2, bold=True)
        for i, name in enumerate(stages["name"])
    ]
    height = max(map(len, cells)) * (LINE + 2) + 2 * PAD
    for i, lines in enumerate(cells):
        canvas.box(grid.left(i), top, grid.column - GAP, height, "white", stroke=RULE)
        canvas.write("heading", grid.x(i), top + PAD, lines)
    return top + height + GAP


Lane = Callable[[_Canvas, float], float]  # draws a lane from a top edge, returns its bottom
Draw = Callable[[_Canvas, _Grid, float], None]
LaneParts = tuple[Draw, float]  # how to draw a lane's content, and its height


def _lanes(
    workbook: Workbook,
    stages: pd.DataFrame,
    grid: _Grid,
    keys: Sequence[str],
    language: str | None,
) -> list[Lane]:
    """The chosen rows of the map, top to bottom."""
    width = grid.inner
    decimal = t("chart.decimal_mark", language)

    def texts(column: str) -> list[list[str]]:
        return [wrap(text, width, SIZE) for text in stages[column]]

    def thinking() -> LaneParts:
        quote = [
            t("chart.journey.quote", language, text=x) if x else "" for x in stages["thinking"]
        ]
        return _text_lane([wrap(text, width, SIZE) for text in quote], "italic")

    def kpi() -> LaneParts:
        values = zip(stages["kpi"], stages["kpi_value"], strict=True)
        kpis = [
            f"{name}: {number_text(value, decimal)}" if name and pd.notna(value) else name
            for name, value in values
        ]
        return _text_lane([wrap(text, width, SIZE) for text in kpis])

    builders: dict[str, Callable[[], LaneParts]] = {
        "doing": lambda: _text_lane(texts("doing")),
        "touchpoints": lambda: _chip_lane(
            journey_touchpoints(workbook), stages, grid, decimal, language
        ),
        "thinking": thinking,
        "feeling": lambda: _emotion_lane(stages, grid, language),
        "pain_points": lambda: _text_lane([bullets(x, width, SIZE) for x in stages["pain_points"]]),
        "opportunities": lambda: _text_lane(
            [bullets(x, width, SIZE) for x in stages["opportunities"]]
        ),
        "owner": lambda: _text_lane(texts("owner"), empty=t("chart.journey.no_owner", language)),
        "kpi": kpi,
    }
    return [
        _lane(key, draw, height, grid, language)
        for key in shown_lanes(stages, keys)
        for draw, height in [builders[key]()]
    ]


def shown_lanes(stages: pd.DataFrame, keys: Sequence[str] = LANES) -> list[str]:
    """The lanes worth a row: owner and KPI only when some stage has one."""
    optional = {key: stages[key].astype(bool).any() for key in ("owner", "kpi")}
    return [key for key in keys if optional.get(key, True)]


def _lane(key: str, draw: Draw, height: float, grid: _Grid, language: str | None) -> Lane:
    """A lane: its title at the left, a card per stage, then its own content."""
    title = wrap(t(f"chart.lane.{key}", language), LABELS - 8, SIZE, bold=True)

    def lane(canvas: _Canvas, top: float) -> float:
        canvas.write("bold", 0, top + PAD, title)
        for i in range(grid.stages):
            canvas.box(grid.left(i), top, grid.column - GAP, height, LANE_TINTS.get(key, PAPER))
        draw(canvas, grid, top)
        return top + height

    return lane


def _lines_height(cells: list[list[str]]) -> float:
    """Height of the fullest cell of a lane (at least one line, so empty lanes still show)."""
    return max(1, *map(len, cells)) * LINE


def _text_lane(cells: list[list[str]], style: str = "body", empty: str = "") -> LaneParts:
    """Wrapped text per stage; ``empty`` is said in cells left blank (e.g. "no owner")."""

    def draw(canvas: _Canvas, grid: _Grid, top: float) -> None:
        for i, lines in enumerate(cells):
            canvas.write(style, grid.x(i), top + PAD, lines)
            if empty and not lines:
                canvas.write("italic", grid.x(i), top + PAD, [empty], LEVEL_INKS["poor"])

    return draw, _lines_height(cells) + 2 * PAD


def _chip_lane(
    chips: pd.DataFrame, stages: pd.DataFrame, grid: _Grid, decimal: str, language: str | None
) -> LaneParts:
    """Touchpoints as chips tinted by the team's quality, with the score at the right."""
    names = {level: t(f"chart.level.{level}", language) for level in LEVELS}
    cells: dict[str, list[tuple[list[str], Any]]] = defaultdict(list)
    for chip in chips.itertuples(index=False):
        cells[chip.stage].append((wrap(chip.name, grid.inner - CHIP_SCORE, SIZE), chip))

    def height(lines: list[str]) -> float:
        return len(lines) * LINE + 2 * CHIP

    tallest = max(
        (sum(height(lines) + CHIP for lines, _ in cell) for cell in cells.values()), default=LINE
    )

    def draw(canvas: _Canvas, grid: _Grid, top: float) -> None:
        for i, stage in enumerate(stages["stage"]):
            y, x, w = top + PAD, grid.x(i) - 3, grid.inner + 6
            for lines, chip in cells.get(stage, []):
                h = height(lines)
                rated = pd.notna(chip.quality)
                score = number_text(round(chip.quality, 1), decimal) if rated else "–"
                canvas.chips.append(
                    {"x": x, "x2": x + w, "y": y, "y2": y + h, "fill": LEVEL_TINTS[chip.level],
                     "name": chip.name, "score": score, "level": names[chip.level],
                     "raters": chip.raters}
                )  # fmt: skip
                canvas.box(x, y, 5, h, LEVEL_COLOURS[chip.level])
                canvas.write("body", x + 10, y + CHIP, lines)
                canvas.write("score", x + w - 5, y + CHIP + 1, [score])
                y += h + CHIP

    return draw, tallest - CHIP + 2 * PAD


def _emotion_lane(stages: pd.DataFrame, grid: _Grid, language: str | None) -> LaneParts:
    """The feeling words, then the emotion curve (−2…+2) with its lowest point(s) marked."""
    words = [wrap(text, grid.inner, SIZE, bold=True) for text in stages["feeling"]]
    lowest = wrap(t("chart.journey.lowest", language), grid.inner, SIZE - 1, bold=True)[:1]
    above = _lines_height(words) + PAD + 10

    def draw(canvas: _Canvas, grid: _Grid, top: float) -> None:
        zero = top + above + CURVE / 2

        def height_of(emotion: float) -> float:
            return zero - emotion * CURVE / 4

        for i, lines in enumerate(words):
            canvas.write("bold", grid.x(i), top + PAD, lines, MUTED)
        for value, tick in ((2, "+2"), (0, "0"), (-2, "−2")):
            canvas.write("score", LABELS - GAP - PAD, height_of(value) - 6, [tick], MUTED)
            canvas.rules.append(
                {
                    "x": LABELS,
                    "x2": grid.width - GAP,
                    "y": height_of(value),
                    "dash": [4, 4] if value else [],
                }
            )
        for i, row in enumerate(stages.itertuples(index=False)):
            y = height_of(row.emotion)
            canvas.curve.append(
                {"x": grid.centre(i), "y": y, "order": i, "colour": EMOTION_COLOURS[row.emotion],
                 "size": 300 if row.lowest else 110, "stage": row.name, "feeling": row.feeling,
                 "emotion": f"{row.emotion:+d}"}
            )  # fmt: skip
            if row.lowest:
                canvas.write("centre", grid.centre(i), y + 13, lowest, LEVEL_INKS["poor"])

    return draw, above + CURVE + 2 * LINE + PAD


def _legend(canvas: _Canvas, top: float, language: str | None) -> float:
    """What the touchpoint colours mean, in one line under the map."""
    x = LABELS
    title = [t("chart.journey.legend", language)]
    canvas.write("bold", x, top, title, MUTED)
    x += text_width(title[0], SIZE, bold=True) + 12
    for level in LEVELS:
        name = t(f"chart.level.{level}", language)
        canvas.box(x, top, 14, 14, LEVEL_TINTS[level])
        canvas.box(x, top, 4, 14, LEVEL_COLOURS[level])
        canvas.write("body", x + 20, top + 1, [name])
        x += 20 + text_width(name, SIZE) + 18
    return top + LINE + 4


def number_text(value: float, decimal: str) -> str:
    """A KPI or score as people write it: 180, 3.8 (3,8 in Italian, German, French)."""
    text = str(int(value)) if float(value).is_integer() else f"{value:.6g}"
    return text.replace(".", decimal)


def _tooltips(language: str | None, **fields: str) -> list[alt.Tooltip]:
    """Tooltip lines for text fields, each titled with a translated catalogue key."""
    return [alt.Tooltip(f"{name}:N", title=t(key, language)) for name, key in fields.items()]


# Every layer is placed in pixels: no scales, no axes, the same field names everywhere.
_AT = {"x": alt.X("x:Q", scale=None, axis=None), "y": alt.Y("y:Q", scale=None, axis=None)}
_SPAN = {**_AT, "x2": alt.X2("x2:Q"), "y2": alt.Y2("y2:Q")}
_FILL = alt.Fill("fill:N", scale=None)
_COLOUR = alt.Color("colour:N", scale=None)


def _draw(
    canvas: _Canvas, tables: Datasets, language: str | None, **properties: Any
) -> alt.LayerChart:
    """Turns the collected rows into layers, back to front."""
    # A click on a stage's card or cell selects the stage (the app opens it for editing).
    # Texts take no clicks (they pass to the card under them); chips and emotion points
    # hold the stage too, so a click on them selects it as well. Leaving the card clears
    # the selection, so a second click on the same stage is news to the app again.
    picked = alt.selection_point(name=PICKED, fields=["pick"], on="click", clear="mouseout")
    layers = [
        alt.Chart(tables.add("boxes", canvas.boxes))
        .mark_rect(cornerRadius=3, cursor="pointer")
        .encode(**_SPAN, fill=_FILL, stroke=alt.Stroke("stroke:N", scale=None))
        .add_params(picked)
    ]
    if canvas.chips:
        tooltip = _tooltips(
            language,
            name="field.touchpoint",
            score="chart.quality_mean",
            level="chart.journey.legend",
            raters="chart.raters",
        )
        chips = tables.add("chips", canvas.chips)
        layers.append(
            alt.Chart(chips)
            .mark_rect(cornerRadius=3, cursor="pointer")
            .encode(**_SPAN, fill=_FILL, tooltip=tooltip)
        )
    if canvas.curve:
        rules, curve = tables.add("rules", canvas.rules), tables.add("curve", canvas.curve)
        tooltip = _tooltips(
            language, stage="field.stage", feeling="field.feeling", emotion="field.emotion"
        )
        layers += [
            alt.Chart(rules)
            .mark_rule(color=RULE, strokeWidth=1)
            .encode(**_AT, x2=alt.X2("x2:Q"), strokeDash=alt.StrokeDash("dash:N", scale=None)),
            alt.Chart(curve)
            .mark_line(color=INK, strokeWidth=2.5, interpolate="monotone")
            .encode(**_AT, order=alt.Order("order:Q")),
            alt.Chart(curve)
            .mark_circle(opacity=1, stroke="white", strokeWidth=2, cursor="pointer")
            .encode(**_AT, color=_COLOUR, size=alt.Size("size:Q", scale=None), tooltip=tooltip),
        ]
    for style, rows in canvas.texts.items():
        mark = {"baseline": "top", "align": "left", "lineBreak": "\n", "lineHeight": LINE}
        layers.append(
            alt.Chart(tables.add(f"text_{style}", rows))
            .mark_text(**{**mark, **TEXT[style]})
            .encode(**_AT, text=alt.Text("text:N"), color=_COLOUR)
        )
    return alt.layer(*layers, **properties)
