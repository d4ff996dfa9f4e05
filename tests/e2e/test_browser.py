"""End to end in a real browser: the app and JupyterLab, offline, with the file on disk."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.conftest import SAMPLES
from tpkit.i18n import t
from tpkit.store import read

TIMEOUT = 90_000  # ms: a cold kernel with pandas and altair takes several seconds here


def eventually(check, seconds: float = 15.0):
    """Poll ``check`` until it returns something true (saves are asynchronous to the page)."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def fill(page, selector: str, text: str) -> None:
    """Type into a widget and leave the field, which is when ipywidgets sends the value."""
    field = page.locator(selector)
    field.fill(text)
    field.press("Tab")


def has_rating(path, touchpoint: str, participant: str):
    return next(
        (
            r
            for r in read(path).ratings
            if (r.touchpoint, r.participant) == (touchpoint, participant)
        ),
        None,
    )


def test_the_app_adds_rates_and_keeps_a_touchpoint_offline(
    app_workbook, voila, offline_page, artifacts
):
    page = offline_page
    page.goto(voila, timeout=TIMEOUT)
    page.locator(".tpkit-touchpoints-name input").wait_for(timeout=TIMEOUT)
    page.locator(".vega-embed").first.wait_for(timeout=TIMEOUT)
    page.screenshot(path=artifacts / "app-inventory.png", full_page=True)

    fill(page, ".tpkit-touchpoints-name input", "Van signage")
    page.locator(".tpkit-touchpoints-phase select").select_option(label="Before purchase")
    page.locator("button.tpkit-touchpoints-add").click()
    added = eventually(
        lambda: any(tp.name == "Van signage" for tp in read(app_workbook).touchpoints)
    )
    assert added, "the new touchpoint did not reach the workbook file"

    page.get_by_role("tab", name=t("app.tab.rating", "en")).click()
    fill(page, ".tpkit-participant input", "Playwright")
    row = ".tpkit-rating-van-signage"
    page.locator(row).wait_for(timeout=TIMEOUT)
    for name, score in (("contact_quality", "4"), ("process_quality", "2"), ("importance", "5")):
        fill(page, f"{row} .tpkit-score-{name} input", score)
    page.locator(row).get_by_text("saved").wait_for(timeout=TIMEOUT)  # the visible state
    rating = eventually(lambda: has_rating(app_workbook, "van-signage", "Playwright"))
    assert rating and (rating.contact_quality, rating.process_quality, rating.importance) == (
        4,
        2,
        5,
    )
    page.screenshot(path=artifacts / "app-rating.png", full_page=True)

    page.reload(timeout=TIMEOUT)
    picker = page.locator(".tpkit-touchpoints-pick select")
    picker.wait_for(timeout=TIMEOUT)
    assert "Van signage" in picker.inner_text().replace("\xa0", " ")  # ipywidgets uses nbsp
    page.get_by_role("tab", name=t("app.tab.journey", "en")).click()
    page.locator(".vega-embed >> visible=true").last.wait_for(timeout=TIMEOUT)
    remark = page.locator(".tpkit-exercise-panel .tpkit-remark-touchpoint_in_no_stage")
    remark.get_by_text("Van signage").wait_for(timeout=TIMEOUT)  # the exercise answers back
    page.locator(".tpkit-exercise-panel").screenshot(path=artifacts / "app-exercise.png")
    page.screenshot(path=artifacts / "app-journey.png", full_page=True)
    page.get_by_role("tab", name=t("app.tab.feedback", "en")).click()
    page.get_by_role("button", name="Import the responses").wait_for(timeout=TIMEOUT)
    page.screenshot(path=artifacts / "app-feedback.png", full_page=True)

    charts = page.locator(".vega-embed svg, .vega-embed canvas")
    assert charts.count() >= 1, "no chart was drawn"
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"
    assert "Traceback" not in page.content()


def test_jupyterlab_runs_the_inventory_notebook_and_saves_to_the_file(
    app_workbook, lab, offline_page, artifacts
):
    page = offline_page
    page.goto(f"{lab}/lab/tree/01_inventory.ipynb", timeout=TIMEOUT)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=TIMEOUT)
    page.get_by_text("Run", exact=True).first.click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.locator(".tpkit-touchpoints-name input").wait_for(timeout=TIMEOUT)
    fill(page, ".tpkit-touchpoints-name input", "Counter display")
    page.locator("button.tpkit-touchpoints-add").click()
    added = eventually(
        lambda: any(tp.name == "Counter display" for tp in read(app_workbook).touchpoints)
    )
    assert added
    page.locator(".vega-embed").first.wait_for(timeout=TIMEOUT)
    page.screenshot(path=artifacts / "lab-inventory.png", full_page=False)
    assert page.get_by_text("get notified about official Jupyter news").count() == 0
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"


