"""Excel exchange: lossless round trip, formulas neutralised, mistakes named by sheet and cell."""

from __future__ import annotations

import openpyxl
import pytest

from tpkit.errors import TpkitError, WorkbookInvalid
from tpkit.safety import neutralise_formula, restore_formula
from tpkit.spreadsheet import read_xlsx, write_xlsx
from tpkit.store import read

from .conftest import SAMPLES

DANGEROUS = ['=HYPERLINK("http://x","click")', "+1+2", "-5% churn", "@SUM(A1)", "'quoted"]


def test_round_trip_of_a_small_workbook(tmp_path, workbook):
    workbook.touchpoints[0].notes = "two\nlines"
    workbook.touchpoints[0].aliases = ["web shop", "site"]
    path = write_xlsx(workbook, tmp_path / "team.xlsx")
    assert read_xlsx(path) == workbook


@pytest.mark.parametrize("name", ["shawna", "ticino"])
def test_round_trip_of_the_samples(tmp_path, name):
    workbook = read(SAMPLES / f"{name}.yaml")
    assert read_xlsx(write_xlsx(workbook, tmp_path / f"{name}.xlsx")) == workbook


def test_version_2_fields_round_trip_in_their_own_columns(tmp_path, workbook):
    from datetime import date

    from tpkit.model import FindingRef, Kpi

    workbook.stages[1].kpi = Kpi(name="Days to invoice", value=48, target=10, better="lower")
    workbook.actions[0].start = date(2026, 11, 2)
    workbook.actions[0].finding = FindingRef(rule="handoffs", subject="stay")
    workbook.diagnostics.thresholds.after_percent = 25
    workbook.diagnostics.weights = {"consent": 2.5}
    workbook.meta.language = "de"
    path = write_xlsx(workbook, tmp_path / "t.xlsx")
    assert read_xlsx(path) == workbook
    book = openpyxl.load_workbook(path)
    stages = [cell.value for cell in book["Journey-Etappen"][1]]
    assert "KPI-Zielwert" in stages and "KPI besser, wenn" in stages
    assert list(book["Journey-Etappen"].iter_rows(values_only=True))[2][-1] == "Niedriger"
    settings = {row[0].value: row[1].value for row in book["Einstellungen der Diagnose"].rows}
    assert settings["Gewicht: Marketing ohne Einwilligung oder Abmeldung"] == 2.5


