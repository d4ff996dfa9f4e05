"""A workbook open for editing in a notebook or the app: every change is saved at once.

The session holds no widgets; forms call :meth:`WorkbookSession.apply` with a small
change function and listen for the result. Each change goes through the store's
lock-and-re-read update, so another kernel's edits are never overwritten and a
kernel restart or a browser reload finds everything on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from tpkit.errors import TpkitError
from tpkit.model import Workbook
from tpkit.store import read, update, write_atomic

_SESSION_FILE = ".tpkit-session.yaml"
DEMO_WORKBOOK = "demo.yaml"


@dataclass(frozen=True)
class SaveResult:
    """What became of a change: saved, or refused with a message for the user."""

    saved: bool
    message: str = ""


class WorkbookSession:
    def __init__(self, path: str | os.PathLike[str], language: str | None = None) -> None:
        self.path = Path(path)
        self.workbook = read(self.path)
        self.language = language or self.workbook.meta.language
        self._change_listeners: list[Callable[[Workbook], None]] = []
        self._save_listeners: list[Callable[[SaveResult], None]] = []

    def on_change(self, listener: Callable[[Workbook], None]) -> None:
        """Call ``listener(workbook)`` after every saved change and every reload."""
        self._change_listeners.append(listener)

    def on_save(self, listener: Callable[[SaveResult], None]) -> None:
        """Call ``listener(result)`` after every attempt to save (a status line listens)."""
        self._save_listeners.append(listener)

    def apply(self, change: Callable[[Workbook], object]) -> SaveResult:
        """Apply ``change`` to the workbook as it is on disk and save it."""
        try:
            self.workbook = update(self.path, change)
        except TpkitError as error:
            result = SaveResult(False, error.message(self.language))
        else:
            result = SaveResult(True)
        for listener in self._save_listeners:
            listener(result)
        if result.saved:
            self._changed()
        return result

    def reload(self) -> None:
        """Read the file again, to see what other participants saved meanwhile."""
        self.workbook = read(self.path)
        self._changed()

    def _changed(self) -> None:
        for listener in self._change_listeners:
            listener(self.workbook)


def workbook_folder() -> Path:
    """Where teams' workbooks live: $TPKIT_WORKBOOK_DIR, else the ``workbook/`` folder
    of the project around the current directory, else ``./workbook``."""
    configured = os.environ.get("TPKIT_WORKBOOK_DIR")
    if configured:
        return Path(configured)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "workbook").is_dir():
            return folder / "workbook"
    return here / "workbook"


def remember(path: Path, language: str) -> None:
    """Note the workbook chosen in notebook 00, so the next notebooks open it."""
    folder = workbook_folder()
    folder.mkdir(parents=True, exist_ok=True)
    record = {"workbook": str(Path(path).resolve()), "language": language}
    write_atomic(folder / _SESSION_FILE, yaml.safe_dump(record, allow_unicode=True).encode())


def recall() -> tuple[Path, str] | None:
    """The workbook and language chosen last, if that workbook still exists."""
    try:
        record = yaml.safe_load((workbook_folder() / _SESSION_FILE).read_text(encoding="utf-8"))
        path = Path(record["workbook"])
        return (path, str(record["language"])) if path.is_file() else None
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def open_session(workbook: str = "", language: str = "") -> WorkbookSession:
    """The session a notebook works on: the given workbook, else the one chosen in
    notebook 00, else a demo copy of the Shawna sample (created on first use).

    Its language: the notebook's parameter, else the one asked for on this run
    (``tpkit lab --lang``, TPKIT_LANG), else the one chosen in notebook 00, else the
    workbook's."""
    from tpkit.i18n import requested_language
    from tpkit.samples import from_sample
    from tpkit.store import create

    language = language or requested_language() or ""
    if workbook:
        return WorkbookSession(workbook, language or None)
    remembered = recall()
    if remembered:
        path, chosen_language = remembered
        return WorkbookSession(path, language or chosen_language)
    demo = workbook_folder() / DEMO_WORKBOOK
    if not demo.exists():
        create(demo, from_sample("shawna", language or None))
    return WorkbookSession(demo, language or None)
