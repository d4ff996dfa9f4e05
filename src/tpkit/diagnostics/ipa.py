"""Importance–performance analysis (IPA): where each rated touchpoint stands, and the
quadrants that say what to do with it.

Performance is the team's quality of a touchpoint, (contact quality + process
quality) / 2; importance is the team's mean importance. The cross-hairs sit at the
means over the rated touchpoints, so the quadrants compare the touchpoints with one
another rather than with a fixed bar:

=====================  ===========================================  ======================
quadrant               where                                        what to do
=====================  ===========================================  ======================
concentrate_here       importance above its mean, performance       fix these first
                       below its mean
keep_up                importance and performance at or above       keep up the good work
                       their means
low_priority           the rest: less important, performing at or   later, if at all
                       below the mean
possible_overkill      importance below its mean, performance       effort could move
                       above its mean                               elsewhere
=====================  ===========================================  ======================
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from statistics import fmean

from tpkit.diagnostics.facts import quality, rated
from tpkit.i18n import t
from tpkit.model import Workbook

QUADRANTS = ("concentrate_here", "keep_up", "low_priority", "possible_overkill")
MINIMUM = 3  # fewer rated touchpoints give no meaningful means to compare with


@dataclass(frozen=True)
class Point:
    touchpoint: str
    importance: float
    performance: float
    quadrant: str

    def distance(self, ipa: Ipa) -> float:
        """How far from the cross-hairs, in points along both axes (its quadrant's way)."""
        return abs(self.importance - ipa.importance) + abs(self.performance - ipa.performance)


@dataclass(frozen=True)
class Ipa:
    points: tuple[Point, ...]
    importance: float  # the cross-hairs: mean importance …
    performance: float  # … and mean performance

    def members(self, quadrant: str) -> list[Point]:
        """The quadrant's touchpoints, farthest from the cross-hairs first."""
        inside = [p for p in self.points if p.quadrant == quadrant]
        return sorted(inside, key=lambda p: -p.distance(self))


def quadrant(importance: float, performance: float, mean_i: float, mean_p: float) -> str:
    """Which quadrant a point falls in. The two that call for a change need the point
    strictly inside them; a point on a cross-hair counts as keeping up (on or above
    both means) or as low priority, so equal ratings everywhere ask for nothing."""
    if importance > mean_i and performance < mean_p:
        return "concentrate_here"
    if importance < mean_i and performance > mean_p:
        return "possible_overkill"
    if importance >= mean_i and performance >= mean_p:
        return "keep_up"
    return "low_priority"


def analyse(workbook: Workbook) -> Ipa | None:
    """The IPA of the rated touchpoints (those with importance and both qualities), or
    None with fewer than :data:`MINIMUM` of them."""
    placed = [
        (tp_id, score.importance, performance)
        for tp_id, score in rated(workbook).items()
        if score.importance is not None and (performance := quality(score)) is not None
    ]
    if len(placed) < MINIMUM:
        return None
    mean_i = fmean(item[1] for item in placed)
    mean_p = fmean(item[2] for item in placed)
    points = tuple(Point(tp, i, p, quadrant(i, p, mean_i, mean_p)) for tp, i, p in placed)
    return Ipa(points, mean_i, mean_p)


# --- the chart: a small hand-made SVG ------------------------------------------------------

# Okabe–Ito, as the other charts (tpkit.charts.style): what to fix is vermillion.
COLOURS = {
    "concentrate_here": "#D55E00",
    "keep_up": "#009E73",
    "low_priority": "#8c8c8c",
    "possible_overkill": "#0072B2",
}
_W, _H = 360, 300  # the drawing
_LEFT, _TOP, _RIGHT, _BOTTOM = 30, 20, 8, 40  # margins: axis titles, quadrant names, ticks


def chart_svg(ipa: Ipa, names: dict[str, str], language: str) -> str:
    """Dots on importance (up) and performance (right), 1–5, with the cross-hairs at the
    means and the four quadrants named at the frame's corners, outside it so no dot hides
    a name: nine text nodes in all, whatever the number of touchpoints (each dot's name
    is its tooltip), so printing it costs next to nothing."""

    def x(value: float) -> float:
        return _LEFT + (value - 1) / 4 * (_W - _LEFT - _RIGHT)

    def y(value: float) -> float:
        return _TOP + (5 - value) / 4 * (_H - _TOP - _BOTTOM)

    mx, my, bottom = x(ipa.performance), y(ipa.importance), y(1)
    dots = "".join(
        f'<circle cx="{x(p.performance):.1f}" cy="{y(p.importance):.1f}" r="5" '
        f'fill="{COLOURS[p.quadrant]}" fill-opacity="0.85" stroke="#fff">'
        f"<title>{escape(names.get(p.touchpoint, p.touchpoint))}</title></circle>"
        for p in ipa.points
    )
    corners = {
        "concentrate_here": (x(1), _TOP - 6, "start"),
        "keep_up": (x(5), _TOP - 6, "end"),
        "low_priority": (x(1) + 12, bottom + 13, "start"),
        "possible_overkill": (x(5) - 12, bottom + 13, "end"),
    }
    labels = "".join(
        f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="{anchor}" fill="{COLOURS[q]}" '
        f'font-weight="bold">{escape(t(f"diagnostics.ipa.{q}", language))}</text>'
        for q, (cx, cy, anchor) in corners.items()
    )
    axis_x = escape(t("diagnostics.ipa.performance_axis", language))
    axis_y = escape(t("diagnostics.ipa.importance_axis", language))
    middle_y = (y(1) + y(5)) / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" '
        f'class="tp-ipa" font-family="DejaVu Sans, sans-serif" font-size="10">'
        f'<rect x="{x(1):.1f}" y="{y(5):.1f}" width="{x(5) - x(1):.1f}" '
        f'height="{bottom - y(5):.1f}" fill="#f3f5f8" stroke="#c9ced6"/>'
        f'<line x1="{mx:.1f}" y1="{y(5):.1f}" x2="{mx:.1f}" y2="{bottom:.1f}" stroke="#5a6270" '
        f'stroke-dasharray="4 3"/><line x1="{x(1):.1f}" y1="{my:.1f}" x2="{x(5):.1f}" '
        f'y2="{my:.1f}" stroke="#5a6270" stroke-dasharray="4 3"/>{dots}{labels}'
        f'<text x="{(x(1) + x(5)) / 2:.1f}" y="{_H - 6}" text-anchor="middle" '
        f'fill="#5a6270">{axis_x}</text>'
        f'<text x="10" y="{middle_y:.1f}" text-anchor="middle" fill="#5a6270" '
        f'transform="rotate(-90 10 {middle_y:.1f})">{axis_y}</text>'
        f'<text x="{x(1):.1f}" y="{bottom + 13:.1f}" fill="#5a6270">1</text>'
        f'<text x="{x(5):.1f}" y="{bottom + 13:.1f}" text-anchor="end" fill="#5a6270">5</text>'
        f'<text x="{x(1) - 4:.1f}" y="{y(5) + 8:.1f}" text-anchor="end" fill="#5a6270">5</text>'
        "</svg>"
    )
