"""The diagnostic engine: every rule on small hand-made workbooks that must trigger it and
ones that must not (boundaries included), the ranking and its weights, the samples'
known problems, and the findings in all four languages.

Rules are pure functions of plain data: customers' figures are built here with the
survey's own :func:`tpkit.survey.metrics.figure`, as the real responses would give them.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from tests.conftest import SAMPLES
from tests.test_report_sections import rating as scored
from tpkit.diagnostics import RULES, diagnose, facts, ipa, rules
from tpkit.diagnostics.evidence import Customers, Evidence, customers_from, customers_of
from tpkit.diagnostics.findings import Finding, rank, severity
from tpkit.diagnostics.settings import DEFAULTS, thresholds
from tpkit.diagnostics.text import words
from tpkit.i18n import catalogue
from tpkit.model import (
    LANGUAGES,
    RULE_IDS,
    Kpi,
    Meta,
    Rating,
    Stage,
    Touchpoint,
    Workbook,
)
from tpkit.store import read
from tpkit.survey.metrics import MIN_SAMPLE, figure


def tp(tp_id: str, phase: str = "before", **fields) -> Touchpoint:
    fields.setdefault("owner", "Sales")
    return Touchpoint(id=tp_id, name=fields.pop("name", tp_id.title()), phase=phase, **fields)


def rating(tp_id: str, who: str, contact: int, process: int, importance: int = 3) -> Rating:
    return scored(tp_id, who, contact, process, importance)


def stage(stage_id: str, phase: str = "before", touchpoints=(), **fields) -> Stage:
    return Stage(
        id=stage_id,
        name=fields.pop("name", stage_id.title()),
        phase=phase,
        touchpoints=list(touchpoints),
        **fields,
    )


def book(*touchpoints: Touchpoint, **parts) -> Workbook:
    return Workbook(meta=Meta(team="T"), touchpoints=list(touchpoints), **parts)


def answers(touchpoint: str, measure: str, values: list[float]):
    """A customers' figure from the answers themselves (count, sums, highs, lows)."""
    high = {"csat": 4, "nps": 9, "contact": 4, "process": 4}[measure]
    return figure(
        touchpoint,
        measure,
        len(values),
        sum(values),
        sum(v * v for v in values),
        sum(v >= high for v in values),
        sum(v <= 6 for v in values) if measure == "nps" else 0,
    )


def run(rule, workbook: Workbook, customers: Customers | None = None, **settings):
    """One rule on a workbook, with some thresholds set for the test."""
    chosen = DEFAULTS.model_copy(update=settings) if settings else None
    return rule(Evidence(workbook, customers or Customers(), chosen))


def balanced(after: int = 3) -> list[Touchpoint]:
    return [
        tp("b1"),
        tp("b2"),
        tp("b3"),
        tp("d1", "during"),
        tp("d2", "during"),
        tp("d3", "during"),
        *(tp(f"a{i}", "after") for i in range(after)),
    ]


# --- settings and the registry -------------------------------------------------------------


def test_every_threshold_has_a_default_and_the_defaults_match_the_kit():
    from tpkit.charts.data import DISPUTED

    assert all(value is not None for value in DEFAULTS.model_dump().values())
    assert DEFAULTS.min_answers == MIN_SAMPLE and DEFAULTS.spread == DISPUTED


def test_a_workbook_sets_only_the_thresholds_it_names():
    workbook = book()
    workbook.diagnostics.thresholds.after_percent = 20
    chosen = thresholds(workbook)
    assert chosen.after_percent == 20 and chosen.min_answers == DEFAULTS.min_answers


def test_the_registry_holds_every_rule_id_of_the_file_format_in_order():
    assert tuple(RULES) == RULE_IDS


def test_severity_is_held_to_one_through_five():
    assert (severity(0.2), severity(3.14), severity(9), severity(4, cap=3)) == (1, 3.1, 5, 3)


# --- post_purchase_neglect -----------------------------------------------------------------


