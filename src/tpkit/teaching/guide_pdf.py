"""The facilitator guide as an A4 PDF: the Markdown chapters of ``docs/guide/LANG/`` with
the worked cases' teaching notes, laid out with the reports' print stylesheet.

The guide is Markdown so that facilitators and translators edit plain text files; this
module only frames it: a cover, the contents with page numbers, one section per chapter
with the chapter's name at the top of its pages. The Markdown is the kit's own, but it
is rendered with HTML escaped all the same.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path

from tpkit.i18n import t
from tpkit.report.document import DEFAULT_ACCENT, print_stylesheet
from tpkit.resources import bundled
from tpkit.teaching.cases import CASES_CHAPTER, teaching_notes
from tpkit.teaching.printing import html_document, write_pdf

GUIDE_FOLDER = "docs/guide"


@dataclass(frozen=True)
class Chapter:
    """One Markdown file of the guide: ``03-two-hours`` and its text."""

    name: str
    markdown: str

    @property
    def title(self) -> str:
        """The text of its first ``# heading``."""
        match = re.search(r"^# (.+)$", self.markdown, re.MULTILINE)
        return match.group(1).strip() if match else self.name


def chapters(language: str) -> list[Chapter]:
    """The guide's chapters in one language, in the order of their file names."""
    folder = bundled(GUIDE_FOLDER) / language
    return [
        Chapter(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("[0-9]*.md"))
    ]


@cache
def _renderer():
    import mistune

    return mistune.create_markdown(escape=True, plugins=["table"])


def markdown_html(text: str) -> str:
    """Markdown as HTML; tables take the reports' table style."""
    return _renderer()(text).replace("<table>", '<table class="tp-table">')


def _section(index: int, chapter: Chapter, language: str) -> str:
    body = markdown_html(chapter.markdown)
    body = body.replace("<h1>", f'<h1 id="chapter-{index}">', 1)
    if chapter.name.endswith(CASES_CHAPTER):
        body += "".join(
            f'<div class="tp-case">{markdown_html(note.markdown)}</div>'
            for note in teaching_notes(language)
        )
    kind = chapter.name.split("-", 1)[-1]
    return f'<section class="tp-section tp-guide-{html.escape(kind)}">{body}</section>'


def _cover(language: str, issued: date) -> str:
    month = t(f"report.month.{issued.month}", language)
    day = t("report.date", language, day=issued.day, month=month, year=issued.year)
    return (
        '<div class="tp-cover"><div class="tp-cover-top"></div>'
        '<div class="tp-cover-band">'
        f'<p class="tp-cover-kicker">{html.escape(t("guide_pdf.kicker", language))}</p>'
        f'<h1 class="tp-cover-title">{html.escape(t("guide_pdf.title", language))}</h1>'
        f'<p class="tp-cover-period">{html.escape(t("guide_pdf.subtitle", language))}</p>'
        "</div>"
        f'<dl class="tp-cover-facts"><dt>{html.escape(t("field.language", language))}</dt>'
        f"<dd>{html.escape(t(f'language.{language}', language))}</dd>"
        f"<dt>{html.escape(t('report.cover.date', language))}</dt>"
        f"<dd>{html.escape(day)}</dd></dl>"
        f'<p class="tp-cover-foot">{html.escape(t("report.made_with", language))}</p></div>'
    )


def _contents(titles: list[str], language: str) -> str:
    entries = "".join(
        f'<li><a href="#chapter-{index}">{html.escape(title)}</a></li>'
        for index, title in enumerate(titles)
    )
    return (
        f'<nav class="tp-contents"><h1>{html.escape(t("guide_pdf.contents", language))}</h1>'
        f'<ol class="tp-toc">{entries}</ol>'
        f'<div class="tp-reading"><p>{html.escape(t("guide_pdf.how_to_read", language))}</p>'
        "</div></nav>"
    )


def guide_html(language: str, issued: date | None = None, accent: str = DEFAULT_ACCENT) -> str:
    """The whole guide as one HTML document, ready for WeasyPrint."""
    found = chapters(language)
    css = print_stylesheet(accent, t("guide_pdf.running_title", language))
    css += files("tpkit.teaching").joinpath("guide.css").read_text(encoding="utf-8")
    sections = "".join(_section(i, chapter, language) for i, chapter in enumerate(found))
    body = (
        f"{_cover(language, issued or date.today())}"
        f"{_contents([chapter.title for chapter in found], language)}{sections}"
    )
    return html_document(language, t("guide_pdf.title", language), css, body)


def write_guide_pdf(language: str, path: Path) -> Path:
    """Render the guide in ``language`` to an A4 PDF at ``path`` (written atomically)."""
    return write_pdf(guide_html(language), path)
