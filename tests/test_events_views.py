"""Where users look at the events: notebook 06, its import form, the report section."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import papermill

from tpkit.events.store import events_folder
from tpkit.events.views import DigitalView, ImportForm, open_digital
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import t
from tpkit.report import pipeline
from tpkit.report.params import ReportParameters
from tpkit.report.sections import ReportContext, section_html
from tpkit.samples import blank, sample_path
from tpkit.store import create, read

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_digital.ipynb"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "events"


def run_notebook(output: Path, **parameters: str) -> list[dict]:
    papermill.execute_notebook(
        NOTEBOOK,
        output,
        parameters=parameters,
        kernel_name="python3",
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        execution_timeout=180,
    )
    notebook = nbformat.read(output, as_version=4)
    return [o for cell in notebook.cells for o in cell.get("outputs", [])]


def test_notebook_06_shows_the_demo_bank_with_its_events(folder, tmp_path):
    results = run_notebook(tmp_path / "out.ipynb")
    assert not [o for o in results if o.get("output_type") == "error"]
    shown = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in results)
    assert "events of 1500 customers" in shown and "tp-events" in shown
    assert (folder / "demo-bank.events").is_dir()


def test_notebook_06_on_a_workbook_without_events_in_german(folder, tmp_path):
    workbook = create(folder / "neu.yaml", blank("Neues Team", "de"))
    results = run_notebook(tmp_path / "out.ipynb", workbook=str(workbook), language="de")
    assert not [o for o in results if o.get("output_type") == "error"]
    markdown = [o["data"]["text/markdown"] for o in results if "text/markdown" in o.get("data", {})]
    assert markdown[0] == t("events.guide.intro", "de")


def test_the_import_form_imports_and_redraws(folder):
    path = create(folder / "bank.yaml", read(sample_path("bank")))
    session = WorkbookSession(path)
    view = DigitalView(session)
    assert "No interaction events yet" in view.figures.value
    form = ImportForm(session, on_import=view.refresh)
    assert "bank-app.csv" in [label for label, _ in form.logs.options]
    form.run.click()
    assert "Choose a log" in form.result.value
    form.logs.value = tuple(v for label, v in form.logs.options if label.startswith("bank-"))
    form.run.click()
    assert "7700 events added" in form.result.value
    assert "line 7588" in form.result.value or "line" in form.result.value
    assert "7700 events of 1500 customers" in view.figures.value
    assert "Mortgage calculator" in view.attribution.value and "<svg" in view.flow.value
    form.other.value = str(folder / "missing.csv")
    form.logs.value = ()
    form.run.click()
    assert "does not exist" in form.result.value


def test_open_digital_makes_the_demo_bank_once(folder):
    first = open_digital()
    assert first.path == folder / "demo-bank.yaml" and events_folder(first.path).is_dir()
    assert open_digital().path == first.path


def test_report_section_with_and_without_events(tmp_path):
    bank = read(sample_path("bank"))
    html = section_html(
        "digital", ReportContext(bank, "it", ("digital",), workbook_path=str(sample_path("bank")))
    )
    assert t("events.report.funnel", "it") in html and "Calcolatore" not in html
    assert "Mortgage calculator" in html and "<svg" in html and html.count("<table") >= 4
    assert "C100" not in html  # no customer id in a report
    shawna = read(sample_path("shawna"))
    empty = section_html(
        "digital",
        ReportContext(shawna, "en", ("digital",), workbook_path=str(sample_path("shawna"))),
    )
    assert empty.count("<p") == 1 and t("events.report.empty", "en") in empty


def test_report_escapes_names_from_the_workbook(tmp_path):
    bank = read(sample_path("bank"))
    bank.touchpoint("mortgage-calculator").name = "<script>alert(1)</script>"
    html = section_html(
        "digital", ReportContext(bank, "en", ("digital",), workbook_path=str(sample_path("bank")))
    )
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_bank_report_prints_the_digital_section(tmp_path):
    pdf = pipeline.build(
        ReportParameters(workbook=str(sample_path("bank")), sections=("digital",)),
        tmp_path / "bank.pdf",
    )
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for key in ("section", "funnel", "attribution", "next"):
        assert t(f"events.report.{key}", "en") in text
    assert "Funds transfer → Mortgage calculator" in text