def test_no_touchpoint_after_the_purchase_is_the_worst_case():
    (found,) = run(rules.post_purchase_neglect, book(*balanced(after=0)))
    assert (found.subject, found.evidence["count"], found.evidence["share"]) == ("after", 0, 0)
    assert found.severity == 5


def test_post_purchase_share_boundaries():
    # 3 of 9 = 33.3 %: exactly the default bar of an even third is not "few"
    assert run(rules.post_purchase_neglect, book(*balanced(after=3))) == []
    assert run(rules.post_purchase_neglect, book(*balanced(after=2)), after_minimum=2)
    # a workbook's own bar: 1 of 4 = 25 % meets 25 %, 1 of 5 = 20 % does not
    four = book(tp("x"), tp("y", "during"), tp("z", "during"), tp("a", "after"))
    assert run(rules.post_purchase_neglect, four, after_percent=25, after_minimum=1) == []
    four.touchpoints.append(tp("w"))
    (found,) = run(rules.post_purchase_neglect, four, after_percent=25, after_minimum=1)
    assert found.evidence["share"] == 20


def test_too_few_after_purchase_touchpoints_even_with_a_good_share():
    small = book(tp("x"), tp("a", "after"), tp("b", "after"))  # 67 %, but only 2
    (found,) = run(rules.post_purchase_neglect, small)
    assert found.evidence["count"] == 2 and found.variant == ""
    assert run(rules.post_purchase_neglect, small, after_minimum=2) == []


def test_an_after_purchase_stage_without_touchpoints_is_found_and_says_so():
    workbook = book(*balanced(), stages=[stage("stay", "after", name="Stay loyal")])
    (found,) = run(rules.post_purchase_neglect, workbook)
    assert (found.variant, found.stages) == ("stages", ("stay",))
    assert [i.key for i in found.items] == ["empty_stage"]
    assert words(found, workbook, "en").lines == ("Stay loyal: no touchpoint at all",)


def test_a_poor_after_purchase_stage_adds_to_the_severity():
    touchpoints = balanced(after=2)
    calm = book(*touchpoints, stages=[stage("s", "after", ["a0"])])
    kpi = Kpi(name="Days to invoice", value=48, target=10, better="lower")
    poor = book(*touchpoints, stages=[stage("s", "after", ["a0"], kpi=kpi)])
    (quiet,) = run(rules.post_purchase_neglect, calm)
    (loud,) = run(rules.post_purchase_neglect, poor)
    assert loud.severity == pytest.approx(quiet.severity + 1)
    assert [i.key for i in loud.items] == ["outcome_kpi"]


def test_an_empty_inventory_has_no_post_purchase_finding():
    assert run(rules.post_purchase_neglect, book()) == []


# --- over_contact --------------------------------------------------------------------------


def marketing(tp_id: str, frequency: str, **fields) -> Touchpoint:
    return tp(
        tp_id, marketing_contact=True, consent=True, opt_out=True, frequency=frequency, **fields
    )


def test_marketing_contacts_per_month_above_the_limit():
    (found,) = run(rules.over_contact, book(marketing("news", "weekly")))  # 52 / 12 = 4.33
    assert found.variant == "load" and found.evidence["per_month"] == pytest.approx(52 / 12)
    assert found.severity == pytest.approx(severity(1 + 4 * (1 - 4 / (52 / 12))))
    # four monthly contacts are exactly 4 a month: at the limit, not above it
    monthly = [marketing(f"m{i}", "monthly") for i in range(4)]
    assert run(rules.over_contact, book(*monthly)) == []
    # frequency 'once' and contacts that are not marketing do not count
    assert run(rules.over_contact, book(marketing("a", "once"), tp("b", frequency="daily"))) == []


def test_the_heaviest_contacts_come_first():
    (found,) = run(rules.over_contact, book(marketing("n", "weekly"), marketing("ads", "daily")))
    assert found.touchpoints == ("ads", "n")


