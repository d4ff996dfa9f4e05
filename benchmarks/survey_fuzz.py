"""The survey reader's fuzz test, run long: mutated exports, no traceback, no signal,
every untouched row kept, every line accounted for.

Run with ``.venv/bin/python benchmarks/survey_fuzz.py [--examples N]`` (under the heavy
lock: it keeps a core busy). The suite runs the same test with 40 examples.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "test_mutated_exports_never_crash_and_keep_every_row_they_did_not_touch"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--examples", type=int, default=3_000, help="mutated exports to read")
    arguments = options.parse_args()
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"tests/test_survey_bytes.py::{TEST}",
        ],
        cwd=ROOT,
        env={**os.environ, "TPKIT_FUZZ_EXAMPLES": str(arguments.examples)},
        check=False,
    )
    seconds = time.perf_counter() - start
    verdict = "passed" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
    print(
        f"Survey reader fuzz: {arguments.examples:,} mutated exports in {seconds:.0f} s: {verdict}"
    )
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
