"""From a finding to an action and back: the one-step action, the before/after that later
feedback gives, the widgets of notebook 05 and the app's tab (headless), ``tpkit
diagnose`` and the report's diagnostics section."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from tests.conftest import SAMPLES
from tpkit.cli import main
from tpkit.diagnostics.findings import Finding
from tpkit.diagnostics.html import plan_html
from tpkit.diagnostics.plan import Check, action_from, addressed, remeasure, verdict
from tpkit.diagnostics.widgets import DiagnosticsView
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import t
from tpkit.model import Action, Meta, Stage, Touchpoint, Workbook
from tpkit.store import read
from tpkit.survey import responses
from tpkit.survey.metrics import figure


def workbook() -> Workbook:
    return Workbook(
        meta=Meta(team="T"),
        touchpoints=[
            Touchpoint(id="quote", name="Quote", phase="during", owner="Sales"),
            Touchpoint(id="call", name="Call", phase="after", owner="Care"),
        ],
        stages=[Stage(id="wait", name="Waiting", phase="during", touchpoints=["quote", "call"])],
        actions=[
            Action(id="fast", what="Quote in five days", touchpoint="quote", start=date(2026, 9, 1))
        ],
    )


# --- a finding into an action --------------------------------------------------------------


def test_a_stage_finding_becomes_an_action_on_that_stage_with_its_owner():
    wb = workbook()
    wb.stages[0].owner = "Head of sales"
    finding = Finding("low_point", "wait", 3.0, ("quote", "call"), ("wait",))
    action = action_from(finding, wb, "it")
    assert (action.stage, action.touchpoint, action.owner) == ("wait", None, "Head of sales")
    assert action.what == t("diagnostics.low_point.action", "it")
    assert action.expected_effect == t("diagnostics.low_point.effect", "it")
    assert (action.finding.rule, action.finding.subject, action.status) == (
        "low_point",
        "wait",
        "open",
    )
    assert action.id == "low-point-wait"


def test_a_touchpoint_finding_points_at_its_first_touchpoint():
    finding = Finding("contact_vs_process", "process", 3.0, ("call", "quote"), variant="process")
    action = action_from(finding, workbook(), "en")
    assert (action.touchpoint, action.stage, action.owner) == ("call", None, "Care")
    assert action.what == t("diagnostics.contact_vs_process.action_process", "en")


def test_an_action_addresses_its_touchpoint_or_its_stages_touchpoints():
    wb = workbook()
    assert addressed(wb, wb.actions[0]) == ["quote"]
    assert addressed(wb, Action(id="s", what="W", stage="wait")) == ["quote", "call"]
    assert addressed(wb, Action(id="n", what="W")) == []


# --- before and after ----------------------------------------------------------------------


def table(rows: list[tuple[str | None, str, float]]) -> pa.Table:
    """Stored answers as the survey import writes them: when, the link's touchpoint, CSAT."""
    when = [datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None for day, _, _ in rows]
    return pa.table(
        {
            responses.SUBMITTED: pa.array(when, pa.timestamp("ms", tz="UTC")),
            responses.TOUCHPOINT: [tp for _, tp, _ in rows],
            "csat@*": pa.array([v for _, _, v in rows], pa.float64()),
        }
    )


def test_customers_noticed_when_the_intervals_part():
    rows = [("2026-08-15", "quote", 2.0)] * 40 + [("2026-09-01", "quote", 5.0)] * 40
    rows += [(None, "quote", 1.0)] * 5  # no date: on neither side
    (check,) = [c for c in remeasure(workbook(), table(rows)) if c.measure == "csat"]
    assert (check.before.n, check.after.n) == (40, 40)
    assert (check.before.score, check.after.score, check.verdict) == (0, 100, "better")


def test_few_answers_or_none_since_the_start_say_so():
    few = [("2026-08-15", "quote", 2.0)] * 40 + [("2026-09-02", "quote", 5.0)] * 10
    (check,) = [c for c in remeasure(workbook(), table(few)) if c.measure == "csat"]
    assert check.verdict == "too_few"
    none = [("2026-08-15", "quote", 2.0)] * 40
    (check,) = [c for c in remeasure(workbook(), table(none)) if c.measure == "csat"]
    assert (check.after, check.verdict) == (None, "no_answers")


def test_the_verdict_needs_intervals_that_do_not_overlap():
    before = figure("quote", "csat", 40, 160, 640, 30, 0)  # 75 %
    same = figure("quote", "csat", 40, 160, 640, 32, 0)  # 80 %: inside the noise
    worse = figure("quote", "csat", 40, 80, 160, 4, 0)  # 10 %
    assert (verdict(before, same, 30), verdict(before, worse, 30)) == ("unclear", "worse")


