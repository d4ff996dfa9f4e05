"""Reliability figures: what an attacker's or a careless user's input costs, and whether
anything slips through. Every figure should read "0 failures".

Run with ``make bench`` (or ``.venv/bin/python benchmarks/reliability.py [PART ...]``;
parts: hostile, killed-saves, lock-waits, path-fuzz, words). Each hostile file is
validated by ``tpkit validate`` in its own process, whose own peak memory (``wait4``) is
compared with validating the Shawna sample. "words" times ``tpkit report`` of the Shawna
sample with the longest unbroken words the model takes (a 300-letter name, a
10,000-letter stage text) against the sample itself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TPKIT = str(Path(sys.executable).parent / "tpkit")
SAMPLE = ROOT / "data" / "samples" / "shawna.yaml"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from foundation import print_figures  # noqa: E402

HEADER = "schema_version: 1\nmeta:\n  team: T\n"


# Linux hands a forked child the parent's peak memory (ru_maxrss survives fork and
# exec): a small launcher forks tpkit, so its figure is tpkit's own, not this script's.
_LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def _run(arguments: list[str]) -> tuple[int, float, float, str]:
    """Exit status, wall seconds, peak MiB of the process, and what it printed."""
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures"
        start = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, str(figures), TPKIT, *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ).stdout
        seconds = time.perf_counter() - start
        status, kib = map(int, figures.read_text().split())
    return status, seconds, kib / 1024, output


def _billion_laughs(field: str) -> str:
    anchors = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    anchors += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "schema_version: 1\n" + "\n".join(anchors) + "\n" + field.format("*a8")


def hostile_files() -> dict[str, Callable[[], str]]:
    """Name → the text of a file an attacker (or a broken export) could hand the kit."""
    return {
        "billion laughs in meta.team": lambda: _billion_laughs("meta:\n  team: {}\n"),
        "billion laughs in persona.goals": lambda: _billion_laughs(
            "meta:\n  team: T\npersona:\n  name: P\n  goals: {}\n"
        ),
        "billion laughs in touchpoints": lambda: _billion_laughs(
            "meta:\n  team: T\ntouchpoints: {}\n"
        ),
        "one 1 MB text aliased 1,000 times": lambda: (
            HEADER + f"persona:\n  name: P\n  description: &big {'x' * 1_000_000}\n"
            "  goals: [" + ", ".join(["*big"] * 1000) + "]\n"
        ),
        "50 MB workbook of 200,000 touchpoints": lambda: (
            HEADER
            + "touchpoints:\n"
            + "".join(
                f"- {{id: t{i}, name: Touchpoint {i}, phase: after, notes: {'n' * 200}}}\n"
                for i in range(200_000)
            )
        ),
        "100,000 tiny touchpoints in 3.6 MB": lambda: (
            HEADER
            + "touchpoints:\n"
            + "".join(f"- {{id: t{i}, name: T, phase: after}}\n" for i in range(100_000))
        ),
        "100,000 unknown fields": lambda: HEADER + "".join(f"  k{i}: v\n" for i in range(100_000)),
        "nesting 990 deep": lambda: HEADER.replace("T", "[" * 990 + "]" * 990),
        "a 10,000-character word as a name": lambda: (
            HEADER + f"touchpoints:\n- {{id: a, name: {'x' * 10_000}, phase: after}}\n"
        ),
        "a NUL byte in a name": lambda: (
            HEADER + 'touchpoints:\n- {id: a, name: "In\\0voice", phase: after}\n'
        ),
    }


def hostile(folder: Path) -> dict[str, str]:
    _, base_seconds, base_mib, _ = _run(["validate", str(SAMPLE)])
    figures = {
        "baseline: tpkit validate the Shawna sample": f"{base_seconds:.2f} s, {base_mib:.0f} MiB"
    }
    failures = 0
    for name, make in hostile_files().items():
        path = folder / "hostile.yaml"
        path.write_text(make(), encoding="utf-8")
        status, seconds, mib, output = _run(["validate", str(path)])
        lines = output.strip().splitlines()
        refused = status == 1 and "Traceback" not in output and lines[0].startswith(str(path))
        fast = seconds - base_seconds < 1.0 and mib - base_mib < 100
        failures += not (refused and fast)
        verdict = "refused" if refused else f"NOT REFUSED (exit {status})"
        figures[name] = (
            f"{verdict}, {seconds - base_seconds:+.2f} s, {mib - base_mib:+.0f} MiB, "
            f"{len(lines)} line(s): {lines[0].removeprefix(str(path))[:60] if lines else ''}"
        )
    figures["hostile files not refused within +1 s and +100 MiB"] = str(failures)
    return figures


# A process that saves the workbook back to back until it is killed.
_SAVER = """
import sys
from tpkit import store
path = sys.argv[1]
print("ready", flush=True)
while True:
    store.update(path, lambda wb: setattr(wb.meta, "team", wb.meta.team[::-1]))
