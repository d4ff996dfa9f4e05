"""Errors a user can cause and fix. They carry a message key, not text, so they print
in the user's language; the CLI shows them as one line each, never as a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tpkit.i18n import t
from tpkit.model import Path, Problem


class TpkitError(Exception):
    """A mistake in the user's input, files or command line."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self, language: str | None = None) -> str:
        return t(self.key, language, **self.values)

    def __str__(self) -> str:
        return self.message()


def format_path(path: Path) -> str:
    """('touchpoints', 3, 'phase') → 'touchpoints[3].phase'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


SHOWN_CHARACTERS = 60  # of a user's value in a message: enough to recognise it


class _Shortened(str):
    """The start of a long value's repr, printed as it is by ``{value!r}``."""

    def __repr__(self) -> str:
        return str(self)


def _display(name: str, value: Any) -> Any:
    """Lists of choices read as 'a, b, c'; a user's own value keeps its shape, cut short
    when long (a whole paragraph, or a list of thousands, helps nobody find the line)."""
    if name == "allowed" and isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if name != "value":
        return value
    if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
        return value[:SHOWN_CHARACTERS] + "…"
    if isinstance(value, list | tuple | dict):
        shown = repr(value)
        if len(shown) > SHOWN_CHARACTERS:
            return _Shortened(shown[:SHOWN_CHARACTERS] + "…")
    return value


def problem_text(problem: Problem, language: str | None = None) -> str:
    """What is wrong, without where: for a message shown next to a form field."""
    values = {k: _display(k, v) for k, v in problem.values.items()}
    return t(problem.key, language, **values)


@dataclass(frozen=True)
class LocatedProblem:
    """A problem pinned to a file and a line (YAML) or a sheet and cell (Excel), ready to print."""

    source: str
    line: int | None
    problem: Problem
    sheet: str | None = None
    cell: str | None = None

    def message(self, language: str | None = None) -> str:
        detail = problem_text(self.problem, language)
        if self.problem.path:
            detail = f"{format_path(self.problem.path)} {detail}"
        where = {"language": language, "file": self.source, "problem": detail}
        if self.sheet is not None:
            return t("error.at_cell", sheet=self.sheet, cell=self.cell or "", **where)
        if self.line is None:
            return t("error.at_file", **where)
        return t("error.at_line", line=self.line, **where)


class WorkbookInvalid(TpkitError):
    """A workbook file that cannot be used as it is; lists every problem found."""

    def __init__(self, problems: list[LocatedProblem]) -> None:
        super().__init__("error.invalid_workbook")
        self.problems = problems

    def message(self, language: str | None = None) -> str:
        return "\n".join(problem.message(language) for problem in self.problems)
