"""Report sections, cover, contents and stylesheet: content, safety and masking, no kernel.

Findings and masking are pure functions tested with plain data; the HTML is checked for
what a reader must (and must never) see; one WeasyPrint run checks the print layout.
"""

from __future__ import annotations

import base64
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, small_workbook
from tpkit.diagnostics.facts import key_figures
from tpkit.i18n import t
from tpkit.model import LANGUAGES, Meta, Persona, Rating, Touchpoint, Workbook
from tpkit.report.document import (
    contents_html,
    cover_html,
    ink_on,
    logo_html,
    running_title,
    stylesheet,
    text_accent,
)
from tpkit.report.journey import monotone_path
from tpkit.report.sections import SECTIONS, ReportContext, esc, section_html, section_title
from tpkit.safety import (
    css_colour,
    css_string,
    inline_svg,
    mask_contacts,
    mask_names,
    mask_workbook,
    pseudonyms,
    svg_image,
)
from tpkit.store import read

ALL = tuple(SECTIONS)
ISSUED = date(2026, 11, 22)


def context(workbook: Workbook, language: str = "en", **options) -> ReportContext:
    return ReportContext(
        workbook=workbook, language=language, sections=ALL, issued=ISSUED, **options
    )


def whole_report(ctx: ReportContext) -> str:
    """What the report notebook shows, in order, as one string."""
    parts = [stylesheet(ctx), cover_html(ctx), contents_html(ctx)]
    return "".join(parts + [section_html(name, ctx) for name in ctx.sections])


def touchpoint(tp_id: str, phase: str = "before", **fields) -> Touchpoint:
    return Touchpoint(id=tp_id, name=fields.pop("name", tp_id.title()), phase=phase, **fields)


def rating(tp_id: str, who: str, contact: int, process: int, importance: int) -> Rating:
    return Rating(
        touchpoint=tp_id,
        participant=who,
        contact_quality=contact,
        process_quality=process,
        importance=importance,
    )


def plain(*touchpoints: Touchpoint, **parts) -> Workbook:
    return Workbook(meta=Meta(team="T"), touchpoints=list(touchpoints), **parts)


@cache
def sample(name: str) -> Workbook:
    """A sample workbook, read once (tests only read it)."""
    return read(SAMPLES / f"{name}.yaml")


# --- key figures ------------------------------------------------------------------


def test_key_figures():
    figures = key_figures(small_workbook())
    assert figures.per_phase == {"before": 1, "during": 0, "after": 1}
    assert figures.touchpoints == 2
    assert (figures.participants, figures.ratings) == (2, 2)
    assert figures.contact_quality == 3 and figures.process_quality == 2.5
    assert figures.lowest_stage.id == "stay"
    assert (figures.actions, figures.open_actions) == (1, 1)
    empty = key_figures(plain())
    assert empty.contact_quality is None and empty.lowest_stage is None


# --- masking ----------------------------------------------------------------------------

MASKED = [
    "+41 91 123 45 67",
    "079 123 45 67",
    "(555) 123-4567",
    "555-123-4567",
    "+44 (0)20 7946 0958",
    "0041 91 123 45 67",
    "091/123 45 67",
    "+41911234567",
]
KEPT = [
    "2026",
    "3.8",
    "2026-11-22",
    "22.11.2026",
    "2026-11-22T09:30:00",
    "2025-2026",
    "9:00 to 17:00",
    "4/5",
    "scores 4 5 3 4 5 2 4 3",
    "12 500 000 CHF",
    "order 12345678",
    "38 questions",
]


@pytest.mark.parametrize("number", MASKED)
def test_phone_numbers_are_masked(number):
    assert mask_contacts(f"Call {number}, please.", "en") == "Call [phone], please."


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_numbers_are_not_masked(text):
    assert mask_contacts(text, "en") == text


@pytest.mark.parametrize(
    "address", ["name.surname@firm.ch", "info@elettro-bernasconi.ch", "a+b@mail.example.co.uk"]
)
def test_email_addresses_are_masked_in_the_report_language(address):
    assert mask_contacts(f"Write to {address}.", "en") == "Write to [e-mail]."
    assert mask_contacts(address, "it") == t("report.mask.email", "it")
    assert mask_contacts("+41 91 123 45 67", "de") == t("report.mask.phone", "de")