"""


def killed_saves(folder: Path, kills: int = 200) -> dict[str, str]:
    """Saves killed at random moments: the file must stay readable, and the next save
    must leave no temporary file behind."""
    import random
    import signal

    from tpkit import store

    path = folder / "team.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    rng, broken = random.Random(11), 0
    for _ in range(kills):
        saver = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(path)], stdout=subprocess.PIPE, text=True
        )
        saver.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.05))
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        try:
            store.read(path)
        except Exception:  # any failure to read is what is counted
            broken += 1
    left_by_kills = len(list(folder.glob(".team.yaml.*.tmp")))
    store.update(path, lambda wb: setattr(wb.meta, "team", "after the kills"))
    return {
        "saves killed": str(kills),
        "broken files after a kill": str(broken),
        "temporary files present after the last kill": str(left_by_kills),
        "temporary files left after the next save": str(len(list(folder.glob(".team.yaml.*.tmp")))),
    }


def lock_waits(folder: Path) -> dict[str, str]:
    """16 writers × 50 updates of one workbook at once: the longest wait for the lock,
    with the queue (first come, first served) and, as the baseline, the file lock alone."""
    import statistics

    sys.path.insert(0, str(ROOT))
    from tests.test_fair_lock import MAX_WAIT_SECONDS, stress

    figures, failures = {}, 0
    for mode, name in (("plain", "baseline, file lock alone"), ("fair", "queue + file lock")):
        start = time.perf_counter()
        waits, counts = stress(folder, 16, 50, mode)
        lost = sum(50 - int(count or 0) for count in counts.values())
        waits.sort()
        figures[f"{name}: longest / 95th / median wait"] = (
            f"{waits[-1]:.2f} s / {waits[int(len(waits) * 0.95)]:.2f} s / "
            f"{statistics.median(waits):.3f} s ({len(waits)} updates, "
            f"{time.perf_counter() - start:.1f} s in all, {lost} lost)"
        )
        if mode == "fair":
            failures = lost + (waits[-1] >= MAX_WAIT_SECONDS)
    figures[f"queue: lost updates + waits of {MAX_WAIT_SECONDS:.0f} s or more"] = str(failures)
    return figures


def path_fuzz(folder: Path) -> dict[str, str]:
    """Every subcommand with mistaken and right paths and arguments (tests/test_cli_fuzz)."""
    sys.path.insert(0, str(ROOT))
    from tests.test_cli_fuzz import FULL_RUNS_PER_COMMAND, run_fuzz

    start = time.perf_counter()
    count, failures = run_fuzz(folder, FULL_RUNS_PER_COMMAND)
    return {
        "invocations": f"{count} in {time.perf_counter() - start:.1f} s",
        "internal errors or tracebacks": str(len(failures)),
        **{f"failure {n}": str(failure)[:160] for n, failure in enumerate(failures[:5], 1)},
    }


def _long_words(folder: Path) -> dict[str, Path]:
    """The Shawna sample as it is, and with the longest one-word name and text it may hold."""
    from tpkit.model import MAX_NAME_LENGTH, MAX_TEXT_LENGTH
    from tpkit.store import create, read

    plain = read(SAMPLE)
    long = plain.model_copy(deep=True)
    long.touchpoints[0].name = "x" * MAX_NAME_LENGTH
    long.stages[0].name = "s" * MAX_NAME_LENGTH
    long.stages[0].doing = "y" * MAX_TEXT_LENGTH
    long.touchpoints[1].notes = "n" * MAX_TEXT_LENGTH
    return {
        "the Shawna sample (baseline)": create(folder / "plain.yaml", plain),
        "with a 300-letter name and 10,000-letter texts": create(folder / "long.yaml", long),
    }


def words(folder: Path) -> dict[str, str]:
    figures, baseline, failures = {}, 0.0, 0
    for name, path in _long_words(folder).items():
        status, seconds, _, output = _run(
            ["report", str(path), "-o", str(path.with_suffix(".pdf"))]
        )
        baseline = baseline or seconds
        failures += status != 0 or seconds > 1.5 * baseline
        figures[f"tpkit report, {name}"] = (
            f"{seconds:.1f} s ({seconds / baseline:.2f}× baseline)"
            + ("" if status == 0 else f", exit {status}: {output.strip()[:60]}")
        )
    figures["reports of long words failing or over 1.5× the baseline"] = str(failures)
    return figures


PARTS = {
    "hostile": hostile,
    "killed-saves": killed_saves,
    "lock-waits": lock_waits,
    "path-fuzz": path_fuzz,
    "words": words,
}


def chosen_parts(argv: list[str] | None = None) -> list[str]:
    """The parts named on the command line, all of them when none is named."""
    options = argparse.ArgumentParser(description=__doc__)
    # argparse checks a ``*`` positional's default as one choice: an empty list is one
    options.add_argument("parts", nargs="*", choices=[*PARTS, []], default=[])
    return options.parse_args(argv).parts or list(PARTS)


def main() -> None:
    for part in chosen_parts():
        with tempfile.TemporaryDirectory() as folder:
            print_figures(f"Reliability: {part}", PARTS[part](Path(folder)))


if __name__ == "__main__":
    main()