def test_one_channel_repeating_in_a_stage():
    mails = [tp(f"e{i}", channel="email", frequency="monthly") for i in range(3)]
    workbook = book(*mails, stages=[stage("use", touchpoints=["e0", "e1", "e2"])])
    (found,) = run(rules.over_contact, workbook)
    assert (found.variant, found.subject, found.severity) == ("channel", "use", 2)
    assert words(found, workbook, "en").lines == ("E-mail: 3 touchpoints (E0, E1, E2)",)
    # two are allowed; a touchpoint the customer opens himself is not the company reaching out
    assert (
        run(rules.over_contact, book(*mails[:2], stages=[stage("use", touchpoints=["e0", "e1"])]))
        == []
    )
    mails[2] = tp("e2", channel="email", frequency="on_demand")
    assert (
        run(rules.over_contact, book(*mails, stages=[stage("use", touchpoints=["e0", "e1", "e2"])]))
        == []
    )
    sites = [tp(f"w{i}", channel="website", frequency="weekly") for i in range(3)]
    assert (
        run(rules.over_contact, book(*sites, stages=[stage("s", touchpoints=["w0", "w1", "w2"])]))
        == []
    )


# --- consent, no_owner, handoffs -------------------------------------------------------------


def test_marketing_contacts_need_consent_and_opt_out():
    workbook = book(
        tp("none", marketing_contact=True),
        tp("no_optout", marketing_contact=True, consent=True),
        tp("no_consent", marketing_contact=True, opt_out=True),
        tp("fine", marketing_contact=True, consent=True, opt_out=True),
        tp("service"),
    )
    (found,) = run(rules.consent, workbook)
    assert [(i.touchpoint, i.key) for i in found.items] == [
        ("none", "neither"),
        ("no_optout", "no_opt_out"),
        ("no_consent", "no_consent"),
    ]
    assert found.severity == 5  # 2 + 3
    assert (
        run(rules.consent, book(tp("fine", marketing_contact=True, consent=True, opt_out=True)))
        == []
    )


def test_touchpoints_without_an_owner_blank_or_only_spaces():
    workbook = book(tp("a", owner=""), tp("b", owner="  "), tp("c", owner="IT"))
    (found,) = run(rules.no_owner, workbook)
    assert found.touchpoints == ("a", "b") and found.severity == 2
    assert run(rules.no_owner, book(tp("c", owner="IT"))) == []


def handed_over(stage_owner: str = "") -> Workbook:
    return book(
        tp("app", owner="Product"),
        tp("help", owner=""),
        tp("call", owner="Customer care"),
        stages=[stage("onboard", touchpoints=["app", "help", "call"], owner=stage_owner)],
    )


def test_a_stage_shared_by_several_owners_without_a_stage_owner():
    (found,) = run(rules.handoffs, handed_over())
    assert (found.subject, found.evidence["count"]) == ("onboard", 2)
    assert [i.key for i in found.items] == ["owned", "unowned", "owned"]
    assert found.severity == 2.5  # 2 owners + ½ for the unowned touchpoint
    assert run(rules.handoffs, handed_over("Head of onboarding")) == []
    assert run(rules.handoffs, handed_over(), owners_per_stage=3) == []
    one_owner = book(tp("a"), tp("b"), stages=[stage("s", touchpoints=["a", "b"])])
    assert run(rules.handoffs, one_owner) == []


# --- high_scores_yet_churn -----------------------------------------------------------------


def churning(kpi: Kpi | None = None, emotion: int = 0, scores=((4, 4), (5, 3))) -> Workbook:
    return book(
        tp("a"),
        tp("b"),
        stages=[stage("s", touchpoints=["a", "b"], kpi=kpi, emotion=emotion)],
        ratings=[rating(tid, "P", c, p) for tid, (c, p) in zip("ab", scores, strict=True)],
    )


def test_good_touchpoints_in_a_stage_that_misses_its_target():
    kpi = Kpi(name="Renewals (%)", value=50, target=80, better="higher")
    (found,) = run(rules.high_scores_yet_churn, churning(kpi))
    assert found.subject == "s" and found.severity == 3.5  # 2 + 4 × 30/80
    assert [i.key for i in found.items] == ["outcome_kpi", "team_well", "team_well"]


