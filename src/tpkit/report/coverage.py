"""Touchpoints per purchase phase for the printed report: bars built of HTML boxes.

Three stacked bars need no chart engine: a row per phase whose segments are boxes as
wide as their share, coloured by kind (report.css and the charts' palette), with the
counts as real text. WeasyPrint lays that out in a fraction of the time it takes to
draw the same chart as an SVG from vl-convert, and it stays a vector drawing.
"""

from __future__ import annotations

from html import escape

from tpkit.charts.data import coverage_data
from tpkit.i18n import label, t
from tpkit.model import KINDS, PHASES, Workbook


def coverage_html(workbook: Workbook, language: str) -> str:
    """A bar per phase, stacked by kind, with the phase's total; an empty phase shows a red 0."""
    data = coverage_data(workbook)
    counts = {(row.phase, row.kind): row.touchpoints for row in data.itertuples(index=False)}
    totals = {phase: sum(counts[phase, kind] for kind in KINDS) for phase in PHASES}
    widest = max(totals.values()) or 1
    rows = "".join(
        f'<tr><th>{escape(label("phase", phase, language))}</th><td><div class="tp-bar">'
        + "".join(
            f'<span class="tp-kind-{kind}" style="width:{100 * counts[phase, kind] / widest:.2f}%">'
            f"{counts[phase, kind]}</span>"
            for kind in KINDS
            if counts[phase, kind]
        )
        + f'</div></td><td class="tp-total{"" if totals[phase] else " tp-missing"}">'
        f"{totals[phase]}</td></tr>"
        for phase in PHASES
    )
    key = "".join(
        f'<span class="tp-swatch tp-kind-{kind}"></span>{escape(label("kind", kind, language))} '
        for kind in KINDS
    )
    return (
        f'<figure class="tp-bars"><figcaption><b>{escape(t("chart.coverage.title", language))}'
        f"</b>{escape(t('chart.coverage.subtitle', language))}</figcaption>"
        f'<table>{rows}</table><p class="tp-bars-key"><b>{escape(t("field.kind", language))}:</b> '
        f"{key}</p></figure>"
    )
