"""The guide and worksheet PDFs the tests read, made once per test run through the
command line (``tpkit guide``, ``tpkit worksheets``) and shared by the test modules."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from tpkit.cli import main
from tpkit.samples import sample_path

_FOLDER = Path(tempfile.mkdtemp(prefix="tpkit-printouts-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)


@cache
def guide_pdf(language: str) -> Path:
    path = _FOLDER / f"guide-{language}.pdf"
    assert main(["guide", "--lang", language, "-o", str(path)]) == 0
    return path


@cache
def sheets_pdf(language: str, sample: str = "", *options: str) -> Path:
    """Worksheets in ``language``: blank, or for a sample workbook, with more options."""
    path = _FOLDER / f"sheets-{language}-{sample}-{'-'.join(options)}.pdf"
    workbook = ["--workbook", str(sample_path(sample))] if sample else []
    assert main(["worksheets", "--lang", language, *workbook, *options, "-o", str(path)]) == 0
    return path
