"""The app's diagnostics tab in a real browser, offline: the ranked findings appear, and
"Make an action" writes the action, with the finding it answers, into the file."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import SAMPLES
from tests.e2e.test_browser import TIMEOUT, eventually
from tpkit.forms.session import remember
from tpkit.i18n import t
from tpkit.store import create, read


@pytest.fixture(scope="module")
def diagnosed_workbook(workbook_dir):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TPKIT_WORKBOOK_DIR", str(workbook_dir))
        path = create(workbook_dir / "glowbox.yaml", read(SAMPLES / "shawna.yaml"))
        shutil.copy(
            SAMPLES / "shawna.responses.parquet", workbook_dir / "glowbox.responses.parquet"
        )
        remember(path, "en")
        yield path


def test_the_diagnostics_tab_turns_a_finding_into_an_action(
    diagnosed_workbook, voila, offline_page, artifacts
):
    page = offline_page
    page.goto(voila, timeout=TIMEOUT)
    page.get_by_role("tab", name=t("diagnostics.tab", "en")).click(timeout=TIMEOUT)
    page.get_by_text("About 43.8 marketing contacts per customer and month").wait_for(
        timeout=TIMEOUT
    )
    before = len(read(diagnosed_workbook).actions)
    page.locator("button.widget-button", has_text="Make an action").first.click()
    added = eventually(lambda: len(read(diagnosed_workbook).actions) > before)
    assert added, "the action did not reach the workbook file"
    action = read(diagnosed_workbook).actions[-1]
    assert action.finding is not None and action.finding.rule == "over_contact"
    page.get_by_text("Added to the action plan").wait_for(timeout=TIMEOUT)
    page.screenshot(path=artifacts / "app-diagnostics.png", full_page=True)
    assert page.locator("svg.tp-ipa").count() == 1
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"
    assert "Traceback" not in page.content()
