"""A report's PDF made in a second process that gets ready while the notebook runs.

A single ``tpkit report`` in a new process spends its first seconds importing pandas
and altair and running the notebook; importing nbconvert and WeasyPrint and setting up
the fonts (about a tenth of the report) need not wait for that. With a second core
free, the printer process loads them meanwhile and then turns the executed notebook
into the PDF. Where that cannot pay (one core, or a process that has made a PDF
before and holds WeasyPrint already, such as a batch worker or a kernel) or the
printer cannot start or dies, the PDF is made in this process as before.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from multiprocessing import get_context
from pathlib import Path
from types import TracebackType
from typing import Any

from tpkit.report.params import ReportParameters


def _serve(connection: Any) -> None:
    """The printer process: load what the PDF needs, then make one PDF. Any failure
    sends back nothing but that it failed: the PDF is then made in the calling process,
    which raises the same error with its own type and message."""
    from tpkit.report.pipeline import _exporter, _fonts

    made = None
    try:
        _exporter()
        _fonts()
        notebook, parameters, folder = connection.recv()
        made = make_pdf(notebook, parameters, Path(folder))
    except Exception:  # the caller makes the PDF itself, and shows the error if any
        pass
    with suppress(OSError):  # the caller may have gone meanwhile
        connection.send(made)
    connection.close()


def make_pdf(notebook: Any, parameters: ReportParameters, folder: Path) -> bytes:
    from tpkit.report.pipeline import to_html, to_pdf

    return to_pdf(to_html(notebook, parameters), folder)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worth_a_printer() -> bool:
    """A second process pays when there is a second core and this process has not
    loaded WeasyPrint yet (loading it here would come after the notebook)."""
    return _cores() > 1 and "weasyprint" not in sys.modules


class Printer:
    """``with Printer(wanted) as printer: … printer.pdf(notebook, parameters, folder)``:
    the process starts at once, if wanted and worth it."""

    def __init__(self, wanted: bool = True) -> None:
        self._process: Any = None
        self._connection: Any = None
        if not (wanted and worth_a_printer()):
            return
        # spawn, as the batch's workers: a fork would copy this process's threads' locks
        context = get_context("spawn")
        self._connection, theirs = context.Pipe()
        try:
            self._process = context.Process(target=_serve, args=(theirs,), daemon=True)
            self._process.start()
        except OSError:  # no process to be had: the PDF is made here
            self.close()
        finally:
            theirs.close()

    @property
    def separate(self) -> bool:
        """True while the PDF is to be made in the printer process."""
        return self._process is not None

    def pdf(self, notebook: Any, parameters: ReportParameters, folder: Path) -> bytes:
        """The executed notebook as a PDF: by the printer if it is there and makes it,
        else here (a printer that died or failed loses nothing but its time)."""
        if self.separate:
            try:
                self._connection.send((notebook, parameters, str(folder)))
                made = self._connection.recv()
            except (OSError, EOFError):  # the printer died (killed, out of memory)
                made = None
            finally:
                self.close()
            if made is not None:
                return made
        return make_pdf(notebook, parameters, folder)

    def close(self) -> None:
        """Stop the printer, at once if it is still getting ready (the notebook failed)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> Printer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
