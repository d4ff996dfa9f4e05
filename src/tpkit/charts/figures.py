"""The inventory and rating charts: coverage per phase, the quality matrix, the rating spread."""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import partial
from typing import Any

import altair as alt
import pandas as pd

from tpkit.charts.data import (
    CRITERIA,
    DISPUTED,
    MIDPOINT,
    coverage_data,
    quality_data,
    spread_data,
)
from tpkit.charts.style import (
    INK,
    LABEL_SIZE,
    LEVEL_COLOURS,
    LEVEL_INKS,
    LEVEL_TINTS,
    MUTED,
    PARTICIPANT_COLOURS,
    RULE,
    Datasets,
    finish,
    kind_scale,
    labels,
    message,
    phase_scale,
    text_width,
    titled,
    wrap,
)
from tpkit.i18n import t
from tpkit.model import KINDS, PHASES, Workbook
from tpkit.safety import shown_workbook

SCORES = [1, 2, 3, 4, 5]
MATRIX = (640, 540)  # plot width and height of the quality matrix, px
DOMAIN = LOW, HIGH = (0.75, 5.25)  # both axes: room around 1 and 5 for the dots
DOT_AREA = (60, 700)  # dot area in px² for importance 1 … 5
_QUADRANTS = {  # where each field of the matrix sits (x from, to, y from, to), and its tone
    "strong": (MIDPOINT, HIGH, MIDPOINT, HIGH, "good"),
    "fix_process": (MIDPOINT, HIGH, LOW, MIDPOINT, "fair"),
    "fix_contact": (LOW, MIDPOINT, MIDPOINT, HIGH, "fair"),
    "fix_both": (LOW, MIDPOINT, LOW, MIDPOINT, "poor"),
}
_POINT_FIELDS = (
    "name", "phase_label", "owner", "contact_quality", "process_quality", "importance",
    "raters", "spread", "contact_quality_shown", "process_quality_shown",
)  # fmt: skip
_SPREAD_FIELDS = (
    "name", "participant", "criterion_label", "score", "low", "high", "spread", "row",
    "position", "first",
)  # fmt: skip
_LABELLED = 12  # the quality matrix names at most this many of the weakest touchpoints


def _when(test: str, colour: str, otherwise: str) -> alt.ColorValue:
    """A fixed colour that changes where ``test`` holds (built directly: altair's
    ``alt.condition`` dicts cost milliseconds each to convert)."""
    return alt.ColorValue(otherwise, condition={"test": test, "value": colour})


def _tooltip(field: str, key: str, language: str | None, fmt: str | None = None) -> alt.Tooltip:
    """A tooltip line whose field name is translated (``key`` is a catalogue key)."""
    return alt.Tooltip(field, title=t(key, language), **({"format": fmt} if fmt else {}))


def _with_labels(data: pd.DataFrame, language: str | None) -> pd.DataFrame:
    """Adds translated phase (and kind) columns beside the keys."""
    data = data.assign(phase_label=data["phase"].map(labels("phase", PHASES, language)))
    if "kind" in data:
        data["kind_label"] = data["kind"].map(labels("kind", KINDS, language))
    return data


def coverage(workbook: Workbook, language: str | None = None) -> alt.LayerChart | alt.Chart:
    """Touchpoints per purchase phase, stacked by kind; an empty phase shows a red 0."""
    if not workbook.touchpoints:
        return message("chart.coverage", language)
    tables = Datasets()
    data = _with_labels(coverage_data(workbook), language)
    data["kind_order"] = data["kind"].map(KINDS.index)
    phases = list(labels("phase", PHASES, language).values())
    x = alt.X(
        "phase_label:N",
        sort=phases,
        scale=alt.Scale(domain=phases, paddingInner=0.3),
        title=None,
        axis=alt.Axis(labelAngle=0, labelFontWeight="bold", labelLimit=200),
    )
    count = t("chart.coverage.count", language)
    bars = (
        alt.Chart(tables.add("bars", data[data["touchpoints"] > 0]))
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=alt.Y("touchpoints:Q", title=count, axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "kind_label:N",
                scale=kind_scale(language),
                title=t("field.kind", language),
                # under the bars: beside them, the legend was cut off in a half-width column
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            order=alt.Order("kind_order:Q"),
            tooltip=[
                _tooltip("phase_label:N", "field.phase", language),
                _tooltip("kind_label:N", "field.kind", language),
                alt.Tooltip("touchpoints:Q", title=count),
            ],
        )
    )
    totals = data.groupby("phase_label", sort=False, as_index=False)["touchpoints"].sum()
    numbers = (
        alt.Chart(tables.add("totals", totals))
        .mark_text(dy=-12, fontSize=LABEL_SIZE + 4, fontWeight="bold")
        .encode(
            x=x,
            y=alt.Y("touchpoints:Q"),
            text=alt.Text("touchpoints:Q", format="d"),
            color=_when("datum.touchpoints == 0", LEVEL_INKS["poor"], INK),
        )
    )
    title = titled("chart.coverage", language)
    return finish(alt.layer(bars, numbers, width=540, height=360, title=title), language, tables)