def test_pseudonyms_number_people_in_order_of_appearance():
    names = pseudonyms(["Maya", "Leo", "Maya", "Priya"], "it")
    assert names == {"Maya": "Partecipante 1", "Leo": "Partecipante 2", "Priya": "Partecipante 3"}


def test_names_are_masked_as_whole_words_with_or_without_their_role():
    names = {"Maya (Marketing)": "P1", "Al": "P2"}
    assert mask_names("Ask Maya (Marketing) or Maya.", names) == "Ask P1 or P1."
    assert mask_names("Mayan art", names) == "Mayan art"
    # a name under three letters is masked as written, never as the word "all" or "al"
    assert mask_names("Al said: all fine, al dente", names) == "P2 said: all fine, al dente"


def test_known_people_are_masked_in_any_case_and_part():
    """Issue 11: lower case, a first or last name on its own, a name in an owner field or
    a comment; a part two people share names neither of them; the firm's name stays."""
    names = {"Anna Rossi": "P1", "Anna Meier": "P2", "Luca Bernasconi": "P3"}
    text = "anna rossi and ROSSI met Meier; Anna called luca. Elettro Bernasconi SA"
    masked = mask_names(text, names, shared="[name]", public="Elettro Bernasconi SA")
    assert masked == "P1 and P1 met P2; [name] called P3. Elettro Bernasconi SA"
    assert mask_names("Write to anna.rossi@firm.ch", names) == "Write to anna.rossi@firm.ch"


@pytest.mark.parametrize(
    "spelt",
    [
        "anna at example dot com",
        "anna [at] example [dot] com",
        "anna(at)example(dot)co(dot)uk",
        "Anna.Rossi AT firm DOT ch",
        "anna at example.com",
    ],
)
def test_spelt_out_email_addresses_are_masked(spelt):
    assert mask_contacts(f"Mail {spelt} today", "en") == "Mail [e-mail] today"


@pytest.mark.parametrize("number", ["555-1234", "555 1234", "555.1234"])
def test_seven_digit_phone_numbers_are_masked(number):
    assert mask_contacts(f"Call {number}, please.", "en") == "Call [phone], please."


@pytest.mark.parametrize("text", ["order 1234567", "1 234 567 visits", "look at the dot"])
def test_seven_digit_figures_and_plain_at_stay(text):
    assert mask_contacts(text, "en") == text


def test_masking_a_workbook_reaches_every_text_but_no_id():
    wb = small_workbook()
    wb.persona.description = "Reach her at shawna@mail.com or 079 123 45 67"
    wb.actions[0].owner = "Ana"
    wb.touchpoints[0].notes = "Ben knows"
    masked = mask_workbook(wb, "en")
    assert masked.participants() == ["Participant 1", "Participant 2"]
    assert masked.persona.description == "Reach her at [e-mail] or [phone]"
    assert masked.actions[0].owner == "Participant 1"
    assert masked.touchpoints[0].notes == "Participant 2 knows"
    assert [tp.id for tp in masked.touchpoints] == [tp.id for tp in wb.touchpoints]
    assert wb.participants() == ["Ana", "Ben"]  # the original is untouched


# --- CSS and SVG safety --------------------------------------------------------------


@pytest.mark.parametrize("colour", ["#1f6f8b", "#abc", "teal", "rgb(10, 20, 30)"])
def test_plain_colours_are_accepted(colour):
    assert css_colour(colour, "#000") == colour


@pytest.mark.parametrize("colour", ["red; } body { display: none", "</style>", "url(x)", ""])
def test_anything_else_falls_back_to_the_default_colour(colour):
    assert css_colour(colour, "#000") == "#000"


def test_css_strings_show_text_literally_and_cannot_close_the_style_element():
    quoted = css_string('Team "A" </style>\\ \n · Zürich')
    assert re.fullmatch(r'"(?:[^"<>\\\n]|\\[0-9a-f]{6})*"', quoted)
    assert "Team" in quoted and "Zürich" in quoted


def test_svg_with_anything_that_runs_is_refused():
    svg = '<svg xmlns="http://www.w3.org/2000/svg">{}</svg>'
    assert inline_svg('<?xml version="1.0"?>' + svg.format("<text>on=x &lt;b&gt;</text>"))
    for active in ["<script>x</script>", '<g onload="x"/>', '<a href="javascript:x"/>']:
        with pytest.raises(ValueError):
            inline_svg(svg.format(active))
        with pytest.raises(ValueError):
            svg_image(svg.format(active))


