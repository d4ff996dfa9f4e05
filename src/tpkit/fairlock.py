"""First come, first served in front of a file lock, so that no writer starves.

A file lock alone is a scramble: every waiter polls, and the writer that has just
released it is often the first to take it again, so with eight busy writers one waited
19 s of its 30. Here each waiter first takes a ticket — an empty file named after the
moment it arrived, in ``.NAME.queue/`` beside the workbook — and takes the file lock
only once no earlier ticket is left. The file lock still guards the file (and keeps
writers of an older kit out); the queue only decides the order.

A ticket whose process is gone (a writer killed while waiting or saving) is removed by
the writer behind it, so a kill never blocks the queue: on this machine the ticket names
the process, and a ticket from another machine sharing the folder is dropped once it is
older than any wait may last.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_HOST = hashlib.blake2b(socket.gethostname().encode(), digest_size=3).hexdigest()
_POLL_SECONDS = 0.003  # a save takes milliseconds: check that often whether it is our turn
_held = threading.local()  # queues this thread is first in: a nested lock does not queue


class QueueTimeout(TimeoutError):
    """Our turn did not come before the deadline."""


@contextmanager
def turn(queue: Path, deadline: float, stale_seconds: float) -> Iterator[None]:
    """Wait in ``queue`` until every earlier ticket is gone (or :class:`QueueTimeout`
    at ``deadline``, a ``time.monotonic()``); the ticket goes when the block ends."""
    held: set[Path] = _held.__dict__.setdefault("queues", set())
    if queue in held:
        yield
        return
    ticket = queue / f"{time.time_ns():020d}-{os.getpid()}-{_HOST}-{threading.get_ident()}"
    _take(ticket)
    try:
        _wait(queue, ticket.name, deadline, stale_seconds)
        held.add(queue)
        try:
            yield
        finally:
            held.discard(queue)
    finally:
        ticket.unlink(missing_ok=True)
        with suppress(OSError):  # the last one out leaves no folder behind (others: in use)
            queue.rmdir()


def _take(ticket: Path) -> None:
    """Put the ticket in the queue (whose folder the last writer out may just remove)."""
    for _ in range(100):
        ticket.parent.mkdir(exist_ok=True)
        try:
            ticket.touch()
            return
        except FileNotFoundError:
            continue
    ticket.touch()  # raise what keeps it from being made


def _wait(queue: Path, mine: str, deadline: float, stale_seconds: float) -> None:
    while True:
        try:
            ahead = sorted(name for name in os.listdir(queue) if name < mine)
        except FileNotFoundError:  # the folder went with our ticket in it: cannot be
            _take(queue / mine)
            continue
        ahead = [name for name in ahead if not _remove_if_dead(queue / name, stale_seconds)]
        if not ahead:
            return
        if time.monotonic() > deadline:
            raise QueueTimeout(str(queue))
        time.sleep(_POLL_SECONDS)


def _remove_if_dead(ticket: Path, stale_seconds: float) -> bool:
    """Whether the ticket's writer is gone (the ticket is then removed)."""
    try:
        _, pid, host, _ = ticket.name.split("-")
    except ValueError:
        return _remove(ticket)  # not a ticket of ours: it cannot hold anyone up
    if host == _HOST:
        if _running(int(pid)):
            return False
        return _remove(ticket)
    try:
        old = time.time() - ticket.stat().st_mtime > stale_seconds
    except FileNotFoundError:
        return True
    return _remove(ticket) if old else False


def _remove(ticket: Path) -> bool:
    ticket.unlink(missing_ok=True)
    return True


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie (killed, not yet reaped: it holds
    no lock any more, but still answers to a signal)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): the signal's answer is all there is
    return state != "Z"