def test_the_plan_shows_before_and_after_with_not_enough_answers():
    wb = workbook()
    before = figure("quote", "csat", 40, 160, 640, 30, 0)
    checks = [Check("fast", "quote", "csat", before, None, "no_answers")]
    html = plan_html(wb, checks, "de")
    assert "Quote in five days" in html and t("diagnostics.plan.verdict.no_answers", "de") in html
    assert "75" in html and "40 Antworten" in html  # before: 75 % of 40 answers
    unmeasured = plan_html(wb, [Check("fast", "quote", "csat", None, None, "no_answers")], "de")
    assert t("diagnostics.plan.unmeasured", "de").split(".")[0] in unmeasured
    wb.actions[0].start = None
    assert t("diagnostics.plan.no_start", "de").split(".")[0] in plan_html(wb, [], "de")
    wb.actions = []
    assert t("diagnostics.plan.empty", "de").split(".")[0] in plan_html(wb, [], "de")


def test_user_text_in_the_plan_is_escaped():
    wb = workbook()
    wb.actions[0].what = "<script>alert(1)</script>"
    html = plan_html(wb, [], "en")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_shawnas_started_actions_are_remeasured_from_its_responses():
    from tpkit.diagnostics.plan import remeasure_file

    path = SAMPLES / "shawna.yaml"
    checks = remeasure_file(read(path), path)
    profile = next(c for c in checks if (c.action, c.measure) == ("shorter-skin-profile", "csat"))
    assert profile.before.n >= 30 and profile.after.n >= 30
    assert profile.verdict in ("better", "unclear")
    retargeting = [c for c in checks if c.action == "retargeting-consent"]
    assert {c.verdict for c in retargeting} == {"no_answers"}  # nobody is asked about ads


# --- the widgets (notebook 05, the app's tab) ---------------------------------------------


@pytest.fixture
def shawna_session(tmp_path) -> WorkbookSession:
    shutil.copy(SAMPLES / "shawna.yaml", tmp_path / "glowbox.yaml")
    shutil.copy(SAMPLES / "shawna.responses.parquet", tmp_path / "glowbox.responses.parquet")
    return WorkbookSession(tmp_path / "glowbox.yaml", "de")


def test_make_an_action_in_one_click_and_see_it_planned(shawna_session):
    view = DiagnosticsView(shawna_session)
    findings = view.findings
    index = next(i for i, f in enumerate(findings.findings) if f.key == ("over_contact", ""))
    button = findings.buttons[index]
    assert button.description == t("diagnostics.make_action", "de") and not button.disabled
    button.click()
    action = read(shawna_session.path).actions[-1]
    assert (action.finding.rule, action.touchpoint) == ("over_contact", "retargeting_ads")
    assert action.what == t("diagnostics.over_contact.action_load", "de")
    again = findings.buttons[index]  # redrawn after the save
    assert again.disabled and again.description == t("diagnostics.planned", "de")
    assert findings.message.kind == "ok"


def test_the_plan_editor_sets_owner_start_due_and_status(shawna_session):
    plan = DiagnosticsView(shawna_session).plan
    plan.choice.value = "onboarding-owner"
    assert plan.owner.value == "Head of customer experience"
    plan.owner.value = "Leo"
    plan.start.value = date(2026, 10, 5)
    plan.status.value = "in_progress"
    plan.save.click()
    saved = next(a for a in read(shawna_session.path).actions if a.id == "onboarding-owner")
    assert (saved.owner, saved.start, saved.status) == ("Leo", date(2026, 10, 5), "in_progress")
    assert "Leo" in plan.view.value  # the plan redrew from the file
    assert t("diagnostics.plan.remeasure_title", "de") in plan.view.value


def test_the_ipa_view_and_the_app_tab(shawna_session, folder):
    view = DiagnosticsView(shawna_session)
    assert (
        "<svg" in view.ipa.value and t("diagnostics.ipa.concentrate_here", "de") in view.ipa.value
    )
    from tpkit.forms.app import App

    app = App(with_charts=False)
    app.start.open(shawna_session.path)
    assert app.tabs.titles[-1] == t("diagnostics.tab", "en")
    assert app.diagnostics.findings.findings  # the tab holds the ranked list


# --- tpkit diagnose ------------------------------------------------------------------------


