"""Every exercise check, triggered and not triggered by small hand-made workbooks, and the
progress across the workbook."""

from __future__ import annotations

from datetime import date

import pytest

from tpkit.model import Action, Meta, Persona, Rating, Stage, Touchpoint, Workbook
from tpkit.samples import SAMPLE_NAMES, sample_path
from tpkit.store import read
from tpkit.teaching import exercises as ex


def book(**parts) -> Workbook:
    return Workbook(meta=Meta(team="T"), **parts)


def tp(id: str, phase: str = "before", **fields) -> Touchpoint:
    fields.setdefault("name", id.capitalize())
    return Touchpoint(id=id, phase=phase, **fields)


def rating(touchpoint: str, who: str, *scores: int) -> Rating:
    contact, process, importance = scores or (3, 3, 3)
    return Rating(
        touchpoint=touchpoint,
        participant=who,
        contact_quality=contact,
        process_quality=process,
        importance=importance,
    )


def stage(id: str, touchpoints: list[str], emotion: int = 0) -> Stage:
    return Stage(
        id=id, name=id.capitalize(), phase="before", touchpoints=touchpoints, emotion=emotion
    )


def test_no_after_purchase():
    assert ex.no_after_purchase(book()) is None  # nothing listed yet: nothing to say
    found = ex.no_after_purchase(book(touchpoints=[tp("site"), tp("quote", "during")]))
    assert found == ex.Remark("no_after_purchase", ex.MISSING)
    assert ex.no_after_purchase(book(touchpoints=[tp("site"), tp("invoice", "after")])) is None


def test_marketing_without_consent():
    flagged = book(
        touchpoints=[
            tp("ads", marketing_contact=True),
            tp("mail", marketing_contact=True, consent=True, opt_out=True),
            tp("site"),
        ]
    )
    assert ex.marketing_without_consent(flagged).items == ("Ads",)
    fine = book(touchpoints=[tp("mail", marketing_contact=True, consent=True), tp("site")])
    assert ex.marketing_without_consent(fine) is None


def test_one_participant():
    touchpoints = [tp("site"), tp("shop")]
    alone = book(touchpoints=touchpoints, ratings=[rating("site", "Ana"), rating("shop", "Ana")])
    assert ex.one_participant(alone).items == ("Ana",)
    two = book(touchpoints=touchpoints, ratings=[rating("site", "Ana"), rating("site", "Ben")])
    assert ex.one_participant(two) is None
    assert ex.one_participant(book(touchpoints=touchpoints)) is None  # nobody rated yet


def test_all_fives():
    touchpoints = [tp(name) for name in ("a", "b", "c", "d")]
    ratings = [rating(t.id, "Ana", 5, 5, 5) for t in touchpoints]
    ratings += [rating(t.id, "Ben", 5, 4, 5) for t in touchpoints]
    found = ex.all_fives(book(touchpoints=touchpoints, ratings=ratings))
    assert found.kind == ex.DOUBTFUL and found.items == ("Ana",)
    few = [rating("a", "Cleo", 5, 5, 5), rating("b", "Cleo", 5, 5, 5)]
    assert ex.all_fives(book(touchpoints=touchpoints, ratings=few)) is None  # too few to say
    honest = [rating(t.id, "Ana", 5, 5, 4) for t in touchpoints]
    assert ex.all_fives(book(touchpoints=touchpoints, ratings=honest)) is None


def test_stage_without_touchpoint():
    journey = book(touchpoints=[tp("site")], stages=[stage("find", ["site"]), stage("buy", [])])
    assert ex.stage_without_touchpoint(journey).items == ("Buy",)
    full = book(touchpoints=[tp("site")], stages=[stage("find", ["site"])])
    assert ex.stage_without_touchpoint(full) is None


def test_touchpoint_in_no_stage():
    journey = book(
        touchpoints=[tp("site"), tp("invoice", "after")], stages=[stage("find", ["site"])]
    )
    assert ex.touchpoint_in_no_stage(journey).items == ("Invoice",)
    assert ex.touchpoint_in_no_stage(book(touchpoints=[tp("site")])) is None  # no journey yet
    linked = book(touchpoints=[tp("site")], stages=[stage("find", ["site"])])
    assert ex.touchpoint_in_no_stage(linked) is None


def test_no_low_point():
    flat = book(touchpoints=[tp("a")], stages=[stage("x", ["a"], 1), stage("y", ["a"], 0)])
    assert ex.no_low_point(flat) == ex.Remark("no_low_point", ex.DOUBTFUL)
    honest = book(touchpoints=[tp("a")], stages=[stage("x", ["a"], 1), stage("y", ["a"], -1)])
    assert ex.no_low_point(honest) is None
    assert ex.no_low_point(book(touchpoints=[tp("a")], stages=[stage("x", ["a"], 2)])) is None


