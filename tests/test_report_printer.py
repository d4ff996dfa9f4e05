"""The PDF printer: a second process that makes a single report's PDF (see
:mod:`tpkit.report.printer`), and what happens when it cannot."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tpkit.errors import TpkitError
from tpkit.report import pipeline, printer
from tpkit.report.engine import NAME as IN_PROCESS
from tpkit.report.engine import register
from tpkit.report.params import ReportParameters, check
from tpkit.samples import sample_path

from .test_report import pdf_text


@pytest.fixture
def executed(tmp_path):
    """The Ticino sample's executed report notebook and its parameters."""
    register()
    parameters = check(ReportParameters(workbook=str(sample_path("ticino"))))
    return pipeline.execute(parameters, tmp_path, IN_PROCESS), parameters


@pytest.fixture
def wanted(monkeypatch):
    """A printer even though this test process holds WeasyPrint already."""
    monkeypatch.setattr(printer, "worth_a_printer", lambda: True)


def _pdf_file(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path


def test_the_printer_makes_the_pdf_this_process_would(executed, wanted, tmp_path):
    notebook, parameters = executed
    with printer.Printer() as separate:
        assert separate.separate and separate._process.pid != os.getpid()
        theirs = separate.pdf(notebook, parameters, tmp_path)
    ours = printer.make_pdf(notebook, parameters, tmp_path)
    assert theirs.startswith(b"%PDF")
    assert pdf_text(_pdf_file(theirs, tmp_path / "a.pdf")) == pdf_text(
        _pdf_file(ours, tmp_path / "b.pdf")
    )
    assert not multiprocessing.active_children()  # the printer is gone when done


def test_a_printer_that_dies_loses_nothing_but_its_time(executed, wanted, tmp_path):
    notebook, parameters = executed
    with printer.Printer() as separate:
        os.kill(separate._process.pid, signal.SIGKILL)
        separate._process.join()
        data = separate.pdf(notebook, parameters, tmp_path)  # made here instead
    assert "Elettro Bernasconi" in pdf_text(_pdf_file(data, tmp_path / "r.pdf"))


def test_a_failure_in_the_printer_is_raised_here_as_it_would_be(wanted, tmp_path):
    parameters = check(ReportParameters(workbook=str(sample_path("ticino"))))
    not_a_notebook = {"cells": "no"}
    with pytest.raises(Exception) as here:
        printer.make_pdf(not_a_notebook, parameters, tmp_path)
    with printer.Printer() as separate, pytest.raises(type(here.value)):
        separate.pdf(not_a_notebook, parameters, tmp_path)


def test_a_failing_notebook_stops_the_printer_at_once(wanted, tmp_path, monkeypatch):
    register()
    import tpkit.report.sections as sections

    def broken(name, context):
        raise ValueError("the chart engine is on strike")

    monkeypatch.setattr(sections, "section_html", broken)
    parameters = ReportParameters(workbook=str(sample_path("ticino")))
    with pytest.raises(TpkitError, match="on strike"):
        pipeline.build(parameters, tmp_path / "r.pdf", engine=IN_PROCESS, printer=True)
    assert not multiprocessing.active_children()
    assert not (tmp_path / "r.pdf").exists()


def test_no_printer_where_it_cannot_pay(monkeypatch):
    import weasyprint  # noqa: F401  (as in a batch worker or a kernel that printed before)

    assert not printer.Printer().separate  # WeasyPrint is loaded here: no gain
    monkeypatch.setattr(printer, "_cores", lambda: 1)
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    assert not printer.Printer().separate  # one core: the processes would take turns
    assert not printer.Printer(wanted=False).separate


def test_the_command_line_prints_in_a_second_process(tmp_path):
    """A new process, as a user runs it: the printer starts, and the report is whole."""
    code = (
        "import sys\n"
        "import tpkit.report.printer as p\n"
        "made = []\n"
        "start = p.Printer.__init__\n"
        "def spy(self, wanted=True):\n"
        "    start(self, wanted); made.append(self.separate)\n"
        "p.Printer.__init__ = spy\n"
        "from tpkit.cli import main\n"
        "if __name__ == '__main__':\n"
        f"    code = main(['report', {str(sample_path('ticino'))!r}, '-o', 'r.pdf'])\n"
        "    print(made)\n"
        "    sys.exit(code)\n"
    )
    (tmp_path / "run.py").write_text(code)
    ran = subprocess.run(
        [sys.executable, "run.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == "[True]"
    assert "Elettro Bernasconi" in pdf_text(tmp_path / "r.pdf")
