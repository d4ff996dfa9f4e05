"""The analytics on small hand-made logs, on DuckDB and on Spark (local mode): each
figure worked out by hand, and both engines giving the same answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tpkit.events import analytics as an
from tpkit.events.engines import keep, open_events
from tpkit.events.store import import_logs
from tpkit.model import Digital, EventRule, Meta, Stage, Touchpoint, Workbook

# Four customers of a bank in October 2026 (UTC). A converts after transfer → calculator;
# B shows the same interest and has said yes to marketing; C says no; D only reads.
LOG = """customer_id,timestamp,event,page,consent
A,2026-10-01T09:00:00Z,login,/app,
A,2026-10-01T09:01:00Z,login,/app,
A,2026-10-01T09:02:00Z,funds_transfer,/app/t,
A,2026-10-01T09:12:00Z,page_view,/mortgage/calculator,
A,2026-10-02T09:00:00Z,mortgage_application,/apply,
B,2026-10-10T10:00:00Z,marketing_opt_in,,
B,2026-10-10T10:00:01Z,login,/app,
B,2026-10-10T10:04:01Z,funds_transfer,/app/t,
B,2026-10-10T10:24:01Z,page_view,/mortgage/calculator,
B,2026-10-11T08:00:00Z,newsletter_open,,
B,2026-10-12T08:00:00Z,page_view,/mortgage/calculator,
C,2026-10-20T10:00:00Z,login,/app,no
C,2026-10-20T10:02:00Z,funds_transfer,/app/t,
C,2026-10-20T10:05:00Z,page_view,/mortgage/calculator,
D,2026-10-21T12:00:00Z,page_view,/advice/best-price,yes
D,2026-10-21T12:30:00Z,page_view,/blog/unknown,
"""


def bank() -> Workbook:
    def tp(tp_id: str, stage: str, **more: object) -> Touchpoint:
        return Touchpoint(
            id=tp_id, name=tp_id.replace("-", " "), phase="before", stages=[stage], **more
        )

    return Workbook(
        meta=Meta(team="Bank"),
        touchpoints=[
            tp("login", "everyday"),
            tp("funds-transfer", "everyday"),
            tp("mortgage-calculator", "explore"),
            tp("best-price-article", "advice"),
            tp("car-loan-email", "advice", marketing_contact=True, channel="email"),
            tp("newsletter", "advice", marketing_contact=True, channel="email"),
            tp("mortgage-application", "apply"),
        ],
        stages=[
            Stage(id=s, name=s, phase="before") for s in ("everyday", "explore", "advice", "apply")
        ],
        digital=Digital(
            conversion="mortgage_application",
            touchpoints={
                "mortgage-calculator": EventRule(paths=["/mortgage/calculator"]),
                "best-price-article": EventRule(paths=["/advice/*"]),
                "newsletter": EventRule(events=["newsletter_open"]),
            },
        ),
    )


@pytest.fixture(scope="module")
def workbook_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("events")
    (folder / "log.csv").write_text(LOG, encoding="utf-8")
    path = folder / "bank.yaml"
    import_logs([folder / "log.csv"], bank(), path)
    return path


def every_figure(workbook_path: Path, engine: str) -> dict[str, object]:
    """Every figure on one engine; Spark runs in local mode (a missing Java fails here
    with the kit's own message, it is never skipped)."""
    events = open_events(workbook_path, engine)
    steps = keep(an.steps(events))
    workbook = bank()
    return {
        "journeys": an.journeys(events),
        "transitions": an.transitions(steps),
        "paths": an.paths(steps),
        "funnel": an.funnel(steps, workbook),
        "attribution": an.attribution(events, steps, "mortgage_application"),
        "next": an.next_best(events, steps, workbook, "mortgage_application"),
        "coverage": an.coverage(events, workbook),
        "eligible": an.eligible_customers(
            events,
            steps,
            workbook,
            an.Segment(("funds-transfer", "mortgage-calculator"), "car-loan-email", 0, 0, 0, 0),
            "mortgage_application",
        ),
    }


@pytest.fixture(scope="module")
def figures_by_engine(workbook_path) -> dict[str, dict[str, object]]:
    """Each engine's figures, computed once for the module (Spark's are the slow ones)."""
    return {}


@pytest.fixture(scope="module", params=["duckdb", "spark"])
def figures(request, workbook_path, figures_by_engine) -> dict[str, object]:
    engine = request.param
    if engine not in figures_by_engine:
        figures_by_engine[engine] = every_figure(workbook_path, engine)
    return figures_by_engine[engine]


def test_transitions_count_a_run_on_one_touchpoint_once(figures):
    moves = {(t.source, t.target): (t.customers, t.events) for t in figures["transitions"]}
    assert moves == {
        ("login", "funds-transfer"): (3, 3),
        ("funds-transfer", "mortgage-calculator"): (3, 3),
        ("mortgage-calculator", "mortgage-application"): (1, 1),
        ("mortgage-calculator", "newsletter"): (1, 1),
        ("newsletter", "mortgage-calculator"): (1, 1),
    }
    times = {(t.source, t.target): t.median_seconds for t in figures["transitions"]}
    assert times[("login", "funds-transfer")] == 120.0  # A: 1 min after its 2nd login; B 4; C 2
    assert times[("funds-transfer", "mortgage-calculator")] == 600.0  # 10, 20 and 3 minutes


def test_paths_are_the_first_steps_of_each_customer(figures):
    assert [p.as_dict() for p in figures["paths"]] == [  # most customers, then by name
        {"touchpoints": ["best-price-article"], "customers": 1},
        {"touchpoints": ["login", "funds-transfer", "mortgage-calculator"], "customers": 1},
        {
            "touchpoints": [
                "login",
                "funds-transfer",
                "mortgage-calculator",
                "mortgage-application",
            ],
            "customers": 1,
        },
        {
            "touchpoints": [
                "login",
                "funds-transfer",
                "mortgage-calculator",
                "newsletter",
                "mortgage-calculator",
            ],
            "customers": 1,
        },
    ]


def test_journeys(figures):
    journeys = figures["journeys"]
    assert (journeys.events, journeys.customers, journeys.touchpoint_events) == (16, 4, 14)
    assert journeys.first == "2026-10-01T09:00:00+00:00"


def test_funnel_follows_the_stage_order(figures):
    stages = {s.stage: s for s in figures["funnel"]}
    assert [s.stage for s in figures["funnel"]] == ["everyday", "explore", "advice", "apply"]
    assert (stages["everyday"].reached, stages["everyday"].at_least) == (3, 4)
    assert stages["explore"].reached == 3 and stages["explore"].dropped == 1  # C
    assert stages["advice"].reached == 2 and stages["advice"].dropped == 2  # B, D
    assert stages["apply"].reached == 1 and stages["apply"].dropped == 1  # A
    assert stages["everyday"].median_seconds == 720.0  # first login → calculator: 12, 24, 5 min
    assert stages["explore"].median_seconds == 77759.0  # B only: 10:24:01 → 08:00 next day


def test_attribution_first_last_and_markov(figures):
    result = figures["attribution"]
    assert (result.journeys, result.conversions) == (4, 1)
    credits = {c.touchpoint: c for c in result.credits}
    assert credits["login"].first_touch == 1 and credits["mortgage-calculator"].last_touch == 1
    assert credits["best-price-article"].markov == 0.0
    assert sum(c.markov for c in result.credits) == pytest.approx(1.0)
    # every converting path runs through login, transfer and calculator
    for name in ("login", "funds-transfer", "mortgage-calculator"):
        assert credits[name].removal_effect == pytest.approx(1.0)


def test_next_best_only_for_consenting_customers_under_the_limit(figures):
    result = figures["next"]
    assert result.as_of == "2026-10-21T12:30:00+00:00"
    segments = {s.path: s for s in result.segments}
    # B (newsletter → calculator, consent yes) and C (transfer → calculator, consent no)
    assert segments[("newsletter", "mortgage-calculator")].offer == "car-loan-email"
    assert (segments[("newsletter", "mortgage-calculator")].eligible) == 1
    c = segments[("funds-transfer", "mortgage-calculator")]
    assert (c.customers, c.consenting, c.eligible) == (1, 0, 0)
    assert all("A" not in s.path for s in result.segments)  # A converted
    assert figures["eligible"] == []  # C said no


def test_coverage_finds_dead_links_and_missing_touchpoints(figures):
    found = figures["coverage"]
    assert found.unreached == ["car-loan-email"]
    assert [(g.event, g.page, g.events) for g in found.unmapped] == [
        ("marketing_opt_in", "", 1),
        ("page_view", "/blog/unknown", 1),
    ]


def test_both_engines_agree(workbook_path, figures_by_engine):
    for engine in ("duckdb", "spark"):
        if engine not in figures_by_engine:
            figures_by_engine[engine] = every_figure(workbook_path, engine)
    duckdb, spark = figures_by_engine["duckdb"], figures_by_engine["spark"]
    for name in ("attribution", "next"):
        assert duckdb[name].as_dict() == spark[name].as_dict(), name
    for name in duckdb.keys() - {"attribution", "next"}:
        assert duckdb[name] == spark[name], name


def test_removal_effects_by_hand():
    counts = {
        (an.START, "a"): 2,
        (an.START, "b"): 1,
        ("a", an.CONVERSION): 1,
        ("a", "b"): 1,
        ("b", an.NULL): 1,
        ("b", an.CONVERSION): 1,
    }
    # p = 2/3 · 3/4 + 1/3 · 1/2 = 2/3; without a: 1/6; without b: 1/3
    assert an.removal_effects(counts) == pytest.approx({"a": 0.75, "b": 0.5})


def test_offer_after_prefers_a_marketing_contact_of_the_next_stage():
    workbook = bank()
    assert an.offer_after(["login", "mortgage-calculator"], workbook) == "car-loan-email"
    assert an.offer_after(["login"], workbook) == "mortgage-calculator"
    assert an.offer_after(["mortgage-application"], workbook) is None


def test_spark_without_java_says_how_to_get_it(monkeypatch):
    from pyspark.sql import SparkSession

    from tpkit.errors import TpkitError
    from tpkit.events import engines

    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    monkeypatch.setattr(engines.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(TpkitError) as caught:
        engines.spark_session.__wrapped__()
    assert "default-jre-headless" in caught.value.message()


def test_an_unknown_engine_is_named(workbook_path):
    from tpkit.errors import TpkitError

    with pytest.raises(TpkitError) as caught:
        open_events(workbook_path, "flink")
    assert "duckdb, spark" in caught.value.message()


def test_the_workbooks_over_contact_threshold_is_the_limit(workbook_path):
    workbook = bank()
    workbook.diagnostics.thresholds.contacts_per_month = 1  # B already had the newsletter
    events = open_events(workbook_path)
    result = an.next_best(events, keep(an.steps(events)), workbook, "mortgage_application")
    b = {s.path: s for s in result.segments}[("newsletter", "mortgage-calculator")]
    assert (result.contact_limit, b.consenting, b.eligible, b.over_limit) == (1, 1, 0, 1)
