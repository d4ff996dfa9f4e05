"""The app's page and notebook 00, headless: language precedence and switching, the
start form's messages, numbers in the team table, a new touchpoint's defaults."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from tests.conftest import ROOT
from tpkit.forms import App, InventoryForm, StartForm, TeamView, WorkbookSession
from tpkit.forms.session import open_session, recall, remember
from tpkit.i18n import t
from tpkit.model import LANGUAGES
from tpkit.store import read, update


@pytest.fixture(autouse=True)
def no_requested_language(monkeypatch):
    monkeypatch.delenv("TPKIT_LANG", raising=False)


def texts_of(widget) -> str:
    """Every text a widget tree shows (descriptions, values, options, titles, outputs)."""
    parts = [str(getattr(widget, name, "")) for name in ("description", "value", "placeholder")]
    parts += [str(option) for option in getattr(widget, "options", ())]
    parts += [str(title) for title in getattr(widget, "titles", ())]
    parts += [text for output in getattr(widget, "outputs", ()) for text in output["data"].values()]
    return " ".join(parts + [texts_of(child) for child in getattr(widget, "children", ())])


# --- which language: a request on this run wins over a remembered choice ---------------


def test_tpkit_lang_wins_over_the_remembered_language(folder, monkeypatch):
    session = StartForm(language="en").open(open_session().path)
    assert recall()[1] == "en"
    monkeypatch.setenv("TPKIT_LANG", "de")
    assert StartForm().language_code == "de"
    assert open_session().language == "de"
    assert open_session(language="it").language == "it"  # a notebook's parameter wins
    assert StartForm(language="fr").language_code == "fr"
    monkeypatch.delenv("TPKIT_LANG")
    assert StartForm().language_code == "en" and open_session().path == session.path


def test_tpkit_app_lang_reaches_the_kernels_as_tpkit_lang(folder, monkeypatch):
    from tpkit.servers import environment

    monkeypatch.setenv("TPKIT_LANG", "it")
    assert environment("fr")["TPKIT_LANG"] == "fr"
    assert environment()["TPKIT_LANG"] == "it"  # no --lang: the variable as it was


def test_the_cli_passes_lang_to_the_app_server(folder, monkeypatch):
    from tpkit import cli, servers

    seen = {}
    monkeypatch.setattr(servers, "serve_app", lambda command, env, *_, **__: seen.update(env) or 0)
    assert cli.main(["--lang", "fr", "app", "--no-browser"]) == 0
    assert seen["TPKIT_LANG"] == "fr"


# --- a choice in the page changes every text on it --------------------------------------


def test_notebook_00_guidance_follows_the_language_chosen_in_the_form(folder):
    form = StartForm(language="en", guidance=True)
    assert t("guide.start.intro", "en")[:40] in texts_of(form.widget)
    form.language.value = "de"
    shown = texts_of(form.widget)
    assert t("guide.start.intro", "de")[:40] in shown and t("guide.start.next", "de")[:40] in shown
    assert t("guide.start.intro", "en")[:40] not in shown


def test_notebook_00_shows_its_guidance_inside_the_form_cell():
    notebook = json.loads((ROOT / "notebooks" / "00_start.ipynb").read_text(encoding="utf-8"))
    code = "".join("".join(cell["source"]) for cell in notebook["cells"])
    assert "guidance=True" in code and "guide(" not in code


def test_a_language_chosen_in_the_app_redraws_every_tab_and_is_remembered(folder):
    StartForm(language="en").open(open_session().path)
    app = App(with_charts=False)
    assert app.tabs.titles[0] == t("app.tab.inventory", "en")
    app.start.language.value = "fr"
    assert app.tabs.titles == tuple(
        t(key, "fr")
        for key in (
            "app.tab.inventory",
            "app.tab.rating",
            "app.tab.team",
            "app.tab.journey",
            "app.tab.feedback",
            "diagnostics.tab",
        )
    )
    assert app.language.value == "fr"  # the header's choice follows the start form's
    app.tabs.selected_index = 3
    app.language.value = "de"  # and the header's choice redraws everything, on the same tab
    assert app.tabs.titles[3] == t("app.tab.journey", "de") and app.tabs.selected_index == 3
    assert app.start.language_code == "de" and "Arbeitsmappe" in app.start_panel.titles[0]
    app.language.value = "fr"
    assert app.rating.session.language == "fr" and app.team.session.language == "fr"
    assert t("form.start.open", "en") not in texts_of(app.widget).split()
    assert recall()[1] == "fr"


def test_an_app_built_ahead_of_its_page_catches_up_with_what_changed(folder):
    """``tpkit app`` builds the app in a kept kernel before any page asks for it."""
    from tpkit.samples import from_sample
    from tpkit.store import create

    first = open_session().path
    StartForm(language="en").open(first)
    app = App(with_charts=False)
    WorkbookSession(first, "en").apply(lambda wb: setattr(wb.meta, "team", "Renamed"))
    second = create(folder / "second.yaml", from_sample("ticino"))
    assert app.caught_up() is app  # the same workbook: the file read again
    assert app.session.workbook.meta.team == "Renamed"
    assert str(second) in [value for _, value in app.start.existing.options]
    remember(second, "de")  # another page chose another workbook and language meanwhile
    fresh = app.caught_up()
    assert fresh is not app and (fresh.session.path, fresh.session.language) == (second, "de")
    assert not app.session._watching  # the old app no longer follows its file


def test_an_app_built_ahead_in_the_requested_language_is_not_built_again(folder, monkeypatch):
    """`tpkit app --lang fr` on a workbook remembered in English: opening it remembers
    French; that is this app's own doing, not another page's choice."""
    StartForm(language="en").open(open_session().path)
    monkeypatch.setenv("TPKIT_LANG", "fr")
    app = App(with_charts=False)
    assert recall()[1] == "fr" and app.caught_up() is app


def test_a_tab_is_filled_when_first_shown_and_then_kept(folder):
    """The page is usable once its first form is drawn (issue 9: ready in seconds)."""
    app = App(with_charts=False)
    app.start.open(open_session().path)
    assert [bool(page.children) for page in app.tabs.children] == [True] + [False] * 5
    app.tabs.selected_index = 1
    rating = app.tabs.children[1].children[0]
    assert rating is app.rating.widget and app.rating.rows
    app.tabs.selected_index = 0
    app.tabs.selected_index = 1
    assert app.tabs.children[1].children == (rating,)  # built once, typed text kept
    app.language.value = "de"  # a language choice starts over, on the tab shown
    assert app.tabs.selected_index == 1 and app.tabs.children[1].children[0] is not rating
    assert not app.tabs.children[2].children


def test_the_page_title_is_the_product_name():
    notebook = json.loads((ROOT / "notebooks" / "app.ipynb").read_text(encoding="utf-8"))
    assert {notebook["metadata"]["title"]} == {t("app.title", code) for code in LANGUAGES}


# --- the start form's messages sit next to what they are about ---------------------------


def test_open_with_no_workbook_says_so_next_to_open(folder):
    form = StartForm(language="en")
    assert form.existing.options == ()
    form.open_button.click()
    assert form.open_message.text == t("app.start.none_to_open", "en")
    assert form.message.text == ""


def test_opened_shows_next_to_open_not_next_to_create(folder):
    path = open_session().path
    form = StartForm(language="en")
    form.open(path)
    assert "opened demo.yaml" in form.open_message.text and form.message.text == ""
    form.create_button.click()  # no team name
    assert form.message.text == t("form.start.team_needed", "en")


# --- numbers in the language's way -------------------------------------------------------


@pytest.mark.parametrize(("language", "mark"), [("en", "."), ("it", ","), ("de", ","), ("fr", ",")])
def test_the_team_table_writes_decimals_in_the_language(workbook_file, language, mark):
    view = TeamView(WorkbookSession(workbook_file, language), with_charts=False)
    assert f"4{mark}5" in view.table.value and f"2{mark}5" in view.table.value
    assert mark == "." or "4.5" not in view.table.value


# --- defaults ----------------------------------------------------------------------------


def test_a_new_touchpoints_kind_follows_its_channel_and_stays_editable(workbook_file):
    session = WorkbookSession(workbook_file)
    editor = InventoryForm(session, with_chart=False).editor
    kind = editor.inputs["kind"]
    editor.inputs["channel"].value = "phone"
    assert kind.value == "human"
    editor.inputs["channel"].value = "print_mail"
    assert kind.value == "print"
    kind.value = "third_party"  # the team knows better: the channel no longer decides
    editor.inputs["channel"].value = "email"
    assert kind.value == "third_party"
    editor.inputs["name"].value = "Call centre"
    editor.inputs["channel"].value = "phone"
    editor.inputs["kind"].value = "human"
    editor.add_button.click()
    assert read(session.path).touchpoint("call-centre").kind == "human"
    editor.picker.value = "website"  # an existing touchpoint keeps its kind
    editor.inputs["channel"].value = "phone"
    assert read(session.path).touchpoint("website").kind == "digital"


def test_remembered_language_without_a_request(folder):
    remember(open_session().path, "it")
    assert StartForm().language_code == "it"


# --- views that never mislead --------------------------------------------------------------


def test_the_team_view_shows_a_colleagues_save_by_itself(workbook_file):
    import time

    from tpkit.model import Rating, now

    mine = WorkbookSession(workbook_file)
    view = TeamView(mine, with_charts=False)
    mine.watch(seconds=0.05)
    before = view.table.value
    persona_only = WorkbookSession(workbook_file)
    persona_only.apply(lambda wb: setattr(wb.persona, "description", "Busy, always online"))
    deadline = time.monotonic() + 5
    while mine.workbook.persona.description != "Busy, always online":
        assert time.monotonic() < deadline, "the session never saw the colleague's save"
        time.sleep(0.05)
    assert view.table.value == before and view.live.text == t("app.team.live", "en")

    rating = Rating(
        touchpoint="newsletter",
        participant="Chloé",
        contact_quality=1,
        process_quality=1,
        importance=1,
        rated_at=now(),
    )
    WorkbookSession(workbook_file).apply(lambda wb: wb.set_rating(rating))
    while "Chloé" not in str(mine.workbook.ratings):
        assert time.monotonic() < deadline + 5, "the team view never showed the new rating"
        time.sleep(0.05)
    assert view.table.value != before and "updated at" in view.live.text
    mine.close()


def test_a_colleagues_save_is_redrawn_on_the_kernels_loop_not_beside_a_keystroke(workbook_file):
    """In a kernel, keystrokes arrive on the event loop's thread; a redraw from the
    watcher's own thread ran beside them and the form dropped a keystroke as its own."""

    async def a_kernel() -> set[str]:
        mine = WorkbookSession(workbook_file)
        redrawn_on: set[str] = set()
        mine.on_change(lambda wb: redrawn_on.add(threading.current_thread().name))
        mine.watch(seconds=0.05)
        for text in ("Busy", "Busier"):
            update(workbook_file, lambda wb, text=text: setattr(wb.persona, "description", text))
            for _ in range(100):
                if mine.workbook.persona.description == text:
                    break
                await asyncio.sleep(0.05)
        mine.close()
        assert mine.workbook.persona.description == "Busier"
        return redrawn_on

    assert asyncio.run(a_kernel()) == {threading.main_thread().name}