def nudge(data: pd.DataFrame, x: str, y: str, radius: float) -> pd.DataFrame:
    """Points at the same place spread on a small circle around it, so none hides another.

    Deterministic (no random jitter): the same workbook always draws the same picture.
    Adds the columns ``{x}_shown`` and ``{y}_shown``.
    """
    places = list(zip(data[x].round(2), data[y].round(2), strict=True))
    crowd, seen = Counter(places), Counter()
    xs, ys = data[x].tolist(), data[y].tolist()
    for i, place in enumerate(places):
        if crowd[place] > 1:
            angle = 2 * math.pi * seen[place] / crowd[place] + math.pi / 4
            xs[i] += radius * math.cos(angle)
            ys[i] += radius * math.sin(angle)
        seen[place] += 1
    return data.assign(**{f"{x}_shown": xs, f"{y}_shown": ys})


Box = tuple[float, float, float, float]  # left, top, right, bottom in px
# Where a name may go, in order of preference: a side of its dot (x, y) and a sideways
# shift along that side in name widths or heights, so a crowded name can slide away
# (a thin line then leads from the dot to its name).
_PLACES = [
    (hx, hy, shift)
    for shift in (0, -0.6, 0.6, -1.2, 1.2)
    for hx, hy in ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1))
    if not (shift and hx and hy)
]


def place_labels(
    points: pd.DataFrame, chosen: pd.DataFrame, corners: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, float]]]:
    """Names for the chosen dots, each beside its dot where it covers no other dot or name.

    Tries right, left, above, below and the diagonals in turn, then the same slid
    sideways; a name that fits nowhere is left out (the tooltip still has it). Returns
    text rows and the leader lines of names that had to move away. Works in pixels of
    the plot, answers in scores; ``corners`` are the quadrant names, to keep clear of.
    """
    width, height = MATRIX

    def pixel(x: float, y: float) -> tuple[float, float]:
        return (x - LOW) / (HIGH - LOW) * width, (HIGH - y) / (HIGH - LOW) * height

    def score(x: float, y: float) -> tuple[float, float]:
        return LOW + x / width * (HIGH - LOW), HIGH - y / height * (HIGH - LOW)

    def radius(importance: float | None) -> float:
        if importance is None or math.isnan(importance):  # none given yet: the smallest dot
            importance = 1
        area = DOT_AREA[0] + (importance - 1) / 4 * (DOT_AREA[1] - DOT_AREA[0])
        return math.sqrt(area / math.pi)

    dots = [
        (*pixel(row.contact_quality_shown, row.process_quality_shown), radius(row.importance))
        for row in points.itertuples()
    ]
    taken = [_corner_box(*pixel(c["at_x"], c["at_y"]), c) for c in corners]
    tags, leaders = [], []
    for row in chosen.itertuples():
        cx, cy = pixel(row.contact_quality_shown, row.process_quality_shown)
        r = radius(row.importance)
        lines = wrap(row.name, 150, LABEL_SIZE - 1)
        w = max(text_width(line, LABEL_SIZE - 1) for line in lines)
        h = len(lines) * (LABEL_SIZE + 2)
        for hx, hy, shift in _PLACES:
            left = cx + hx * (r * (0.7 if hy else 1) + 3) - w * (1 - hx) / 2 + shift * w * hy
            top = cy + hy * (r * (0.7 if hx else 1) + 2) - h * (1 - hy) / 2 + shift * h * hx
            box = (left, top, left + w, top + h)
            inside = left >= 0 and top >= 0 and box[2] <= width and box[3] <= height
            if (
                inside
                and not any(map(partial(_overlaps, box), taken))
                and not any(_covers(box, dot) for dot in dots if dot != (cx, cy, r))
            ):
                taken.append(box)
                x, y = score(left + w / 2, top + h / 2)
                tags.append({**_TAG, "text": "\n".join(lines), "at_x": x, "at_y": y})
                leaders += _leader(cx, cy, r, box, score)
                break
    return tags, leaders


# How the name of a touchpoint is written beside its dot.
_TAG = {"colour": INK, "size": LABEL_SIZE - 1, "weight": "normal", "align": "center"}
_TAG["baseline"] = "middle"


