"""One message per action, in the page: each form's refused and accepted actions, in
English and German (a refused duplicate stage showed "hinzugefügt" beside the refusal)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import TIMEOUT, fill
from tests.e2e.test_typing import PARTICIPANT_FIELD, open_app
from tpkit.i18n import t
from tpkit.store import read

REFUSED, ACCEPTED = "⚠", "✓"  # how every inline message begins (tpkit.forms.fields)


def only(page, form: str, text: str, symbol: str) -> str:
    """Waits for ``text`` in the form; then the form shows no message of the other kind."""
    region = page.locator(form)
    expect(region).to_contain_text(text, timeout=TIMEOUT)
    shown = region.inner_text()
    other = ACCEPTED if symbol == REFUSED else REFUSED
    assert other not in shown, f"{text!r} came with a message of the other kind:\n{shown}"
    return shown


def add_twice(page, language: str, section: str, taken: str, new: str) -> None:
    """A duplicate name is refused alone; a new one is added alone."""
    form = f".tpkit-{section}-form"
    fill(page, f".tpkit-{section}-name input", taken)
    page.locator(f"button.tpkit-{section}-add").click()
    shown = only(page, form, t("form.duplicate_name", language, name=taken), REFUSED)
    assert t("form.added", language, name=taken) not in shown
    fill(page, f".tpkit-{section}-name input", new)
    page.locator(f"button.tpkit-{section}-add").click()
    shown = only(page, form, t("form.added", language, name=new), ACCEPTED)
    assert t("form.fix_first", language) not in shown


@pytest.mark.parametrize("language", ["en", "de"])
def test_each_forms_refused_and_accepted_actions_show_one_message(
    app_workbook, voila, offline_page, language
):
    page = offline_page
    workbook = read(app_workbook)
    open_app(page, voila, language)

    add_twice(page, language, "touchpoints", workbook.touchpoints[0].name, f"Flyer {language}")

    page.get_by_role("tab", name=t("app.tab.journey", language)).click()
    add_twice(page, language, "stages", workbook.stages[0].name, f"Phase {language}")
    fill(page, ".tpkit-persona-name input", "")  # the persona must keep a name
    only(page, ".tpkit-persona-form", t("problem.empty", language), REFUSED)
    expect(page.locator(".tpkit-persona-name input")).to_have_value(workbook.persona.name)

    page.get_by_role("tab", name=t("app.tab.rating", language)).click()
    fill(page, PARTICIPANT_FIELD, f"Rater {language}")
    row = f".tpkit-rating-{workbook.touchpoints[1].id}"
    fill(page, f"{row} .tpkit-score-importance input", "9")
    only(page, ".tpkit-tab-rating", t("field.importance", language), REFUSED)
    fill(page, f"{row} .tpkit-score-importance input", "4")
    saved = t("forms.saved_partial", language, missing="").rstrip()
    only(page, ".tpkit-tab-rating", saved, ACCEPTED)
    assert page.external == []
