"""Charts: the tables behind them, valid specs in every case, translated texts, safe SVG."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import altair as alt
import pytest

from tests.conftest import SAMPLES, small_workbook
from tpkit import charts
from tpkit.charts import style
from tpkit.charts.data import CRITERIA, journey_touchpoints
from tpkit.charts.figures import _QUADRANTS, nudge
from tpkit.charts.journey import LANES
from tpkit.i18n import catalogue, t
from tpkit.model import LANGUAGES, Meta, Rating, Stage, Touchpoint, Workbook
from tpkit.store import read

CHARTS = [charts.coverage, charts.quality_matrix, charts.rating_spread, charts.journey_map]


@pytest.fixture(scope="module")
def shawna() -> Workbook:
    return read(SAMPLES / "shawna.yaml")


@pytest.fixture(scope="module")
def ticino() -> Workbook:
    return read(SAMPLES / "ticino.yaml")


def empty() -> Workbook:
    return Workbook(meta=Meta(team="T"))


def rating(touchpoint: str, who: str, contact: int, process: int, importance: int = 3) -> Rating:
    return Rating(
        touchpoint=touchpoint,
        participant=who,
        contact_quality=contact,
        process_quality=process,
        importance=importance,
    )


# --- the tables ---------------------------------------------------------------------


def test_coverage_counts_every_phase_and_kind_including_zero(workbook):
    data = charts.coverage_data(workbook)
    per_phase = data.groupby("phase")["touchpoints"].sum().to_dict()
    assert per_phase == {"before": 1, "during": 0, "after": 1}
    assert len(data) == 3 * 4
    assert list(data["phase"].drop_duplicates()) == ["before", "during", "after"]


def test_quality_data_holds_team_means_spread_quadrant_and_level(workbook):
    data = charts.quality_data(workbook).set_index("touchpoint")
    assert list(data.index) == ["website"]  # the newsletter is not rated
    website = data.loc["website"]
    assert website["contact_quality"] == 3 and website["process_quality"] == 2.5
    assert website["importance"] == 4.5 and website["raters"] == 2 and website["spread"] == 2
    assert website["quality"] == 2.75
    assert website["level"] == "poor" and website["quadrant"] == "fix_process"


@pytest.mark.parametrize(
    ("contact", "process", "expected"),
    [
        (4, 4, "strong"),
        (3, 3, "strong"),
        (4, 2.9, "fix_process"),
        (2, 4, "fix_contact"),
        (1, 1, "fix_both"),
    ],
)
def test_quadrants_split_at_three(contact, process, expected):
    assert charts.quadrant(contact, process) == expected


@pytest.mark.parametrize(
    ("quality", "expected"),
    [
        (None, "unrated"),
        (float("nan"), "unrated"),
        (1, "poor"),
        (2.99, "poor"),
        (3, "fair"),
        (3.9, "fair"),
        (4, "good"),
    ],
)
def test_levels_are_traffic_lights(quality, expected):
    assert charts.level(quality) == expected


def test_spread_data_puts_the_largest_disagreement_first(workbook):
    workbook.ratings += [rating("newsletter", "Ana", 3, 3), rating("newsletter", "Ben", 3, 4)]
    data = charts.spread_data(workbook)
    assert list(data["touchpoint"].drop_duplicates()) == ["website", "newsletter"]
    assert len(data) == 4 * len(CRITERIA)
    website = data[(data["touchpoint"] == "website") & (data["criterion"] == "contact_quality")]
    assert set(website["low"]) == {2} and set(website["high"]) == {4}
    assert set(website["spread"]) == {2} and set(
        data.loc[data["touchpoint"] == "newsletter", "touchpoint_spread"]
    ) == {1}


def test_spread_data_of_a_workbook_without_ratings_is_empty():
    assert charts.spread_data(empty()).empty


def test_journey_data_marks_every_lowest_stage(workbook):
    workbook.stages.append(Stage(id="leave", name="Leave", phase="after", emotion=-1))
    data = charts.journey_data(workbook)
    assert list(data["stage"]) == ["discover", "stay", "leave"]
    assert list(data["lowest"]) == [False, True, True]


def test_a_flat_journey_has_no_lowest_point(workbook):
    for stage in workbook.stages:
        stage.emotion = 0
    assert not charts.journey_data(workbook)["lowest"].any()


def test_journey_touchpoints_follow_links_both_ways_and_carry_their_colour(workbook):
    workbook.touchpoints.append(Touchpoint(id="shop", name="Shop", phase="during", stages=["stay"]))
    workbook.stages[0].touchpoints.append("gone")  # a dangling link is skipped, not fatal
    workbook.ratings += [rating("shop", "Ana", 5, 4), rating("shop", "Ben", 4, 4)]
    data = journey_touchpoints(workbook)
    rows = {(row.stage, row.touchpoint): row.level for row in data.itertuples()}
    assert rows == {
        ("discover", "website"): "poor",
        ("stay", "newsletter"): "unrated",
        ("stay", "shop"): "good",
    }


def test_nudge_spreads_only_points_that_share_a_place(workbook):
    data = charts.quality_data(workbook)
    data = data.loc[data.index.repeat(3)].reset_index(drop=True)
    data.loc[2, "contact_quality"] = 1.0
    moved = nudge(data, "contact_quality", "process_quality", 0.1)
    shown = list(zip(moved["contact_quality_shown"], moved["process_quality_shown"], strict=True))
    assert len(set(shown)) == 3
    assert shown[2] == (1.0, 2.5)


def test_wrap_keeps_every_word_within_the_width():
    text = "Downloads the app, answers dozens of questions and Kundenzufriedenheitsumfragen"
    lines = style.wrap(text, 120, 12)
    assert " ".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(style.text_width(line, 12) <= 120 for line in lines)
    assert style.bullets(["one two three four five six"], 60, 12)[1].startswith("  ")


# --- the charts ---------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("case", ["shawna", "ticino", "small", "empty"])
def test_every_chart_builds_a_valid_spec(chart, case, request):
    workbook = {"small": small_workbook, "empty": empty}.get(case)
    workbook = workbook() if workbook else request.getfixturevalue(case)
    spec = chart(workbook, "en").to_dict()  # validates against the Vega-Lite schema
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert all(isinstance(rows, list) for rows in spec.get("datasets", {}).values())
    json.dumps(spec)  # plain JSON all the way down, ready for the browser


def test_loading_the_charts_skips_the_iri_grammar_and_still_validates():
    """jsonschema's optional IRI grammar took 4-5 s of every app kernel's start."""
    code = (
        "import sys; import tpkit.charts; import altair as alt; "
        "print('lark' in sys.modules, sys.modules['rfc3987_syntax']); "
        "alt.Chart(alt.Data(values=[])).mark_point().encode(x='nonsense:Q').to_dict(); "
        "alt.Chart().mark_point(opacity='high').to_dict()"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.stdout.splitlines()[0] == "False None"
    assert "SchemaValidationError" in ran.stderr  # the schema is still checked


@pytest.mark.parametrize("chart", CHARTS, ids=lambda f: f.__name__)
def test_an_empty_workbook_gets_a_translated_message(chart):
    svg = html.unescape(charts.to_svg(chart(empty(), "de")))
    assert "Noch " in svg  # "Noch keine …": every empty message says "not yet"


def test_a_workbook_with_stages_but_no_touchpoints_still_maps(workbook):
    workbook.touchpoints, workbook.ratings = [], []
    for stage in workbook.stages:
        stage.touchpoints = []
    for chart in CHARTS:
        chart(workbook, "fr").to_dict()


def test_svg_in_italian_has_translated_titles_and_the_data(shawna):
    expected = {
        charts.coverage: t("chart.coverage.title", "it"),
        charts.quality_matrix: t("chart.quality.title", "it"),
        charts.rating_spread: t("chart.spread.title", "it"),
        charts.journey_map: t("chart.journey.title", "it", persona="Shawna"),
    }
    for chart, title in expected.items():
        svg = charts.to_svg(chart(shawna, "it"))
        text = html.unescape(svg)
        assert svg.startswith("<svg") and title in text
        if chart is not charts.coverage:
            assert "Checkout flow" in text or "Retargeting ads" in text
    journey = html.unescape(charts.to_svg(charts.journey_map(shawna, "it")))
    for word in ("Punto più basso", "Punti critici", "Prima dell'acquisto", "Checkout flow"):
        assert word in journey


_FIELD_NAME = re.compile(r"[a-z_]+")  # 'stage', 'line': the specs' data fields, never shown


def test_no_english_text_leaks_into_another_language(ticino):
    english = catalogue("en")
    italian = catalogue("it")
    leaks = {
        text
        for key, text in english.items()
        if text != italian[key] and len(text) > 3 and not _FIELD_NAME.fullmatch(text)
    }
    for chart in CHARTS:
        strings = set(_strings(chart(ticino, "it").to_dict()))
        assert not strings & leaks, (chart.__name__, strings & leaks)


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_user_text_is_escaped_in_the_svg(workbook):
    evil = "<script>alert(1)</script> & co"
    workbook.touchpoints[0].name = evil
    workbook.stages[0].name = evil
    workbook.stages[0].pain_points = [evil]
    workbook.ratings.append(rating("newsletter", evil, 1, 5))
    for chart in CHARTS:
        svg = charts.to_svg(chart(workbook, "en"))
        assert "<script" not in svg, chart.__name__
        if chart is not charts.coverage:  # the only chart that shows no names
            assert "&lt;script&gt;" in svg and "&amp; co" in svg, chart.__name__


def test_coverage_shows_an_empty_phase_as_a_zero(workbook):
    spec = charts.coverage(workbook, "en").to_dict()
    totals = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text")
    values = spec["datasets"][totals["data"]["name"]]
    assert {row["phase_label"]: row["touchpoints"] for row in values} == {
        "Before purchase": 1,
        "During purchase": 0,
        "After purchase": 1,
    }


def test_the_journey_map_marks_the_lowest_point(shawna):
    svg = html.unescape(charts.to_svg(charts.journey_map(shawna, "en")))
    assert svg.count(f">{t('chart.journey.lowest', 'en')}<") == 1  # one text element
    assert "No owner" in svg  # Shawna's onboarding stage has nobody in charge


def test_the_journey_map_draws_only_the_chosen_lanes(shawna):
    one = charts.journey_map(shawna, "en", lanes=("feeling",)).to_dict()
    assert one["height"] < charts.journey_map(shawna, "en").to_dict()["height"]


def test_a_click_anywhere_on_a_stages_column_of_the_map_selects_that_stage(shawna):
    from tpkit.charts.journey import PICKED

    spec = charts.journey_map(shawna, "en").to_dict()
    (picked,) = spec["params"]
    assert picked["name"] == PICKED and picked["select"]["fields"] == ["pick"]
    assert picked["views"] == [spec["layer"][0]["name"]]  # the cards, under every text
    ids = [stage.id for stage in shawna.stages]
    headings = sorted(spec["datasets"]["text_heading"], key=lambda row: row["x"])
    assert [row["pick"] for row in headings] == ids  # each stage's name card, left to right
    tables = ("boxes", "chips", "curve", "text_body", "text_bold")
    picks = {row["pick"] for table in tables for row in spec["datasets"][table]}
    assert picks == {"", *ids}
    chips = spec["datasets"]["chips"]
    assert all(row["pick"] in ids for row in chips)  # a touchpoint chip picks its stage
    bands = [row for row in spec["datasets"]["boxes"] if row["y"] == 0]
    assert bands and all(row["pick"] == "" for row in bands)  # a phase spans several stages
    lane_titles = [row for row in spec["datasets"]["text_bold"] if row["x"] == 0]
    assert lane_titles and all(row["pick"] == "" for row in lane_titles)


def test_chart_view_swaps_the_chart_in_place(shawna, workbook):
    view = charts.ChartView(charts.coverage(workbook, "en"))
    assert alt.JupyterChart._is_offline  # Vega comes from vl-convert, not from a CDN
    before = json.dumps(view.widget.spec, sort_keys=True)
    view.update(charts.coverage(shawna, "en"))
    after = json.dumps(view.widget.spec, sort_keys=True)
    assert before != after and "Customer team" not in after
    assert view._repr_mimebundle_()


# --- translations -------------------------------------------------------------------

SOURCE = Path(charts.__file__).parent
KEY = re.compile(r"[\"'](chart\.[a-z_.]+[a-z_])[\"']")


def _keys_in_code() -> set[str]:
    used = {key for path in SOURCE.glob("*.py") for key in KEY.findall(path.read_text())}
    used |= {f"chart.lane.{lane}" for lane in LANES}
    used |= {f"chart.level.{level}" for level in style.LEVELS}
    used |= {f"chart.quality.{field}" for field in _QUADRANTS}
    for name in ("coverage", "quality", "spread", "journey"):
        used |= {f"chart.{name}.{part}" for part in ("title", "subtitle", "empty")}
    return {key for key in used if not any(other.startswith(f"{key}.") for other in used)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_chart_key_exists_in_every_language_and_none_is_unused(language):
    known = {key for key in catalogue(language) if key.startswith("chart.")}
    used = _keys_in_code()
    assert not used - known, f"{language} lacks {sorted(used - known)}"
    assert not known - used, f"unused in the code: {sorted(known - used)}"


_BUNDLE_PROBE = """
import re, altair as alt
from tpkit.charts.render import _offline, bundle_cache
_offline()
esm = alt.JupyterChart._esm
assert alt.JupyterChart._is_offline
assert not re.search(r'(import|from)\\s*\\(?["\\']https?://', esm), "imports from the web"
print(bundle_cache().is_file(), len(esm))
"""


def test_the_offline_bundle_is_built_once_and_reused(tmp_path):
    import os
    import subprocess
    import sys

    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", _BUNDLE_PROBE],
            env=environment,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and runs[0][0] == "True" and int(runs[0][1]) > 100_000
    assert len(list((tmp_path / "tpkit").glob("jupyterchart-*.js"))) == 1


@pytest.mark.parametrize("language", ["en", "it", "de", "fr"])
def test_a_live_charts_menu_only_saves_the_picture_in_the_pages_language(language):
    from tpkit.i18n import t

    view = charts.ChartView(charts.coverage(small_workbook(), language), language)
    options = view.widget.embed_options
    assert options["actions"] == {
        "export": {"svg": True, "png": True},
        "source": False,
        "compiled": False,
        "editor": False,  # "Open in Vega Editor" would send the chart to an outside site
    }
    assert options["i18n"]["SVG_ACTION"] == t("chart.menu.svg", language)
    assert options["i18n"]["PNG_ACTION"] == t("chart.menu.png", language)
    if language != "en":
        assert options["i18n"]["SVG_ACTION"] != t("chart.menu.svg", "en")


def test_the_german_journey_title_is_german():
    from tpkit.i18n import t

    assert t("chart.journey.title", "de", persona="Shawna") == "Die Kundenreise von Shawna"
