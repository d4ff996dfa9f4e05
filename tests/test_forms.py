"""The widget forms, headless: set .value, .click(), and check the file on disk."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tpkit.forms import (
    App,
    InventoryForm,
    JourneyForm,
    RatingForm,
    StartForm,
    TeamView,
    WorkbookSession,
)
from tpkit.forms.session import open_session, recall
from tpkit.store import read


@pytest.fixture
def session(workbook_file) -> WorkbookSession:
    return WorkbookSession(workbook_file)


# --- inventory ------------------------------------------------------------------------


def test_adding_a_touchpoint_saves_it_at_once(session):
    form = InventoryForm(session, with_chart=False)
    editor = form.editor
    editor.inputs["name"].value = "Showroom visit"
    editor.inputs["phase"].value = "during"
    editor.inputs["channel"].value = "in_person"
    editor.inputs["kind"].value = "human"
    editor.inputs["owner"].value = "Sales"
    editor.inputs["aliases"].value = "showroom\nexhibition"
    editor.add_button.click()
    saved = read(session.path).touchpoint("showroom-visit")
    assert (saved.phase, saved.channel, saved.kind, saved.owner) == (
        "during",
        "in_person",
        "human",
        "Sales",
    )
    assert saved.aliases == ["showroom", "exhibition"]
    assert editor.feedback.kind == "ok"
    assert editor.inputs["name"].value == ""  # ready for the next one
    assert "Showroom visit" in form.tables.value
    assert form.status.message.kind == "ok"


def test_an_empty_or_duplicate_name_is_refused_next_to_the_field(session):
    editor = InventoryForm(session, with_chart=False).editor
    editor.add_button.click()
    assert editor.messages["name"].kind == "error" and "empty" in editor.messages["name"].text
    editor.inputs["name"].value = " website "
    assert "already one called 'website'" in editor.messages["name"].text
    editor.add_button.click()
    assert len(read(session.path).touchpoints) == 2


def test_editing_a_field_autosaves_and_renaming_keeps_links(session):
    editor = InventoryForm(session, with_chart=False).editor
    editor.picker.value = "website"
    assert editor.inputs["name"].value == "Website"
    editor.inputs["name"].value = "Online shop"
    editor.inputs["marketing_contact"].value = True
    on_disk = read(session.path)
    assert on_disk.touchpoint("website").name == "Online shop"
    assert on_disk.touchpoint("website").marketing_contact is True
    assert [r.touchpoint for r in on_disk.ratings] == ["website", "website"]


def test_stage_links_set_in_the_inventory_show_in_the_journey(session):
    editor = InventoryForm(session, with_chart=False).editor
    editor.picker.value = "newsletter"
    editor.inputs["stages"].value = ("discover", "stay")
    assert read(session.path).stage("discover").touchpoints == ["website", "newsletter"]


def test_removing_asks_first_then_takes_ratings_along(session):
    editor = InventoryForm(session, with_chart=False).editor
    editor.picker.value = "website"
    editor.remove_button.click()
    assert "2 ratings" in editor.feedback.text and len(read(session.path).touchpoints) == 2
    editor.remove_button.click()
    on_disk = read(session.path)
    assert [tp.id for tp in on_disk.touchpoints] == ["newsletter"] and on_disk.ratings == []
    assert editor.picker.value == ""


def test_a_suggestion_is_one_click_away(session):
    form = InventoryForm(session, with_chart=False)
    keys = [key for _, key in form.suggestion.options]
    assert keys and "website" not in keys  # already in the workbook
    form.suggestion.value = keys[0]
    assert form.suggestion_hint.value
    form.add_suggestion.click()
    assert len(read(session.path).touchpoints) == 3
    assert keys[0] not in [key for _, key in form.suggestion.options]


def test_user_text_is_escaped_in_tables(session):
    editor = InventoryForm(session, with_chart=False).editor
    editor.inputs["name"].value = "<script>alert(1)</script>"
    editor.add_button.click()
    form = InventoryForm(session, with_chart=False)
    assert "<script>" not in form.tables.value and "&lt;script&gt;" in form.tables.value


# --- rating ---------------------------------------------------------------------------


def _cleo(session) -> list[tuple]:
    return [
        (r.contact_quality, r.process_quality, r.importance, r.strengths, r.problems)
        for r in read(session.path).ratings
        if r.participant == "Cleo"
    ]


def test_a_rating_is_saved_field_by_field_in_any_order(session):
    """A comment before any score, then one score: each is in the file at once."""
    form = RatingForm(session)
    form.participant.value = "Cleo"
    line = form.rows["newsletter"]
    line.problems.value = "Too many mails"
    assert _cleo(session) == [(None, None, None, "", "Too many mails")]
    assert "still missing" in line.message.text and line.message.kind == "ok"
    line.scores["contact_quality"].value = "4"
    assert _cleo(session) == [(4, None, None, "", "Too many mails")]
    line.scores["process_quality"].value = "7"
    assert line.message.kind == "error" and "7 is too large" in line.message.text
    line.scores["process_quality"].value = "two"
    assert "whole number" in line.message.text
    assert _cleo(session) == [(4, None, None, "", "Too many mails")]  # refused: not saved
    line.scores["process_quality"].value = "2"
    line.scores["importance"].value = "5"
    line.strengths.value = "Friendly tone "
    assert _cleo(session) == [(4, 2, 5, "Friendly tone", "Too many mails")]
    assert line.message.text == "saved"
    assert line.strengths.value == "Friendly tone "  # the space being typed stays
    again = RatingForm(WorkbookSession(session.path))  # a reload shows what the file holds
    again.participant.value = "Cleo"
    shown = again.rows["newsletter"]
    assert [w.value for w in shown.inputs().values()] == [
        "4",
        "2",
        "5",
        "Friendly tone",
        "Too many mails",
    ]


def test_a_participant_sees_their_own_ratings_and_can_clear_one(session):
    form = RatingForm(session)
    assert set(form.participant.options) == {"Ana", "Ben"}
    form.participant.value = "Ana"
    line = form.rows["website"]
    assert [w.value for w in line.scores.values()] == ["4", "2", "5"]
    assert "1 of 2" in form.participant_message.text
    for widget in line.scores.values():
        widget.value = ""
    assert [r.participant for r in read(session.path).ratings] == ["Ben"]


def test_rating_without_a_name_asks_for_it(session):
    form = RatingForm(session)
    form.rows["website"].scores["importance"].value = "3"
    assert "your name" in form.rows["website"].message.text


def test_the_team_view_shows_disagreement_first(session):
    view = TeamView(session, with_charts=False)
    assert "Website" in view.table.value and "people disagree" in view.table.value


# --- journey --------------------------------------------------------------------------


def test_a_stage_is_added_edited_moved_and_removed(session):
    form = JourneyForm(session, with_chart=False)
    editor = form.editor
    editor.inputs["name"].value = "Onboarding"
    editor.inputs["phase"].value = "after"
    editor.inputs["emotion"].value = -2
    editor.inputs["touchpoints"].value = ("newsletter",)
    editor.inputs["pain_points"].value = "too many steps\nno help"
    editor.inputs["kpi_name"].value = "Activation rate"
    editor.inputs["kpi_value"].value = "64"
    editor.add_button.click()
    stage = read(session.path).stage("onboarding")
    assert (stage.emotion, stage.touchpoints, stage.pain_points) == (
        -2,
        ["newsletter"],
        ["too many steps", "no help"],
    )
    assert (stage.kpi.name, stage.kpi.value) == ("Activation rate", 64)
    assert "onboarding" in read(session.path).touchpoint("newsletter").stages
    editor.picker.value = "onboarding"
    editor.inputs["kpi_value"].value = "abc"
    assert "must be a number" in editor.messages["kpi_value"].text
    editor.inputs["kpi_value"].value = "3,5"
    assert read(session.path).stage("onboarding").kpi.value == 3.5
    form.earlier.click()
    assert [s.id for s in read(session.path).stages] == ["discover", "onboarding", "stay"]
    editor.remove_button.click()
    editor.remove_button.click()
    assert [s.id for s in read(session.path).stages] == ["discover", "stay"]


def clicked_on_the_map(form: JourneyForm, stage_id: str) -> None:
    """What the browser sends when a stage's card is clicked on the live map."""
    from tpkit.charts.journey import PICKED

    point = {"vlPoint": {"or": [{"pick": stage_id}]}}
    store = [{"unit": "stage_cells", "fields": [], "values": [stage_id]}]
    form.chart.view.widget._vl_selections = {PICKED: {"value": point, "store": store}}


