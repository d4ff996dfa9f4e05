"""Customer metrics: figures computed by hand, and properties that must always hold."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import small_workbook
from tpkit.survey import responses
from tpkit.survey.metrics import MIN_SAMPLE, figure, gaps, summarise, tally


def _table(columns: dict[str, list], months: list[int] | None = None) -> pa.Table:
    rows = len(next(iter(columns.values())))
    months = months or [3] * rows
    data = {
        responses.RESPONSE: pa.array([f"r{i}" for i in range(rows)]),
        responses.SUBMITTED: pa.array(
            [datetime(2026, m, 1, tzinfo=UTC) for m in months], pa.timestamp("ms", "UTC")
        ),
        responses.TOUCHPOINT: pa.array(columns.pop("link", [None] * rows), pa.string()),
    }
    data.update({name: pa.array(values, pa.float32()) for name, values in columns.items()})
    return pa.table(data)


def _by(figures, group, measure):
    return next(f for f in figures if f.group == group and f.measure == measure)


def test_nps_csat_and_ces_as_computed_by_hand():
    nps = [10, 9, 9, 8, 7, 6, 0, 10, 3, None]  # 4 promoters, 3 detractors of 9
    csat = [5, 4, 4, 3, 1, 2, 5, None, None, None]  # 4 of 7 answered 4–5
    ces = [7, 6, 5, None, None, None, None, None, None, None]
    table = _table({"nps@website": nps, "csat@website": csat, "ces@newsletter": ces})
    figures = summarise(tally(table), "touchpoint", small_workbook())
    assert [(f.group, f.measure) for f in figures] == [
        ("website", "csat"),
        ("website", "nps"),
        ("newsletter", "ces"),
    ]
    assert _by(figures, "website", "nps").score == pytest.approx(100 * (4 - 3) / 9)
    assert _by(figures, "website", "nps").n == 9
    assert _by(figures, "website", "csat").score == pytest.approx(100 * 4 / 7)
    assert _by(figures, "website", "csat").mean == pytest.approx(24 / 7)
    ces_figure = _by(figures, "newsletter", "ces")
    assert ces_figure.score == pytest.approx(6.0)
    # t(0.975, 2) = 4.303, sd = 1: the interval is 6 ± 4.303 / √3
    assert ces_figure.score_high - 6 == pytest.approx(4.303 / math.sqrt(3), rel=1e-3)
    assert all(f.small_sample for f in figures)


def test_promoters_passives_detractors_and_ces_agreement_by_hand():
    nps = [10, 9, 9, 8, 7, 6, 0, 10, 3, None]  # 4 promoters, 2 passives, 3 detractors
    ces = [7, 6, 5, 4, 2, 1, None, None, None, None]  # 3 of 6 agree (5–7)
    figures = summarise(
        tally(_table({"nps@website": nps, "ces@website": ces})), "touchpoint", small_workbook()
    )
    counts = _by(figures, "website", "nps").as_dict()
    assert (counts["promoters"], counts["passives"], counts["detractors"]) == (4, 2, 3)
    assert counts["promoters_pct"] == pytest.approx(round(100 * 4 / 9, 1))
    assert counts["n"] == 9 and counts["score"] == pytest.approx(100 * (4 - 3) / 9)
    ces_figure = _by(figures, "website", "ces").as_dict()
    assert (ces_figure["agree"], ces_figure["agree_pct"]) == (3, 50.0)
    assert ces_figure["mean"] == pytest.approx((7 + 6 + 5 + 4 + 2 + 1) / 6)


def test_figures_per_touchpoint_and_month():
    table = _table(
        {"csat@website": [5, 1, 4, None], "csat@newsletter": [None, None, 2, 5]},
        months=[3, 3, 4, 4],
    )
    figures = summarise(tally(table), "touchpoint,month", small_workbook())
    found = {(f.group, f.month, f.measure): (f.n, f.score) for f in figures}
    assert found == {
        ("website", "2026-03", "csat"): (2, 50.0),  # 5 and 1
        ("website", "2026-04", "csat"): (1, 100.0),  # 4
        ("newsletter", "2026-04", "csat"): (2, 50.0),  # 2 and 5
    }
    by_phase = summarise(tally(table), "phase,month", small_workbook())
    assert {f.month for f in by_phase} == {"2026-03", "2026-04"}


def test_answers_about_the_link_touchpoint_count_for_that_touchpoint():
    table = _table({"link": ["website", "newsletter", None], "csat@*": [5, 1, 3]})
    figures = summarise(tally(table), "touchpoint", small_workbook())
    assert [(f.group, f.n, f.mean) for f in figures] == [
        ("website", 1, 5.0),
        ("newsletter", 1, 1.0),
    ]


def test_figures_by_month_phase_and_stage():
    table = _table({"csat@website": [5, 4, 1], "csat@newsletter": [2, 2, 2]}, months=[1, 1, 3])
    workbook = small_workbook()
    by_month = summarise(tally(table), "month", workbook)
    assert [(f.group, f.n) for f in by_month] == [("2026-01", 4), ("2026-03", 2)]
    by_phase = summarise(tally(table), "phase", workbook)
    assert [(f.group, f.n, f.mean) for f in by_phase] == [
        ("before", 3, pytest.approx(10 / 3)),
        ("after", 3, 2.0),
    ]
    by_stage = summarise(tally(table), "stage", workbook)
    assert [(f.group, f.n) for f in by_stage] == [("discover", 3), ("stay", 3)]


def test_a_month_between_answers_is_not_invented():
    table = _table({"csat@website": [5, 4]}, months=[1, 4])
    assert [f.group for f in summarise(tally(table), "month", small_workbook())] == [
        "2026-01",
        "2026-04",
    ]


def test_enough_answers_lift_the_small_sample_warning():
    assert figure("x", "csat", MIN_SAMPLE - 1, 100, 400, 20, 0).small_sample
    assert not figure("x", "csat", MIN_SAMPLE, 100, 400, 20, 0).small_sample


def test_the_gap_between_team_and_customers():
    table = _table({"contact@website": [2, 3, 2, 1], "process@website": [4, 4, 4, 4]})
    found = gaps(summarise(tally(table), "touchpoint", small_workbook()), small_workbook())
    team = {r.participant: r for r in small_workbook().ratings if r.touchpoint == "website"}
    team_contact = sum(r.contact_quality for r in team.values()) / len(team)
    assert [(g.touchpoint, g.measure, g.customers, g.n) for g in found] == [
        ("website", "contact", 2.0, 4),
        ("website", "process", 4.0, 4),
    ]
    assert found[0].gap == pytest.approx(team_contact - 2.0)


def test_no_responses_give_no_figures():
    assert summarise(tally(responses.FIXED_SCHEMA.empty_table()), "month", small_workbook()) == []


nps_answers = st.lists(st.integers(0, 10), min_size=1, max_size=200)


@settings(max_examples=80, deadline=None)
@given(nps_answers, st.randoms(use_true_random=False))
def test_nps_stays_within_its_bounds_and_ignores_row_order(answers, shuffler):
    shuffled = list(answers)
    shuffler.shuffle(shuffled)
    results = [
        _by(
            summarise(tally(_table({"nps@website": a})), "touchpoint", small_workbook()),
            "website",
            "nps",
        )
        for a in (answers, shuffled)
    ]
    first, second = results
    assert -100 <= first.score <= 100
    assert first.score_low <= first.score <= first.score_high
    assert first.score_low >= -100 and first.score_high <= 100
    assert first.score == pytest.approx(second.score)
    promoters = sum(a >= 9 for a in answers)
    detractors = sum(a <= 6 for a in answers)
    assert first.score == pytest.approx(100 * (promoters - detractors) / len(answers))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=100), st.integers(1, 12))
@example([4, 4, 4, 4], 1)  # all satisfied: rounding once put 100 % above its upper bound
def test_pooled_groups_equal_the_direct_figure(answers, split):
    """Splitting the answers over months and pooling them back changes nothing."""
    months = [1 + (i % split) for i in range(len(answers))]
    table = _table({"csat@website": answers}, months=months)
    pooled = _by(summarise(tally(table), "touchpoint", small_workbook()), "website", "csat")
    direct = figure(
        "website",
        "csat",
        len(answers),
        sum(answers),
        sum(a * a for a in answers),
        sum(a >= 4 for a in answers),
        0,
    )
    assert pooled.score == pytest.approx(direct.score)
    assert pooled.mean == pytest.approx(direct.mean)
    assert 0 <= pooled.score_low <= pooled.score <= pooled.score_high <= 100
