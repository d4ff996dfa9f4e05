"""A printable A4 sheet of QR cards: one card per survey link, to cut out and hand over
with an invoice, stick in a van or stand on a counter.

Each card carries the touchpoint's name, a call to action in the workbook's language,
the QR code as vector drawing (sharp at any print size) and the address to type. User
text is escaped: a touchpoint called '<script>' prints as those characters.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

from tpkit.i18n import t
from tpkit.safety import css_string, inline_svg
from tpkit.store import write_atomic
from tpkit.survey.links import QR_BORDER, SurveyLink, qr_code

CARDS_PER_ROW, ROWS_PER_PAGE = 2, 5


def card_html(link: SurveyLink, language: str) -> str:
    """One card: the QR code on the left, the words on the right."""
    svg = inline_svg(qr_code(link.url).svg_inline(border=QR_BORDER, omitsize=True))
    return (
        '<td class="card"><div class="card-body">'
        f'<div class="qr">{svg}</div><div class="words">'
        f'<p class="name">{html.escape(link.touchpoint.name)}</p>'
        f'<p class="cta">{html.escape(t("questionnaire.card.call_to_action", language))}</p>'
        f'<p class="scan">{html.escape(t("questionnaire.card.scan", language))}</p>'
        f'<p class="url">{html.escape(link.short)}</p></div>'
        f'<p class="source">{html.escape(t(f"questionnaire.source.{link.source}", language))}</p>'
        "</div></td>"
    )


def sheet_html(links: Sequence[SurveyLink], team: str, language: str) -> str:
    """The whole document: one table of ten cards per page; the last page's empty
    places have no cut lines."""
    cells = [card_html(link, language) for link in links]
    cells += ['<td class="card empty"></td>'] * (-len(cells) % CARDS_PER_ROW)
    rows = [
        f"<tr>{''.join(cells[i : i + CARDS_PER_ROW])}</tr>"
        for i in range(0, len(cells), CARDS_PER_ROW)
    ]
    pages = [
        f'<table class="sheet">{"".join(rows[i : i + ROWS_PER_PAGE])}</table>'
        for i in range(0, len(rows), ROWS_PER_PAGE)
    ]
    css = files("tpkit.survey").joinpath("cards.css").read_text(encoding="utf-8")
    css = css.replace("@cut@", css_string(t("questionnaire.card.cut", language)))
    title = html.escape(t("questionnaire.card.sheet_title", language, team=team))
    return (
        f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{css}</style></head><body>{''.join(pages)}</body></html>"
    )


def write_cards_pdf(links: Sequence[SurveyLink], team: str, language: str, path: Path) -> None:
    """The sheet as an A4 PDF (WeasyPrint, as the reports)."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # CSS it ignores is not news
    html_text = sheet_html(links, team, language)
    write_atomic(path, weasyprint.HTML(string=html_text, base_url=str(path.parent)).write_pdf())