def test_good_touchpoints_where_the_customer_feels_low():
    (found,) = run(rules.high_scores_yet_churn, churning(emotion=-1))
    assert found.severity == 3 and found.items[0].key == "outcome_emotion"
    assert run(rules.high_scores_yet_churn, churning(emotion=-1), low_emotion=-2) == []


def test_a_lower_is_better_kpi_misses_when_it_is_above_its_target():
    late = Kpi(name="Days to quote", value=19, target=5, better="lower")
    assert run(rules.high_scores_yet_churn, churning(late))
    quick = Kpi(name="Days to quote", value=5, target=5, better="lower")
    assert run(rules.high_scores_yet_churn, churning(quick)) == []


def test_one_touchpoint_below_good_and_a_met_target_do_not_trigger():
    kpi = Kpi(name="Renewals (%)", value=50, target=80, better="higher")
    assert run(rules.high_scores_yet_churn, churning(kpi, scores=((4, 4), (4, 3)))) == []  # 3.5
    met = Kpi(name="Renewals (%)", value=80, target=80, better="higher")
    assert run(rules.high_scores_yet_churn, churning(met)) == []
    assert run(rules.high_scores_yet_churn, churning()) == []  # no target, feeling neutral


def test_customers_csat_decides_where_enough_of_them_answered():
    kpi = Kpi(name="Renewals (%)", value=50, target=80, better="higher")
    team_poor = churning(kpi, scores=((2, 2), (2, 2)))
    happy = [answers(t, "csat", [5] * 37 + [3] * 3) for t in "ab"]  # 92.5 % of 40
    customers = customers_from(happy, 80)
    (found,) = run(rules.high_scores_yet_churn, team_poor, customers)
    assert [i.key for i in found.items[1:]] == ["customers_well", "customers_well"]
    lukewarm = customers_from([answers(t, "csat", [5] * 34 + [3] * 6) for t in "ab"], 80)
    assert run(rules.high_scores_yet_churn, churning(kpi), lukewarm) == []  # 85 %: not well
    few = customers_from([answers(t, "csat", [5] * 20) for t in "ab"], 40)  # n < 30
    assert run(rules.high_scores_yet_churn, team_poor, few) == []  # the team's view stands


# --- contact_vs_process --------------------------------------------------------------------


def test_the_weaker_axis_is_named_when_it_is_a_point_behind():
    workbook = book(
        tp("quote"),
        tp("site"),
        tp("even"),
        ratings=[rating("quote", "P", 4, 2), rating("site", "P", 2, 3), rating("even", "P", 4, 4)],
    )
    found = {f.subject: f for f in run(rules.contact_vs_process, workbook)}
    assert found["process"].touchpoints == ("quote",) and found["contact"].touchpoints == ("site",)
    assert found["process"].evidence == {"count": 1, "total": 3, "gap": 2}
    assert found["process"].severity == pytest.approx(severity(1 + 4 * (1 / 3) * 1))


def test_contact_vs_process_boundary_of_one_point():
    exactly = book(tp("a"), ratings=[rating("a", "P", 4, 3)])
    assert run(rules.contact_vs_process, exactly)[0].subject == "process"
    almost = book(tp("a"), ratings=[rating("a", "P", 4, 3), rating("a", "Q", 4, 4)])  # 0.5
    assert run(rules.contact_vs_process, almost) == []


def test_customers_answers_replace_the_team_view_on_both_axes():
    workbook = book(tp("quote"), ratings=[rating("quote", "P", 4, 2)])
    figures = [answers("quote", "contact", [4] * 40), answers("quote", "process", [4] * 40)]
    assert run(rules.contact_vs_process, workbook, customers_from(figures, 40)) == []
    (found,) = run(rules.contact_vs_process, workbook, customers_from(figures[:1], 40))
    assert found.items[0].key == "team"  # one axis answered is not enough: the team's view


