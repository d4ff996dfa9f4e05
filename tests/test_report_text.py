"""User text as the views show it: long words, right-to-left overrides (issue 11, 3 and 10)."""

from __future__ import annotations

import re
import subprocess
from xml.etree import ElementTree

import pytest

from tpkit import charts
from tpkit.report import pipeline
from tpkit.report.engine import NAME as IN_PROCESS
from tpkit.report.engine import register
from tpkit.report.params import ReportParameters
from tpkit.safety import (
    LONGEST_WORD,
    PRINTED_NAME,
    PRINTED_TEXT,
    WORD_BREAK,
    capped,
    shown_text,
    shown_workbook,
)
from tpkit.store import create

from .conftest import small_workbook

SPOOF = "abc\u202egnp.exe"  # shows as "abcexe.png" wherever the override is obeyed
HEBREW = "שלום"


def test_direction_controls_go_and_right_to_left_text_is_isolated():
    assert shown_text(SPOOF) == "abcgnp.exe"
    assert shown_text("a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i") == "abcdefghi"
    assert shown_text(f"{HEBREW} 12") == f"\u2068{HEBREW} 12\u2069"
    assert shown_text("Website") == "Website"  # left-to-right text is left as it is


def test_long_words_get_break_opportunities_and_long_texts_an_ellipsis():
    word = "x" * 10_000
    shown = shown_text(word)
    assert len(shown.replace(WORD_BREAK, "")) == PRINTED_TEXT and shown.endswith("…")
    assert max(map(len, shown.split(WORD_BREAK))) == LONGEST_WORD
    german = "Rechtsschutzversicherungsgesellschaften"  # 39 letters: hyphenated, not split
    assert shown_text(german) == german
    assert capped("one two three", 9) == "one two…"  # cut at the last space
    assert capped("abcdefghijkl", 6) == "abcde…"  # one word: cut inside it


@pytest.mark.parametrize("text", [SPOOF, f"{HEBREW} 12", "y" * 5000, "a " * 800 + "z" * 90])
def test_showing_twice_changes_nothing(text):
    once = shown_text(text, PRINTED_NAME)
    assert shown_text(once, PRINTED_NAME) == once


def _hostile_workbook():
    workbook = small_workbook()
    workbook.touchpoints[0].name = SPOOF
    workbook.touchpoints[1].name = "Щ" * 300  # the longest name the model takes, one word
    workbook.stages[0].doing = "Ж" * 10_000  # the longest text, one word
    workbook.stages[1].name = f"{HEBREW} 12"
    return workbook


def test_charts_show_the_text_without_its_direction_override():
    svg = charts.to_svg(charts.rating_spread(_hostile_workbook()))
    assert "\u202e" not in svg and "abcgnp.exe" in svg
    journey = charts.to_svg(charts.journey_map(_hostile_workbook()))
    drawn = "".join(ElementTree.fromstring(journey).itertext())  # not the aria-labels
    assert PRINTED_TEXT * 4 // 5 <= drawn.count("Ж") < PRINTED_TEXT


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_report_prints_long_words_capped_and_overrides_neutralised(tmp_path):
    register()
    source = create(tmp_path / "hostile.yaml", _hostile_workbook())
    html = pipeline.build(
        ReportParameters(workbook=str(source)), tmp_path / "r.html", "html", engine=IN_PROCESS
    ).read_text(encoding="utf-8")
    assert "\u202e" not in html and "abcgnp.exe" in html
    assert f"\u2068{HEBREW} 12\u2069" in html  # isolated: "12" stays with the name
    pdf = pipeline.build(
        ReportParameters(workbook=str(source)), tmp_path / "r.pdf", engine=IN_PROCESS
    )
    text = _pdf_text(pdf)
    assert "abcgnp.exe" in text and "exe.png" not in text
    # the 10,000 letters are printed as at most PRINTED_TEXT of them, then "…"
    runs = re.findall(r"Ж[Ж\s\u200b]*…?", text)
    longest = max(runs, key=len)
    assert PRINTED_TEXT * 4 // 5 <= longest.count("Ж") < PRINTED_TEXT and longest.endswith("…")
    assert all(run.count("Щ") <= PRINTED_NAME for run in re.findall(r"Щ[Щ\s\u200b]*", text))


def test_the_shown_workbook_keeps_ids_and_settings():
    workbook = small_workbook()
    workbook.touchpoints[0].notes = "Ж" * 5000
    shown = shown_workbook(workbook)
    assert [tp.id for tp in shown.touchpoints] == [tp.id for tp in workbook.touchpoints]
    assert shown.touchpoints[0].notes.endswith("…")
    assert shown.diagnostics == workbook.diagnostics
