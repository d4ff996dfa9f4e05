"""The questionnaire kit, survey links and QR cards: texts in four languages that the
import reads back, a LimeSurvey file in the documented layout, links that carry the
touchpoint, codes that scan, cards that print, and user text that stays text."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tpkit.cli import main
from tpkit.errors import TpkitError
from tpkit.i18n import catalogue, t
from tpkit.model import LANGUAGES, Meta, Touchpoint, Workbook
from tpkit.safety import restore_formula
from tpkit.store import create
from tpkit.survey import cards, links, questionnaire
from tpkit.survey.measures import MEASURES
from tpkit.survey.questionnaire import LIMESURVEY_COLUMNS, QUESTION_ORDER, questions
from tpkit.survey.scales import Answers, best_scale, read_answer

TPKIT = Path(sys.executable).with_name("tpkit")
SOURCE = Path(questionnaire.__file__).parent
SCRIPT = "<script>alert('x')</script> {x}"
FORMULA = "=cmd|' /C calc'!A0"
BASE = "https://survey.example.com/index.php/123456?lang=it&a=b+c"


def workbook(count: int = 3, language: str = "en") -> Workbook:
    names = ["Invoice", SCRIPT, FORMULA] + [f"Touchpoint {n}" for n in range(4, count + 1)]
    return Workbook(
        meta=Meta(team="Test team", language=language),
        touchpoints=[
            Touchpoint(id=f"tp{n}", name=name, phase=("before", "during", "after")[(n + 1) % 3])
            for n, name in enumerate(names[:count], start=1)
        ],
    )


def saved(tmp_path: Path, count: int = 3) -> Path:
    return create(tmp_path / "w.yaml", workbook(count))


def run(*arguments: str) -> subprocess.CompletedProcess:
    """tpkit as a user runs it, in its own process."""
    environment = {**os.environ, "TPKIT_LANG": "en"}
    return subprocess.run(
        [str(TPKIT), *arguments], capture_output=True, text=True, env=environment, timeout=120
    )


# ---------------------------------------------------------------------------------------
# The questionnaire


def test_the_questionnaire_asks_every_measure_once():
    assert sorted(QUESTION_ORDER) == sorted(MEASURES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_names_the_touchpoint_and_every_label_reads_back(language):
    for question in questions("Cantiere Nord", language):
        assert "Cantiere Nord" in question.text, (language, question.measure)
        if question.kind != "single":
            continue
        # the import reads the scale from the answers: all of a question's labels
        chosen = best_scale(question.measure, Answers({text: 1 for _, text in question.options}))
        assert chosen is not None and chosen.certainty == 1.0, (language, question.measure)
        for code, text in question.options:
            assert read_answer(text, chosen.scale) == (float(code), None), (language, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_question_key_per_measure_with_the_touchpoint_placeholder(language):
    messages = catalogue(language)
    for measure in MEASURES:
        assert "{touchpoint}" in messages[f"questionnaire.question.{measure}"]


def test_every_questionnaire_key_used_in_the_code_exists():
    used = {
        key
        for name in ("questionnaire.py", "links.py", "cards.py", "cli.py")
        for key in re.findall(
            r"[\"'](questionnaire\.[a-z_.]+[a-z_])[\"']", (SOURCE / name).read_text("utf-8")
        )
    }
    assert len(used) > 15
    assert not sorted(used - set(catalogue("en")))


def test_consent_is_an_opt_in_nothing_is_ticked_beforehand():
    text = questionnaire.to_markdown(workbook(), workbook().touchpoints[:1], "en")
    consent = text.split("Marketing consent")[1]
    assert "○ I agree · ○ I do not agree" in consent
    assert not re.search("[●☒☑✓]|\\[x\\]", text)


def test_the_text_form_has_every_touchpoint_and_keeps_user_text_literal():
    wb = workbook()
    text = questionnaire.render(wb, "text")
    assert text.startswith("# Customer questionnaire: Test team")
    assert text.count("## ") == 3 and text.count("**Overall, how satisfied") == 3
    assert "<script>" not in text and "\\<script\\>" in text
    single = questionnaire.render(wb, "text", "tp1")
    assert single.startswith("# Your opinion on “Invoice”") and "## " not in single


def test_an_unknown_touchpoint_is_named_with_the_ids_there_are():
    with pytest.raises(TpkitError) as caught:
        questionnaire.render(workbook(), "text", "nope")
    assert "'nope'" in str(caught.value) and "tp1, tp2, tp3" in str(caught.value)


# ---------------------------------------------------------------------------------------
# The LimeSurvey survey structure


def limesurvey_rows(wb: Workbook, touchpoint: str | None = None) -> list[dict[str, str]]:
    text = questionnaire.render(wb, "limesurvey", touchpoint)
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    assert tuple(reader.fieldnames or ()) == LIMESURVEY_COLUMNS
    rows = list(reader)
    assert all(None not in row and "\n" not in "".join(row.values()) for row in rows)
    return rows


def test_limesurvey_file_declares_the_languages_base_first():
    rows = limesurvey_rows(workbook(language="it"))
    settings = {row["name"]: row["text"] for row in rows if row["class"] == "S"}
    assert settings["language"] == "it"
    assert settings["additional_languages"].split() == ["en", "de", "fr"]
    assert settings["datestamp"] == "Y"  # trends per month need the submission date
    titles = {row["language"] for row in rows if row["name"] == "surveyls_title"}
    assert titles == set(LANGUAGES)


def test_limesurvey_translations_follow_the_base_language_row_for_row():
    rows = [row for row in limesurvey_rows(workbook()) if row["class"] not in ("S", "SL")]
    by_language = {
        language: [
            (r["class"], r["type/scale"], r["name"]) for r in rows if r["language"] == language
        ]
        for language in LANGUAGES
    }
    assert len({tuple(shape) for shape in by_language.values()}) == 1


def test_limesurvey_groups_show_a_touchpoint_only_for_its_link():
    rows = [row for row in limesurvey_rows(workbook()) if row["language"] == "en"]
    groups = [row for row in rows if row["class"] == "G"]
    assert [g["relevance"] for g in groups] == ["1"] + [
        f'tp.NAOK == "tp{n}"'
        for n in (2, 3, 1)  # in the order of the phases
    ]
    hidden = [row for row in rows if row["class"] == "Q" and row["hidden"]]
    assert [(q["name"], q["type/scale"], q["hidden"]) for q in hidden] == [("tp", "S", "1")]
    single = [r for r in limesurvey_rows(workbook(), "tp2") if r["class"] == "G"]
    assert [g["relevance"] for g in single] == ["1", "1"] * len(LANGUAGES)


def test_limesurvey_codes_and_answers_are_what_limesurvey_accepts_and_the_import_reads():
    rows = limesurvey_rows(workbook())
    questions_ = [row for row in rows if row["class"] == "Q" and row["language"] == "en"]
    codes = [q["name"] for q in questions_]
    assert len(codes) == len(set(codes)) == 1 + 3 * len(MEASURES)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", code) for code in codes)
    answers: dict[tuple[str, str], list[dict]] = {}  # (question, language) → its answers
    question = ""
    for row in rows:
        if row["class"] == "Q":
            question = re.sub(r"^T\d+", "", row["name"])
            assert row["mandatory"] == "N" and row["default"] == ""  # nothing preset
        elif row["class"] == "A":
            assert re.fullmatch(r"[A-Za-z0-9]{1,5}", row["name"])
            answers.setdefault((question, row["language"]), []).append(row)
        elif row["class"] == "SQ":
            assert re.fullmatch(r"[A-Za-z0-9]{1,20}", row["name"])
    for (measure, _), given in answers.items():  # read back on the scale they show
        chosen = best_scale(measure, Answers({row["text"]: 1 for row in given}))
        assert chosen is not None, measure
        for row in given:
            assert read_answer(row["text"], chosen.scale) == (float(row["name"]), None), row
    types = {q["name"][2:]: q["type/scale"] for q in questions_ if q["name"].startswith("T1")}
    assert types == {
        **dict.fromkeys(["contact", "process", "csat", "nps", "ces", "consent"], "L"),
        "comment": "T",
        "channels": "M",
        "offers": "M",
    }


def test_limesurvey_shows_user_text_as_text():
    rows = limesurvey_rows(workbook())
    text = "".join(row["text"] + row["name"] for row in rows if row["class"] in ("G", "Q"))
    assert "<script>" not in text and "{x}" not in text
    assert "&lt;script&gt;" in text and "&#123;x&#125;" in text


@pytest.mark.parametrize("name", [FORMULA, "+1+2", "-5% churn", "@SUM(A1)"])
def test_limesurvey_file_runs_no_formula_in_a_spreadsheet_yet_shows_the_name(name):
    wb = workbook(count=1)
    wb.touchpoints[0].name = name
    rows = limesurvey_rows(wb)
    cells = [value for row in rows for value in row.values() if value]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    groups = [row["name"] for row in rows if row["class"] == "G" and row["type/scale"] == "G1"]
    assert {html.unescape(group) for group in groups} == {name}


# ---------------------------------------------------------------------------------------
# Links and QR codes


def test_a_link_carries_the_touchpoint_and_the_campaign_and_keeps_the_base_query():
    url = links.survey_url(BASE, "tp1", "Spring sale/ü", "invoice")
    assert url == (
        "https://survey.example.com/index.php/123456?lang=it&a=b+c"
        "&tp=tp1&utm_source=invoice&utm_medium=qr&utm_campaign=Spring%20sale%2F%C3%BC"
    )


def test_a_link_replaces_tags_the_base_already_had_and_keeps_its_fragment():
    url = links.survey_url("http://x.example/p?tp=old&utm_source=a&k=v#top", "t", "c", "sms")
    assert url == "http://x.example/p?k=v&tp=t&utm_source=sms&utm_medium=sms&utm_campaign=c#top"


def test_the_printed_address_drops_the_scheme_and_the_campaign_tags():
    (link,) = links.survey_links(workbook().touchpoints[:1], BASE, "c", ["van"])
    assert link.short == "survey.example.com/index.php/123456?lang=it&a=b+c&tp=tp1"


@pytest.mark.parametrize(
    "base",
    ["ftp://example.com/s", "javascript:alert(1)", "example.com/s", "https://", "https://a b"],
)
def test_a_base_address_that_is_not_http_is_refused(base):
    with pytest.raises(TpkitError, match="not a web address"):
        links.survey_url(base, "tp1", "c", "invoice")


def test_the_command_refuses_a_bad_base_address_in_one_line(tmp_path):
    result = run(
        "survey", "links", str(saved(tmp_path)), "--base-url", "ftp://x", "--out-dir", str(tmp_path)
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "tpkit: error: 'ftp://x' is not a web address; give the full address of your online "
        "questionnaire, starting with https:// (or http://)"
    ]
    assert "Traceback" not in result.stderr


def test_a_qr_code_is_a_full_code_with_enough_error_correction():
    code = links.qr_code(links.survey_url(BASE, "tp1", "feedback", "invoice"))
    assert not code.is_micro and code.error in ("M", "Q", "H")


def test_the_png_qr_code_scans_to_the_link(tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    (link,) = links.survey_links(workbook().touchpoints[:1], BASE, "Spring sale", ["invoice"])
    links.write_qr_codes([link], tmp_path)
    png = tmp_path / f"{link.stem}.png"
    (found,) = zxingcpp.read_barcodes(Image.open(png))
    assert found.text == link.url
    size = links.qr_code(link.url).symbol_size(scale=10, border=links.QR_BORDER)
    assert Image.open(png).size == size  # the quiet zone is there


# ---------------------------------------------------------------------------------------
# The command end to end: links.csv, QR codes, the sheet of cards


def pdf_text(path: Path) -> str:
    """The PDF's text without white space: a card wraps its lines where it must."""
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_links_command_writes_the_table_the_codes_and_the_cards(tmp_path, capsys):
    path, out = saved(tmp_path, count=12), tmp_path / "out"
    arguments = ["survey", "links", str(path), "--base-url", BASE, "--out-dir", str(out)]
    assert main([*arguments, "--campaign", "spring", "--source", "invoice", "van"]) == 0
    assert "24 links for 12 touchpoints" in capsys.readouterr().out

    with (out / "links.csv").open(encoding="utf-8-sig", newline="") as file:
        table = list(csv.DictReader(file))
    assert len(table) == 24 and tuple(table[0]) == links.CSV_COLUMNS
    formula = next(row for row in table if row["touchpoint"] == "tp3")
    assert formula["name"] == "'" + FORMULA and restore_formula(formula["name"]) == FORMULA
    assert all("&tp=" in row["url"] and "utm_campaign=spring" in row["url"] for row in table)

    assert len(list((out / "qr").glob("*.svg"))) == len(list((out / "qr").glob("*.png"))) == 24
    assert pdf_pages(out / "qr-cards.pdf") == 3  # 24 cards, ten a page
    text = pdf_text(out / "qr-cards.pdf")
    for name in ("Invoice", "Touchpoint 12", SCRIPT, FORMULA):
        assert "".join(name.split()) in text
    assert text.count("Tellushowwedid—1minute") == 24


