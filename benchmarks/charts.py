"""Chart figures: how long a chart spec takes for a large workbook, and a live update.

A made-up workbook of 200 touchpoints, 10 raters (2,000 ratings) and 8 stages. Run with
``make bench`` (or ``.venv/bin/python benchmarks/charts.py``). Prints medians; nothing
here asserts. The target for a form change → updated chart spec is under 100 ms.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from foundation import _median_ms  # noqa: E402  (the same timing as the other benchmark)

from tpkit import charts  # noqa: E402
from tpkit.model import PHASES, Meta, Persona, Rating, Stage, Touchpoint, Workbook  # noqa: E402
from tpkit.samples import sample_path  # noqa: E402
from tpkit.store import read  # noqa: E402

TOUCHPOINTS, RATERS, STAGES = 200, 10, 8


def big_workbook() -> Workbook:
    """Deterministic and varied: every phase and kind, scores spread over 1–5, long texts."""
    stages = [
        Stage(
            id=f"s{i}",
            name=f"Stage {i + 1} with a longer name",
            phase=PHASES[min(i * 3 // STAGES, 2)],
            doing="Does several things in this stage, reads, compares and asks a question. " * 2,
            thinking="I wonder whether this is worth it, and how long it will take.",
            feeling="curious, a bit wary",
            emotion=(i * 3) % 5 - 2,
            pain_points=["Waits too long for an answer", "Has to repeat the same details"],
            opportunities=["Answer within a day", "Remember what the customer said"],
            owner="Customer care",
        )
        for i in range(STAGES)
    ]
    touchpoints = [
        Touchpoint(
            id=f"t{i}",
            name=f"Touchpoint number {i}",
            phase=PHASES[i % 3],
            stages=[f"s{i % STAGES}"],
            kind=("human", "digital", "print", "third_party")[i % 4],
            owner=f"Team {i % 7}",
        )
        for i in range(TOUCHPOINTS)
    ]
    ratings = [
        Rating(
            touchpoint=f"t{i}",
            participant=f"Rater {r}",
            contact_quality=1 + (i + r) % 5,
            process_quality=1 + (i * 7 + r * 3) % 5,
            importance=1 + (i * 3 + r) % 5,
        )
        for i in range(TOUCHPOINTS)
        for r in range(RATERS)
    ]
    return Workbook(
        meta=Meta(team="Benchmark"),
        persona=Persona(name="Shawna"),
        touchpoints=touchpoints,
        stages=stages,
        ratings=ratings,
    )


def _ms(action: Callable[[], object], runs: int = 15) -> float:
    """Median milliseconds, after one warm-up run (a running kernel has warm caches)."""
    action()
    return _median_ms(action, runs)


def main() -> None:
    workbook = big_workbook()
    print(
        f"Chart benchmark: {TOUCHPOINTS} touchpoints, {len(workbook.ratings)} ratings, "
        f"{STAGES} stages; median ms of 15 runs\n"
    )
    print(f"  {'chart':<16}{'build':>8}{'+ to_dict()':>14}{'+ to_dict(validate=False)':>28}")
    for chart in (charts.coverage, charts.quality_matrix, charts.rating_spread, charts.journey_map):
        times = [
            _ms(lambda chart=chart: chart(workbook, "en")),
            _ms(lambda chart=chart: chart(workbook, "en").to_dict()),
            _ms(lambda chart=chart: chart(workbook, "en").to_dict(validate=False)),
        ]
        print(f"  {chart.__name__:<16}{times[0]:>8.1f}{times[1]:>14.1f}{times[2]:>28.1f}")

    scores = iter(range(10**9))

    def form_change(book: Workbook, validate: bool = True) -> None:
        """What a rating form does on 'save': change the workbook, redraw two charts."""
        n = next(scores)
        touchpoint = book.touchpoints[n % len(book.touchpoints)].id
        book.set_rating(
            Rating(
                touchpoint=touchpoint,
                participant=f"Rater {n % RATERS}",
                contact_quality=1 + n % 5,
                process_quality=1 + (n // 5) % 5,
                importance=3,
            )
        )
        for chart in (charts.coverage, charts.quality_matrix):
            chart(book, "en").to_dict(validate=validate)

    shawna = read(sample_path("shawna"))
    print("\n  form change → coverage + quality specs (target: under 100 ms)")
    print(f"    this workbook:                {_ms(lambda: form_change(workbook)):6.1f}")
    print(f"    this workbook, no validation: {_ms(lambda: form_change(workbook, False)):6.1f}")
    print(f"    the Shawna sample:            {_ms(lambda: form_change(shawna)):6.1f}")
    svg = _ms(lambda: charts.to_svg(charts.journey_map(workbook, "en")), runs=5)
    print(f"\n  journey map → SVG with vl-convert: {svg:.0f} ms")


if __name__ == "__main__":
    main()