# --- importance_performance ----------------------------------------------------------------


def ipa_book() -> Workbook:
    return book(
        tp("a"),
        tp("b"),
        tp("c"),
        ratings=[rating("a", "P", 2, 2, 5), rating("b", "P", 4, 4, 3), rating("c", "P", 4, 4, 4)],
    )


def test_ipa_quadrants_with_the_cross_hairs_at_the_means():
    analysis = ipa.analyse(ipa_book())  # importance mean 4, performance mean 10/3
    assert analysis.importance == 4 and analysis.performance == pytest.approx(10 / 3)
    quadrants = {p.touchpoint: p.quadrant for p in analysis.points}
    # c sits on the importance cross-hair, above the performance one: keeping up
    assert quadrants == {"a": "concentrate_here", "b": "possible_overkill", "c": "keep_up"}
    found = {f.subject: f for f in run(rules.importance_performance, ipa_book())}
    assert found["concentrate_here"].touchpoints == ("a",)
    assert found["concentrate_here"].severity == pytest.approx(severity(1 + 2 * (1 + 4 / 3)))
    assert found["possible_overkill"].severity <= 2


def test_ipa_needs_three_rated_touchpoints():
    two = ipa_book()
    two.ratings = two.ratings[:2]
    assert ipa.analyse(two) is None and run(rules.importance_performance, two) == []


def test_the_ipa_chart_draws_few_text_nodes_and_escapes_names():
    workbook = ipa_book()
    workbook.touchpoints[0].name = "<script>x</script>"
    svg = ipa.chart_svg(ipa.analyse(workbook), {t.id: t.name for t in workbook.touchpoints}, "de")
    assert svg.count("<text") == 9 and "<script>" not in svg and "Hier konzentrieren" in svg


# --- disagreement, team_vs_customers -------------------------------------------------------


def test_raters_two_points_apart_should_talk():
    split = book(tp("a"), ratings=[rating("a", "P", 1, 3), rating("a", "Q", 3, 3)])
    (found,) = run(rules.disagreement, split)
    assert found.items[0].values == {"criterion": "contact_quality", "low": 1, "high": 3}
    close = book(tp("a"), ratings=[rating("a", "P", 2, 3), rating("a", "Q", 3, 3)])
    assert run(rules.disagreement, close) == []
    alone = book(tp("a"), ratings=[rating("a", "P", 1, 5)])
    assert run(rules.disagreement, alone) == []


def test_missing_scores_are_missing_not_zero():
    """Issue 9 lets a participant leave a score empty: it takes no part in spreads."""
    ratings = [
        Rating.model_construct(
            touchpoint="a", participant=who, contact_quality=c, process_quality=3, importance=None
        )
        for who, c in (("P", 1), ("Q", None), ("R", 2))
    ]
    workbook = book(tp("a"))
    workbook.__dict__["ratings"] = ratings  # as the optional-score model will hold them
    assert facts.spreads(workbook)["a"].points == 1  # 1 and 2; the empty one is not 0
    assert not facts.ratings_all_top(workbook)


def test_the_team_clearly_above_its_customers():
    workbook = book(tp("desk"), ratings=[rating("desk", "P", 5, 3), rating("desk", "Q", 4, 3)])
    clear = customers_from([answers("desk", "contact", [3] * 40)], 40)  # 4.5 vs 3.0
    (found,) = run(rules.team_vs_customers, workbook, clear)
    assert found.items[0].values == {"team": 4.5, "customers": 3.0, "n": 40}
    assert found.severity == 4  # 1 + 2 × 1.5
    few = customers_from([answers("desk", "contact", [3] * 20)], 20)
    assert run(rules.team_vs_customers, workbook, few) == []
    close = customers_from([answers("desk", "contact", [4] * 40)], 40)  # 0.5 apart, no spread
    assert run(rules.team_vs_customers, workbook, close)
    assert run(rules.team_vs_customers, workbook, close, team_gap=0.6) == []
    noisy = customers_from([answers("desk", "contact", [5] * 30 + [1] * 10)], 40)  # 4 ± 0.56
    assert run(rules.team_vs_customers, workbook, noisy) == []  # 4.5 is inside the interval


