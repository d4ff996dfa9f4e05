"""Issue 9: every accepted keystroke reaches the file, incomplete ratings count only the
scores they hold, and every action leaves one message."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from tpkit.charts.data import quality_data, spread_data
from tpkit.fileformat import dumps, loads
from tpkit.forms import InventoryForm, JourneyForm, RatingForm, TeamView, WorkbookSession
from tpkit.forms import session as session_module
from tpkit.metrics import incomplete_ratings, incomplete_text, team_scores
from tpkit.model import Rating
from tpkit.store import read
from tpkit.summary import describe

# --- incomplete ratings in the model, the file and the figures ----------------------------


def _with_incomplete(workbook):
    workbook.set_rating(Rating(touchpoint="website", participant="Cleo", problems="slow"))
    workbook.set_rating(
        Rating(touchpoint="newsletter", participant="Cleo", contact_quality=1, importance=2)
    )
    return workbook


def test_an_incomplete_rating_lacks_its_missing_scores_in_the_file(workbook):
    text = dumps(_with_incomplete(workbook))
    cleo = text[text.index("participant: Cleo") - 40 :]
    assert "problems: slow" in cleo and "contact_quality: null" not in text
    again = loads(text, "wb.yaml")
    assert again.rating("website", "Cleo").contact_quality is None
    assert again.rating("newsletter", "Cleo").complete is False
    assert again == _with_incomplete(workbook)


def test_means_count_only_the_scores_given_and_say_how_many_are_incomplete(workbook):
    before = team_scores(workbook)
    scores = team_scores(_with_incomplete(workbook))
    website = scores["website"]
    assert website.raters == before["website"].raters + 1
    assert website.contact_quality == before["website"].contact_quality  # Cleo gave none
    assert website.incomplete == 1
    newsletter = scores["newsletter"]  # Cleo's alone: no process quality at all
    assert (newsletter.contact_quality, newsletter.process_quality) == (1, None)
    assert newsletter.spread == 0 and newsletter.incomplete == 1
    assert incomplete_ratings(workbook) == 2
    assert incomplete_text(2, "de").startswith("2 Bewertungen sind unvollständig")
    assert incomplete_text(1, "en").startswith("1 rating is incomplete")
    assert incomplete_text(0, "en") == ""
    assert "2 ratings are incomplete" in describe(workbook, "en")


def test_a_touchpoint_rated_only_in_part_has_no_place_in_the_matrix_yet(workbook):
    workbook.ratings = [
        Rating(touchpoint="website", participant="Ana", contact_quality=4),
        Rating(touchpoint="newsletter", participant="Ana", contact_quality=2, process_quality=3),
    ]
    data = quality_data(workbook)
    assert list(data["touchpoint"]) == ["newsletter"] and data["importance"].isna().all()
    dots = spread_data(workbook)
    assert set(zip(dots["touchpoint"], dots["criterion"], strict=True)) == {
        ("website", "contact_quality"),
        ("newsletter", "contact_quality"),
        ("newsletter", "process_quality"),
    }
    from tpkit.charts import quality_matrix, rating_spread

    quality_matrix(workbook, "en").to_dict()  # both charts draw without the missing scores
    rating_spread(workbook, "fr").to_dict()


def test_the_team_view_says_how_many_ratings_are_incomplete(workbook_file):
    session = WorkbookSession(workbook_file)
    session.apply(_with_incomplete)
    table = TeamView(session, with_charts=False).table.value
    assert "2 ratings are incomplete" in table and "–" in table


# --- saving as you type ------------------------------------------------------------------


def test_typing_is_saved_once_it_pauses_and_never_later_than_a_second(workbook_file):
    """On an event loop (as in a kernel), keystrokes wait for a pause; a steady typist's
    text still reaches the file within SAVE_MAX_WAIT."""
    session = WorkbookSession(workbook_file)
    form = RatingForm(session)
    form.participant.value = "Cleo"
    line = form.rows["website"]
    on_disk = []

    async def type_steadily() -> None:
        text = ""
        for letter in "Friendly, quick answers":  # a letter every 0.1 s: no pause at all
            text += letter
            line.strengths.value = text
            rating = read(workbook_file).rating("website", "Cleo")
            on_disk.append((time.monotonic(), rating.strengths if rating else ""))
            await asyncio.sleep(0.1)
        await asyncio.sleep(session_module.SAVE_DELAY + 0.2)

    start = time.monotonic()
    asyncio.run(type_steadily())
    assert read(workbook_file).rating("website", "Cleo").strengths == "Friendly, quick answers"
    first_saved = next(moment for moment, text in on_disk if text)
    assert first_saved - start <= session_module.SAVE_MAX_WAIT + 0.3
    saves = len({text for _, text in on_disk})
    assert 2 <= saves <= 6  # a few writes, not one per keystroke
    assert line.strengths.value == "Friendly, quick answers"  # nothing taken back meanwhile


_TYPE_THEN_EXIT = """
import asyncio, sys
from tpkit.forms import InventoryForm, WorkbookSession

async def main():
    form = InventoryForm(WorkbookSession(sys.argv[1]), with_chart=False)
    form.editor.picker.value = "website"
    form.editor.inputs["notes"].value = "typed just before the kernel stopped"
