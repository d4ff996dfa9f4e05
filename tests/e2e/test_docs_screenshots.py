"""The README's teaching screenshots, made from the kit itself: a page of the facilitator
guide and a worksheet (``tpkit guide``/``tpkit worksheets``, then ``pdftoppm``), and an
exercise's feedback as chromium draws the HTML the notebooks and the app show.

They go to ``test-artifacts/`` for a person to look at; ``TPKIT_UPDATE_DOCS=1`` writes
them into ``docs/`` instead, where the README shows them:

    TPKIT_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/e2e/test_docs_screenshots.py
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.pdf_pages import pages
from tests.teaching_printouts import guide_pdf, sheets_pdf
from tpkit.i18n import t
from tpkit.model import Workbook
from tpkit.samples import sample_path
from tpkit.store import read
from tpkit.teaching.exercise_view import feedback_html, progress_html, remark_text
from tpkit.teaching.exercises import progress, remarks

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RESOLUTION = "90"  # dpi: sharp at the README's widths, a few hundred kB at most


@pytest.fixture
def target(artifacts) -> Path:
    return ROOT / "docs" if os.environ.get("TPKIT_UPDATE_DOCS") == "1" else artifacts


def page_png(pdf: Path, number: int, png: Path) -> Path:
    """Page ``number`` (from 1) of ``pdf`` as ``png``."""
    stem = png.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-singlefile",
            "-r",
            RESOLUTION,
            "-f",
            str(number),
            "-l",
            str(number),
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return png


def first_page_with(pdf: Path, *texts: str) -> int:
    return next(i for i, page in enumerate(pages(pdf), 1) if all(x in page.text for x in texts))


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_the_readme_shows_the_teaching_screenshots():
    shown = set(re.findall(r'src="(docs/[^"]+\.png)"', README))
    wanted = {"docs/guide-session-plan.png", "docs/exercise-feedback.png"}
    assert wanted | {"docs/worksheet-rating.png"} <= shown
    for name in shown:
        width, height = png_size(ROOT / name)
        assert width >= 300 and height >= 100, name


def test_a_guide_page_and_a_worksheet(target):
    guide = guide_pdf("en")
    number = first_page_with(guide, "The 2-hour session", "0:00")  # not the contents
    plan = page_png(guide, number, target / "guide-session-plan.png")
    sheets = sheets_pdf("fr", "ecoshop")
    grid = page_png(
        sheets, first_page_with(sheets, "Grille d'évaluation"), target / "worksheet-rating.png"
    )
    assert png_size(plan)[0] < png_size(grid)[0]  # A4 portrait, then the landscape grid


def half_done() -> Workbook:
    """The German SaaS team at the morning break: the inventory stops at the contract,
    one person has rated, the set-up stage has no touchpoint yet, no actions."""
    data = read(sample_path("saas")).model_dump()
    kept = {tp["id"] for tp in data["touchpoints"] if tp["phase"] != "after"}
    data["touchpoints"] = [tp | {"stages": []} for tp in data["touchpoints"] if tp["id"] in kept]
    placed = kept - {"uebergabe-onboarding"}  # listed late, in no stage yet
    stages = [s for s in data["stages"] if s["id"] in ("aufmerksam", "vergleichen", "vertrag")]
    set_up = next(s for s in data["stages"] if s["id"] == "einrichtung")
    data["stages"] = [
        s | {"touchpoints": [i for i in s["touchpoints"] if i in placed]} for s in stages
    ]
    data["stages"].append(set_up | {"touchpoints": []})
    first = data["ratings"][0]["participant"]
    data["ratings"] = [
        r for r in data["ratings"] if r["participant"] == first and r["touchpoint"] in kept
    ]
    data["actions"] = []
    return Workbook.model_validate(data)


def test_an_exercises_feedback(offline_page, target):
    workbook = half_done()
    found = remarks(workbook)
    assert [r.check for r in found] == [
        "no_after_purchase",
        "one_participant",
        "stage_without_touchpoint",
        "touchpoint_in_no_stage",
    ]
    box = progress_html(progress(workbook), "de") + feedback_html(found, "de")
    page = offline_page
    page.set_viewport_size({"width": 900, "height": 400})
    page.set_content(
        '<body style="margin:12px;font:14px system-ui,sans-serif;color:#222">'
        f'<div id="shot" style="width:860px;padding:8px">{box}</div></body>'
    )
    shot = page.locator("#shot")
    text = shot.inner_text().replace("\xa0", " ")
    assert t("exercises.title", "de") in text
    assert all(remark_text(r, "de") in text for r in found)
    shot.screenshot(path=target / "exercise-feedback.png")
    assert page.external == []
