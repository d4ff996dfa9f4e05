"""Foundation figures: start-up cost and the time to load and save a workbook.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/foundation.py``). Prints
medians over repeated runs; nothing here asserts, the figures go in the notes.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _process_seconds(code: str, runs: int = 15) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _median_ms(action, runs: int = 30) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def print_figures(title: str, figures: dict[str, str]) -> None:
    """The figures as an aligned two-column list under a title."""
    width = max(map(len, figures))
    print(title)
    for name, value in figures.items():
        print(f"  {name:<{width}}  {value}")


def main() -> None:
    bare = _process_seconds("pass")
    figures = {
        "python start-up (baseline)": f"{bare * 1000:.0f} ms",
        "import tpkit": f"{(_process_seconds('import tpkit') - bare) * 1000:.0f} ms over baseline",
        "import tpkit.store (model + YAML + store)": (
            f"{(_process_seconds('import tpkit.store') - bare) * 1000:.0f} ms over baseline"
        ),
    }

    from tpkit.fileformat import decode, loads
    from tpkit.samples import sample_path
    from tpkit.store import create, read, save, update

    sample = sample_path("shawna")
    workbook = read(sample)
    with tempfile.TemporaryDirectory() as folder:
        target = create(Path(folder) / "shawna.yaml", workbook)
        names = iter(f"Team {i}" for i in range(10_000))

        def save_changed() -> None:
            workbook.meta.team = next(names)
            save(target, workbook)

        raw = sample.read_bytes()
        figures["load the Shawna sample: parse + validate"] = (
            f"{_median_ms(lambda: loads(decode(raw, 'x'), 'x')):.1f} ms"
        )
        figures["load it again, unchanged (kept parse)"] = (
            f"{_median_ms(lambda: read(sample)):.1f} ms"
        )
        figures["save it, content changed (atomic write)"] = f"{_median_ms(save_changed):.1f} ms"
        figures["save it, content unchanged (no write)"] = (
            f"{_median_ms(lambda: save(target, read(target))):.1f} ms"
        )

        def update_changed() -> None:
            update(target, lambda wb: setattr(wb.meta, "team", next(names)))

        figures["update: lock + re-read + change + write"] = f"{_median_ms(update_changed):.1f} ms"
    size = sample.stat().st_size
    print_figures(
        f"Shawna sample: {len(workbook.touchpoints)} touchpoints, {len(workbook.ratings)} "
        f"ratings, {len(workbook.stages)} stages, {size / 1024:.1f} KiB",
        figures,
    )


if __name__ == "__main__":
    main()
