"""Survey import figures: 1,000,000 responses × 10 touchpoints in one CSV.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/survey.py [--rows N] [--runs N]``).
Three contenders run side by side, each in a fresh process, interleaved, on the same
file; each is timed from its first import to its last figure, with its peak memory:

- **tpkit**: ``read_export`` + ``import_export`` (the mapping proposed from the headers
  and the scales read from every answer, with a confidence per column; every cell
  checked, every skipped row and cell reported by line, duplicates refused, stored as
  Parquet beside the workbook) + metrics per touchpoint and per touchpoint and month
  from the stored file;
- **pandas**: the plain baseline, ``read_csv`` + ``melt`` + ``groupby`` (no checks);
- **DuckDB**: the bare aggregation in SQL — the practical floor.

Targets: tpkit within 2× the DuckDB floor, under 400 MB (the feedback issue); the
scale inference and confidence (counting every column's distinct answers and fitting
the scales: ``Scan.answers`` + ``propose``) at most 10 % of tpkit's import time (issue
10), timed inside the tpkit process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from foundation import print_figures  # the same layout as the other figures

TOUCHPOINTS = (
    "Website", "Showroom", "Quote", "Hotline", "Installation",
    "Invoice", "Newsletter", "Service visit", "Complaint desk", "Loyalty card",
)  # fmt: skip

TPKIT = """
import time
from pathlib import Path
from tpkit.store import read
from tpkit.survey.formats import read_export
from tpkit.survey import importer
from tpkit.survey.importer import import_export
from tpkit.survey import metrics, responses

spent = {"inference": 0.0}
def timed(function):  # the scale inference and confidence: every answer counted, fitted
    def inner(*arguments, **options):
        start = time.perf_counter()
        try:
            return function(*arguments, **options)
        finally:
            spent["inference"] += time.perf_counter() - start
    return inner
importer.Scan.answers = timed(importer.Scan.answers)
importer.propose = timed(importer.propose)
workbook_path = Path(WORKBOOK)
workbook = read(workbook_path)
started = time.perf_counter()
export = read_export(Path(CSV))
result = import_export(export, workbook, workbook_path)  # proposes, checks, stores
print("SHARE", spent["inference"], time.perf_counter() - started)
tallies = metrics.tally(responses.load_answers(workbook_path))
by_touchpoint = metrics.summarise(tallies, "touchpoint", workbook)
by_month = metrics.summarise(tallies, "touchpoint,month", workbook)
assert result.status == "stored" and result.proposal.ready, result.proposal
assert result.added + len({s.line for s in result.skipped}) >= ROWS - 1, result
"""

PANDAS = """
import pandas as pd
frame = pd.read_csv(CSV)
long = frame.melt(id_vars=["Response ID", "Submitted"], var_name="question", value_name="score")
long["score"] = pd.to_numeric(long["score"], errors="coerce")
long["month"] = long["Submitted"].str[:7]
by_touchpoint = long.groupby("question")["score"].agg(["count", "mean"])
by_month = long.groupby(["question", "month"])["score"].agg(["count", "mean"])
"""

DUCKDB = """
import duckdb
figures = duckdb.sql(f'''
    select question, date_trunc('month', "Submitted") as month,
           count(try_cast(score as double)), avg(try_cast(score as double))
    from (unpivot read_csv('{CSV}') on columns(* exclude ("Response ID", "Submitted"))
          into name question value score)
    group by grouping sets ((question), (question, month))''').fetchall()