def test_jupyterlab_keeps_a_rating_comment_typed_before_its_scores_over_a_kernel_restart(
    app_workbook, lab, offline_page
):
    """Notebook 02 in JupyterLab lost typed strengths and problems (issue 9)."""
    page = offline_page
    touchpoint = read(app_workbook).touchpoints[0].id
    row = f".tpkit-rating-{touchpoint}"
    comments = {"strengths": "Lab: friendly tone", "problems": "Lab: arrives too late"}

    def run_all(restart: bool) -> None:
        if restart:
            page.get_by_text("Kernel", exact=True).first.click()
            page.get_by_text("Restart Kernel and Run All Cells…", exact=True).click()
            page.get_by_role("button", name="Confirm Kernel Restart").click()
        else:
            page.get_by_text("Run", exact=True).first.click()
            page.get_by_text("Run All Cells", exact=True).click()
        page.locator(".tpkit-participant input").wait_for(timeout=TIMEOUT)
        fill(page, ".tpkit-participant input", "Lab typist")
        page.locator(row).wait_for(timeout=TIMEOUT)

    # ?reset: only this notebook open (JupyterLab would restore the earlier tests' tabs)
    page.goto(f"{lab}/lab/tree/02_rating.ipynb?reset", timeout=TIMEOUT)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=TIMEOUT)
    run_all(restart=False)
    for name, text in comments.items():  # the comments first, no score yet
        fill(page, f"{row} .tpkit-rating-{name} input", text)
    rating = eventually(
        lambda: (
            (found := has_rating(app_workbook, touchpoint, "Lab typist"))
            and (found.strengths, found.problems) == tuple(comments.values())
        )
    )
    assert rating, "the comments typed in JupyterLab did not reach the file"
    for name, text in comments.items():  # and they stay on the screen
        expect(page.locator(f"{row} .tpkit-rating-{name} input")).to_have_value(text)
    run_all(restart=True)
    for name, text in comments.items():
        expect(page.locator(f"{row} .tpkit-rating-{name} input")).to_have_value(
            text, timeout=TIMEOUT
        )
    assert page.external == []


def test_jupyterlab_opens_a_stage_clicked_on_notebook_03s_map_under_it(
    app_workbook, lab, offline_page
):
    from tpkit.charts.journey import LABELS

    page = offline_page
    stages = read(app_workbook).stages
    page.goto(f"{lab}/lab/tree/03_journey.ipynb?reset", timeout=TIMEOUT)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=TIMEOUT)
    page.get_by_text("Run", exact=True).first.click()
    page.get_by_text("Run All Cells", exact=True).click()
    marks = page.locator(".vega-embed .marks").last  # the map, the notebook's last output
    marks.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(600)  # drawn
    column = (1280 - LABELS) / len(stages)
    marks.click(position={"x": 5 + LABELS + 2.5 * column, "y": 140})  # the third stage
    panel = page.locator(".tpkit-map-panel .tpkit-stages-name input")
    expect(panel).to_have_value(stages[2].name, timeout=TIMEOUT)
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"


def test_a_charts_menu_only_saves_the_picture_in_the_pages_language(
    app_workbook, voila, offline_page
):
    """The "…" menu clicked: Save as SVG / PNG in German, nothing that leaves the machine."""
    page = offline_page
    page.goto(voila, timeout=TIMEOUT)
    page.locator(".tpkit-touchpoints-name input").wait_for(timeout=TIMEOUT)
    page.locator(".tpkit-header-language select").select_option(label=t("language.de", "de"))
    page.get_by_role("tab", name=t("app.tab.inventory", "de")).wait_for(timeout=TIMEOUT)
    chart = page.locator(".vega-embed >> visible=true").first
    chart.locator("svg, canvas").first.wait_for(timeout=TIMEOUT)
    chart.locator("summary").click()
    items = chart.locator(".vega-actions a")
    items.first.wait_for(timeout=TIMEOUT)
    texts = [text.strip() for text in items.all_inner_texts()]
    assert texts == [t("chart.menu.svg", "de"), t("chart.menu.png", "de")]
    with page.expect_download(timeout=TIMEOUT) as saved:
        items.first.click()
    assert saved.value.suggested_filename.endswith(".svg")
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"


def test_a_survey_export_dropped_or_chosen_in_the_feedback_tab_even_a_big_one(
    app_workbook, voila, offline_page, tmp_path
):
    """Dropped on the zone or chosen in its file dialog; 13 MB, past the 10 MiB a
    page's connection took by default; one over the limit refused before it is sent."""
    from tpkit.forms.dropzone import MAX_UPLOAD_BYTES

    page = offline_page
    page.goto(voila, timeout=TIMEOUT)
    page.get_by_role("tab", name=t("app.tab.feedback", "en")).click()
    zone = page.locator(".tpkit-drop")
    expect(zone).to_contain_text(t("navigator.form.drop", "en"), timeout=TIMEOUT)
    recognised = t("navigator.form.tool", "en", tool="Google Forms")

    export = (SAMPLES / "surveys" / "shawna-google-forms.csv").read_text(encoding="utf-8")
    header, rows = export.split("\n", 1)
    big = tmp_path / "whole-year.csv"
    big.write_text(header + "\n" + (rows.rstrip("\n") + "\n") * 120, encoding="utf-8")
    assert big.stat().st_size > 12 * 2**20
    page.locator(".tpkit-drop-input").set_input_files(big)  # the file dialog's choice
    expect(page.locator(".tpkit-app")).to_contain_text(recognised, timeout=TIMEOUT)

    dropped = page.evaluate_handle(
        """([name, text]) => {
            const files = new DataTransfer();
            files.items.add(new File([text], name, { type: "text/csv" }));
            return files;
        }""",
        ["typeform.csv", (SAMPLES / "surveys" / "shawna-typeform.csv").read_text()],
    )
    zone.dispatch_event("drop", {"dataTransfer": dropped})
    typeform = t("navigator.form.tool", "en", tool="Typeform")
    expect(page.locator(".tpkit-app")).to_contain_text(typeform, timeout=TIMEOUT)

    too_big = page.evaluate_handle(
        """(size) => {
            const files = new DataTransfer();
            files.items.add(new File([new ArrayBuffer(size)], "ten-years.csv"));
            return files;
        }""",
        MAX_UPLOAD_BYTES + 1,
    )
    zone.dispatch_event("drop", {"dataTransfer": too_big})
    limit = MAX_UPLOAD_BYTES // 2**20
    expect(page.locator(".tpkit-app")).to_contain_text(
        f"the app takes exports up to {limit} MB", timeout=TIMEOUT
    )
    assert page.external == [], f"the page tried to reach the internet: {page.external[:5]}"
