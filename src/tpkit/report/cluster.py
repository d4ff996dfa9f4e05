"""Batches on a Dask cluster: ``tpkit report --batch … --dask ADDRESS``.

A ``distributed.Client`` is one more executor for :func:`tpkit.report.batch.run_batch`
(``submit`` → futures). This module opens it: a ``LocalCluster`` on this machine for
``--dask local`` (one single-threaded worker process per ``--workers``), or the
scheduler at ``ADDRESS``. Every worker, including one that joins later, is warmed once
by a worker plugin, as the process pool's initializer does.

The workers read the workbooks and write the reports themselves, at the absolute paths
the batch gives them: on a real cluster the workbooks and the output folder must be in
a folder every worker sees at the same path (a shared or network folder), and every
worker needs tpkit installed (``pip install tpkit[dask]``). Importing this module needs
``distributed``; :func:`tpkit.report.batch.dask_client` turns its absence into one line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import distributed

from tpkit.errors import TpkitError
from tpkit.report.batch import warm_up

LOCAL = "local"
CONNECT_TIMEOUT_SECONDS = 10


class WarmUp(distributed.WorkerPlugin):
    """Pay the imports once per worker, before its first report."""

    name = "tpkit-warm-up"

    def setup(self, worker: Any) -> None:
        warm_up()


@contextmanager
def client(address: str, workers: int) -> Iterator[distributed.Client]:
    """A client on a fresh LocalCluster (``local``) or on the scheduler at ``address``,
    warmed up; closed (with its cluster) at the end."""
    with ExitStack() as stack:
        if address == LOCAL:
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=max(1, workers),
                    # one report at a time per process: the in-process engine's shell,
                    # standard output and garbage collector are the process's own
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            address = cluster.scheduler_address
        try:
            dask = stack.enter_context(distributed.Client(address, timeout=CONNECT_TIMEOUT_SECONDS))
        except (OSError, ValueError, TypeError) as error:
            raise TpkitError(
                "error.report_dask_unreachable", address=address, detail=error
            ) from None
        dask.register_plugin(WarmUp())
        yield dask