def test_a_chart_image_carries_its_svg_and_an_escaped_text():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;b&gt;</text></svg>'
    image = svg_image(svg, 'Ratings "<b>"')
    assert image.startswith('<img alt="Ratings &quot;&lt;b&gt;&quot;" src="data:image/svg+xml;')
    data = re.search(r"base64,([^\"]+)", image).group(1)
    assert base64.b64decode(data).decode("utf-8") == svg


# --- sections -------------------------------------------------------------------------


def test_the_registry_lists_the_sections_in_report_order():
    from tpkit.report.params import SECTION_NAMES

    assert tuple(SECTIONS) == SECTION_NAMES  # what a report holds unless told otherwise
    assert SECTION_NAMES[:3] == ("summary", "inventory", "ratings")
    assert SECTION_NAMES[-2:] == ("diagnostics", "journey")  # the landscape map last
    with pytest.raises(KeyError):
        section_html("appendix", context(small_workbook()))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_section_renders_in_every_language(language):
    ctx = context(small_workbook(), language)
    for name in ALL:
        fragment = section_html(name, ctx)
        assert fragment.startswith('<section class="tp-section')
        assert f'id="section-{name}"' in fragment
        assert f"<h1>{esc(section_title(name, language))}</h1>" in fragment
    assert 'class="tp-section landscape' in section_html("journey", ctx)


def test_section_titles_are_translated():
    assert section_title("summary", "it") == "Sintesi"
    assert section_title("journey", "de") == "Customer Journey"


def test_an_empty_workbook_gets_short_notes_instead_of_charts():
    ctx = context(Workbook(meta=Meta(team="New team")), "fr")
    report = whole_report(ctx)
    for key in ("findings.empty", "inventory.empty", "ratings.empty", "journey.empty"):
        assert t(f"report.{key}", "fr").replace("'", "&#x27;") in report
    assert "<svg" not in report and "image/svg" not in report


EVIL = ["<script>alert(1)</script>", "**bold**", r"$\frac{1}{2}$", "{{ x }}", '"><img src=x>']


@pytest.fixture(scope="module")
def evil_report() -> str:
    """A workbook whose every text is something that must not become markup."""
    wb = small_workbook()
    wb.meta.team = wb.meta.company = EVIL[0]
    wb.persona = Persona(name=EVIL[4], description=EVIL[2], goals=[EVIL[1]], frustrations=[EVIL[3]])
    for i, tp in enumerate(wb.touchpoints):
        tp.name, tp.owner = EVIL[i], EVIL[i + 2]
    wb.stages[1].name = EVIL[0]
    wb.stages[1].pain_points = [EVIL[3]]
    return whole_report(context(wb, title=EVIL[3], period=EVIL[0]))


def test_user_text_is_escaped_everywhere(evil_report):
    assert "<script" not in evil_report.lower()
    # the only images are the charts: their SVG as data, their alt text escaped
    images = re.findall(r"<img\b[^>]*>", evil_report, re.IGNORECASE)
    chart = re.compile(r'<img alt="[^"<>]*" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+">')
    assert images and all(chart.fullmatch(image) for image in images)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil_report
    for literal in ("**bold**", r"$\frac{1}{2}$", "{{ x }}"):
        assert literal in evil_report
    assert "&quot;&gt;&lt;img src=x&gt;" in evil_report


def test_sections_ask_mathjax_to_leave_dollar_signs_alone(evil_report):
    for section in re.findall(r"<section [^>]*>", evil_report):
        assert "tex2jax_ignore mathjax_ignore" in section


@pytest.fixture(scope="module")
def named_workbook() -> Workbook:
    """Ratings with names, contact details in texts and two people who disagree."""
    wb = small_workbook()
    wb.ratings = [rating("website", "Ana Rossi", 1, 4, 5), rating("website", "Ben", 5, 4, 5)]
    wb.touchpoints[0].owner = "Ana Rossi, ana.rossi@firm.ch"
    wb.stages[0].doing = "Calls +41 91 123 45 67"
    return wb


