"""Personal data in a printed report (issue 11, defect 11): a hand-made workbook with the
people and contact details the old masking missed, read back from the PDF's text."""

from __future__ import annotations

import subprocess

from tpkit.report import pipeline
from tpkit.report.engine import NAME as IN_PROCESS
from tpkit.report.engine import register
from tpkit.report.params import ReportParameters
from tpkit.store import create

from .conftest import small_workbook

SECRETS = ("Rossi", "rossi", "anna", "Anna", "glowmail", "555", "1234")


def _workbook():
    workbook = small_workbook()
    workbook.ratings[0].participant = "Anna Rossi"
    workbook.ratings[1].participant = "Al"
    workbook.touchpoints[0].owner = "anna rossi"
    workbook.stages[0].doing = "Rossi calls back; ask Al or anna at glowmail dot com"
    workbook.persona.description = "Reach Anna on 555-1234"
    return workbook


def _text(path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_the_people_of_the_workbook_are_masked_in_any_case_and_part(tmp_path):
    register()
    source = create(tmp_path / "people.yaml", _workbook())
    masked = _text(
        pipeline.build(
            ReportParameters(workbook=str(source)), tmp_path / "m.pdf", engine=IN_PROCESS
        )
    )
    for secret in SECRETS:
        assert secret not in masked, secret
    assert "Participant 1 calls back; ask Participant 2 or [e-mail]" in masked
    assert "Reach Participant 1 on [phone]" in masked
    plain = _text(
        pipeline.build(
            ReportParameters(workbook=str(source), mask_personal_data=False),
            tmp_path / "p.pdf",
            engine=IN_PROCESS,
        )
    )
    assert "Rossi calls back; ask Al or anna at glowmail dot com" in plain