def test_diagnose_prints_the_ranked_list_in_the_workbooks_language(capsys):
    assert main(["diagnose", str(SAMPLES / "ticino.yaml"), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        t("diagnostics.cli.heading", "it", count=3, team="Team clienti Elettro Bernasconi")
    )
    assert "1. " in out and "3. " in out and "4. " not in out
    assert t("diagnostics.todo", "it") in out


def test_diagnose_json_names_rule_score_touchpoints_stages_and_evidence(capsys):
    assert main(["diagnose", str(SAMPLES / "shawna.yaml"), "--json", "--lang", "fr"]) == 0
    document = json.loads(capsys.readouterr().out)
    found = document["findings"]
    assert document["language"] == "fr" and len(found) >= 10
    for item in found:
        assert {"rule", "score", "touchpoints", "stages", "evidence", "title"} <= set(item)
        assert item["score"] == pytest.approx(item["weight"] * item["severity"], abs=0.01)
    scores = [item["score"] for item in found]
    assert scores == sorted(scores, reverse=True)
    low = next(item for item in found if item["rule"] == "low_point")
    assert low["stages"] == ["onboarding"] and low["evidence"] == {
        "stage": "onboarding",
        "emotion": -2,
    }
    assert next(i for i in found if i["rule"] == "consent")["answered_by"] == [
        "retargeting-consent"
    ]


def test_diagnose_names_a_missing_file_without_a_traceback(tmp_path, capsys):
    assert main(["diagnose", str(tmp_path / "nope.yaml")]) == 1
    error = capsys.readouterr().err
    assert "nope.yaml" in error and "Traceback" not in error


# --- the whole loop ------------------------------------------------------------------------


def stored(rows: list[tuple[str, str, float]]) -> pa.Table:
    """Responses as the survey import stores them (the fixed columns, then CSAT)."""
    count = len(rows)
    columns = {
        responses.RESPONSE: [f"r{i}" for i in range(count)],
        responses.FORM: ["csv:test"] * count,
        responses.SUBMITTED: [
            datetime.fromisoformat(day).replace(tzinfo=UTC) for day, _, _ in rows
        ],
        responses.TOUCHPOINT: [tp for _, tp, _ in rows],
        responses.SOURCE: ["test.csv"] * count,
        responses.LINE: list(range(2, count + 2)),
        responses.MAPPING: ["test-mapping"] * count,
        responses.IMPORTED: [datetime(2026, 12, 1, tzinfo=UTC)] * count,
    }
    table = pa.table(columns, schema=responses.FIXED_SCHEMA)
    return table.append_column("csat@*", pa.array([v for _, _, v in rows], pa.float64()))


def test_two_findings_become_actions_and_the_report_shows_whether_customers_noticed(tmp_path):
    from tpkit.report.sections import SECTIONS, ReportContext, section_html

    path = tmp_path / "glowbox.yaml"
    shutil.copy(SAMPLES / "shawna.yaml", path)
    session = WorkbookSession(path)
    view = DiagnosticsView(session)
    for key in (("over_contact", ""), ("importance_performance", "concentrate_here")):
        index = next(i for i, f in enumerate(view.findings.findings) if f.key == key)
        view.findings.buttons[index].click()
    made = [
        a
        for a in read(path).actions
        if a.id in ("over-contact", "importance-performance-concentrate-here")
    ]
    assert [a.touchpoint for a in made] == ["retargeting_ads", "onboarding_app"]
    for action in made:
        view.plan.choice.value = action.id
        view.plan.start.value = date(2026, 11, 1)
        view.plan.save.click()
    rows = [("2026-10-10", tp, 2.0) for tp in ("retargeting_ads", "onboarding_app")] * 40
    rows += [("2026-11-10", "onboarding_app", 5.0)] * 40 + [
        ("2026-11-10", "retargeting_ads", 5.0)
    ] * 5
    responses.append(path, stored(rows), {})
    context = ReportContext(
        workbook=read(path), language="en", sections=tuple(SECTIONS), workbook_path=str(path)
    )
    html = section_html("diagnostics", context)
    assert t("diagnostics.plan.verdict.better", "en") in html  # the onboarding app: 0 % → 100 %
    assert t("diagnostics.plan.verdict.too_few", "en") in html  # the ads: 5 answers since


def test_every_suggested_action_fits_an_actions_what():
    """'Make an action' writes the rule's suggestion as the action's name: it must fit."""
    from tpkit.i18n import catalogue
    from tpkit.model import LANGUAGES, MAX_NAME_LENGTH

    for language in LANGUAGES:
        actions = {k: v for k, v in catalogue(language).items() if ".action" in k}
        assert len(actions) >= 12
        assert max(len(text) for text in actions.values()) <= MAX_NAME_LENGTH
