"""The workbook store: YAML files on disk, written atomically and shared safely.

Concurrent edits — *lock, re-read, apply, write*. A change is a small function
("add this touchpoint", "set Anna's rating of the website"). :func:`update` takes
an exclusive lock on a side file (``.NAME.lock``), re-reads the workbook from disk,
applies the change to that fresh copy, and writes it back before releasing the
lock. Two people saving at the same moment from separate kernels or app sessions
therefore each apply their change on top of the other's: nothing is lost, and
the workbook stays one readable file. (The alternative, one file per participant,
would scatter a team's work and still need a lock for the shared parts.)

Crash safety — every write goes to a temporary file in the same folder, is
flushed to disk, then renamed over the workbook, so a reader (or a writer killed
half-way) sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from tpkit.errors import NAME_MAX, LocatedProblem, TpkitError, WorkbookInvalid, path_error
from tpkit.fileformat import decode, dumps, loads, too_large
from tpkit.model import Workbook, integrity_problems, now

LOCK_TIMEOUT_SECONDS = 30.0
_PARSED_KEPT = 16  # workbooks whose last parse is kept (a batch of thousands must not pile up)
_parsed: OrderedDict[Path, tuple[bytes, Workbook]] = OrderedDict()  # path → (hash, workbook)


def lock_path(path: Path) -> Path:
    return path.with_name(f".{_side_stem(path)}.lock")


def _side_stem(path: Path) -> str:
    """The workbook's name in its side files (lock, temporary files): the name itself,
    or, for a name near the file system's limit, its start and a hash of it, so that the
    side file's longer name still fits."""
    if len(path.name.encode()) <= NAME_MAX - 50:
        return path.name
    digest = hashlib.blake2b(path.name.encode(), digest_size=4).hexdigest()
    return f"{path.name.encode()[:150].decode(errors='ignore')}~{digest}"


@contextmanager
def locked(path: str | os.PathLike[str]) -> Any:
    """Hold the workbook's lock: other processes wait until it is released, in the order
    they came (:mod:`tpkit.fairlock`), so no writer waits while others go again and again."""
    from filelock import FileLock, Timeout

    from tpkit.fairlock import QueueTimeout, turn

    path = Path(path)
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    queue = path.with_name(f".{_side_stem(path)}.queue")
    held = ExitStack()  # what to let go of, last taken first
    try:
        held.enter_context(turn(queue, deadline, stale_seconds=LOCK_TIMEOUT_SECONDS + 60))
        lock = FileLock(lock_path(path), timeout=max(deadline - time.monotonic(), 0))
        lock.acquire(poll_interval=0.002)
        held.callback(lock.release)
    except BaseException as error:
        held.close()
        if isinstance(error, Timeout | QueueTimeout):
            raise TpkitError(
                "error.locked", file=str(path), seconds=int(LOCK_TIMEOUT_SECONDS)
            ) from None
        if isinstance(error, PermissionError):
            raise TpkitError(
                "error.path.lock_read_only", file=str(path), folder=str(path.parent)
            ) from None
        if isinstance(error, OSError):
            raise path_error(error, path) from None
        raise
    with held:
        yield


def read(path: str | os.PathLike[str]) -> Workbook:
    """Load and check a workbook file (raises :class:`WorkbookInvalid` with every problem).

    Parsing YAML is the slow part of every save (a lock-and-re-read update reads the
    file each time), so the last parse of each file is kept, keyed by a hash of its
    bytes: the same bytes always give the same workbook, whoever wrote them.
    """
    path = Path(path)
    raw = _read_bytes(path)
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    cached = _parsed.get(path)
    if cached is not None and cached[0] == digest:
        return copy_workbook(cached[1])
    workbook = loads(decode(raw, str(path)), str(path))
    _remember(path, raw, workbook)
    return copy_workbook(workbook)


def copy_workbook(workbook: Workbook) -> Workbook:
    """An independent copy (validating a dump is faster than a deep copy)."""
    return Workbook.model_validate(workbook.model_dump())


def _remember(path: Path, raw: bytes, workbook: Workbook) -> None:
    _parsed[path] = (hashlib.blake2b(raw, digest_size=16).digest(), workbook)
    _parsed.move_to_end(path)
    while len(_parsed) > _PARSED_KEPT:
        _parsed.popitem(last=False)