def test_a_stage_clicked_on_the_map_opens_in_the_panel_and_a_new_one_goes_after_it(session):
    form = JourneyForm(session)
    assert form.panel in form.map.children  # notebook 03's last cell: map, then panel
    assert not form.panel.children and form.insert.layout.display == "none"
    clicked_on_the_map(form, "discover")
    assert form.editor.current_id == "discover" and form.editor.widget in form.panel.children
    assert form.insert.layout.display is None
    form.editor.inputs["doing"].value = "Sees an ad on the train"
    assert read(session.path).stage("discover").doing == "Sees an ad on the train"

    form.insert.click()
    assert form.editor.current_id == "" and "after “Discover”" in form.placement.text
    form.editor.inputs["name"].value = "Compare"
    form.editor.add_button.click()
    assert [s.id for s in read(session.path).stages] == ["discover", "compare", "stay"]
    assert form.placement.text == "" and form.editor.place_new is None
    form.editor.inputs["name"].value = "Leave"
    form.editor.add_button.click()  # the next one goes at the end again
    assert [s.id for s in read(session.path).stages][-1] == "leave"

    form.close_panel()
    clicked_on_the_map(form, "gone")  # a map older than the file: nothing opens
    assert not form.panel.children and form.editor.current_id == ""
    clicked_on_the_map(form, "stay")
    assert form.editor.current_id == "stay" and form.panel.children