"""


def write_export(path: Path, rows: int) -> None:
    """A plain CSV as a firm's survey tool would give it, with about one cell in a
    thousand unusable ('n/a', an empty cell, a 6 on a 1–5 scale)."""
    rng = np.random.default_rng(2026)
    ids = np.char.add("R_", np.arange(rows).astype(str))
    seconds = rng.integers(0, 365 * 86400, rows).astype("timedelta64[s]")
    submitted = (np.datetime64("2025-01-01T00:00:00") + seconds).astype(str)
    questions = [f"How satisfied were you with our {name.lower()}?" for name in TOUCHPOINTS]
    header = ["Response ID", "Submitted", *questions]
    columns = [ids, submitted]
    for _ in TOUCHPOINTS:
        scores = rng.integers(1, 6, rows).astype("U3")
        broken = rng.random(rows) < 0.001
        scores[broken] = rng.choice(np.array(["n/a", "", "6"]), int(broken.sum()))
        columns.append(scores)
    with path.open("w", encoding="utf-8") as stream:
        stream.write(",".join(header) + "\n")
        for start in range(0, rows, 100_000):
            block = np.stack([c[start : start + 100_000] for c in columns], axis=1)
            stream.write("\n".join(",".join(row) for row in block.tolist()) + "\n")


def write_workbook(path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from tpkit.model import Meta, Touchpoint, Workbook
    from tpkit.store import create

    touchpoints = [
        Touchpoint(id=name.lower().replace(" ", "-"), name=name, phase="after")
        for name in TOUCHPOINTS
    ]
    create(path, Workbook(meta=Meta(team="Benchmark"), touchpoints=touchpoints), overwrite=True)


def run(code: str, values: dict[str, object]) -> tuple[float, float]:
    """Wall seconds (first import to last figure) and peak MiB of one fresh process."""
    prelude = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child would
    # report the parent's peak (the parent wrote the big CSV).
    timed = (
        "import re, time\n_start = time.perf_counter()\n"
        f"{prelude}{code}\n"
        "_status = open('/proc/self/status').read()\n"
        "print(time.perf_counter() - _start, "
        "int(re.search(r'VmHWM:\\s+(\\d+)', _status).group(1)) / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", timed], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"a benchmark process failed:\n{done.stderr}")
    seconds, peak = done.stdout.split()[-2:]
    shares = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("SHARE")]
    if shares:
        INFERENCE.append(float(shares[0][0]) / float(shares[0][1]))
    return float(seconds), float(peak)


INFERENCE: list[float] = []  # per tpkit run: inference seconds / import seconds


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--rows", type=int, default=1_000_000, help="responses in the CSV")
    options.add_argument("--runs", type=int, default=3, help="interleaved runs of each")
    arguments = options.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv, workbook = Path(folder) / "responses.csv", Path(folder) / "firm.yaml"
        write_export(csv, arguments.rows)
        contenders = {"tpkit": TPKIT, "pandas": PANDAS, "duckdb": DUCKDB}
        times: dict[str, list[float]] = {name: [] for name in contenders}
        peaks: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(arguments.runs):
            for name, code in contenders.items():
                write_workbook(workbook)  # each tpkit run imports into an empty store
                responses = workbook.with_name("firm.responses.parquet")
                responses.unlink(missing_ok=True)
                values = {"CSV": str(csv), "WORKBOOK": str(workbook), "ROWS": arguments.rows}
                seconds, peak = run(code, values)
                times[name].append(seconds)
                peaks[name].append(peak)
    floor = statistics.median(times["duckdb"])
    labels = {
        "tpkit": "tpkit: read, check every cell, store, metrics",
        "pandas": "pandas: read_csv + melt + groupby (baseline)",
        "duckdb": "DuckDB: bare aggregation (the floor)",
    }
    figures = {
        labels[name]: (
            f"{statistics.median(times[name]):.2f} s = "
            f"{statistics.median(times[name]) / floor:.2f}× DuckDB, "
            f"peak {max(peaks[name]):.0f} MiB"
        )
        for name in contenders
    }
    figures["tpkit: scale inference and confidence, share of the import (target ≤ 10 %)"] = (
        f"{statistics.median(INFERENCE):.1%} (of {', '.join(f'{s:.1%}' for s in INFERENCE)})"
    )
    title = f"Survey import ({arguments.rows:,} responses × {len(TOUCHPOINTS)} touchpoints, CSV):"
    print_figures(title, figures)


if __name__ == "__main__":
    main()