def test_personal_data_is_masked_across_the_report(named_workbook):
    report = whole_report(context(named_workbook))
    for secret in ("Ana", "Ben", "ana.rossi@firm.ch", "123 45 67"):
        assert secret not in report
    assert "Participant 1, [e-mail]" in report  # the owner column
    assert "Contact quality: 1 (Participant 1) to 5 (Participant 2)" in report


def test_personal_data_is_shown_when_the_team_asks(named_workbook):
    report = whole_report(context(named_workbook, mask_personal_data=False))
    assert "Contact quality: 1 (Ana Rossi) to 5 (Ben)" in report
    assert "ana.rossi@firm.ch" in report
    assert "Participant 1" not in report


def test_counts_of_one_read_naturally():
    wb = plain(touchpoint("a", owner="X", marketing_contact=True))
    html = section_html("summary", context(wb))
    assert "1 marketing contact without consent or opt-out" in html


def test_the_summary_explains_its_findings_in_the_report_language():
    ticino = sample("ticino")
    html = section_html("summary", context(ticino, "it"))
    assert t("report.findings.title", "it") in html
    assert "Il punto più basso del percorso: Sopralluogo e attesa del preventivo" in html
    assert "Preventivo scritto: importanza 5, prestazione 3" in html
    assert "priorità 3,9 = peso 1,5 × gravità 2,6" in html  # the Italian decimal comma


def test_the_inventory_lists_every_touchpoint_by_phase():
    shawna = sample("shawna")
    html = section_html("inventory", context(shawna))
    for tp in shawna.touchpoints:
        assert f'<td class="">{esc(tp.name)}</td>' in html
    assert html.count("<table") == 4  # the coverage bars, then a table per phase
    assert "<svg" not in html  # the bars are boxes and text, not a drawing


def test_the_coverage_bars_count_each_kind_and_flag_an_empty_phase():
    wb = plain(touchpoint("a", kind="digital"), touchpoint("b", kind="digital"))
    wb.touchpoints.append(touchpoint("c", "after", kind="human"))
    html = section_html("inventory", context(wb, "it"))
    assert esc(t("chart.coverage.title", "it")) in html
    assert '<span class="tp-kind-digital" style="width:100.00%">2</span>' in html
    assert '<span class="tp-kind-human" style="width:50.00%">1</span>' in html
    assert '<td class="tp-total tp-missing">0</td>' in html  # nothing during the purchase


def test_the_journey_prints_the_persona_and_the_map_as_one_table():
    shawna = sample("shawna")
    html = section_html("journey", context(shawna))
    assert "Persona: Shawna" in html
    assert html.count('<table class="tp-journey"') == 1
    assert html.count("<svg") == 1  # only the emotion curve is drawn; the rest is text
    for stage in shawna.stages:
        assert esc(stage.name) in html
    for tp in shawna.touchpoints:
        assert f"</span>{esc(tp.name)}</div>" in html  # a chip, after its score
    assert html.count(">Lowest point</text>") == 1
    assert '<span class="tp-missing-owner">No owner</span>' in html  # onboarding: nobody


def test_the_journey_map_leaves_out_owner_and_kpi_rows_nobody_filled_in():
    wb = small_workbook()
    for stage in wb.stages:
        stage.owner, stage.kpi = "", None
    html = section_html("journey", context(wb))
    assert 'class="tp-lane-doing"' in html
    assert 'class="tp-lane-owner"' not in html and 'class="tp-lane-kpi"' not in html


def test_the_journey_columns_and_the_curve_share_one_grid():
    """The drawing spans the lane titles and every stage column exactly, so its cards and
    dots sit under the stage columns of the table."""
    html = section_html("journey", context(sample("shawna")))
    table = float(re.search(r'class="tp-journey" style="width:([\d.]+)mm', html).group(1))
    spacing = float(re.search(r"border-spacing:([\d.]+)mm", html).group(1))
    columns = [float(w) for w in re.findall(r'<col style="width:([\d.]+)mm">', html)]
    assert sum(columns) + (len(columns) + 1) * spacing == pytest.approx(table, abs=0.01)
    drawing = float(re.search(r'<svg [^>]*width="([\d.]+)mm"', html).group(1))
    assert drawing == pytest.approx(table - 2 * spacing, abs=0.01)


