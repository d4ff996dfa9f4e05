"""The report's *Digital touchpoints* section: what the interaction logs say.

The figures come from :func:`tpkit.events.overview.overview` on embedded DuckDB and are
drawn by :mod:`tpkit.events.views` as HTML tables, CSS bars and one small SVG, which
WeasyPrint lays out cheaply. A workbook without events gets one short line and costs
no engine start, so batch reports of firms without logs stay fast.
"""

from __future__ import annotations

from html import escape

from tpkit.i18n import t
from tpkit.report import sections


def body(ctx: sections.ReportContext) -> str:
    from tpkit.events.overview import overview

    view = overview(ctx.workbook, ctx.workbook_path)
    if view is None:
        return sections.note(t("events.report.empty", ctx.language))
    from tpkit.events import views

    shown, language = ctx.shown, ctx.language
    parts = [
        ("figures", views.key_figures_html(view, language)),
        ("funnel", views.funnel_html(view, shown, language)),
        ("flow", views.flow_svg(view, shown, language)),
        ("paths", views.paths_html(view, shown, language)),
        ("attribution", views.attribution_html(view, shown, language)),
        ("next", views.next_html(view, shown, language)),
        ("gaps", views.gaps_html(view, shown, language)),
    ]
    return "".join(
        f'<div style="break-inside: avoid"><h2>{escape(t(f"events.report.{key}", language))}'
        f"</h2>{html}</div>"
        for key, html in parts
        if html
    )
