"""Report figures: one report against the hand pipeline, and a batch of 100 with the
process pool and on a Dask LocalCluster, side by side.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/reports.py [--batch N]``).
Targets from the reports issue: ``tpkit report`` at most 0.6× the wall time of the
hand pipeline (papermill CLI, then ``jupyter nbconvert --to html --no-input``, then the
``weasyprint`` CLI, as separate processes); a batch of 100 workbooks with 2 workers at
1 report per second or more (the hardening issue asks 2); the peak memory of a worker;
and the ceiling WeasyPrint sets: how many reports/s the cores would give if making the
PDF were the only work.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "src"))  # this tree's tpkit, whichever venv runs the script
from foundation import print_figures  # noqa: E402  (the same layout as the other figures)

SAMPLE = ROOT / "data" / "samples" / "shawna.yaml"


def _seconds(commands: list[list[str]], cwd: Path) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def one_report(folder: Path, runs: int = 5) -> dict[str, str]:
    hand = [
        [
            str(BIN / "papermill"),
            str(NOTEBOOK),
            "out.ipynb",
            "-p",
            "workbook",
            str(SAMPLE),
            "-k",
            "python3",
            "--no-progress-bar",
        ],
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", "out.ipynb"],
        [str(BIN / "weasyprint"), "out.html", "hand.pdf"],
    ]
    ours = [[str(BIN / "tpkit"), "report", str(SAMPLE), "-o", "tpkit.pdf"]]
    ours_kernel = [[*ours[0], "--kernel"]]
    timings: dict[str, list[float]] = {"hand": [], "tpkit": [], "kernel": []}
    for _ in range(runs):  # side by side, interleaved, so both see the same machine
        timings["hand"].append(_seconds(hand, folder))
        timings["tpkit"].append(_seconds(ours, folder))
        timings["kernel"].append(_seconds(ours_kernel, folder))
    hand_s, ours_s, kernel_s = (statistics.median(timings[k]) for k in ("hand", "tpkit", "kernel"))
    return {
        "hand pipeline (papermill → nbconvert → weasyprint CLIs)": f"{hand_s:.1f} s",
        "tpkit report": f"{ours_s:.1f} s = {ours_s / hand_s:.2f}× the hand pipeline",
        "tpkit report --kernel (fresh Jupyter kernel)": (
            f"{kernel_s:.1f} s = {kernel_s / hand_s:.2f}× the hand pipeline"
        ),
    }


def generated_workbooks(folder: Path, count: int) -> list[str]:
    """Member firms: the Shawna sample with other names and other scores."""
    from tpkit.store import create, read

    base = read(SAMPLE)
    rng = random.Random(2026)
    paths = []
    for index in range(count):
        workbook = base.model_copy(deep=True)
        workbook.meta.team = f"Member firm {index + 1:04d}"
        for rating in workbook.ratings:
            rating.contact_quality = rng.randint(1, 5)
            rating.process_quality = rng.randint(1, 5)
        paths.append(str(create(folder / f"member-{index + 1:04d}.yaml", workbook)))
    return paths


def batch(folder: Path, count: int, workers: int = 2) -> dict[str, str]:
    """The batch's throughput, and how busy the cores were: other work on the machine
    shows as CPU use well under ``workers`` × 100 %, and then reports/s understates."""
    from tpkit.report.batch import run_batch
    from tpkit.report.params import ReportParameters

    workbooks = generated_workbooks(folder, count)
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    outcomes = run_batch(
        workbooks, folder / "out", ReportParameters(workbook=""), workers=workers, progress=False
    )
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ok = sum(outcome.ok for outcome in outcomes)
    return {
        f"batch of {count} with {workers} workers": (
            f"{seconds:.1f} s, {ok / seconds:.2f} reports/s ({ok} ok, {count - ok} failed)"
        ),
        "CPU of the batch (workers and parent)": (
            f"{cpu:.0f} s = {cpu / count:.2f} s a report, {100 * cpu / seconds:.0f} % "
            f"busy (of {100 * workers} % possible)"
        ),
        "peak memory of a worker": f"{peak_mib:.0f} MiB",
    }


def dask_batch(folder: Path, count: int, workers: int = 2) -> dict[str, str]:
    """The same batch on a Dask LocalCluster of ``workers`` processes (``--dask local``),
    the cluster's start-up included, as a user of the command waits for it."""
    from tpkit.report.batch import dask_client, run_batch
    from tpkit.report.params import ReportParameters

    workbooks = generated_workbooks(folder / "dask", count)
    start = time.perf_counter()
    with dask_client("local", workers) as client:
        outcomes = run_batch(
            workbooks,
            folder / "dask-out",
            ReportParameters(workbook=""),
            executor=client,
            progress=False,
        )
    seconds = time.perf_counter() - start
    ok = sum(outcome.ok for outcome in outcomes)
    return {
        f"batch of {count} on a Dask LocalCluster of {workers} workers": (
            f"{seconds:.1f} s, {ok / seconds:.2f} reports/s ({ok} ok, {count - ok} failed)"
        ),
    }


def pdf_ceiling(folder: Path, workers: int = 2, runs: int = 5) -> dict[str, str]:
    """The most a batch can reach with WeasyPrint as it prints today: a batch report's
    HTML made into a PDF in this process (warm, median CPU time), and the reports/s that
    ``workers`` cores would give if the notebook and everything else took no time."""
    from tpkit.report.pipeline import to_pdf

    workbook = generated_workbooks(folder / "ceiling", 1)[0]
    html = folder / "ceiling.html"
    subprocess.run(
        [str(BIN / "tpkit"), "report", workbook, "--format", "html", "-o", str(html)],
        check=True,
        capture_output=True,
    )
    page = html.read_text(encoding="utf-8")
    to_pdf(page, folder)  # fonts and WeasyPrint's own caches, as in a warm worker
    seconds = []
    for _ in range(runs):
        start = time.process_time()
        to_pdf(page, folder)
        seconds.append(time.process_time() - start)
    pdf_s = statistics.median(seconds)
    return {
        "WeasyPrint alone, a batch report's HTML → PDF": f"{pdf_s:.2f} CPU-s",
        f"so with {workers} workers, at most": f"{workers / pdf_s:.2f} reports/s",
    }


def _cpu_seconds() -> float:
    """User and system time of this process and its finished children (the workers)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--batch", type=int, default=100, help="workbooks in the batch")
    options.add_argument(
        "--runs", type=int, default=5, help="runs of the single report (0: batch only)"
    )
    options.add_argument(
        "--no-dask", dest="dask", action="store_false", help="skip the Dask LocalCluster batch"
    )
    arguments = options.parse_args()
    if arguments.batch < 1 or arguments.runs < 0:
        options.error("--batch must be 1 or more and --runs 0 or more")
    with tempfile.TemporaryDirectory() as folder:
        figures = {
            **(one_report(Path(folder), arguments.runs) if arguments.runs else {}),
            **batch(Path(folder), arguments.batch),
            **pdf_ceiling(Path(folder)),
            **(dask_batch(Path(folder), arguments.batch) if arguments.dask else {}),
        }
    print_figures("Reports (Shawna sample; the batch: copies without customer responses):", figures)


if __name__ == "__main__":
    main()
