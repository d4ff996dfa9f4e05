"""The workbook as an Excel file, for people who live in spreadsheets.

One sheet per part (workbook details, persona, touchpoints, journey stages, ratings,
actions); sheet names, column headers and fixed values (phase, kind, …) appear in
the workbook's language, and reading accepts them in any language or as the keys
of the YAML file. Columns come from the domain model, so a new field shows up here
without touching this module. Text that a spreadsheet would run as a formula is
neutralised on the way out and restored on the way in: a round trip loses nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from tpkit.errors import LocatedProblem, TpkitError, WorkbookInvalid
from tpkit.fileformat import record_limits, to_workbook, too_large
from tpkit.i18n import catalogue, label, t
from tpkit.model import (
    LANGUAGES,
    RULE_IDS,
    SCHEMA_VERSION,
    Action,
    Diagnostics,
    FindingRef,
    Id,
    Kpi,
    Meta,
    Persona,
    Problem,
    Rating,
    Stage,
    Thresholds,
    Touchpoint,
    Workbook,
)
from tpkit.model import (
    Path as ModelPath,
)
from tpkit.safety import neutralise_formula, restore_formula

# (section key, record class, laid out as a table) in sheet order
_SECTIONS: tuple[tuple[str, type[BaseModel], bool], ...] = (
    ("meta", Meta, False),
    ("persona", Persona, False),
    ("touchpoints", Touchpoint, True),
    ("stages", Stage, True),
    ("ratings", Rating, True),
    ("actions", Action, True),
    ("diagnostics", Diagnostics, False),
)
# A record inside a row is spread over columns: its first field under the record's own
# name (kpi = the KPI's name, finding = the rule), the others as NAME_FIELD (kpi_target).
_NESTED: dict[str, type[BaseModel]] = {"kpi": Kpi, "finding": FindingRef}
_WEIGHT = "weight_"  # the diagnostics sheet: one row per threshold, then weight_RULE rows
_TRUE_WORDS = {"true", "yes", "y", "1", "x", "sì", "si", "ja", "oui", "vrai", "wahr"}
_FALSE_WORDS = {"false", "no", "n", "0", "nein", "non", "faux", "falsch", ""}


def _columns(record: type[BaseModel]) -> list[str]:
    if record is Diagnostics:
        return [*Thresholds.model_fields, *(f"{_WEIGHT}{rule}" for rule in RULE_IDS)]
    names: list[str] = []
    for name in record.model_fields:
        names.append(name)
        if name in _NESTED:
            names += [f"{name}_{sub}" for sub in list(_NESTED[name].model_fields)[1:]]
    if record is Meta:
        names.insert(0, "schema_version")  # the workbook's version travels with its details
    return names


def _nested(column: str) -> tuple[str, str] | None:
    """``kpi_target`` → ("kpi", "target"), ``kpi`` → ("kpi", "name"); None for a plain column."""
    parent, _, sub = column.partition("_")
    if column in _NESTED:
        return column, next(iter(_NESTED[column].model_fields))
    if parent in _NESTED and sub in _NESTED[parent].model_fields:
        return parent, sub
    return None


def _field_of(record: type[BaseModel], column: str) -> tuple[type[BaseModel], str]:
    """The record and field a column's cells hold (``kpi_better`` → Kpi.better)."""
    if record is Diagnostics:
        return (Diagnostics, "weights") if column.startswith(_WEIGHT) else (Thresholds, column)
    nested = _nested(column)
    return (_NESTED[nested[0]], nested[1]) if nested else (record, column)


def _diagnostics_rows(settings: dict[str, Any] | None) -> dict[str, Any]:
    """The diagnostics block as the sheet's rows: thresholds by name, then weights."""
    settings = settings or {}
    weights = {f"{_WEIGHT}{rule}": w for rule, w in (settings.get("weights") or {}).items()}
    return {**(settings.get("thresholds") or {}), **weights}


# --- writing --------------------------------------------------------------------------


def write_xlsx(workbook: Workbook, path: str | os.PathLike[str]) -> Path:
    """Write the workbook as an .xlsx file (atomically: a reader never sees half a file)."""
    from openpyxl import Workbook as Book
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from tpkit.store import write_atomic

    language = workbook.meta.language
    book = Book()
    book.remove(book.active)
    data = workbook.model_dump(mode="python")
    data["meta"] = {"schema_version": SCHEMA_VERSION, **data["meta"]}
    data["diagnostics"] = _diagnostics_rows(data["diagnostics"])
    for section, record, as_table in _SECTIONS:
        sheet = book.create_sheet(label("section", section, language))
        if as_table:
            columns = _columns(record)
            sheet.append([_field_label(c, language) for c in columns])
            for item in data[section]:
                sheet.append([_cell(record, c, _flat(item, c), language) for c in columns])
            sheet.freeze_panes = "B2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            _add_choices(sheet, record, columns, language, len(data[section]))
        else:
            values = data[section] or {}
            for name in _columns(record):
                sheet.append(
                    [_field_label(name, language), _cell(record, name, values.get(name), language)]
                )
                sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for column in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 14 if as_table else 28
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    book.save(buffer)
    write_atomic(Path(path), buffer.getvalue())
    return Path(path)


