"""The app's page and notebook 00, headless: language precedence and switching, the
start form's messages, numbers in the team table, a new touchpoint's defaults."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT
from tpkit.forms import App, InventoryForm, StartForm, TeamView, WorkbookSession
from tpkit.forms.session import open_session, recall, remember
from tpkit.i18n import t
from tpkit.model import LANGUAGES
from tpkit.store import read


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
    from tpkit import cli

    seen = {}
    monkeypatch.setattr(cli, "_serve", lambda command, env: seen.update(env) or 0)
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
    assert app.rating.session.language == "fr" and app.team.session.language == "fr"
    assert t("form.start.open", "en") not in texts_of(app.widget).split()
    assert recall()[1] == "fr"


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