def test_the_card_sheet_escapes_user_text():
    wb = workbook()
    html = cards.sheet_html(links.survey_links(wb.touchpoints, BASE), wb.meta.team, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count('class="card"') == 3 and html.count('class="card empty"') == 1


def test_the_cards_speak_the_workbook_language(tmp_path):
    wb = workbook(language="de")
    html = cards.sheet_html(links.survey_links(wb.touchpoints, BASE), wb.meta.team, "de")
    assert t("questionnaire.card.call_to_action", "de") in html


# ---------------------------------------------------------------------------------------
# The questionnaire command


def test_questionnaire_command_writes_a_limesurvey_file_and_says_what_to_do_next(tmp_path, capsys):
    target = tmp_path / "survey.txt"
    path = str(saved(tmp_path))
    assert main(["survey", "questionnaire", path, "--format", "limesurvey", "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Panel integration" in out and "survey.txt" in out
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfclass\ttype/scale\tname\t")


def test_questionnaire_command_prints_text_and_refuses_an_unknown_touchpoint(tmp_path, capsys):
    path = str(saved(tmp_path))
    assert main(["survey", "questionnaire", path, "--touchpoint", "tp1"]) == 0
    assert capsys.readouterr().out.startswith("# Your opinion on “Invoice”")
    assert main(["survey", "questionnaire", path, "--touchpoint", "nope"]) == 1
    assert "no touchpoint with the id 'nope'" in capsys.readouterr().err


def test_a_workbook_without_touchpoints_is_explained(tmp_path, capsys):
    path = create(tmp_path / "empty.yaml", Workbook(meta=Meta(team="T")))
    assert main(["survey", "questionnaire", str(path)]) == 1
    assert "has no touchpoints yet" in capsys.readouterr().err