def save(path: str | os.PathLike[str], workbook: Workbook) -> bool:
    """Write the whole workbook; returns False (and touches nothing) if the file already
    holds the same content. Use :func:`update` when others may edit at the same time."""
    path = Path(path)
    with locked(path):
        if path.exists():
            try:
                current = read(path)
            except WorkbookInvalid:
                current = None  # a broken file is replaced by the valid workbook
            if current is not None and _same_content(current, workbook):
                return False
        _write(path, workbook)
    return True


def update(path: str | os.PathLike[str], change: Callable[[Workbook], object]) -> Workbook:
    """Apply ``change`` to the workbook as it is on disk now, and save the result.

    The change runs under the lock on a freshly read copy; if it leaves the workbook
    invalid (say, a rating of a touchpoint that does not exist) nothing is written.
    """
    path = Path(path)
    with locked(path):
        original = read(path)
        workbook = copy_workbook(original)
        change(workbook)
        if not _same_content(original, workbook):
            _write(path, workbook)
    return workbook


def create(path: str | os.PathLike[str], workbook: Workbook, overwrite: bool = False) -> Path:
    """Write a new workbook file, refusing to replace an existing one unless asked."""
    path = Path(path)
    if path.is_dir():
        raise TpkitError("error.path.is_folder", file=str(path))
    if path.exists() and not overwrite:
        raise TpkitError("error.exists", file=str(path))
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise TpkitError("error.not_yaml_name", file=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise path_error(error, path) from None
    with locked(path):
        _write(path, workbook)
    return path


def _same_content(a: Workbook, b: Workbook) -> bool:
    """Equal apart from the time of the last save."""
    return a.model_copy(update={"meta": a.meta.model_copy(update={"updated": b.meta.updated})}) == b


def _write(path: Path, workbook: Workbook) -> None:
    problems = integrity_problems(workbook)
    if problems:
        raise WorkbookInvalid([LocatedProblem(str(path), None, p) for p in problems])
    workbook.meta.updated = now()
    raw = dumps(workbook).encode("utf-8")
    write_atomic(path, raw)
    _remember(path, raw, copy_workbook(workbook))


def write_atomic(path: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Replace ``path`` with ``data`` all at once: temporary file, fsync, rename.

    ``data`` is the bytes, or a function that writes them to a stream (a Parquet
    writer), so a large file never sits in memory twice.
    """
    if path.is_dir():  # checked first: the rename would fail only after all the work
        raise TpkitError("error.path.is_folder", file=str(path))
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{_side_stem(path)}.{os.getpid()}.", suffix=".tmp"
        )
    except OSError as error:
        raise path_error(error, path) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if callable(data):
                data(stream)
            else:
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename in (temporary, str(path)):
            raise path_error(error, path) from None  # the disk is full, the folder went
        raise
    _fsync_folder(path.parent)
    remove_stale_temporaries(path)


# A temporary file is named ``.NAME.PID.RANDOM.tmp`` by the process writing it. One whose
# writer is gone (killed in the middle of a save) is left over; one without a live writer
# to tell, or of this very process, only once it is older than any save takes.
STALE_TEMPORARY_SECONDS = 15 * 60


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete the temporary files that killed saves of ``path`` left behind; returns them.

    Called after each save of that file, so leftovers never pile up (a killed writer
    cannot clean up after itself)."""
    removed = []
    stem = _side_stem(path)
    for candidate in path.parent.glob(f".{glob.escape(stem)}.*.tmp"):
        if _writer_gone(candidate, stem):
            with suppress(OSError):  # another saver removed it first, or cannot be touched
                candidate.unlink()
                removed.append(candidate)
    return removed


def _writer_gone(temporary: Path, name: str) -> bool:
    writer = temporary.name[len(name) + 2 :].split(".", 1)[0]
    if writer.isdigit() and int(writer) != os.getpid() and not _process_alive(int(writer)):
        return True
    try:
        return time.time() - temporary.stat().st_mtime > STALE_TEMPORARY_SECONDS
    except OSError:
        return False


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _read_bytes(path: Path) -> bytes:
    try:
        refusal = too_large(path.stat().st_size, str(path))
        if refusal:
            raise refusal  # before reading: a huge file costs no memory
        return path.read_bytes()
    except FileNotFoundError:
        raise TpkitError("error.no_such_file", file=str(path)) from None
    except IsADirectoryError:
        raise TpkitError("error.is_a_folder", file=str(path)) from None
    except OSError as error:
        raise TpkitError("error.cannot_read", file=str(path), detail=error.strerror) from None