def test_without_a_persona_the_map_follows_the_heading():
    wb = small_workbook()
    wb.persona = None
    html = section_html("journey", context(wb))
    assert re.search(r'</h1><div class="tp-map"><table class="tp-journey"', html)


@pytest.mark.parametrize(
    "emotions", [[1, 1, 0, 2, -2, 0, 1], [-2, 2, -2, 2], [0, 0], [2, -2], [1, 2, 2, -1]]
)
def test_the_emotion_curve_passes_every_point_and_never_overshoots(emotions):
    points = [(10.0 * i, -5.0 * e) for i, e in enumerate(emotions)]
    path = monotone_path(points)
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", path)]
    xs, ys = numbers[0::2], numbers[1::2]
    assert (xs[0], ys[0]) == points[0]
    assert [(x, y) for x, y in zip(xs[3::3], ys[3::3], strict=True)] == points[1:]
    assert min(ys) >= -10 and max(ys) <= 10  # control points stay within −2…+2


# --- cover, contents, stylesheet -------------------------------------------------------


def test_the_cover_shows_team_period_language_and_date():
    ticino = sample("ticino")
    html = cover_html(context(ticino, "it", period="2026-Q4"))
    for text in ("Team clienti Elettro Bernasconi", "2026-Q4", "Italiano", "22 novembre 2026"):
        assert text in html
    assert "Rapporto sui touchpoint: Team clienti Elettro Bernasconi" in html
    assert 'class="tp-logo"' not in html


def test_a_logo_is_embedded_in_the_html(tmp_path: Path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    assert 'src="data:image/svg+xml;base64,' in logo_html(str(logo))
    assert logo_html(str(tmp_path / "missing.png")) == ""
    assert logo_html(str(tmp_path)) == ""


def test_the_contents_link_the_chosen_sections_in_order():
    ctx = ReportContext(small_workbook(), "de", sections=("ratings", "summary"))
    html = contents_html(ctx)
    assert re.findall(r'href="#section-(\w+)"', html) == ["ratings", "summary"]
    assert "Bewertungen" in html


def test_the_stylesheet_fills_in_accent_and_running_title():
    css = stylesheet(context(small_workbook(), accent="#8b1f3a", title="Q4"))
    assert not re.search(r"@[a-z-]+@", css)  # every placeholder filled in
    assert "#8b1f3a" in css
    assert '"Test team · Q4"' in css
    assert "target-counter(attr(href), page)" in css
    assert "@page landscape" in css and "size: A4 landscape" in css
    assert "#1f6f8b" in stylesheet(context(small_workbook(), accent="red;}"))


def test_the_running_title_names_the_team_once_on_one_line():
    assert running_title(context(small_workbook())) == "Customer touchpoint report: Test team"
    assert running_title(context(small_workbook(), title="Q4")) == "Test team · Q4"
    long = running_title(context(small_workbook(), title="A very long title " * 10))
    assert len(long) <= 90 and long.startswith("Test team · A very") and long.endswith(" A …")


@pytest.mark.parametrize(("colour", "ink"), [("#1f6f8b", "#ffffff"), ("#ffee00", "#1f2328")])
def test_text_on_the_accent_band_stays_readable(colour, ink):
    assert ink_on(colour) == ink


def test_headings_in_a_light_accent_are_darkened_to_read_on_white():
    assert text_accent("#1f6f8b") == "#1f6f8b"  # dark enough already
    assert text_accent("#ffcc00") == "#886c00"
    assert text_accent("teal") == "teal"


# --- the print layout (WeasyPrint) ----------------------------------------------------


def test_weasyprint_lays_out_cover_contents_portrait_sections_and_landscape_journey():
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    ctx = context(small_workbook())
    html = (
        f'<html><head><meta charset="utf-8"><style>{stylesheet(ctx)}</style></head><body>'
        + cover_html(ctx)
        + contents_html(ctx)
        + "".join(section_html(name, ctx) for name in ALL)
        + "</body></html>"
    )
    document = weasyprint.HTML(string=html).render()
    landscape = [page.width > page.height for page in document.pages]
    assert len(landscape) >= 6  # cover, contents, then each section on a new page
    # the journey comes last, in landscape: the persona, then the map on a page of its own
    assert landscape == sorted(landscape) and landscape[-2:] == [True, True]
    assert document.write_pdf().startswith(b"%PDF")
