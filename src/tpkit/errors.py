"""Errors a user can cause and fix. They carry a message key, not text, so they print
in the user's language; the CLI shows them as one line each, never as a traceback."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path as FilePath
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


NAME_MAX = 255  # characters of one file or folder name on common file systems


def path_error(error: OSError, path: str | os.PathLike[str] | None = None) -> TpkitError:
    """An operating system's refusal to read or write a path, as one line that says the
    path, the problem and the fix (a folder given as the output, a file where a folder
    should be, a read-only folder, a name too long) rather than an internal error."""
    file = FilePath(os.fspath(path if path is not None else error.filename or ""))
    shown = str(file)
    if error.errno == errno.ENAMETOOLONG:
        length = max((len(part) for part in file.parts), default=0)
        return TpkitError("error.path.too_long", file=shown, length=length, limit=NAME_MAX)
    blocking = next(
        (p for p in file.parents if p.is_file() or (p.is_symlink() and not p.exists())), None
    )
    if blocking is not None and error.errno in (errno.ENOTDIR, errno.EEXIST, errno.ENOENT):
        return TpkitError("error.path.not_a_folder", file=shown, parent=str(blocking))
    if isinstance(error, IsADirectoryError) or file.is_dir():
        return TpkitError("error.path.is_folder", file=shown)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        folder = file if file.is_dir() else file.parent
        return TpkitError("error.path.read_only", file=shown, folder=str(folder))
    if error.errno == errno.ENOENT:
        return TpkitError("error.path.missing", file=shown, folder=str(file.parent))
    return TpkitError("error.path.other", file=shown, detail=error.strerror or str(error))


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
