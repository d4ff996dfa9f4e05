"""Every tab of the app in a real browser, in English and French: screenshots for the
README (``TPKIT_UPDATE_SCREENSHOTS=1`` copies them to ``docs/screens/``), the page's
title, the header, and the team view showing a colleague's save by itself. Each shot is
compared with the README's (``test-artifacts/screens/changes.txt``, :mod:`visual`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.e2e.test_browser import TIMEOUT, eventually
from tests.e2e.visual import record
from tpkit.forms.app import TAB_TITLES, TABS
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import t
from tpkit.model import Rating, now

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "screens")


def tab_title(name: str, language: str) -> str:
    return t(TAB_TITLES[TABS.index(name)], language)


def shoot(page, artifacts, name: str) -> None:
    target = artifacts / "screens" / f"{name}.png"
    target.parent.mkdir(exist_ok=True)
    page.wait_for_timeout(600)  # let charts finish drawing
    height = page.evaluate("document.querySelector('.tpkit-app').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 120, 5000)})
    page.screenshot(path=target, full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    record(target, Path(DOCS) / target.name)  # what changed since the README's shot
    if os.environ.get("TPKIT_UPDATE_SCREENSHOTS") == "1":
        os.makedirs(DOCS, exist_ok=True)
        shutil.copy(target, os.path.join(DOCS, target.name))


def test_every_tab_in_two_languages_and_the_live_team_view(
    app_workbook, voila, offline_page, artifacts
):
    page = offline_page
    page.goto(voila, timeout=TIMEOUT)
    page.locator(".tpkit-header").wait_for(timeout=TIMEOUT)
    page.get_by_role("tab", name=tab_title("inventory", "en")).wait_for(timeout=TIMEOUT)
    assert page.title() == t("app.title", "en")
    header = page.locator(".tpkit-header").inner_text()
    assert "glowbox.yaml" in header
    page.locator(".tpkit-app .jupyter-widget-Collapse-header").first.click()  # the start section
    page.locator(".tpkit-start").wait_for(timeout=TIMEOUT)
    shoot(page, artifacts, "app-start-en")
    page.locator(".tpkit-app .jupyter-widget-Collapse-header").first.click()
    for language in ("en", "fr"):
        if language == "fr":
            page.locator(".tpkit-header-language select").select_option(
                label=t("language.fr", "fr")
            )
        for name in TABS:
            tab = page.get_by_role("tab", name=tab_title(name, language))
            tab.wait_for(timeout=TIMEOUT)
            tab.click()
            page.locator(f".tpkit-tab-{name}").wait_for(timeout=TIMEOUT)
            shoot(page, artifacts, f"app-{name}-{language}")

    # a colleague rates in another kernel: the open team tab shows it, no button pressed
    page.get_by_role("tab", name=tab_title("team", "fr")).click()
    assert page.get_by_role("button", name="Show everyone's latest").count() == 0
    rating = Rating(
        touchpoint="social_ads",
        participant="Colleague",
        contact_quality=1,
        process_quality=5,
        importance=3,
        rated_at=now(),
    )
    WorkbookSession(app_workbook).apply(lambda wb: wb.set_rating(rating))
    live = page.locator(".tpkit-team-live")
    assert eventually(lambda: "mise à jour à" in live.inner_text(), seconds=10)
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"
    assert "Traceback" not in page.content()


def test_a_stage_clicked_on_the_map_is_edited_beside_it_and_a_new_one_inserted(
    app_workbook, voila, offline_page, artifacts
):
    from playwright.sync_api import expect

    from tests.e2e.test_browser import fill
    from tpkit.charts.journey import LABELS
    from tpkit.store import read

    page = offline_page
    stages = read(app_workbook).stages
    page.goto(voila, timeout=TIMEOUT)
    page.get_by_role("tab", name=tab_title("journey", "en")).click()
    canvas = page.locator(".tpkit-tab-journey .vega-embed .marks").first
    canvas.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(600)  # the map drawn
    column = (1280 - LABELS) / len(stages)
    # the second stage's column, below its name: vega's 5 px padding, then the lanes
    second = {"x": 5 + LABELS + 1.5 * column, "y": 140}
    canvas.click(position=second)

    panel = ".tpkit-map-panel"
    expect(page.locator(f"{panel} .tpkit-stages-name input")).to_have_value(
        stages[1].name, timeout=TIMEOUT
    )
    fill(page, f"{panel} .tpkit-stages-doing textarea", "Reads three reviews first")
    assert eventually(lambda: read(app_workbook).stages[1].doing == "Reads three reviews first")
    shoot(page, artifacts, "app-journey-panel-en")

    page.locator(f"{panel} button.tpkit-stages-insert").click()
    expect(page.locator(f"{panel} .tpkit-stages-name input")).to_have_value("", timeout=TIMEOUT)
    fill(page, f"{panel} .tpkit-stages-name input", "Ask a friend")
    page.locator(f"{panel} button.tpkit-stages-add").click()

    def names() -> list[str]:
        return [stage.name for stage in read(app_workbook).stages]

    assert eventually(lambda: names()[2] == "Ask a friend"), names()
    page.locator(f"{panel} button.tpkit-map-panel-close").click()
    expect(page.locator(f"{panel} .tpkit-stages-form")).to_have_count(0, timeout=TIMEOUT)
    page.mouse.move(5, 5)  # off the map: the next click on the same stage counts again
    canvas.click(position=second)
    expect(page.locator(f"{panel} .tpkit-stages-name input")).to_have_value(
        stages[1].name, timeout=TIMEOUT
    )
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"


def test_the_stage_panel_stays_in_the_window_and_off_the_map(
    app_workbook, voila, offline_page, artifacts
):
    """Clicked far down the page, on a wide and on a small screen: the panel opens in the
    window (Voila's panels once made it scroll away above it), its fields keep their
    height, and the tab keeps the strip beside it free: the stage list above the map is
    not under it either, and the map scrolls sideways in the rest."""
    from playwright.sync_api import expect

    page = offline_page
    for width, height in ((1400, 900), (1024, 700)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(voila, timeout=TIMEOUT)
        page.get_by_role("tab", name=tab_title("journey", "en")).click()
        canvas = page.locator(".tpkit-tab-journey .vega-embed .marks").first
        canvas.wait_for(timeout=TIMEOUT)
        page.wait_for_timeout(600)  # the map drawn
        canvas.scroll_into_view_if_needed()
        canvas.click(position={"x": 400, "y": 140})
        name = page.locator(".tpkit-map-panel .tpkit-stages-name input")
        expect(name).to_be_visible(timeout=TIMEOUT)
        page.wait_for_timeout(300)
        target = artifacts / "screens" / f"app-journey-panel-{width}.png"
        target.parent.mkdir(exist_ok=True)
        page.screenshot(path=target)
        panel = page.locator(".tpkit-map-panel").bounding_box()
        field = name.bounding_box()
        view = page.locator(".tpkit-map-view")
        shown = view.bounding_box()
        assert panel["y"] >= 0 and panel["y"] + panel["height"] <= height, (width, panel)
        assert panel["x"] + panel["width"] <= width, (width, panel)
        assert field["height"] >= 20, (width, field)  # not squeezed to a sliver
        assert shown["x"] + shown["width"] <= panel["x"], (width, shown, panel)
        assert view.evaluate("map => map.scrollWidth > map.clientWidth")  # the rest: sideways
        above = page.locator(".tpkit-tab-journey .tpkit-stages-name input").first.bounding_box()
        assert above["x"] + above["width"] <= panel["x"], (width, above, panel)
        page.locator(".tpkit-map-panel button.tpkit-map-panel-close").click()
        expect(name).to_have_count(0, timeout=TIMEOUT)
        assert view.bounding_box()["width"] > shown["width"]  # the whole width again
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"
