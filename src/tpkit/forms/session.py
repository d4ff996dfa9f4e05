"""A workbook open for editing in a notebook or the app: every change is saved.

The session holds no widgets; forms call :meth:`WorkbookSession.apply` with a small
change function and listen for the result. Each change goes through the store's
lock-and-re-read update, so another kernel's edits are never overwritten and a
kernel restart or a browser reload finds everything on disk.

Typing is saved as it happens, without a file write per keystroke: a form hands each
field's latest change to :meth:`WorkbookSession.later`, which saves all waiting
changes together once typing pauses for :data:`SAVE_DELAY` seconds, and never later
than :data:`SAVE_MAX_WAIT` seconds after the first unsaved keystroke. The wait runs on
the kernel's event loop (the thread the widgets live on, so a save never interleaves
with a keystroke); waiting changes are saved when the kernel shuts down (a restart,
Voila closing a page's kernel). Without a running event loop (a script, a headless
test) a change is saved at once.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path

import yaml

from tpkit.errors import TpkitError
from tpkit.model import Workbook
from tpkit.store import read, update, write_atomic

_SESSION_FILE = ".tpkit-session.yaml"
DEMO_WORKBOOK = "demo.yaml"
WATCH_SECONDS = 1.0  # how often an open page looks whether someone else saved
_log = logging.getLogger(__name__)


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is replaced: a save renames a new file over it."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


SAVE_DELAY = 0.5  # seconds of quiet after a keystroke before the file is written
SAVE_MAX_WAIT = 1.0  # the longest a typed change waits, however fast someone types
_open_sessions: weakref.WeakSet[WorkbookSession] = weakref.WeakSet()


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
        self._lock = threading.RLock()  # the watcher's reloads wait for a save, and back
        self._seen = _signature(self.path)
        self._watching = False
        # key → (change, what to tell its field afterwards, when it first waited)
        self._waiting: dict[Hashable, tuple[Change, Done | None, float]] = {}
        self._timer: asyncio.TimerHandle | None = None
        _open_sessions.add(self)

    def on_change(self, listener: Callable[[Workbook], None]) -> None:
        """Call ``listener(workbook)`` after every saved change and every reload."""
        self._change_listeners.append(listener)

    def on_save(self, listener: Callable[[SaveResult], None]) -> None:
        """Call ``listener(result)`` after every attempt to save (a status line listens)."""
        self._save_listeners.append(listener)

    def apply(self, change: Change) -> SaveResult:
        """Apply ``change`` to the workbook as it is on disk and save it."""
        with self._lock:
            try:
                self.workbook = update(self.path, change)
            except TpkitError as error:
                result = SaveResult(False, error.message(self.language))
            else:
                result = SaveResult(True)
            self._seen = _signature(self.path)
            for listener in self._save_listeners:
                listener(result)
            if result.saved:
                self._changed()
            return result

    def reload(self) -> bool:
        """Read the file again, to see what other participants saved meanwhile; the
        views redraw only if it holds something new (True)."""
        with self._lock:
            self._seen = _signature(self.path)
            fresh = read(self.path)
            if fresh == self.workbook:
                return False
            self.workbook = fresh
            self._changed()
            return True

    def check_file(self) -> bool:
        """Reload if the file was saved by someone else since this session last saw it.

        A file broken by a hand edit is left alone (the views keep the last good state;
        ``tpkit validate`` names the problem) until it is saved again."""
        seen = _signature(self.path)
        if seen is None or seen == self._seen:
            return False
        try:
            return self.reload()
        except TpkitError:
            self._seen = seen
            return False

    def watch(self, seconds: float = WATCH_SECONDS) -> None:
        """Show other participants' saves within ``seconds``, without a button: a
        background thread looks at the file and, when it was replaced, has it read again.

        In a kernel the reload and the redraw run on the kernel's event loop, the thread
        that handles the browser's keystrokes: a redraw running beside a keystroke would
        have the form take the keystroke for its own redraw and drop it. The thread ends
        with the session (or :meth:`close`)."""
        if self._watching:
            return
        self._watching = True
        session = weakref.ref(self)
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # a script: nothing else touches the views meanwhile
            loop = None

        pending = threading.Event()  # a reload handed to the loop and not run yet

        def check(current: WorkbookSession) -> None:
            pending.clear()
            try:
                current.check_file()
            except Exception:  # a view's redraw failed: keep watching for the next save
                _log.exception("redrawing after %s changed", current.path)

        def hand_over(current: WorkbookSession) -> bool:
            """Have a replaced file read again; False once the kernel's loop has closed."""
            if pending.is_set() or _signature(current.path) == current._seen:
                return True
            if loop is None:
                check(current)
                return True
            pending.set()  # a busy loop (a long cell) gets one reload, not one a second
            try:
                loop.call_soon_threadsafe(check, current)
            except RuntimeError:  # the loop has closed: the kernel is shutting down
                return False
            return True

        def look() -> None:
            while True:
                time.sleep(seconds)
                current = session()  # held only for this look: the session can end
                if current is None or not current._watching or not hand_over(current):
                    return
                del current

        threading.Thread(target=look, name=f"tpkit-watch-{self.path.name}", daemon=True).start()

    def close(self) -> None:
        """Stop watching the file (a page that opens another workbook or language)."""
        self._watching = False

    def later(self, key: Hashable, change: Change, done: Done | None = None) -> None:
        """Save ``change`` once typing pauses; a newer change with the same ``key`` (the
        same field of the same record) replaces it. ``done(result)`` is called after."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            result = self.apply(change)
            if done is not None:
                done(result)
            return
        now = time.monotonic()
        first = self._waiting[key][2] if key in self._waiting else now
        self._waiting.pop(key, None)  # re-inserted last: changes are applied in typing order
        self._waiting[key] = (change, done, first)
        if self._timer is not None:
            self._timer.cancel()
        oldest = min(item[2] for item in self._waiting.values())
        wait = max(0.0, min(SAVE_DELAY, oldest + SAVE_MAX_WAIT - now))
        self._timer = loop.call_later(wait, self.flush)

    def waiting(self, key: Hashable) -> bool:
        """Whether a change with this key is typed but not saved yet (a refresh leaves
        its field alone)."""
        return key in self._waiting

    def flush(self) -> None:
        """Save every waiting change now, in one write (each alone if that one fails)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = list(self._waiting.values()), {}
        if not waiting:
            return

        def all_of_them(workbook: Workbook) -> None:
            for change, _, _ in waiting:
                change(workbook)

        result = self.apply(all_of_them)
        for change, done, _ in waiting:
            # alone, the refused change says why and the others are saved
            one = self.apply(change) if not result.saved and len(waiting) > 1 else result
            if done is not None:
                done(one)

    def _changed(self) -> None:
        for listener in self._change_listeners:
            listener(self.workbook)


Change = Callable[[Workbook], object]
Done = Callable[[SaveResult], None]


@atexit.register
def _flush_all() -> None:
    """A kernel shutting down (restart, a closed app page) saves what is still waiting."""
    for session in list(_open_sessions):
        session.flush()


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
        session = WorkbookSession(workbook, language or None)
    elif remembered := recall():
        path, chosen_language = remembered
        session = WorkbookSession(path, language or chosen_language)
    else:
        demo = workbook_folder() / DEMO_WORKBOOK
        if not demo.exists():
            create(demo, from_sample("shawna", language or None))
        session = WorkbookSession(demo, language or None)
    session.watch()  # what other participants save shows up in this notebook too
    return session
