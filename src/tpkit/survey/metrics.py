"""What customers say, in figures: counts, means, CSAT, NPS, CES, confidence intervals,
trends per month, and the gap to the team's own ratings.

Two steps. :func:`tally` reduces the stored responses, whatever their number, to
*sufficient statistics* per touchpoint, month and measure (count, sum, sum of
squares, how many answered high, how many low) with one vectorised pass per
column. :func:`summarise` adds those up by touchpoint, phase, stage or month — or by
one of the first three and month — and derives every figure from them: exact, because
means and shares pool by adding counts. Both are pure functions on plain data.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tpkit.metrics import team_scores
from tpkit.model import Workbook
from tpkit.survey import responses
from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM
from tpkit.survey.measures import MEASURES, SCORE_MEASURES

Grouping = Literal[
    "touchpoint", "phase", "stage", "month", "touchpoint,month", "phase,month", "stage,month"
]
GROUPINGS: tuple[Grouping, ...] = (
    "touchpoint",
    "phase",
    "stage",
    "month",
    "touchpoint,month",
    "phase,month",
    "stage,month",
)
# Below this many answers a figure is shown with a warning: at n = 30 the 95 %
# interval of an NPS is still about ±30 points wide.
MIN_SAMPLE = 30
_Z = 1.959964  # the 95 % normal quantile

# Where a measure's "high" and "low" answers start: CSAT counts 4–5 of 1–5, NPS
# promoters 9–10 and detractors 0–6 of 0–10, CES agreement 5–7 of 1–7, consent yes.
_HIGH = {"csat": 4.0, "nps": 9.0, "consent": 1.0, "contact": 4.0, "process": 4.0, "ces": 5.0}
_LOW = {"nps": 6.0}


@dataclass(frozen=True)
class Tally:
    """Sufficient statistics of one measure for one touchpoint in one month."""

    touchpoint: str  # a touchpoint id, or WHOLE_FIRM
    month: str  # "2026-03", or "" when the export had no dates
    measure: str
    n: int
    total: float
    squares: float
    high: int
    low: int


@dataclass(frozen=True)
class Figure:
    """One measure for one group, ready to show."""

    group: str
    measure: str
    n: int
    mean: float
    mean_low: float
    mean_high: float
    score: float  # the headline: CSAT % satisfied, NPS, % consent; the mean otherwise
    score_low: float
    score_high: float
    small_sample: bool
    high: int = 0  # answers at the top: satisfied, promoters, agreeing, consenting
    low: int = 0  # NPS detractors (0 for the other measures)
    month: str = ""  # set when grouped by month as well

    def counts(self) -> dict[str, float]:
        """The counts behind the headline, named as a reader checks them: promoters,
        passives and detractors of an NPS; how many agree with a CES statement."""
        share = (lambda count: round(100 * count / self.n, 1)) if self.n else (lambda _: 0.0)
        if self.measure == "nps":
            passives = self.n - self.high - self.low
            return {
                "promoters": self.high,
                "passives": passives,
                "detractors": self.low,
                "promoters_pct": share(self.high),
                "passives_pct": share(passives),
                "detractors_pct": share(self.low),
            }
        name = _HIGH_NAMES[self.measure]
        return {name: self.high, f"{name}_pct": share(self.high)}

    def as_dict(self) -> dict[str, object]:
        """Plain values for JSON: an interval that cannot be computed (n = 1) is None."""
        plain = {
            name: None if isinstance(value, float) and math.isnan(value) else value
            for name, value in asdict(self).items()
            if name not in ("high", "low")
        }
        return plain | self.counts()


_HIGH_NAMES = {
    "csat": "satisfied",
    "ces": "agree",
    "contact": "good",
    "process": "good",
    "consent": "consenting",
}


def tally(table: pa.Table) -> list[Tally]:
    """Reduce stored responses to statistics per touchpoint, month and measure."""
    if table.num_rows == 0:
        return []
    month_codes, months = _months(table.column(responses.SUBMITTED))
    link = pc.dictionary_encode(table.column(responses.TOUCHPOINT).combine_chunks())
    link_codes = pc.fill_null(link.indices, -1).to_numpy(zero_copy_only=False)
    link_ids = link.dictionary.to_pylist()
    tallies: list[Tally] = []
    for name in responses.answer_columns(table):
        measure, _, touchpoint = name.partition("@")
        if measure not in SCORE_MEASURES:
            continue
        values = table.column(name).to_numpy()  # nulls become NaN
        if touchpoint == ROW_TOUCHPOINT:
            tp_codes, tp_names = link_codes, link_ids
        else:
            tp_codes, tp_names = None, [touchpoint]
        tallies += _tally_column(measure, values, tp_codes, tp_names, month_codes, months)
    return tallies


def _months(submitted: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Month index per row (0 = no date) and the month names, by arithmetic on month
    numbers rather than a sort of a million dates."""
    stamps = submitted.combine_chunks().to_numpy(zero_copy_only=False)
    missing = np.isnat(stamps)
    if missing.all():
        return np.zeros(len(stamps), dtype=np.int64), [""]
    month = stamps.astype("datetime64[M]").astype(np.int64)
    first = month[~missing].min()
    codes = month - first + 1
    codes[missing] = 0
    span = np.arange(first, first + codes.max(), dtype=np.int64).astype("datetime64[M]")
    return codes, ["", *(str(m) for m in span)]


