"""No file the kit writes for a spreadsheet runs a formula when opened (issue 11, defect 5).

Every writer is exercised with user text that starts with each character a spreadsheet
reads as a formula; every cell of the file it writes must start with something else.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from types import SimpleNamespace

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from tpkit.cli import main
from tpkit.model import Meta, Touchpoint, Workbook
from tpkit.safety import restore_formula, spreadsheet_csv
from tpkit.spreadsheet import write_xlsx
from tpkit.store import create

STARTS = ("=", "+", "-", "@")
NAMES = ['=HYPERLINK("http://x","y")', "+1+2", "-5% off", "@shop on Instagram"]


def dangerous_workbook(tmp_path: Path) -> Path:
    touchpoints = [
        Touchpoint(id=f"tp{n}", name=name, phase="after", owner=name, notes=name)
        for n, name in enumerate(NAMES, start=1)
    ]
    workbook = Workbook(meta=Meta(team="=TEAM()", company="@corp"), touchpoints=touchpoints)
    return create(tmp_path / "w.yaml", workbook)


def cells(path: Path, delimiter: str = ",", encoding: str = "utf-8-sig") -> list[str]:
    with path.open(encoding=encoding, newline="") as file:
        return [cell for row in csv.reader(file, delimiter=delimiter) for cell in row]


def assert_no_formula(values: list[str]) -> None:
    assert values, "the file is empty"
    formulas = [value for value in values if value.startswith(STARTS)]
    assert not formulas, formulas


def test_the_limesurvey_file_shows_names_without_running_them(tmp_path, capsys):
    target = tmp_path / "survey.txt"
    args = ["survey", "questionnaire", str(dangerous_workbook(tmp_path))]
    assert main([*args, "--format", "limesurvey", "-o", str(target)]) == 0
    values = cells(target, delimiter="\t")
    assert_no_formula(values)
    # its texts are HTML: LimeSurvey shows the name itself, with no apostrophe before it
    shown = {html.unescape(value) for value in values}
    assert {html.escape(name, quote=False) for name in NAMES} <= shown


def test_links_csv(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["survey", "links", str(dangerous_workbook(tmp_path)), "--base-url", "https://x.org/s"]
    assert main([*args, "--out-dir", str(out)]) == 0
    values = cells(out / "links.csv")
    assert_no_formula(values)
    assert {restore_formula(value) for value in values} >= set(NAMES)


def test_the_xlsx_export(tmp_path):
    book = openpyxl.load_workbook(
        write_xlsx(
            Workbook.model_validate(
                {
                    "meta": {"team": "=T"},
                    "touchpoints": [
                        {"id": f"t{n}", "name": name, "phase": "after"}
                        for n, name in enumerate(NAMES)
                    ],
                }
            ),
            tmp_path / "w.xlsx",
        )
    )
    values = [
        str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value
    ]
    assert_no_formula(values)


def test_the_survey_import_problems_file(tmp_path):
    from tpkit.survey.cli import _write_problems

    skipped = [
        SimpleNamespace(line=n, column=name, value=name, reason="-") for n, name in enumerate(NAMES)
    ]
    target = tmp_path / "problems.csv"
    _write_problems(SimpleNamespace(source=tmp_path / "=export.csv", skipped=skipped), target)
    assert_no_formula(cells(target))


def test_the_events_import_problems_file(tmp_path):
    from tpkit.events.cli import _write_problems

    skipped = [
        SimpleNamespace(file=f"{name}.csv", line=1, reason="no_time", value=name) for name in NAMES
    ]
    target = tmp_path / "problems.csv"
    _write_problems(skipped, target)
    assert_no_formula(cells(target))


def test_the_events_customer_list(tmp_path, monkeypatch, capsys):
    from tpkit.events import analytics
    from tpkit.events.cli import _write_customers

    monkeypatch.setattr(analytics, "eligible_customers", lambda *_: NAMES)
    target = tmp_path / "customers.csv"
    result = SimpleNamespace(segments=[SimpleNamespace(offer="@offer", path=["=a", "b"])])
    _write_customers(SimpleNamespace(customers=str(target)), None, None, None, result, "x")
    values = cells(target, encoding="utf-8")
    assert_no_formula(values)
    assert [restore_formula(value) for value in values[3::3]] == NAMES


@given(st.lists(st.lists(st.text(max_size=8), max_size=4), max_size=4), st.booleans())
def test_no_cell_of_the_shared_writer_starts_a_formula(rows, as_html):
    text = spreadsheet_csv(rows, html=as_html)
    values = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [value for value in values if value.startswith((*STARTS, "\t", "\r"))]
    if not as_html:  # the apostrophe is undone exactly when the kit reads its own file
        assert [restore_formula(v) for v in values] == [c for row in rows for c in row]