asyncio.run(main())  # leaves at once: the change is still waiting when Python exits
"""


def test_a_change_still_waiting_is_saved_when_the_kernel_shuts_down(workbook_file):
    done = subprocess.run([sys.executable, "-c", _TYPE_THEN_EXIT, str(workbook_file)], timeout=120)
    assert done.returncode == 0
    assert read(workbook_file).touchpoint("website").notes == (
        "typed just before the kernel stopped"
    )


def test_every_text_field_of_every_form_saves_on_change(workbook_file):
    """Without a button: inventory, journey (stage, KPI, persona) and rating texts."""
    session = WorkbookSession(workbook_file)
    inventory = InventoryForm(session, with_chart=False).editor
    inventory.picker.value = "website"
    typed = {"name": "Web site", "owner": "Web team", "aliases": "site\nhome", "notes": "n"}
    for name, text in typed.items():
        inventory.inputs[name].value = text
    journey = JourneyForm(session, with_chart=False)
    journey.editor.picker.value = journey.editor.picker.options[1][1]
    stage_text = {"name": "Looking", "doing": "d", "thinking": "t", "feeling": "f"}
    stage_text |= {"pain_points": "p1\np2", "opportunities": "o", "owner": "Ops"}
    stage_text |= {"kpi_name": "Visits", "kpi_value": "3,5"}
    for name, text in stage_text.items():
        journey.editor.inputs[name].value = text
    persona = {"name": "Shawna", "description": "busy", "goals": "g", "frustrations": "f"}
    for name, text in persona.items():
        journey.persona.inputs[name].value = text
    wb = read(workbook_file)
    website = wb.touchpoint("website")
    assert (website.name, website.owner, website.aliases, website.notes) == (
        "Web site",
        "Web team",
        ["site", "home"],
        "n",
    )
    stage = wb.stage(journey.editor.current_id)
    assert (stage.name, stage.doing, stage.thinking, stage.feeling, stage.owner) == (
        "Looking",
        "d",
        "t",
        "f",
        "Ops",
    )
    assert (stage.pain_points, stage.opportunities) == (["p1", "p2"], ["o"])
    assert (stage.kpi.name, stage.kpi.value) == ("Visits", 3.5)
    assert wb.persona.model_dump() == {
        "name": "Shawna",
        "description": "busy",
        "goals": ["g"],
        "frustrations": ["f"],
    }


def test_a_refused_rename_shows_the_saved_name_and_a_refresh_keeps_its_message(workbook_file):
    """A refused rename puts the saved name back (the picker and the file hold it: issue
    15); the refusal stays next to it when another field's save refreshes the form."""
    session = WorkbookSession(workbook_file)
    editor = InventoryForm(session, with_chart=False).editor
    editor.picker.value = "website"
    editor.inputs["name"].value = "Newsletter"  # taken: refused
    editor.inputs["notes"].value = "still typing"  # saved, which refreshes the form
    assert editor.inputs["name"].value == "Website"
    assert "already one called" in editor.messages["name"].text
    assert read(workbook_file).touchpoint("website").name == "Website"


# --- one message per action ----------------------------------------------------------------


def _shown(editor) -> list[tuple[str, str]]:
    messages = [editor.feedback, *editor.messages.values()]
    return [(m.kind, m.text) for m in messages if m.text]


def test_a_duplicate_stage_name_in_german_is_refused_without_hinzugefuegt(workbook_file):
    session = WorkbookSession(workbook_file, "de")
    editor = JourneyForm(session, with_chart=False).editor
    editor.inputs["name"].value = "Vergleichen"
    editor.add_button.click()
    assert _shown(editor) == [("ok", "hinzugefügt: Vergleichen")]
    editor.inputs["name"].value = "Vergleichen"
    shown = _shown(editor)
    assert len(shown) == 1 and shown[0][0] == "error" and "Vergleichen" in shown[0][1]
    editor.add_button.click()
    kinds = {kind for kind, _ in _shown(editor)}
    assert kinds == {"error"}
    assert [s.name for s in read(workbook_file).stages].count("Vergleichen") == 1


def test_removing_says_what_was_removed_and_nothing_else(workbook_file):
    session = WorkbookSession(workbook_file, "fr")
    editor = InventoryForm(session, with_chart=False).editor
    editor.picker.value = "newsletter"
    editor.remove_button.click()
    assert [kind for kind, _ in _shown(editor)] == ["info"]
    editor.remove_button.click()
    assert _shown(editor) == [("ok", "supprimé : Newsletter")]
    assert "newsletter" not in {tp.id for tp in read(workbook_file).touchpoints}


def test_the_checkout_ignores_jupyters_checkpoints_and_the_kits_outputs():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    written = [
        "notebooks/.ipynb_checkpoints/02_rating-checkpoint.ipynb",
        "notebooks/.virtual_documents/02_rating.ipynb",
        "reports/shawna.pdf",
        "guide.pdf",
        "worksheets.pdf",
        "workbook/team.yaml",
        "workbook/.team.yaml.lock",
        "workbook/.tpkit-session.yaml",
        "test-artifacts/app.png",
    ]
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", *written], cwd=root, capture_output=True, text=True
    )
    assert checked.stdout.split() == written