def test_a_hand_broken_file_leaves_the_views_as_they_were(workbook_file):
    session = WorkbookSession(workbook_file)
    good = session.workbook
    workbook_file.write_text("schema_version: 2\nmeta: [", encoding="utf-8")
    assert session.check_file() is False and session.workbook == good


def test_correct_the_fields_goes_once_the_fields_are_fixed(workbook_file):
    editor = InventoryForm(WorkbookSession(workbook_file), with_chart=False).editor
    editor.add_button.click()
    assert editor.feedback.text == t("form.fix_first", "en")
    editor.inputs["name"].value = "Showroom"
    assert editor.feedback.text == ""
    editor.inputs["name"].value = ""
    editor.add_button.click()
    editor.picker.value = "website"  # nothing is marked on another touchpoint
    assert editor.feedback.text == "" and not any(m.kind for m in editor.messages.values())


def test_a_refused_rename_keeps_the_saved_name(workbook_file):
    session = WorkbookSession(workbook_file)
    editor = InventoryForm(session, with_chart=False).editor
    editor.picker.value = "website"
    editor.inputs["name"].value = ""
    assert editor.messages["name"].kind == "error" and editor.inputs["name"].value == "Website"
    editor.inputs["name"].value = "newsletter"
    assert "already one called" in editor.messages["name"].text
    assert (
        editor.inputs["name"].value == "Website" == read(workbook_file).touchpoint("website").name
    )
    from tpkit.forms import JourneyForm

    persona = JourneyForm(session, with_chart=False).persona
    persona.inputs["name"].value = ""
    assert persona.messages["name"].kind == "error" and persona.inputs["name"].value == "Shawna"


def test_the_live_chart_queues_its_redraws():
    """Two saves close together must not leave the older map on screen: the view's
    script runs one redraw after the other (each reading the latest spec)."""
    import altair as alt
    import pandas as pd

    from tpkit.charts import ChartView

    view = ChartView(alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x"))
    assert "tpkitRedraw" in view.widget._esm
    assert 'model.on("change:spec",reembed)' not in view.widget._esm


def test_the_app_wears_the_reports_colours_and_type(folder):
    from tpkit.charts import style
    from tpkit.report.document import DEFAULT_ACCENT

    StartForm(language="en").open(open_session().path)
    app = App(with_charts=False)
    css = app.widget.children[0].value
    assert all(colour in css for colour in (style.INK, style.PAPER, style.RULE, DEFAULT_ACCENT))
    assert style.FONT in css and "monospace" not in css
    assert not any("2b" in title for title in app.tabs.titles)
    header = texts_of(app.header)
    assert "demo.yaml" in header and "Working on demo.yaml" in header
    assert app.rating.rows["social_ads"].caption.tooltip == "Social media ads"
