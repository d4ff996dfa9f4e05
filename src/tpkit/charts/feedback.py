"""The navigator's charts: what customers say per touchpoint over time, and how that
compares with the team's own ratings.

Pure functions from survey figures (:mod:`tpkit.survey.metrics`) to altair charts, in the
shared look of :mod:`tpkit.charts.style`; every text comes from the ``navigator.``
catalogue. A figure from fewer than :data:`~tpkit.survey.metrics.MIN_SAMPLE` answers is
drawn hollow: it is shown, but the reader is told not to lean on it.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

import altair as alt
import pandas as pd

from tpkit.charts.style import (
    INK,
    LABEL_SIZE,
    LEVEL_COLOURS,
    MUTED,
    RULE,
    Datasets,
    finish,
    message,
    titled,
    wrap,
)
from tpkit.i18n import t
from tpkit.model import Workbook
from tpkit.safety import PRINTED_NAME, shown_text
from tpkit.survey.metrics import Figure, Gap, Tally, summarise

HEADLINES = ("csat", "nps", "ces")  # the figures a reader looks for first, in that order
SCALES = {"csat": (0, 100), "nps": (-100, 100), "ces": (1, 7)}  # each headline's full range
TEAM_COLOUR, CUSTOMER_COLOUR = "#0072B2", "#E69F00"  # Okabe–Ito blue and orange
PANEL = (150, 90)  # width and height of one touchpoint's trend panel, px
PANELS_PER_ROW = 4
_GAP_ROW = 22  # px per touchpoint in the gap chart


def headline(figures: Iterable[Figure]) -> str | None:
    """The measure that leads: CSAT if customers answered it, else NPS, else CES."""
    present = {item.measure for item in figures}
    return next((measure for measure in HEADLINES if measure in present), None)


def names(workbook: Workbook, language: str | None) -> dict[str, str]:
    """Touchpoint id → name as shown (:func:`tpkit.safety.shown_text`), with the answers
    about the whole firm named too."""
    return {"": t("navigator.whole_firm", language)} | {
        tp.id: shown_text(tp.name, PRINTED_NAME) for tp in workbook.touchpoints
    }


def overall(tallies: Iterable[Tally], workbook: Workbook) -> dict[str, Figure]:
    """Each measure over every touchpoint and month: the key figures of the navigator."""
    pooled = (replace(item, month="") for item in tallies)  # one group: "" of "month"
    return {item.measure: item for item in summarise(pooled, "month", workbook)}


def monthly(tallies: Iterable[Tally], workbook: Workbook) -> list[tuple[str, Figure]]:
    """(touchpoint, figure per month) for every touchpoint with dated answers."""
    by_touchpoint: dict[str, list[Tally]] = defaultdict(list)
    for item in tallies:
        if item.month:
            by_touchpoint[item.touchpoint].append(item)
    return [
        (touchpoint, month)
        for touchpoint, items in by_touchpoint.items()
        for month in summarise(items, "month", workbook)
    ]


def trend_data(
    tallies: Iterable[Tally], workbook: Workbook, measure: str, language: str | None = None
) -> pd.DataFrame:
    """One row per touchpoint and month of ``measure``, touchpoints in workbook order."""
    shown = names(workbook, language)
    order = {tp_id: i for i, tp_id in enumerate(shown)}
    rows = [
        {
            "touchpoint": touchpoint,
            "name": "\n".join(wrap(shown.get(touchpoint, touchpoint), PANEL[0], LABEL_SIZE, True)),
            "order": order.get(touchpoint, len(order)),
            "month": f"{item.group}-01",
            "score": item.score,
            "low": item.score_low,
            "high": item.score_high,
            "n": item.n,
            "small": item.small_sample,
        }
        for touchpoint, item in monthly(tallies, workbook)
        if item.measure == measure
    ]
    columns = ["touchpoint", "name", "order", "month", "score", "low", "high", "n", "small"]
    data = pd.DataFrame(rows, columns=columns)
    return data.sort_values(["order", "month"], kind="stable").reset_index(drop=True)


def trend(
    tallies: Iterable[Tally],
    workbook: Workbook,
    language: str | None = None,
    measure: str | None = None,
) -> alt.FacetChart | alt.Chart:
    """The headline measure per month, one small panel per touchpoint, with its 95 % band."""
    tallies = list(tallies)
    measure = measure or headline(overall(tallies, workbook).values())
    data = trend_data(tallies, workbook, measure, language) if measure else pd.DataFrame()
    if data.empty:
        return message("navigator.chart.trend", language)
    tables = Datasets()
    label = t(f"navigator.measure.{measure}", language)
    low, high = SCALES.get(measure, (1, 5))
    months = data["month"].unique()
    step = max(1, math.ceil(len(months) / 4))  # at most about four labelled months a panel
    month_names = json.dumps(t("navigator.months", language).split())
    x = alt.X(
        "month:T",
        title=None,
        axis=alt.Axis(
            labelExpr=f"{month_names}[month(datum.value)]",
            tickCount={"interval": "month", "step": step},
            grid=False,
            labelFontSize=LABEL_SIZE - 2,
        ),
    )
    y_scale = alt.Scale(domain=[low, high], nice=False)
    y = alt.Y(
        "score:Q",
        title=label,
        scale=y_scale,
        axis=alt.Axis(tickCount=4, labelFontSize=LABEL_SIZE - 2),
    )
    sample = {
        False: t("navigator.chart.trend.enough", language),
        True: t("navigator.chart.trend.small", language),
    }
    data["sample"] = data["small"].map(sample)
    data["interval"] = [
        f"{round(a)} – {round(b)}" for a, b in zip(data["low"], data["high"], strict=True)
    ]
    tooltip = [
        alt.Tooltip("name:N", title=t("field.touchpoint", language)),
        alt.Tooltip("month:T", title=t("navigator.chart.trend.month", language), format="%Y-%m"),
        alt.Tooltip("score:Q", title=label, format=".0f" if measure != "ces" else ".1f"),
        alt.Tooltip("interval:N", title=t("navigator.chart.trend.interval", language)),
        alt.Tooltip("n:Q", title=t("navigator.chart.trend.answers", language)),
    ]
    band = (
        alt.Chart()
        .mark_area(opacity=0.18, color=TEAM_COLOUR)
        .encode(x=x, y=alt.Y("low:Q", scale=y_scale), y2="high:Q")
    )
    line = alt.Chart().mark_line(color=TEAM_COLOUR, strokeWidth=2).encode(x=x, y=y)
    dots = (
        alt.Chart()
        .mark_point(size=45, filled=False, strokeWidth=2, color=TEAM_COLOUR, opacity=1)
        .encode(
            x=x,
            y=y,
            fill=alt.Fill(
                "sample:N",
                title=t("navigator.chart.trend.sample", language),
                scale=alt.Scale(domain=list(sample.values()), range=[TEAM_COLOUR, "white"]),
                legend=alt.Legend(orient="top", symbolStrokeColor=TEAM_COLOUR),
            ),
            tooltip=tooltip,
        )
    )
    panels = alt.layer(
        band, line, dots, data=tables.add("months", data), width=PANEL[0], height=PANEL[1]
    )
    chart = panels.facet(
        facet=alt.Facet(
            "name:N",
            sort=alt.SortField("order"),
            title=None,
            header=alt.Header(
                labelExpr="split(datum.value, '\\n')",
                labelFontSize=LABEL_SIZE - 1,
                labelAnchor="start",
                labelColor=INK,
            ),
        ),
        columns=PANELS_PER_ROW,
        spacing={"row": 14, "column": 18},
        title=titled("navigator.chart.trend", language, measure=label),
    )
    return finish(chart, language, tables)


def gap_data(gaps: Iterable[Gap], workbook: Workbook, language: str | None = None) -> pd.DataFrame:
    """Team and customer mean per touchpoint and measure, widest gap first."""
    shown = names(workbook, language)
    rows = [
        {
            "touchpoint": item.touchpoint,
            "name": shown.get(item.touchpoint, item.touchpoint),
            "measure": t(f"navigator.measure.{item.measure}", language),
            "team": item.team,
            "customers": item.customers,
            "gap": item.gap,
            "n": item.n,
        }
        for item in gaps
    ]
    columns = ["touchpoint", "name", "measure", "team", "customers", "gap", "n"]
    data = pd.DataFrame(rows, columns=columns)
    widest = data.groupby("touchpoint")["gap"].transform(lambda gap: gap.abs().max())
    return (
        data.assign(widest=widest)
        .sort_values("widest", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def gap_chart(
    gaps: Iterable[Gap], workbook: Workbook, language: str | None = None
) -> alt.FacetChart | alt.Chart:
    """A dumbbell per touchpoint: the team's rating and the customers' mean, on contact
    and process quality side by side. The length of the bar is the blind spot."""
    data = gap_data(gaps, workbook, language)
    if data.empty:
        return message("navigator.chart.gap", language)
    tables = Datasets()
    rows = list(dict.fromkeys(data["name"]))
    who = {
        "team": t("navigator.chart.gap.team", language),
        "customers": t("navigator.chart.gap.customers", language),
    }
    points = data.melt(
        id_vars=["name", "measure", "n", "gap"],
        value_vars=list(who),
        var_name="who",
        value_name="score",
    )
    points["who"] = points["who"].map(who)
    score = t("navigator.chart.gap.score", language)
    x_scale = alt.Scale(domain=[1, 5], nice=False)
    y = alt.Y(
        "name:N",
        sort=rows,
        title=None,
        axis=alt.Axis(labelLimit=260, grid=True, gridColor="#eef0f3", domain=False, ticks=False),
    )
    bars = (  # the line between a touchpoint's two dots, red where they are far apart
        alt.Chart()
        .mark_line(strokeWidth=4, strokeCap="round")
        .encode(
            x=alt.X("score:Q", scale=x_scale, title=score),
            y=y,
            detail="name:N",
            color=alt.ColorValue(
                RULE, condition={"test": "abs(datum.gap) >= 1", "value": LEVEL_COLOURS["poor"]}
            ),
        )
    )
    dots = (
        alt.Chart()
        .mark_circle(size=110, opacity=1, stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "score:Q",
                scale=x_scale,
                title=score,
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"),
            ),
            y=y,
            color=alt.Color(
                "who:N",
                title=None,
                scale=alt.Scale(domain=list(who.values()), range=[TEAM_COLOUR, CUSTOMER_COLOUR]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=t("field.touchpoint", language)),
                alt.Tooltip("who:N", title=t("navigator.chart.gap.who", language)),
                alt.Tooltip("score:Q", title=score, format=".1f"),
                alt.Tooltip("gap:Q", title=t("navigator.chart.gap.gap", language), format="+.1f"),
                alt.Tooltip("n:Q", title=t("navigator.chart.trend.answers", language)),
            ],
        )
    )
    measures = [t(f"navigator.measure.{m}", language) for m in ("contact", "process")]
    pairs = tables.add("points", points)
    chart = alt.layer(bars, dots, data=pairs, width=250, height=_GAP_ROW * len(rows)).facet(
        column=alt.Column(
            "measure:N",
            sort=measures,
            title=None,
            header=alt.Header(labelColor=MUTED),
        ),
        spacing=24,
        title=titled("navigator.chart.gap", language),
    )
    return finish(chart, language, tables)
