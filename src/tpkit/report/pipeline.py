"""One report: papermill executes the report notebook, nbconvert makes HTML without code
or prompts, WeasyPrint makes the PDF. Each step is a function; ``build`` chains them.

Nothing half-done is left behind: files are written atomically at the end, and a
failure in the notebook becomes one clear error naming the section and the cause.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from tpkit.errors import TpkitError
from tpkit.report.params import ReportParameters, check
from tpkit.resources import bundled
from tpkit.store import write_atomic

CELL_TIMEOUT_SECONDS = 300


def report_notebook() -> Path:
    return bundled("notebooks") / "report.ipynb"


def execute(parameters: ReportParameters, folder: Path, engine: str | None = None) -> Any:
    """Run the report notebook with these parameters; the executed notebook comes back,
    in memory only: no file after every cell (papermill's default serialises and checks
    the whole notebook each time), nor at the end."""
    import papermill

    try:
        return papermill.execute_notebook(
            str(report_notebook()),
            None,
            parameters=parameters.for_papermill(),
            request_save_on_cell_execute=False,
            kernel_name="python3",
            cwd=str(folder),
            progress_bar=False,
            execution_timeout=CELL_TIMEOUT_SECONDS,
            engine_name=engine,
        )
    except papermill.PapermillExecutionError as error:
        raise _failure(error.ename, error.evalue) from None


def _failure(name: str, detail: str) -> TpkitError:
    if name == "SectionFailed":
        section, _, cause = detail.partition(": ")
        return TpkitError("error.report_section_failed", section=section, detail=cause)
    return TpkitError("error.report_failed", detail=f"{name}: {detail}")


def to_html(notebook: Any, parameters: ReportParameters) -> str:
    """The executed notebook as one HTML page: outputs only, no code, no prompts."""
    body, _ = _exporter().from_notebook_node(notebook)
    return (
        f'<!DOCTYPE html><html lang="{parameters.language}"><head><meta charset="utf-8">'
        f"</head><body>{body}</body></html>"
    )


@cache
def _exporter() -> Any:
    """One exporter per process: making one compiles its Jinja templates (0.1 s a report)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class ReportExporter(HTMLExporter):  # type: ignore[misc]
        """nbconvert's HTML exporter without its last step, which parses the whole page
        again with BeautifulSoup (a twentieth of a report's time) to give images without
        alternative text a stock one and JupyterLab's cells keyboard focus: every image
        of a report has its own alt text (a chart its title, the logo none as decoration,
        ``test_every_image_of_a_report_has_alternative_text``) and the basic template
        makes no JupyterLab cells. The filters it registers first are registered here."""

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", Highlight2HTML(parent=self))
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    config = Config()
    config.NbConvertBase.display_data_priority = [
        "text/html",
        "image/svg+xml",
        "image/png",
        "text/markdown",
        "text/plain",
    ]
    return ReportExporter(
        config=config,
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def to_pdf(html: str, base: Path) -> bytes:
    """HTML → PDF with WeasyPrint (vector charts, real text, page counters)."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=str(base))
    return document.write_pdf(font_config=_fonts())


@cache
def _fonts() -> Any:
    """WeasyPrint's font set-up, shared by the reports a process makes."""
    import logging

    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # CSS it ignores is not news
    return FontConfiguration()


def build(
    parameters: ReportParameters,
    output: Path,
    fmt: str = "pdf",
    engine: str | None = None,
    printer: bool = False,
) -> Path:
    """Make one report file; check the parameters before any kernel starts. With
    ``printer``, a new process makes the PDF, getting ready while the notebook runs
    (:mod:`tpkit.report.printer`: a single report of the command line)."""
    import nbformat

    from tpkit.report.printer import Printer

    parameters = check(parameters)
    output = Path(output)
    with (
        Printer(wanted=printer and fmt == "pdf") as pdf_printer,
        tempfile.TemporaryDirectory(prefix="tpkit-report-") as folder,
    ):
        notebook = execute(parameters, Path(folder), engine)
        if fmt == "ipynb":
            data = nbformat.writes(notebook).encode("utf-8")
        elif fmt == "html":
            data = to_html(notebook, parameters).encode("utf-8")
        else:
            data = pdf_printer.pdf(notebook, parameters, Path(folder))
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(output, data)
    return output
