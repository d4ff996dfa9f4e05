"""Which touchpoint and which measure each question column of an export answers.

Two ways in: a mapping file the user wrote or confirmed (``--mapping``, or the
mapping form of the navigator notebook), and a proposal read from the question
headers — a touchpoint's name or alias in the header names the touchpoint, words
such as "recommend" / "consiglieresti" / "weiterempfehlen" name the measure. A
column with a measure but no touchpoint answers about the touchpoint of the
response's link when the export carries one, else about the firm as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from tpkit.errors import TpkitError
from tpkit.model import Workbook
from tpkit.survey.export import Column, Export
from tpkit.survey.measures import MEASURES, PERSONAL, normalise_label

ROW_TOUCHPOINT = "*"  # the answer is about the touchpoint named by the response's link
WHOLE_FIRM = ""  # the answer is about the firm, not one touchpoint


@dataclass(frozen=True)
class Target:
    """What one column answers: a measure, about a touchpoint."""

    measure: str
    touchpoint: str  # a touchpoint id, ROW_TOUCHPOINT or WHOLE_FIRM

    @property
    def name(self) -> str:
        """The stored column's name: ``csat@invoice``, ``nps@*``, ``nps@``."""
        return f"{self.measure}@{self.touchpoint}"


Mapping = dict[int, Target]  # column index of the export → target


@cache
def _measure_words() -> list[tuple[str, frozenset[str]]]:
    text = files("tpkit").joinpath("data", "scales.yaml").read_text(encoding="utf-8")
    questions = yaml.safe_load(text)["questions"]
    return [(m, frozenset(normalise_label(w) for w in words)) for m, words in questions.items()]


def measure_in(header: str) -> str | None:
    """The measure a question header asks about, from its words; None if none is named."""
    text = f" {normalise_label(header)} "
    return next(
        (measure for measure, keys in _measure_words() if any(f" {k} " in text for k in keys)),
        None,
    )


def _names_of(workbook: Workbook) -> list[tuple[str, str]]:
    """(normalised name or alias, touchpoint id), longest first so 'online invoice'
    wins over 'invoice'."""
    pairs = [
        (normalise_label(text), tp.id)
        for tp in workbook.touchpoints
        for text in (tp.name, tp.id.replace("-", " ").replace("_", " "), *tp.aliases)
        if normalise_label(text)
    ]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def touchpoint_in(header: str, workbook: Workbook) -> str | None:
    """The touchpoint whose name or alias appears in a header as whole words."""
    text = f" {normalise_label(header)} "
    return next((tp for name, tp in _names_of(workbook) if f" {name} " in text), None)


def propose(export: Export, workbook: Workbook) -> Mapping:
    """The mapping read from the headers; the user confirms or corrects it."""
    has_link = export.index_of("touchpoint") is not None
    mapping: Mapping = {}
    for index, column in enumerate(export.columns):
        if column.role != "question":
            continue
        measure = measure_in(column.header) or (column.code and measure_in(column.code))
        if not measure:
            continue
        touchpoint = touchpoint_in(column.header, workbook)
        mapping[index] = Target(measure, touchpoint or (ROW_TOUCHPOINT if has_link else WHOLE_FIRM))
    return mapping


IGNORE = "ignore"


def read_mapping_file(path: Path, export: Export, workbook: Workbook) -> Mapping:
    """A mapping file: column header (or question code) → ``{measure, touchpoint}`` or
    ``ignore``. Columns it does not name are proposed from their headers."""
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise TpkitError("survey.mapping.missing", file=str(path)) from None
    except OSError as error:  # a folder, no permission
        detail = error.strerror or str(error)
        raise TpkitError("survey.mapping.unreadable", file=str(path), detail=detail) from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise TpkitError("survey.mapping.unreadable", file=str(path), detail=str(error)) from None
    entries = tree.get("columns") if isinstance(tree, dict) else None
    if not isinstance(entries, dict):
        raise TpkitError("survey.mapping.no_columns", file=str(path))
    mapping = propose(export, workbook)
    for header, entry in entries.items():
        index = _column_named(str(header), export.columns)
        if index is None:
            raise TpkitError("survey.mapping.unknown_column", file=str(path), column=header)
        if entry == IGNORE:
            mapping.pop(index, None)
            continue
        mapping[index] = _target(entry, path, str(header), workbook)
    return mapping


def _column_named(name: str, columns: list[Column]) -> int | None:
    wanted = name.strip()
    for index, column in enumerate(columns):
        if wanted in (column.header.strip(), column.code.strip()):
            return index
    return None


def _target(entry: object, path: Path, header: str, workbook: Workbook) -> Target:
    if not isinstance(entry, dict) or entry.get("measure") not in MEASURES:
        raise TpkitError(
            "survey.mapping.bad_measure",
            file=str(path),
            column=header,
            allowed=", ".join(MEASURES),
        )
    touchpoint = str(entry.get("touchpoint") or WHOLE_FIRM)
    known = {tp.id for tp in workbook.touchpoints} | {ROW_TOUCHPOINT, WHOLE_FIRM}
    if touchpoint not in known:
        raise TpkitError(
            "survey.mapping.unknown_touchpoint", file=str(path), column=header, value=touchpoint
        )
    return Target(str(entry["measure"]), touchpoint)


def mapping_file_text(mapping: Mapping, export: Export) -> str:
    """A mapping as a file the user can keep, edit and pass to ``--mapping``: every
    question column appears, unmapped ones as ``ignore``."""
    columns: dict[str, object] = {}
    for index, column in enumerate(export.columns):
        if column.role != "question":
            continue
        target = mapping.get(index)
        columns[column.code or column.header] = (
            {"measure": target.measure, "touchpoint": target.touchpoint} if target else IGNORE
        )
    return yaml.safe_dump({"columns": columns}, allow_unicode=True, sort_keys=False)


def personal_columns(export: Export) -> list[int]:
    """Columns holding personal data: left out of the store unless the user asks."""
    return [i for i, c in enumerate(export.columns) if c.role in PERSONAL]