def _tally_column(
    measure: str,
    values: np.ndarray,
    tp_codes: np.ndarray | None,  # the link's touchpoint per row; None: one touchpoint
    tp_names: list[str | None],
    month_codes: np.ndarray,
    months: list[str],
) -> list[Tally]:
    if tp_codes is None:  # a question about one touchpoint: group by month alone
        answered = ~np.isnan(values)
        key = month_codes[answered]
    else:
        answered = ~np.isnan(values) & (tp_codes >= 0)
        key = tp_codes[answered] * len(months) + month_codes[answered]
    v = values[answered]
    size = len(tp_names) * len(months)
    n, total, squares, high, low = _sums(measure, v, key, size)
    return [
        Tally(
            tp_names[k // len(months)] or WHOLE_FIRM,
            months[k % len(months)],
            measure,
            int(n[k]),
            float(total[k]),
            float(squares[k]),
            int(high[k]),
            int(low[k]),
        )
        for k in np.flatnonzero(n)
    ]


def _sums(measure: str, v: np.ndarray, key: np.ndarray, size: int) -> list[np.ndarray]:
    """Count, sum, sum of squares, highs and lows per key.

    Whole-number answers (nearly all) take one unweighted count per (key, answer) and
    derive the rest from it; a scale with halves falls back to weighted counts.
    """
    scale = MEASURES[measure]
    whole = v.astype(np.int64)
    if np.array_equal(whole, v):
        width = scale.high - scale.low + 1
        counts = np.bincount(key * width + (whole - scale.low), minlength=size * width)
        counts = counts.reshape(size, width)
        answers = np.arange(scale.low, scale.high + 1, dtype=np.float64)
        return [
            counts.sum(axis=1),
            counts @ answers,
            counts @ (answers * answers),
            counts[:, answers >= _HIGH.get(measure, math.inf)].sum(axis=1),
            counts[:, answers <= _LOW.get(measure, -math.inf)].sum(axis=1),
        ]
    weights = (
        None,
        v,
        v * v,
        (v >= _HIGH.get(measure, math.inf)).astype(np.float64),
        (v <= _LOW.get(measure, -math.inf)).astype(np.float64),
    )
    return [np.bincount(key, weights=w, minlength=size) for w in weights]


def summarise(tallies: Iterable[Tally], by: Grouping, workbook: Workbook) -> list[Figure]:
    """Figures per group and measure, groups in the workbook's order (months in time).

    ``by`` is one key, or a key and month (``"touchpoint,month"``): one figure per
    touchpoint, month and measure.
    """
    first, _, then = by.partition(",")
    groups_of = _grouper(first, workbook)
    pooled: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0] * 5)
    for item in tallies:
        month = item.month if then == "month" else ""
        for group in groups_of(item):
            sums = pooled[(group, month, item.measure)]
            for i, value in enumerate((item.n, item.total, item.squares, item.high, item.low)):
                sums[i] += value
    order = _group_order(first, workbook, {group for group, _, _ in pooled})
    months = sorted({month for _, month, _ in pooled}, key=lambda month: (month == "", month))
    return [
        figure(group, measure, *pooled[(group, month, measure)], month=month)
        for group in order
        for month in months
        for measure in SCORE_MEASURES
        if (group, month, measure) in pooled
    ]