def test_no_action_owner():
    nobody = book(actions=[Action(id="a", what="Faster quotes"), Action(id="b", what="Call back")])
    assert ex.no_action_owner(nobody).items == ("Faster quotes", "Call back")
    one = book(
        actions=[Action(id="a", what="Faster quotes", owner="Sara"), Action(id="b", what="X")]
    )
    assert ex.no_action_owner(one) is None
    assert ex.no_action_owner(book()) is None  # no actions yet: the progress says so


def test_every_check_belongs_to_one_step_and_has_a_text():
    from tpkit.i18n import catalogue
    from tpkit.model import LANGUAGES

    checks = [check for step in ex.STEPS for check in ex.CHECKS[step]]
    assert len(checks) == len(set(checks)) == 8
    for language in LANGUAGES:
        for check in checks:
            assert f"exercises.check.{check.__name__}" in catalogue(language)


def test_progress_walks_through_the_workshop():
    workbook = book()
    assert [p.state for p in ex.progress(workbook)] == [ex.TODO] * 4
    assert ex.next_step(workbook) == "inventory"

    workbook = book(touchpoints=[tp("site"), tp("quote", "during")])
    inventory = ex.step_progress(workbook, "inventory")
    assert (inventory.state, inventory.done, inventory.total) == (ex.STARTED, 2, 3)
    assert [r.check for r in inventory.remarks] == ["no_after_purchase"]

    touchpoints = [tp("site"), tp("quote", "during"), tp("invoice", "after")]
    ratings = [rating(t.id, who) for t in touchpoints for who in ("Ana", "Ben")]
    workbook = book(touchpoints=touchpoints, ratings=ratings)
    assert [p.state for p in ex.progress(workbook)] == [ex.DONE, ex.DONE, ex.TODO, ex.TODO]
    assert ex.next_step(workbook) == "journey"

    workbook.persona = Persona(name="Chiara")
    workbook.stages = [stage("find", ["site", "quote"], 1), stage("pay", ["invoice"], -1)]
    workbook = Workbook.model_validate(workbook.model_dump())  # links mirrored both ways
    workbook.actions = [Action(id="a", what="Faster quotes")]
    states = {p.step: p.state for p in ex.progress(workbook)}
    assert states == {
        "inventory": ex.DONE,
        "rating": ex.DONE,
        "journey": ex.DONE,
        "actions": ex.STARTED,
    }
    workbook.actions = [Action(id="a", what="Faster quotes", owner="Sara", due=date(2027, 1, 31))]
    assert ex.next_step(workbook) is None


def test_a_missing_remark_keeps_a_step_from_being_done():
    touchpoints = [tp("ads", marketing_contact=True), tp("q", "during"), tp("i", "after")]
    assert ex.step_progress(book(touchpoints=touchpoints), "inventory").state == ex.STARTED


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_samples_are_finished_workbooks(name):
    """A sample is a whole team's work: its progress line shows every step started."""
    states = [p.state for p in ex.progress(read(sample_path(name)))]
    assert ex.TODO not in states


# --- what the notebooks and the app show ---------------------------------------------


def test_the_feedback_answers_after_every_save(tmp_path):
    from tpkit.forms.session import WorkbookSession
    from tpkit.store import create
    from tpkit.teaching.exercise_view import ExerciseFeedback, ProgressLine

    path = create(tmp_path / "team.yaml", book(touchpoints=[tp("site"), tp("quote", "during")]))
    session = WorkbookSession(path, "de")
    feedback, line = ExerciseFeedback(session, ("inventory",)), ProgressLine(session)
    assert [r.check for r in feedback.remarks] == ["no_after_purchase"]
    assert "Noch kein Touchpoint nach dem Kauf" in feedback.widget.value
    assert (
        "◐ Touchpoint-Inventar" in line.widget.value
        and "Als Nächstes: Touchpoint-Inventar" in line.widget.value
    )

    def add(workbook: Workbook) -> None:
        workbook.touchpoints = [
            *workbook.touchpoints,
            tp("invoice", "after"),
            tp("news", "after", name="<i>News</i>", marketing_contact=True),
        ]

    assert session.apply(add).saved
    assert [r.check for r in feedback.remarks] == ["marketing_without_consent"]
    assert "„&lt;i&gt;News&lt;/i&gt;“" in feedback.widget.value  # named, and escaped
    assert "<i>News" not in feedback.widget.value