def test_a_bad_diagnostics_setting_is_named_by_its_cell(tmp_path, workbook):
    path = write_xlsx(workbook, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Diagnostics settings"]
    row = next(r for r in sheet.iter_rows() if r[0].value.startswith("Weight: too much"))
    row[1].value = -1
    book.save(path)
    with pytest.raises(WorkbookInvalid) as caught:
        read_xlsx(path)
    assert caught.value.message() == (
        f"{path} sheet 'Diagnostics settings' cell B{row[0].row}: "
        "diagnostics.weights.over_contact -1 is too small: the smallest allowed is 0"
    )


def test_one_sheet_per_part_with_headers_in_the_workbook_language(tmp_path, workbook):
    workbook.meta.language = "it"
    book = openpyxl.load_workbook(write_xlsx(workbook, tmp_path / "t.xlsx"))
    assert len(book.sheetnames) == 7
    touchpoints = book.worksheets[2]
    headers = [cell.value for cell in touchpoints[1]]
    assert "id" not in [h.lower() for h in headers[1:]]  # labels, not keys
    phase_column = headers.index(next(h for h in headers if h.lower() == "fase"))
    assert touchpoints.cell(2, phase_column + 1).value == "Prima dell'acquisto"


def test_formulas_are_neutralised_on_export_and_restored_on_import(tmp_path, workbook):
    workbook.touchpoints[0].notes = DANGEROUS[0]
    workbook.touchpoints[0].owner = DANGEROUS[1]
    workbook.touchpoints[0].aliases = DANGEROUS[2:]
    workbook.ratings[0].problems = "=1+1"
    path = write_xlsx(workbook, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)  # formulas would load as "=..." strings of type 'f'
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
    again = read_xlsx(path)
    assert again.touchpoints[0].notes == DANGEROUS[0]
    assert again.touchpoints[0].aliases == DANGEROUS[2:]
    assert again.ratings[0].problems == "=1+1"


@pytest.mark.parametrize("text", [*DANGEROUS, "plain", "", "''", "'x"])
def test_neutralising_is_exactly_undone(text):
    assert restore_formula(neutralise_formula(text)) == text


def _edit(path, sheet_index, cell, value):
    book = openpyxl.load_workbook(path)
    book.worksheets[sheet_index][cell] = value
    book.save(path)


def test_labels_in_any_language_and_keys_are_accepted(tmp_path, workbook):
    path = write_xlsx(workbook, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[2]
    phase_col = [c.value for c in sheet[1]].index("Phase") + 1
    letter = openpyxl.utils.get_column_letter(phase_col)
    _edit(path, 2, f"{letter}2", "Dopo l'acquisto")
    _edit(path, 2, f"{letter}3", "during")
    wb = read_xlsx(path)
    assert [tp.phase for tp in wb.touchpoints] == ["after", "during"]


def test_a_bad_cell_is_named_by_sheet_and_cell(tmp_path, workbook):
    path = write_xlsx(workbook, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[4]  # ratings
    column = [c.value for c in sheet[1]].index("Importance") + 1
    cell = f"{openpyxl.utils.get_column_letter(column)}3"
    _edit(path, 4, cell, 9)
    with pytest.raises(WorkbookInvalid) as caught:
        read_xlsx(path)
    assert caught.value.message() == (
        f"{path} sheet 'Ratings' cell {cell}: ratings[1].importance 9 is too large: "
        "the largest allowed is 5"
    )


def test_unknown_columns_and_sheets_are_reported_not_dropped(tmp_path, workbook):
    path = write_xlsx(workbook, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    book.worksheets[2].cell(1, 30, "Budget")
    book.worksheets[2].cell(2, 30, 1000)
    book.create_sheet("Scratch")
    book.save(path)
    with pytest.raises(WorkbookInvalid) as caught:
        read_xlsx(path)
    message = caught.value.message()
    assert "sheet 'Touchpoints' cell AD1: touchpoints 'Budget' is not a column" in message
    assert "sheet 'Scratch' cell A1: there is no part called 'Scratch'" in message


def test_blank_rows_are_not_records(tmp_path, workbook):
    path = write_xlsx(workbook, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    book.worksheets[2].insert_rows(3)
    book.save(path)
    assert len(read_xlsx(path).touchpoints) == 2


def test_a_file_that_is_not_xlsx_gets_a_clear_error(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("name;phase\n")
    with pytest.raises(TpkitError, match="is not an Excel workbook"):
        read_xlsx(fake)


def _text_paths(value, path=()):
    """Every path to a string in a dumped workbook."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _text_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_paths(item, (*path, index))
    elif isinstance(value, str):
        yield path


def _with(document, path, change):
    import copy

    document = copy.deepcopy(document)
    place = document
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = change(place[path[-1]])
    return document


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "'"])
def test_every_text_field_starting_like_a_formula_round_trips_exactly(tmp_path, workbook, start):
    """Issue 11, defect 7: KPI names came back with the protective apostrophe on. Every
    string the model accepts as free text (ids and fixed values refuse the prefix) gets
    the formula's first character, and all of them must come back as they went."""
    from tpkit.model import FindingRef, Kpi, Workbook, integrity_problems

    for stage in workbook.stages:
        stage.kpi = Kpi(name="Days to invoice", value=48, target=10, better="lower")
    workbook.actions[0].finding = FindingRef(rule="handoffs", subject="stay")
    document = workbook.model_dump()
    texts = []
    for path in _text_paths(document):
        try:
            trial = Workbook.model_validate(_with(document, path, lambda s: "=" + s))
        except ValueError:
            continue  # an id or a fixed value: not free text
        if not integrity_problems(trial):
            texts.append(path)
    assert ("stages", 0, "kpi", "name") in texts and len(texts) > 25
    for path in texts:
        document = _with(document, path, lambda s: start + s)
    dangerous = Workbook.model_validate(document)
    again = read_xlsx(write_xlsx(dangerous, tmp_path / "t.xlsx"))
    assert again.model_dump() == dangerous.model_dump()