def _leader(cx: float, cy: float, r: float, box: Box, score: Any) -> list[dict[str, float]]:
    """A line from a dot's edge to its name, when the name had to move away from the dot."""
    nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
    gap = math.hypot(nx - cx, ny - cy)
    if gap < r + 6:
        return []
    (x, y), (x2, y2) = score(cx + (nx - cx) * r / gap, cy + (ny - cy) * r / gap), score(nx, ny)
    return [{"x": x, "y": y, "x2": x2, "y2": y2}]


def _corner_box(x: float, y: float, corner: dict[str, Any]) -> Box:
    w, h = text_width(corner["text"], LABEL_SIZE + 1, bold=True), LABEL_SIZE + 4
    left = x - w if corner["align"] == "right" else x
    top = y if corner["baseline"] == "top" else y - h
    return (left, top, left + w, top + h)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _covers(box: Box, dot: tuple[float, float, float]) -> bool:
    x, y, r = dot
    nearest_x, nearest_y = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return (x - nearest_x) ** 2 + (y - nearest_y) ** 2 < r * r


def quality_matrix(workbook: Workbook, language: str | None = None) -> alt.LayerChart | alt.Chart:
    """Contact quality against process quality per touchpoint: which of the two to fix."""
    data = quality_data(shown_workbook(workbook))
    if data.empty:
        return message("chart.quality", language)
    tables = Datasets()
    data = _with_labels(nudge(data, "contact_quality", "process_quality", 0.09), language)
    contact = t("field.contact_quality", language)
    process = t("field.process_quality", language)
    axis = alt.Axis(values=SCORES, grid=False, format="d")
    scale = alt.Scale(domain=list(DOMAIN), nice=False)
    x = alt.X("contact_quality_shown:Q", scale=scale, axis=axis, title=contact)
    y = alt.Y("process_quality_shown:Q", scale=scale, axis=axis, title=process)

    fields = [
        {
            "x": x0,
            "x2": x1,
            "y": y0,
            "y2": y1,
            "fill": LEVEL_TINTS[tone],
            "text": t(f"chart.quality.{key}", language),
            "colour": LEVEL_INKS[tone],
            "at_x": HIGH - 0.07 if x0 == MIDPOINT else LOW + 0.07,
            "at_y": HIGH - 0.07 if y0 == MIDPOINT else LOW + 0.07,
            "align": "right" if x0 == MIDPOINT else "left",
            "baseline": "top" if y0 == MIDPOINT else "bottom",
            "size": LABEL_SIZE + 1,
            "weight": "bold",
        }
        for key, (x0, x1, y0, y1, tone) in _QUADRANTS.items()
    ]
    backdrop = (
        alt.Chart(tables.add("fields", fields))
        .mark_rect(opacity=0.55)
        .encode(
            x=alt.X("x:Q", scale=scale, axis=axis, title=contact),
            x2=alt.X2("x2:Q"),
            y=alt.Y("y:Q", scale=scale, axis=axis, title=process),
            y2=alt.Y2("y2:Q"),
            fill=alt.Fill("fill:N", scale=None),
        )
    )
    points = (
        alt.Chart(tables.add("points", data, *_POINT_FIELDS))
        .mark_circle(opacity=0.9, stroke="white", strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            size=alt.Size(
                "importance:Q",
                scale=alt.Scale(domain=[1, 5], range=list(DOT_AREA)),
                title=t("chart.quality.importance", language),
                legend=alt.Legend(values=SCORES, format="d"),
            ),
            color=alt.Color(
                "phase_label:N", scale=phase_scale(language), title=t("field.phase", language)
            ),
            tooltip=[
                _tooltip("name:N", "field.name", language),
                _tooltip("phase_label:N", "field.phase", language),
                _tooltip("owner:N", "field.owner", language),
                _tooltip("contact_quality:Q", "field.contact_quality", language, ".1f"),
                _tooltip("process_quality:Q", "field.process_quality", language, ".1f"),
                _tooltip("importance:Q", "field.importance", language, ".1f"),
                _tooltip("raters:Q", "chart.raters", language),
                _tooltip("spread:Q", "chart.spread_max", language),
            ],
        )
    )
    weakest = data[data["quadrant"] != "strong"].sort_values(
        ["quality", "importance"], ascending=[True, False], kind="stable"
    )[:_LABELLED]
    tags, leaders = place_labels(data, weakest, fields)
    lines = [  # the cross at the midpoint, then the leaders from dots to moved names
        {"x": MIDPOINT, "x2": MIDPOINT, "y": LOW, "y2": HIGH, "colour": RULE},
        {"x": LOW, "x2": HIGH, "y": MIDPOINT, "y2": MIDPOINT, "colour": RULE},
        *({**leader, "colour": MUTED} for leader in leaders),
    ]
    rules = (
        alt.Chart(tables.add("rules", lines))
        .mark_rule(strokeWidth=1.2)
        .encode(
            x=alt.X("x:Q", scale=scale),
            x2=alt.X2("x2:Q"),
            y=alt.Y("y:Q", scale=scale),
            y2=alt.Y2("y2:Q"),
            color=alt.Color("colour:N", scale=None),
        )
    )
    texts = (  # quadrant names in their corners, and the names of the weakest touchpoints
        alt.Chart(tables.add("texts", fields + tags))
        .mark_text(
            lineBreak="\n",
            lineHeight=LABEL_SIZE + 2,
            fontWeight=alt.expr("datum.weight"),
            align=alt.expr("datum.align"),
            baseline=alt.expr("datum.baseline"),
        )
        .encode(
            x=alt.X("at_x:Q", scale=scale),
            y=alt.Y("at_y:Q", scale=scale),
            text=alt.Text("text:N"),
            color=alt.Color("colour:N", scale=None),
            size=alt.Size("size:Q", scale=None),
        )
    )
    layers = (backdrop, rules, points, texts)
    title = titled("chart.quality", language)
    return finish(
        alt.layer(*layers, width=MATRIX[0], height=MATRIX[1], title=title), language, tables
    )


