"""The facilitator guide and the worksheets, printed in every language and read back from
the PDF: pages, text, sizes, and every word inside its page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tpkit.cli import main
from tpkit.forms.inventory import touchpoint_specs
from tpkit.forms.journey import PERSONA_FIELDS as FORM_PERSONA_FIELDS
from tpkit.forms.journey import stage_specs
from tpkit.forms.rating import SCORES
from tpkit.i18n import label, t
from tpkit.model import LANGUAGES, PHASES, Action, Touchpoint
from tpkit.samples import SAMPLE_NAMES, sample_path
from tpkit.store import read
from tpkit.teaching import worksheets
from tpkit.teaching.cases import teaching_note
from tpkit.teaching.guide_pdf import chapters
from tpkit.teaching.worksheets import SheetOptions, clip, printed_pages, worksheets_html

from .pdf_pages import A3, A4, page_count, pages
from .teaching_printouts import guide_pdf, sheets_pdf

HEADER_ZONE = 50  # points from the top of a page: the running header lives there


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_guide_prints_in_every_language(language):
    path = guide_pdf(language)
    printed = pages(path)
    assert 14 <= len(printed) <= 24
    assert all(page.is_landscape((A4[1], A4[0])) for page in printed)  # A4 portrait
    assert all(not page.outside() for page in printed), [p.outside()[:3] for p in printed]
    text = " ".join(page.text for page in printed)
    for chapter in chapters(language):
        assert " ".join(chapter.title.split()) in text
    assert t("guide_pdf.title", language) in printed[0].text
    assert "tpkit worksheets" in text and "tpkit guide" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_checklist_is_one_page_at_the_end(language):
    printed = pages(guide_pdf(language))
    title = chapters(language)[-1].title
    headed = [
        i
        for i, page in enumerate(printed)
        if title in " ".join(w.text for w in page.words if w.box[1] < HEADER_ZONE)
    ]
    assert headed == [len(printed) - 1]


def test_every_chapter_exists_in_every_language():
    names = [chapter.name for chapter in chapters("en")]
    assert len(names) >= 8
    for language in LANGUAGES[1:]:
        assert [chapter.name for chapter in chapters(language)] == names


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_every_sample_has_a_teaching_note_in_every_language(sample):
    english = teaching_note(sample, "en")
    assert english is not None and english.findings
    for language in LANGUAGES:
        note = teaching_note(sample, language)
        assert note is not None, language
        assert note.findings == english.findings, language
        assert note.markdown.count("\n### ") == 3, language  # illustrates, findings, questions
        heading = note.markdown.splitlines()[0].removeprefix("## ")
        assert heading.split(" — ")[0] in " ".join(p.text for p in pages(guide_pdf(language)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_blank_worksheets_are_six_landscape_pages(language):
    path = sheets_pdf(language)
    printed = pages(path)
    assert len(printed) == 6
    assert all(page.is_landscape(A4) for page in printed)
    assert all(not page.outside() for page in printed)
    titles = [
        *(
            t("worksheets.inventory.title", language, phase=label("phase", p, language))
            for p in PHASES
        ),
        t("worksheets.rating.title", language),
        t("worksheets.journey.title", language),
        t("worksheets.actions.title", language),
    ]
    for page, title in zip(printed, titles, strict=True):
        assert page.text.startswith(title)


def test_a_workbook_prints_its_touchpoints_participants_and_actions():
    workbook = read(sample_path("saas"))
    path = sheets_pdf("de", "saas")
    options = SheetOptions("de", workbook)
    printed = pages(path)
    assert len(printed) == len(printed_pages(options))  # nothing ran over onto a next page
    assert all(not page.outside() for page in printed)
    text = " ".join(page.text for page in printed)
    for touchpoint in workbook.touchpoints:
        assert clip(touchpoint.name, "name") in text
    for person in workbook.participants():
        assert person in text
    rating_pages = [p for p in printed if p.text.startswith(t("worksheets.rating.title", "de"))]
    assert len(rating_pages) == 2 * len(workbook.participants())  # 20 touchpoints: 2 pages each
    assert all(workbook.meta.team in page.text for page in printed)
    assert "Jede Neukundin hat für die ersten 90 Tage" in text  # an action, pre-printed


def test_the_journey_canvas_can_be_a3_and_grids_follow_the_participants():
    path = sheets_pdf(
        "fr", "ecoshop", "--paper", "a3", "--participants", "3", "--sheets", "rating,journey"
    )
    printed = pages(path)
    canvas = [p for p in printed if p.text.startswith(t("worksheets.journey.title", "fr"))]
    assert canvas and all(page.is_landscape(A3) for page in canvas)
    others = [page for page in printed if page not in canvas]
    assert others and all(page.is_landscape(A4) for page in others)
    assert all(not page.outside() for page in printed)
    grids = [p for p in printed if p.text.startswith(t("worksheets.rating.title", "fr"))]
    assert len(grids) == 3 * 2  # 22 touchpoints in two pages, for each of three participants
    assert "Camille" in canvas[0].text and "Découverte" in canvas[0].text


def test_each_sheet_has_the_fields_of_the_form_it_feeds():
    inventory = [spec.name for spec in touchpoint_specs("en") if spec.name != "phase"]
    assert list(worksheets.INVENTORY_FIELDS) == inventory  # phase: one page per phase
    assert list(worksheets.RATING_FIELDS) == [*SCORES, "strengths", "problems"]
    assert worksheets.PERSONA_FIELDS == FORM_PERSONA_FIELDS
    stage_fields = [spec.name for spec in stage_specs("en")]
    lanes = [name for name in stage_fields if name not in ("name", "phase", "kpi_value")]
    assert list(worksheets.JOURNEY_LANES) == [
        "kpi" if name == "kpi_name" else name for name in lanes
    ]  # name and phase head the columns; the KPI's name and value share a lane
    action = set(Action.model_fields) - {"id", "stage"}  # touchpoint or stage: one column
    assert set(worksheets.ACTION_FIELDS) == action


def test_the_action_plan_sheet_asks_in_the_order_of_notebook_05(tmp_path):
    """Notebook 05 makes an action from a finding, then asks owner, start, due, status."""
    import html

    from tpkit.diagnostics.widgets import ActionPlan
    from tpkit.forms.session import WorkbookSession
    from tpkit.store import create

    session = WorkbookSession(create(tmp_path / "t.yaml", read(sample_path("saas"))), "en")
    editor = ActionPlan(session).widget.children[-1]
    asked = [html.unescape(line.children[0].value) for line in editor.children[1:-1]]
    sheet = [t(f"field.{name}", "en") for name in worksheets.ACTION_FIELDS]
    assert asked == [caption for caption in sheet if caption in asked]
    assert worksheets.ACTION_FIELDS[0] == "finding"


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_sheets_use_the_forms_captions(language):
    page = worksheets_html(SheetOptions(language))
    for name in worksheets.INVENTORY_FIELDS + worksheets.PERSONA_FIELDS:
        assert f">{t(f'field.{name}', language)}<" in page.replace("&#x27;", "'"), name
    for key in worksheets.SCORE_CAPTIONS.values():
        assert f">{t(key, language)}<" in page


def test_user_text_is_printed_as_text():
    workbook = read(sample_path("shawna"))
    workbook.touchpoints = [
        *workbook.touchpoints,
        Touchpoint(id="evil", name="<script>alert(1)</script>", phase="after"),
    ]
    page = worksheets_html(SheetOptions("en", workbook, ("inventory", "rating")))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_long_text_is_cut_at_a_word():
    long = "Eine sehr lange Notiz " * 10
    cut = clip(long, "notes")
    assert len(cut) <= worksheets.CELL_CHARACTERS["notes"] and cut.endswith("Notiz…")
    assert clip("  short   text ", "notes") == "short text"


def test_a_pre_printed_text_is_made_safe_as_in_every_other_view():
    from tpkit.safety import WORD_BREAK

    word = clip("x" * 10_000, "name")  # one unbroken word: breakable, not a frozen PDF
    assert WORD_BREAK in word and word.endswith("…")
    assert clip("Bonus \u202eevil\u202c", "name") == "Bonus evil"  # no direction trick


def test_the_commands_refuse_bad_input_clearly(tmp_path, capsys):
    out = str(tmp_path / "x.pdf")
    assert main(["worksheets", "--sheets", "inventory,menu", "-o", out]) == 1
    assert "there is no worksheet called 'menu'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["worksheets", "--participants", "0", "-o", out, "--lang", "de"])
    assert stop.value.code == 2
    assert "'0' ist keine Zahl von Teilnehmenden" in capsys.readouterr().err
    assert main(["worksheets", "--workbook", str(tmp_path / "none.yaml"), "-o", out]) == 1
    assert "none.yaml" in capsys.readouterr().err
    assert not Path(out).exists()


def test_the_commands_say_what_they_wrote(tmp_path, capsys):
    out = tmp_path / "plan.pdf"
    assert main(["worksheets", "--lang", "it", "--sheets", "actions", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"{out} scritto: 1 pagina"
    assert page_count(out) == 1


def test_nothing_runs_off_a_page_however_long_the_entries(tmp_path):
    """The longest names and notes the cells take, eight stages, thirty touchpoints."""
    from tpkit.model import Stage, Workbook

    from .conftest import small_workbook

    words = "Sehr ausführliche Beschreibung eines Kontaktpunkts mit Überlänge "
    workbook: Workbook = small_workbook()
    workbook.meta.team = "Ein Team mit einem außerordentlich langen Namen " * 3
    workbook.stages = [
        Stage(id=f"s{i}", name=words * 2, phase=PHASES[i % 3], emotion=0) for i in range(8)
    ]
    workbook.touchpoints = [
        Touchpoint(
            id=f"tp{i}",
            name=words * 3,
            phase=PHASES[i % 3],
            owner=words,
            notes=words * 9,
            aliases=[words, words],
            stages=[f"s{i % 8}"],
        )
        for i in range(30)
    ]
    workbook.ratings = []
    workbook.persona.description = words * 20
    for paper, sheets in (("a4", worksheets.SHEETS), ("a3", ("journey",))):
        options = SheetOptions("de", workbook, sheets, paper=paper)
        path = worksheets.write_worksheets_pdf(options, tmp_path / f"{paper}.pdf")
        printed = pages(path)
        assert len(printed) == len(printed_pages(options)), paper
        assert all(not page.outside() for page in printed), paper
