"""A papermill engine that runs a notebook inside the current process (the default of
``tpkit report``; ``--kernel`` uses a fresh Jupyter kernel instead).

A fresh kernel costs seconds per report (start-up plus importing pandas, altair and
WeasyPrint). Batch workers register this engine, import once, and run each report's
cells in a namespace that is emptied before the next report, so nothing one report
defines is seen by the next. Papermill still injects the parameters and records the
run, and errors surface as they would from a kernel.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import nbformat
from papermill.engines import Engine, papermill_engines

NAME = "tpkit-in-process"


class InProcessEngine(Engine):
    @classmethod
    def execute_managed_notebook(
        cls, nb_man: Any, kernel_name: str, execution_timeout: int | None = None, **kwargs: Any
    ) -> None:
        from IPython.core.interactiveshell import InteractiveShell

        host_main = sys.modules.get("__main__")  # IPython swaps in its own __main__
        try:
            # no output cache (Out[…]): cells run silently, and flushing the cache makes
            # every reset a full garbage collection
            shell = InteractiveShell.instance(cache_size=0)
            shell.reset(new_session=False)  # the previous report's names are gone
            cls._run_cells(shell, nb_man, execution_timeout)
        finally:
            if host_main is not None:
                sys.modules["__main__"] = host_main

    @classmethod
    def _run_cells(cls, shell: Any, nb_man: Any, execution_timeout: int | None) -> None:
        from IPython.utils.capture import capture_output

        for index, cell in enumerate(nb_man.nb.cells):
            if cell.cell_type != "code":
                continue
            nb_man.cell_start(cell, index)
            with capture_output() as captured, _time_limit(execution_timeout):
                result = shell.run_cell(cell.source, store_history=False, silent=True)
            cell.outputs = _outputs(captured)
            failure = result.error_before_exec or result.error_in_exec
            if failure is not None:
                cell.outputs.append(
                    nbformat.v4.new_output(
                        "error",
                        ename=type(failure).__name__,
                        evalue=str(failure),
                        traceback=[f"{type(failure).__name__}: {failure}"],
                    )
                )
                nb_man.cell_exception(cell, index, exception=failure)
                nb_man.cell_complete(cell, index)
                return
            nb_man.cell_complete(cell, index)


class CellTimeout(Exception):
    """A cell ran longer than the execution timeout."""


@contextmanager
def _time_limit(seconds: int | None) -> Iterator[None]:
    """Interrupt a cell after ``seconds``: by a signal in the main thread, by an
    exception sent into the thread otherwise (a Dask worker runs reports in threads)."""
    if not seconds:
        yield
    elif threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _thread_alarm(seconds):
            yield


@contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def interrupt(signum: int, frame: Any) -> None:
        raise CellTimeout(f"{seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _thread_alarm(seconds: int) -> Iterator[None]:
    """CellTimeout raised in this thread at its next Python step after ``seconds`` (a
    cell stuck inside one long C call stops when that call returns)."""
    thread_id = ctypes.c_ulong(threading.get_ident())
    lock, state = threading.Lock(), {"done": False, "fired": False}

    def interrupt() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread_id, ctypes.py_object(CellTimeout))

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except CellTimeout:
        raise CellTimeout(f"{seconds} s") from None
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # raised in the cell (its error), or still pending: then
                # the cell finished just in time, and nothing may arrive after it
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread_id, None)


def _outputs(captured: Any) -> list[Any]:
    outputs = []
    if captured.stdout:
        outputs.append(nbformat.v4.new_output("stream", name="stdout", text=captured.stdout))
    for shown in captured.outputs:
        outputs.append(
            nbformat.v4.new_output("display_data", data=shown.data, metadata=shown.metadata or {})
        )
    return outputs


def register() -> str:
    papermill_engines.register(NAME, InProcessEngine)
    return NAME