def test_a_kpi_value_needs_a_kpi_name(session):
    editor = JourneyForm(session, with_chart=False).editor
    editor.picker.value = "stay"
    editor.inputs["kpi_value"].value = "12"
    assert "give the KPI a name first" in editor.messages["kpi_value"].text
    assert read(session.path).stage("stay").kpi is None


def test_the_persona_is_saved_field_by_field(session):
    form = JourneyForm(session, with_chart=False)
    form.persona.inputs["goals"].value = "glowing skin\nless time"
    form.persona.inputs["name"].value = ""
    assert form.persona.messages["name"].kind == "error"
    persona = read(session.path).persona
    assert persona.name == "Shawna" and persona.goals == ["glowing skin", "less time"]


# --- start, session, app --------------------------------------------------------------


def test_creating_a_workbook_from_the_industry_catalogue(folder):
    form = StartForm(language="it")
    form.team.value = "Bottega Rossi"
    form.start_from.value = "catalogue"
    form.industry.value = "retail_ecommerce"
    session = form.create()
    assert session is not None and session.path == folder / "bottega-rossi.yaml"
    workbook = read(session.path)
    assert workbook.meta.language == "it" and len(workbook.touchpoints) >= 9
    assert recall() == (session.path.resolve(), "it")
    assert open_session().path == session.path.resolve()
    again = StartForm(language="it")
    again.team.value = "Bottega Rossi"
    assert again.create() is None and again.message.kind == "error"


def test_creating_from_a_sample_and_switching_language(folder):
    form = StartForm(language="en")
    form.language.value = "de"
    assert form.create_button.description != "Create"
    form.team.value = "Demo"
    form.start_from.value = "sample"
    form.sample.value = "shawna"
    session = form.create()
    assert read(session.path).persona.name == "Shawna"
    assert read(session.path).meta.team == "Demo"


def test_without_a_choice_notebooks_open_a_demo_copy(folder):
    session = open_session()
    assert session.path == folder / "demo.yaml" and session.workbook.persona.name == "Shawna"


def test_the_app_opens_the_last_workbook_and_shows_a_tab_per_step(folder):
    StartForm(language="en").open(open_session().path)
    app = App(with_charts=False)
    assert len(app.tabs.children) == 6 and app.tabs.titles[0].endswith("List touchpoints")
    assert app.tabs.titles[4].endswith("Hear customers") and app.tabs.titles[5].endswith("fix")
    assert "No customer responses yet" in app.feedback.figures.value


_OTHER_PARTICIPANT = """
import sys
from tpkit.forms import RatingForm, WorkbookSession
form = RatingForm(WorkbookSession(sys.argv[1]))
form.participant.value = sys.argv[2]
for line in form.rows.values():
    for widget in line.scores.values():
        widget.value = "3"
"""


def test_two_participants_rating_at_once_in_separate_kernels_lose_nothing(session):
    others = [
        subprocess.Popen([sys.executable, "-c", _OTHER_PARTICIPANT, str(session.path), name])
        for name in ("Dora", "Eli")
    ]
    assert [p.wait(timeout=120) for p in others] == [0, 0]
    participants = {r.participant for r in read(session.path).ratings}
    assert participants == {"Ana", "Ben", "Dora", "Eli"}
    assert len(read(session.path).ratings) == 2 + 2 * 2


def test_half_entered_scores_survive_a_save_in_another_row(session):
    form = RatingForm(session)
    form.participant.value = "Cleo"
    half = form.rows["website"]
    half.scores["contact_quality"].value = "5"  # not saved yet: two scores missing
    full = form.rows["newsletter"]
    for widget in full.scores.values():
        widget.value = "3"  # saved, which refreshes the form
    assert half.scores["contact_quality"].value == "5"
    half.scores["process_quality"].value = "4"
    half.scores["importance"].value = "4"
    cleo = {r.touchpoint for r in read(session.path).ratings if r.participant == "Cleo"}
    assert cleo == {"website", "newsletter"}


def test_a_new_touchpoint_starts_from_the_models_defaults(session):
    editor = InventoryForm(session, with_chart=False).editor
    assert (editor.inputs["channel"].value, editor.inputs["kind"].value) == ("other", "digital")
    assert editor.inputs["frequency"].value == "once"


def test_the_grid_is_not_rebuilt_by_a_save(session):
    """Rows are grouped by phase; a touchpoint added out of phase order must not make
    every save rebuild the grid (which dropped the row's 'saved' message)."""
    from tpkit.model import Touchpoint

    session.apply(
        lambda wb: wb.touchpoints.append(Touchpoint(id="van", name="Van signage", phase="before"))
    )
    form = RatingForm(session)
    form.participant.value = "Cleo"
    line = form.rows["van"]
    for widget in line.scores.values():
        widget.value = "4"
    assert form.rows["van"] is line and line.widget in form.grid.children
    assert line.message.kind == "ok"
    session.apply(lambda wb: setattr(wb.touchpoint("van"), "name", "Van signs"))
    assert form.rows["van"] is line and line.caption.value == "Van signs"