def _grouper(by: str, workbook: Workbook) -> Callable[[Tally], list[str]]:
    if by == "touchpoint":
        return lambda item: [item.touchpoint]
    if by == "month":
        return lambda item: [item.month]
    if by == "phase":
        phase = {tp.id: tp.phase for tp in workbook.touchpoints}
        return lambda item: [phase.get(item.touchpoint, WHOLE_FIRM)]
    stages: dict[str, list[str]] = defaultdict(list)
    for stage in workbook.stages:
        for tp in stage.touchpoints:
            stages[tp].append(stage.id)
    return lambda item: stages.get(item.touchpoint) or [WHOLE_FIRM]


def _group_order(by: str, workbook: Workbook, present: set[str]) -> list[str]:
    if by == "month":
        return sorted(present, key=lambda month: (month == "", month))
    known = {
        "touchpoint": [tp.id for tp in workbook.touchpoints],
        "phase": ["before", "during", "after"],
        "stage": [stage.id for stage in workbook.stages],
    }[by]
    ordered = [group for group in known if group in present]
    return ordered + sorted(present - set(ordered))  # the firm as a whole, stray ids last


def figure(
    group: str,
    measure: str,
    n: float,
    total: float,
    squares: float,
    high: float,
    low: float,
    month: str = "",
) -> Figure:
    """Derive the shown figures of one group from its pooled statistics."""
    count = int(n)
    mean = total / count
    variance = max(squares - count * mean * mean, 0.0) / (count - 1) if count > 1 else math.nan
    half = _t_quantile(count - 1) * math.sqrt(variance / count) if count > 1 else math.nan
    if measure == "nps":
        promoters, detractors = high / count, low / count
        score = 100 * (promoters - detractors)
        spread = (
            100
            * _Z
            * math.sqrt(max(promoters + detractors - (promoters - detractors) ** 2, 0.0) / count)
        )
        score_low, score_high = max(score - spread, -100.0), min(score + spread, 100.0)
    elif measure in ("csat", "consent"):
        score = 100 * high / count
        score_low, score_high = (100 * p for p in _wilson(high, count))
    else:
        score, score_low, score_high = mean, mean - half, mean + half
    return Figure(
        group,
        measure,
        count,
        mean,
        mean - half,
        mean + half,
        score,
        score_low,
        score_high,
        count < MIN_SAMPLE,
        int(high),
        int(low),
        month,
    )


def _wilson(successes: float, n: int) -> tuple[float, float]:
    """The Wilson 95 % interval of a share: sound for small n and for 0 % or 100 %."""
    p = successes / n
    centre = (p + _Z * _Z / (2 * n)) / (1 + _Z * _Z / n)
    half = _Z * math.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n)) / (1 + _Z * _Z / n)
    # The interval always holds p; rounding must not put 100 % above its own bound.
    return max(min(centre - half, p), 0.0), min(max(centre + half, p), 1.0)


def _t_quantile(df: int) -> float:
    """The 97.5 % quantile of Student's t (exact for df 1–2, a series beyond; error < 0.5 %)."""
    if df <= 2:
        return (12.706, 4.303)[df - 1]
    z = _Z
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


@dataclass(frozen=True)
class Gap:
    """The team's own rating of a touchpoint beside what its customers said (both 1–5)."""

    touchpoint: str
    measure: str  # contact or process
    team: float
    customers: float
    n: int

    @property
    def gap(self) -> float:
        """Positive: the team thinks better of the touchpoint than its customers do."""
        return self.team - self.customers


def gaps(figures: Iterable[Figure], workbook: Workbook) -> list[Gap]:
    """Team vs customers on contact and process quality, for touchpoints with both."""
    team = team_scores(workbook)
    found = []
    for item in figures:
        rated = team.get(item.group)
        if rated and item.measure in ("contact", "process"):
            mine = rated.contact_quality if item.measure == "contact" else rated.process_quality
            if mine is not None:  # the team gave no such score yet
                found.append(Gap(item.group, item.measure, mine, item.mean, item.n))
    return found


def figures_for(
    workbook: Workbook, workbook_path: str | os.PathLike[str], by: Grouping = "touchpoint"
) -> list[Figure]:
    """Load, tally and summarise in one call: what the CLI and the notebook show."""
    return summarise(tally(responses.load_answers(workbook_path)), by, workbook)
