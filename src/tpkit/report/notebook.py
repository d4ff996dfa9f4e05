"""What the report notebook calls: the stylesheet, the cover and contents, then one
display per section — so nbconvert keeps them in order and a failure names its section."""

from __future__ import annotations

from typing import Any

from IPython.display import HTML, display


class SectionFailed(Exception):
    """A section could not be drawn; the message starts with the section's name."""


def report_context(workbook: str, language: str, sections: str, **options: Any) -> Any:
    """The notebook's parameters as a :class:`ReportContext` (the workbook read and checked)."""
    from tpkit.report.sections import ReportContext
    from tpkit.samples import sample_path
    from tpkit.store import read

    path = workbook or sample_path("shawna")
    team_workbook = read(path)
    return ReportContext(
        workbook=team_workbook,
        workbook_path=str(path),
        language=language or team_workbook.meta.language,
        sections=tuple(name.strip() for name in sections.split(",") if name.strip()),
        **options,
    )


def show_front_matter(context: Any) -> None:
    from tpkit.report.document import contents_html, cover_html, stylesheet

    display(HTML(f"<style>{stylesheet(context)}</style>"))
    display(HTML(cover_html(context) + contents_html(context)))


def show_sections(context: Any) -> None:
    from tpkit.report.sections import section_html

    for name in context.sections:
        try:
            html = section_html(name, context)
        except Exception as error:
            raise SectionFailed(f"{name}: {type(error).__name__}: {error}") from error
        display(HTML(html), metadata={"tpkit_section": name})