def _flat(item: dict[str, Any], column: str) -> Any:
    nested = _nested(column)
    if nested:
        return (item.get(nested[0]) or {}).get(nested[1])
    return item.get(column)


def _cell(record: type[BaseModel], name: str, value: Any, language: str) -> Any:
    if value is None:
        return None
    record, name = _field_of(record, name)
    if isinstance(value, list):
        value = "\n".join(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        group = _choice_group(record, name)
        return label(group, value, language) if group else neutralise_formula(value)
    return value


def _add_choices(
    sheet: Any, record: type[BaseModel], columns: list[str], language: str, rows: int
) -> None:
    """A drop-down list on columns with fixed values, so typing mistakes can't happen."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, name in enumerate(columns, start=1):
        group = _choice_group(*_field_of(record, name))
        if not group:
            continue
        labels = [label(group, key, language) for key in _choices(*_field_of(record, name))]
        formula = '"' + ",".join(labels) + '"'
        if any("," in text or '"' in text for text in labels) or len(formula) > 255:
            continue
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{max(rows + 200, 500)}")
        sheet.add_data_validation(validation)


# --- reading --------------------------------------------------------------------------


def read_xlsx(path: str | os.PathLike[str]) -> Workbook:
    """Read an .xlsx file written by :func:`write_xlsx` (and edited by people)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise TpkitError("error.no_such_file", file=source)
    refusal = too_large(path.stat().st_size, source)
    if refusal:
        raise refusal
    try:
        book = load_workbook(path, data_only=True, read_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise TpkitError(
            "error.not_a_spreadsheet", file=source, detail=str(error) or type(error).__name__
        ) from None
    reader = _SheetReader(source)
    try:
        document = reader.document(book)
    finally:
        book.close()
    if reader.problems:
        raise WorkbookInvalid(reader.problems)
    workbook, problems = to_workbook(document)
    if workbook is None:
        raise WorkbookInvalid([reader.locate(p) for p in problems])
    return workbook


class _SheetReader:
    """Turns sheets into the same document the YAML file holds, remembering which cell
    each value came from so that problems can name it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.cells: dict[ModelPath, tuple[str, str]] = {}
        self.problems: list[LocatedProblem] = []

    def document(self, book: Any) -> dict[str, Any]:
        document: dict[str, Any] = {}
        sections = _lookup("section")
        for sheet in book.worksheets:
            section = sections.get(_normal(sheet.title))
            if section is None:
                self._problem(
                    sheet.title,
                    "A1",
                    (),
                    "problem.unknown_sheet",
                    value=sheet.title,
                    allowed=[label("section", s) for s, _, _ in _SECTIONS],
                )
                continue
            record, as_table = next((r, tab) for s, r, tab in _SECTIONS if s == section)
            rows = sheet.iter_rows(values_only=True)  # read as needed: stops at the limit
            if as_table:
                document[section] = self._table(sheet.title, section, record, rows)
            else:
                values = self._pairs(sheet.title, section, record, rows)
                if section == "diagnostics":
                    values = self._settings(values)
                if section == "meta":
                    document["schema_version"] = values.pop("schema_version", None)
                if values or section == "meta":
                    document[section] = values
        return document

    def _table(
        self, title: str, section: str, record: type[BaseModel], rows: Iterator[tuple[Any, ...]]
    ) -> list[dict[str, Any]]:
        from openpyxl.utils import get_column_letter

        headers = next(rows, None)
        if headers is None:
            return []
        fields = _lookup("field")
        known = _columns(record)
        limit = record_limits()[section]
        columns: list[str | None] = []
        for index, header in enumerate(headers, start=1):
            name = fields.get(_normal(header)) if header is not None else None
            if header is not None and name not in known:
                self._unknown_column(title, f"{get_column_letter(index)}1", section, header, known)
            columns.append(name if name in known else None)
        items = []
        for row_number, row in enumerate(rows, start=2):
            if all(value is None or str(value).strip() == "" for value in row):
                continue  # a blank line between records, not a record
            index = len(items)
            if index == limit:
                self._problem(
                    title,
                    f"A{row_number}",
                    (),
                    "problem.too_many_records",
                    section=section,
                    limit=limit,
                )
                break
            self.cells[(section, index)] = (title, f"A{row_number}")
            item: dict[str, Any] = {}
            for column_number, (name, value) in enumerate(zip(columns, row, strict=False), start=1):
                if name is None:
                    continue
                place = (title, f"{get_column_letter(column_number)}{row_number}")
                nested = _nested(name)
                if nested:  # a problem with the whole KPI points at its first column
                    self.cells.setdefault((section, index, nested[0]), place)
                    self.cells[(section, index, *nested)] = place
                else:
                    self.cells[(section, index, name)] = place
                self._put(item, record, name, value)
            items.append(item)
        return items

    def _pairs(
        self, title: str, section: str, record: type[BaseModel], rows: Iterator[tuple[Any, ...]]
    ) -> dict[str, Any]:
        fields = _lookup("field")
        known = _columns(record)
        values: dict[str, Any] = {}
        for row_number, row in enumerate(rows, start=1):
            header, value = ([*row, None, None])[:2]
            if header is None and value is None:
                continue
            name = fields.get(_normal(header))
            if name not in known:
                self._unknown_column(title, f"A{row_number}", section, header, known)
                continue
            self.cells[_setting_path(section, name)] = (title, f"B{row_number}")
            if name == "schema_version":
                values[name] = value
            else:
                self._put(values, record, name, value)
        return values

    def _put(self, item: dict[str, Any], record: type[BaseModel], name: str, value: Any) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        nested = _nested(name)
        if nested and record is not Diagnostics:
            parent, sub = nested
            item.setdefault(parent, {})[sub] = _from_cell(_NESTED[parent], sub, value)
        elif record is Diagnostics and not name.startswith(_WEIGHT):
            item[name] = _from_cell(Thresholds, name, value)
        else:
            item[name] = value if record is Diagnostics else _from_cell(record, name, value)

    @staticmethod
    def _settings(rows: dict[str, Any]) -> dict[str, Any]:
        """The diagnostics sheet's rows as the file's block: thresholds, weights."""
        weights = {k[len(_WEIGHT) :]: v for k, v in rows.items() if k.startswith(_WEIGHT)}
        thresholds = {k: v for k, v in rows.items() if not k.startswith(_WEIGHT)}
        return {
            name: part for name, part in (("thresholds", thresholds), ("weights", weights)) if part
        }

    def _unknown_column(
        self, sheet: str, cell: str, section: str, header: Any, known: list[str]
    ) -> None:
        allowed = [_field_label(column, None) for column in known]
        self._problem(
            sheet, cell, (section,), "problem.unknown_column", value=header, allowed=allowed
        )

    def _problem(self, sheet: str, cell: str, path: ModelPath, key: str, **values: Any) -> None:
        self.problems.append(
            LocatedProblem(self.source, None, Problem(path, key, values), sheet, cell)
        )

    def locate(self, problem: Problem) -> LocatedProblem:
        for length in range(len(problem.path), 0, -1):
            place = self.cells.get(problem.path[:length])
            if place:
                return LocatedProblem(self.source, None, problem, *place)
        return LocatedProblem(self.source, None, problem)


def _setting_path(section: str, name: str) -> ModelPath:
    """Where a row of a pairs sheet lands in the document (a weight in ``weights``)."""
    if section != "diagnostics":
        return (section, name)
    if name.startswith(_WEIGHT):
        return (section, "weights", name[len(_WEIGHT) :])
    return (section, "thresholds", name)


def _from_cell(record: type[BaseModel], name: str, value: Any) -> Any:
    annotation = record.model_fields[name].annotation
    if annotation == list[Id]:
        return [part for part in str(value).replace(",", "\n").replace(";", "\n").split() if part]
    if get_origin(annotation) is list:
        return [restore_formula(line.strip()) for line in str(value).splitlines() if line.strip()]
    if annotation is bool and isinstance(value, str):
        word = value.strip().casefold()
        return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else value
    group = _choice_group(record, name)
    if group and isinstance(value, str):
        return _lookup(group).get(_normal(value), value)
    if isinstance(value, str):
        return restore_formula(value)
    if isinstance(value, float) and value.is_integer() and annotation is not float:
        value = int(value)  # Excel keeps every number as a float
    if isinstance(value, int | float) and _accepts(annotation, str):
        return str(value)
    if (
        isinstance(value, datetime)
        and _accepts(annotation, date)
        and not _accepts(annotation, datetime)
    ):
        return value.date()
    return value


def _accepts(annotation: Any, kind: type) -> bool:
    """Whether a field's type is ``kind``, alone or in a union (``str | None``)."""
    return annotation is kind or any(_accepts(argument, kind) for argument in get_args(annotation))


def _choices(record: type[BaseModel], name: str) -> tuple[str, ...]:
    annotation = record.model_fields[name].annotation if name in record.model_fields else None
    if get_origin(annotation) is not Literal:  # an optional choice: Literal[…] | None
        annotation = next((a for a in get_args(annotation) if get_origin(a) is Literal), None)
    return get_args(annotation) if annotation is not None else ()


def _choice_group(record: type[BaseModel], name: str) -> str | None:
    """The translation group of a field with fixed values (phase, kind, channel, …)."""
    return name if _choices(record, name) else None


def _field_label(name: str, language: str | None) -> str:
    return t(f"field.{name}", language)


def _normal(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


@cache
def _lookup(group: str) -> dict[str, str]:
    """Label (any language) or key → key, for sheet names, headers and fixed values."""
    prefix = f"{group}."
    table: dict[str, str] = {}
    for language in LANGUAGES:
        for name, text in catalogue(language).items():
            if name.startswith(prefix) and "." not in name[len(prefix) :]:
                key = name[len(prefix) :]
                table[_normal(text)] = key
                table[_normal(key)] = key
    return table