# --- unbacked, low_point -------------------------------------------------------------------


def journey() -> Workbook:
    return book(
        tp("ad"),
        tp("desk", "after"),
        stages=[
            stage("find", touchpoints=["ad"], pain_points=["too many ads"]),
            stage("help", "after", touchpoints=["desk"], emotion=-1),
        ],
    )


def test_without_any_answers_the_journey_is_the_teams_view():
    (found,) = run(rules.unbacked, journey())
    assert (found.variant, found.stages) == ("none", ("find", "help"))
    assert run(rules.unbacked, book()) == []


def test_stages_and_touchpoints_without_enough_answers():
    customers = customers_from([answers("desk", "csat", [4] * 10)], 10)
    (found,) = run(rules.unbacked, journey(), customers)
    assert found.stages == ("find",)  # "help" has answers behind it, if few
    assert [(i.key, i.touchpoint, i.values) for i in found.items[1:]] == [
        ("thin", "desk", {"n": 10}),
        ("thin", "ad", {"n": 0}),
    ]
    backed = customers_from([answers(t, "csat", [4] * 30) for t in ("ad", "desk")], 60)
    assert run(rules.unbacked, journey(), backed) == []


def test_the_low_point_at_or_below_the_threshold():
    workbook = journey()
    (found,) = run(rules.low_point, workbook)
    assert (found.subject, found.severity) == ("help", 1.5)
    workbook.stages[1].emotion = -2
    workbook.stages[1].kpi = Kpi(name="Solved (%)", value=60, target=90, better="higher")
    assert run(rules.low_point, workbook)[0].severity == 4  # 1.5 × 2 + 1
    workbook.stages[1].emotion = 0
    assert run(rules.low_point, workbook) == []
    workbook.stages[1].emotion = -1
    assert run(rules.low_point, workbook, low_emotion=-2) == []


# --- the ranked list -----------------------------------------------------------------------


def test_findings_are_ranked_by_weight_times_severity():
    a = Finding("no_owner", "", 2.0)
    b = Finding("consent", "", 3.0)
    assert [f.rule for f in rank([a, b], {})] == ["consent", "no_owner"]
    ranked = rank([a, b], {"no_owner": 2})
    assert [(f.rule, f.score) for f in ranked] == [("no_owner", 4.0), ("consent", 3.0)]
    assert rank([a, b], {"consent": 0}) == [a]  # weight 0 leaves a rule out


def test_a_workbook_reweights_its_own_list():
    workbook = handed_over()
    workbook.touchpoints.append(tp("news", marketing_contact=True))
    plain = [f.rule for f in diagnose(workbook)]
    workbook.diagnostics.weights = {"handoffs": 3, "consent": 0}
    weighted = diagnose(workbook)
    assert weighted[0].rule == "handoffs" and weighted[0].weight == 3
    assert "consent" in plain and "consent" not in [f.rule for f in weighted]


def test_a_clean_workbook_has_no_findings_but_unbacked_content():
    clean = book(*balanced(), ratings=[rating(t.id, "P", 4, 4, 4) for t in balanced()])
    assert [f.rule for f in diagnose(clean)] == ["unbacked"]


# --- the samples ---------------------------------------------------------------------------


@cache
def sample_findings(name: str) -> tuple[Workbook, tuple[Finding, ...]]:
    path = SAMPLES / f"{name}.yaml"
    workbook = read(path)
    return workbook, tuple(diagnose(workbook, customers_of(workbook, path)))


def test_shawna_surfaces_its_onboarding_gap():
    _, found = sample_findings("shawna")
    keys = [f.key for f in found]
    assert ("low_point", "onboarding") in keys[:5]
    assert ("handoffs", "onboarding") in keys
    concentrate = next(f for f in found if f.key == ("importance_performance", "concentrate_here"))
    assert concentrate.touchpoints[0] == "onboarding_app"
    # the team rates customer service's people far above what 222 customers say
    gap = next(f for f in found if f.rule == "team_vs_customers")
    assert gap.items[0].touchpoint == "customer_service" and gap.items[0].values["n"] == 222