def test_remarks_name_their_entries_in_the_languages_own_words():
    from tpkit.teaching.exercise_view import feedback_html, progress_html, remark_text

    one = ex.Remark("stage_without_touchpoint", ex.MISSING, ("Pagare",))
    assert remark_text(one, "it") == (
        "Una fase del percorso non ha touchpoint: «Pagare». "
        "Quali touchpoint incontra lì il cliente?"
    )
    many = ex.Remark("touchpoint_in_no_stage", ex.MISSING, tuple("ABCDEF"))
    text = remark_text(many, "fr")
    assert text.startswith("6 points de contact") and "et 2 autres" in text
    assert "Rien ne manque ici" in feedback_html([], "fr")
    done = [ex.StepProgress(step, ex.DONE, 1, 1) for step in ex.STEPS]
    assert "Toutes les étapes sont faites" in progress_html(done, "fr")


# --- the exercises and the diagnostics agree where they ask the same ----------------------


OVERLAPS = {  # exercise check → the diagnostic rule that raises the same problem
    "no_after_purchase": "post_purchase_neglect",
    "marketing_without_consent": "consent",
}


def _agreement_cases() -> list[Workbook]:
    samples = [read(sample_path(name)) for name in SAMPLE_NAMES]
    no_after = book(touchpoints=[tp("site"), tp("quote", "during")])
    no_consent = book(touchpoints=[tp("ads", marketing_contact=True), tp("i", "after")])
    return [*samples, no_after, no_consent, book(touchpoints=[tp("a"), tp("b", "after")])]


@pytest.mark.parametrize("case", range(len(SAMPLE_NAMES) + 3))
def test_an_exercise_and_the_diagnosis_see_the_same_problem(case):
    from tpkit.diagnostics import diagnose

    workbook = _agreement_cases()[case]
    rules = {finding.rule: finding for finding in diagnose(workbook)}
    for check, rule in OVERLAPS.items():
        remark = getattr(ex, check)(workbook)
        if remark is not None:
            assert rule in rules, (check, rule)
    consented = ex.marketing_without_consent(workbook)
    if consented:  # the check names a subset of what the rule points at
        names = {tp.id: tp.name for tp in workbook.touchpoints}
        assert set(consented.items) <= {names[t] for t in rules["consent"].touchpoints}


# --- the worked cases raise what their teaching notes promise -------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_each_sample_raises_the_findings_its_teaching_note_states(name, capsys):
    import json

    from tpkit.cli import main
    from tpkit.model import RULE_IDS
    from tpkit.teaching.cases import teaching_note

    promised = teaching_note(name, "en").findings
    assert promised and set(promised) <= set(RULE_IDS)
    assert main(["diagnose", str(sample_path(name)), "--json"]) == 0
    found = {finding["rule"] for finding in json.loads(capsys.readouterr().out)["findings"]}
    assert set(promised) <= found, set(promised) - found


# --- the app's panel --------------------------------------------------------------------


def one_gap_per_step() -> Workbook:
    """A team half-way: nothing after the purchase, one rater, an empty stage, an action
    nobody owns — each step's notebook (and the app's tab) has one thing to say."""
    touchpoints = [tp("site", stages=["find"]), tp("quote", "during", stages=["find"])]
    return book(
        touchpoints=touchpoints,
        ratings=[rating("site", "Ana"), rating("quote", "Ana")],
        persona=Persona(name="Chiara"),
        stages=[stage("find", ["site", "quote"], -1), stage("pay", [])],
        actions=[Action(id="a", what="Faster quotes")],
    )


def test_the_apps_panel_shows_the_open_tabs_checks_and_the_progress(folder):
    from tpkit.forms.app import App
    from tpkit.i18n import t
    from tpkit.store import create

    path = create(folder / "team.yaml", one_gap_per_step())
    app = App(with_charts=False)
    app.start.open(path)
    panel = app.exercises
    assert panel.widget in app.widget.children[-1].children  # on the page, under the tabs

    def shown(tab: str) -> list[str]:
        app.tabs.selected_index = app.tabs.titles.index(t(tab, "en"))
        return [remark.check for remark in panel.feedback.remarks]

    assert shown("app.tab.inventory") == ["no_after_purchase"]
    assert "No touchpoint after the purchase yet" in panel.feedback.widget.value
    assert shown("app.tab.team") == shown("app.tab.rating") == ["one_participant"]
    assert shown("app.tab.journey") == ["stage_without_touchpoint"]
    assert shown("diagnostics.tab") == ["no_action_owner"]
    assert shown("app.tab.feedback") == [  # no step of its own: everything that is left
        "no_after_purchase",
        "one_participant",
        "stage_without_touchpoint",
        "no_action_owner",
    ]
    assert "Next: Touchpoint inventory" in panel.line.widget.value

    def finish_the_inventory(workbook: Workbook) -> None:
        workbook.touchpoints = [*workbook.touchpoints, tp("invoice", "after", stages=["pay"])]

    assert app.exercises.session.apply(finish_the_inventory).saved
    assert "no_after_purchase" not in [r.check for r in panel.feedback.remarks]
    assert "✓ Touchpoint inventory" in panel.line.widget.value
    assert "Next: Rating" in panel.line.widget.value
