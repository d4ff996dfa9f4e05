"""Many reports at once: a pool of warm workers, a progress bar, and a summary.

Workers import pandas, altair, nbconvert and WeasyPrint once and run each report with
the in-process papermill engine (see :mod:`tpkit.report.engine`), so a report costs its
own work, not a kernel start. One failure does not stop the others: every workbook
ends as an :class:`Outcome`, even when a worker dies. Any executor with
``submit(fn, *args)`` returning futures can run the jobs: the default process pool, or
a ``distributed.Client`` (:func:`dask_client`, ``tpkit report --batch --dask``) to spread
thousands of reports over a cluster. Jobs carry absolute paths, so a worker with another
working folder (or on another machine, through a shared folder) finds the same files.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tpkit.errors import TpkitError
from tpkit.report.params import ReportParameters


@dataclass(frozen=True)
class Outcome:
    workbook: str
    output: str = ""
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


def warm_up() -> None:
    """Run once per worker: register the engine and pay every import before the first job."""
    from tpkit.report.engine import register

    register()
    import nbconvert  # noqa: F401
    import weasyprint  # noqa: F401

    import tpkit.report.document
    import tpkit.report.sections  # noqa: F401


# The in-process engine runs cells in the process's one IPython shell and captures the
# process's standard output: a worker with several threads (Dask's default on a cluster
# started by hand) makes its reports one after the other.
_ONE_REPORT_AT_A_TIME = threading.Lock()


def build_one(parameters: ReportParameters, output: str, fmt: str) -> Outcome:
    """One job: never raises for a user's mistake, so the batch goes on."""
    from tpkit.report.engine import NAME, register
    from tpkit.report.pipeline import build

    register()
    error = ""
    with _ONE_REPORT_AT_A_TIME:
        start = time.perf_counter()
        try:
            build(parameters, Path(output), fmt, engine=NAME)
        except TpkitError as failure:
            error = failure.message()
        except Exception as failure:  # a bug of ours in one report must not end the batch
            error = f"{type(failure).__name__}: {failure}"
        seconds = time.perf_counter() - start
    _freeze_once()
    return Outcome(parameters.workbook, "" if error else output, error, seconds)


@cache
def _freeze_once() -> None:
    """After a worker's first report, what it loads lazily (templates, fonts, the chart
    renderer) stays for good: collect once, then freeze it all out of the garbage
    collector's sight, so its passes during later reports no longer walk through all
    that pandas, altair and WeasyPrint hold (a tenth of a report's time)."""
    gc.collect()
    gc.freeze()


def output_names(workbooks: Sequence[str], out_dir: Path, fmt: str) -> list[Path]:
    """One file per workbook, named after it; equal names get a number."""
    seen: dict[str, int] = {}
    names = []
    for workbook in workbooks:
        stem = Path(workbook).stem
        seen[stem] = seen.get(stem, 0) + 1
        suffix = f"-{seen[stem]}" if seen[stem] > 1 else ""
        names.append(out_dir / f"{stem}{suffix}.{fmt}")
    return names


def run_batch(
    workbooks: Sequence[str],
    out_dir: Path,
    template: ReportParameters,
    fmt: str = "pdf",
    workers: int = 2,
    executor: Any = None,
    progress: bool = True,
) -> list[Outcome]:
    """Build a report for every workbook with the template's other parameters; the
    outcomes come back in the workbooks' order, under the names given."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if template.logo:
        template = replace(template, logo=str(Path(template.logo).resolve()))
    jobs = [
        (replace(template, workbook=str(Path(workbook).resolve())), str(output), fmt)
        for workbook, output in zip(workbooks, output_names(workbooks, out_dir, fmt), strict=True)
    ]
    own = executor is None
    if own:
        # spawn, not fork: forking a process that runs threads (ZMQ, kernels, progress
        # bars) can copy a held lock into the child, which then waits forever
        executor = ProcessPoolExecutor(
            max_workers=max(1, workers), initializer=warm_up, mp_context=get_context("spawn")
        )
    try:
        futures = {executor.submit(build_one, *job): index for index, job in enumerate(jobs)}
        outcomes = dict(_collect(futures, workbooks, progress))
    finally:
        if own:
            executor.shutdown()
    return [outcomes[index] for index in range(len(jobs))]


def _collect(
    futures: dict[Any, int], workbooks: Sequence[str], progress: bool
) -> Iterator[tuple[int, Outcome]]:
    """Each job's outcome as it finishes, under the workbook's name as given; a job whose
    worker died (out of memory, killed) is a failure of that workbook, not of the batch."""
    from tqdm import tqdm

    with tqdm(total=len(futures), disable=not progress, unit="report") as bar:
        for future in _completed(list(futures)):
            index = futures[future]
            try:
                outcome = replace(future.result(), workbook=workbooks[index])
            except Exception as failure:
                outcome = Outcome(workbooks[index], error=f"{type(failure).__name__}: {failure}")
            bar.update(1)
            if progress and not outcome.ok:  # as it happens; the caller lists them all
                bar.write(f"✗ {outcome.workbook}: {outcome.error}")
            yield index, outcome


def _completed(futures: list[Any]) -> Iterable[Any]:
    """Futures as they finish: concurrent.futures' own, or Dask's, or in order."""
    if all(isinstance(future, Future) for future in futures):
        return futures_completed(futures)
    try:
        from distributed import as_completed as dask_completed
    except ImportError:
        return futures
    return dask_completed(futures)


def dask_client(address: str, workers: int) -> AbstractContextManager[Any]:
    """A Dask client for ``run_batch(executor=…)``: ``"local"`` starts a LocalCluster of
    ``workers`` processes here; anything else is a scheduler's address. Without the
    optional ``distributed`` package, one line says how to install it."""
    try:
        from tpkit.report.cluster import client
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] not in {"distributed", "dask"}:
            raise
        raise TpkitError("error.report_dask_missing") from None
    return client(address, workers)