def rating_spread(workbook: Workbook, language: str | None = None) -> alt.FacetChart | alt.Chart:
    """Each participant's scores per touchpoint: who disagrees, most disputed on top.

    Rows are numbered (labels come from a lookup) so that each participant's dot can sit
    a little above or below the row line: equal scores stay visible side by side.
    """
    data = spread_data(shown_workbook(workbook))
    if data.empty:
        return message("chart.spread", language)
    tables = Datasets()
    criteria = labels("field", CRITERIA, language)
    data["criterion_label"] = data["criterion"].map(criteria)
    names = dict(zip(data["touchpoint"], data["name"], strict=False))  # in row order
    data["row"] = data["touchpoint"].map({tp: i for i, tp in enumerate(names)})
    participants = list(dict.fromkeys(data["participant"]))
    step = min(0.24, 0.7 / len(participants))
    middle = (len(participants) - 1) / 2
    offsets = {p: (i - middle) * step for i, p in enumerate(participants)}
    data["position"] = data["row"] + data["participant"].map(offsets)
    data["first"] = ~data.duplicated(["touchpoint", "criterion"])
    disputed = data.loc[data["touchpoint_spread"] >= DISPUTED, "touchpoint"].nunique()
    flagged = f"datum.value < {disputed}"
    score = t("chart.spread.score", language)

    def x(field: str) -> alt.X:
        return alt.X(
            field,
            scale=alt.Scale(domain=[0.6, 5.4], nice=False),
            axis=alt.Axis(values=SCORES, format="d"),
            title=score,
        )

    def y(field: str) -> alt.Y:
        return alt.Y(
            field,
            scale=alt.Scale(domain=[-0.6, len(names) - 0.4], reverse=True, nice=False, zero=False),
            title=None,
            axis=alt.Axis(
                values=list(range(len(names))),
                labelExpr=f"{json.dumps(list(names.values()))}[datum.value]",
                labelLimit=280,
                grid=False,
                labelColor=alt.condition(flagged, alt.value(LEVEL_INKS["poor"]), alt.value(INK)),
                labelFontWeight=alt.condition(flagged, alt.value("bold"), alt.value("normal")),
            ),
        )

    ranges = (
        alt.Chart()
        .transform_filter("datum.first")
        .mark_rule(strokeWidth=10, strokeCap="round", opacity=0.35)
        .encode(
            x=x("low:Q"),
            x2=alt.X2("high:Q"),
            y=y("row:Q"),
            color=_when(f"datum.spread >= {DISPUTED}", LEVEL_COLOURS["poor"], MUTED),
        )
    )
    dots = (
        alt.Chart()
        .mark_circle(size=70, opacity=1, stroke="white", strokeWidth=1)
        .encode(
            x=x("score:Q"),
            y=y("position:Q"),
            color=alt.Color(
                "participant:N",
                sort=participants,
                scale=alt.Scale(domain=participants, range=PARTICIPANT_COLOURS),
                title=t("field.participant", language),
            ),
            tooltip=[
                _tooltip("name:N", "field.touchpoint", language),
                _tooltip("participant:N", "field.participant", language),
                _tooltip("criterion_label:N", "chart.spread.criterion", language),
                alt.Tooltip("score:Q", title=score),
            ],
        )
    )
    columns = alt.Column("criterion_label:N", sort=list(criteria.values()), title=None)
    scores = tables.add("scores", data, *_SPREAD_FIELDS)
    chart = alt.layer(ranges, dots, data=scores, width=200, height=28 * len(names)).facet(
        column=columns, spacing=16, title=titled("chart.spread", language)
    )
    return finish(chart, language, tables)