def test_ticino_surfaces_its_post_purchase_neglect_and_its_waiting_times():
    _, found = sample_findings("ticino")
    keys = [f.key for f in found]
    assert ("post_purchase_neglect", "after") in keys[:3]
    process = next(f for f in found if f.key == ("contact_vs_process", "process"))
    assert {"preventivo", "capo_progetto", "consulente_vendita", "fattura"} <= set(
        process.touchpoints
    )
    assert keys.index(("contact_vs_process", "process")) < 5
    assert ("low_point", "richiesta_preventivo") in keys  # three weeks waiting for a quote
    neglect = found[keys.index(("post_purchase_neglect", "after"))]
    assert neglect.weight == 1.5  # the workbook's own weight


# --- four languages ------------------------------------------------------------------------


def every_variant() -> list[tuple[Workbook, Customers]]:
    """Workbooks (and customers) whose findings use every text: the samples, hand-made ones."""
    cases = []
    for name in ("shawna", "ticino"):
        path = SAMPLES / f"{name}.yaml"
        workbook = read(path)
        cases.append((workbook, customers_of(workbook, path)))
    kpi = Kpi(name="Renewals", value=50, target=80, better="higher")
    happy = customers_from([answers(t, "csat", [5] * 40) for t in "ab"], 80)
    cases += [
        (book(*balanced(), stages=[stage("stay", "after")]), Customers()),
        (churning(kpi, emotion=-1), Customers()),
        (churning(kpi), happy),
        (journey(), customers_from([answers("desk", "csat", [4])], 1)),
        (handed_over(), Customers()),
    ]
    return cases


def neutral(workbook: Workbook) -> Workbook:
    """The workbook with every user text replaced by a code, so only the kit's words remain."""
    copy = workbook.model_copy(deep=True)
    for i, item in enumerate([*copy.touchpoints, *copy.stages]):
        item.name = f"Q{i}"
    for record in [*copy.touchpoints, *copy.stages, *copy.actions]:
        record.owner = "Q" if record.owner else ""
    for s in copy.stages:
        s.pain_points = ["Q"] * len(s.pain_points)
        if s.kpi:
            s.kpi.name = "Q"
    for action in copy.actions:
        action.what = "Q"
    return copy


WORD = re.compile(r"[^\W\d_]{4,}")


def english_only(language: str) -> set[str]:
    """Words of the English diagnostics texts that no text of the language uses."""
    own = {w.casefold() for text in catalogue(language).values() for w in WORD.findall(text)}
    english = {
        w.casefold()
        for key, text in catalogue("en").items()
        if key.startswith(("diagnostics.", "rule."))
        for w in WORD.findall(text)
    }
    return english - own


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_findings_render_with_no_english_left(language):
    leftovers = english_only(language)
    assert "marketing" not in leftovers  # a word every language uses is not a leftover
    for workbook, customers in every_variant():
        shown = neutral(workbook)
        for finding in diagnose(shown, customers):
            said = words(finding, shown, language)
            english = words(finding, shown, "en")
            text = " ".join([said.title, said.explanation, said.action, said.severity, *said.lines])
            assert said.title != english.title and said.action != english.action
            stray = {w.casefold() for w in WORD.findall(text)} & leftovers
            assert not stray, (language, finding.rule, finding.variant, stray)


def test_english_renders_every_variant_too():
    variants = set()
    for workbook, customers in every_variant():
        for finding in diagnose(workbook, customers):
            variants.add((finding.rule, finding.variant))
            said = words(finding, workbook, "en")
            assert said.title and said.explanation and said.action and said.severity
            assert "{" not in " ".join([said.title, *said.lines])
    assert {rule for rule, _ in variants} == set(RULE_IDS)  # every rule is rendered
