"""The navigator: feedback charts, the report's customer feedback section, the mapping
form and notebook 04, on the Shawna sample's responses and on exports built in code."""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import nbformat
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.conftest import SAMPLES, small_workbook
from tests.test_notebooks import WIDGET, execute, outputs
from tpkit.charts import to_svg
from tpkit.charts.feedback import gap_chart, trend
from tpkit.forms.session import WorkbookSession
from tpkit.forms.survey import FeedbackView, MappingForm
from tpkit.i18n import t
from tpkit.model import LANGUAGES
from tpkit.report.feedback import collect, period_months
from tpkit.report.sections import ReportContext, section_html
from tpkit.store import create, read
from tpkit.survey import responses
from tpkit.survey.export import LINE, SKIP, Column, Export
from tpkit.survey.formats import ExportFile
from tpkit.survey.importer import scan_export, store
from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM, Target
from tpkit.survey.proposal import propose

SHAWNA = SAMPLES / "shawna.yaml"
INJECTION = "<script>alert('x')</script> Ana was rude, write to ana@example.com"


def export_of(path: Path, columns: list[Column], rows: list[list[str]]) -> Export:
    """An export as a reader hands it over (see tpkit.survey.export): text columns c0…,
    then the line of each record and the reader's own skip verdict."""
    arrays = {f"c{i}": pa.array([r[i] for r in rows], pa.string()) for i in range(len(columns))}
    arrays[LINE] = pa.array(range(2, len(rows) + 2), pa.int64())
    arrays[SKIP] = pa.nulls(len(rows), pa.string())

    def parse(text: pa.Array) -> pa.Array:
        stamps = pc.strptime(text, format="%Y-%m-%d %H:%M", unit="s", error_is_null=True)
        return pc.cast(stamps, pa.timestamp("s", "UTC"))

    return Export(path, "csv", columns, iter([pa.record_batch(arrays)]), parse)


COLUMNS = [
    Column("Submitted at", "submitted"),
    Column("tp", "touchpoint"),
    Column("How satisfied are you overall?"),
    Column("Would you recommend us?"),
    Column("Why?"),
]
ROWS = [
    ["2026-10-03 10:00", "website", "5", "9", "Quick answers"],
    ["2026-11-12 09:30", "website", "2", "3", INJECTION],
    ["2026-11-20 17:05", "website", "Satisfied", "eleven", "Fine, call me on +41 79 123 45 67"],
    ["2026-11-21 08:00", "newsletter", "4", "10", ""],
]


@pytest.fixture
def answered(tmp_path) -> Path:
    """The small workbook with four responses: an injection, contacts, a bad NPS."""
    path = create(tmp_path / "team.yaml", small_workbook())
    export = export_of(tmp_path / "export.csv", COLUMNS, ROWS)
    workbook = read(path)
    scan = scan_export(export, workbook)
    mapping = {  # as a user confirms it: the 'eleven' leaves the NPS doubtful
        2: Target("csat", ROW_TOUCHPOINT, "satisfaction"),
        3: Target("nps", ROW_TOUCHPOINT, "0-10"),
        4: Target("comment", ROW_TOUCHPOINT, "text"),
    }
    store(scan, propose(export, scan.answers(), workbook).chosen(mapping), path)
    return path


def context(path: Path | str, language: str = "en", **options) -> ReportContext:
    workbook = read(path)
    return ReportContext(workbook, language, ("feedback",), workbook_path=str(path), **options)


# --- charts ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_feedback_charts_render_to_svg_offline_in_every_language(language):
    feedback = collect(read(SHAWNA), SHAWNA)
    workbook = read(SHAWNA)
    trend_svg = to_svg(trend(feedback.tallies, workbook, language))
    gap_svg = to_svg(gap_chart(feedback.gaps, workbook, language))
    assert t("navigator.chart.trend.small", language) in trend_svg
    assert t("navigator.measure.contact", language) in gap_svg
    assert "Customer service (phone, e-mail)" in gap_svg
    assert "http" not in trend_svg.replace("http://www.w3.org", "")


def test_feedback_charts_build_valid_specs_with_and_without_answers():
    """The reports draw charts without checking them against the schema: this does."""
    feedback = collect(read(SHAWNA), SHAWNA)
    for workbook, tallies, gaps in [
        (read(SHAWNA), feedback.tallies, feedback.gaps),
        (small_workbook(), [], []),
    ]:
        for chart in (trend(tallies, workbook, "en"), gap_chart(gaps, workbook, "en")):
            assert chart.to_dict()["$schema"].startswith("https://vega.github.io/schema/")


def test_charts_without_answers_say_why():
    workbook = small_workbook()
    assert t("navigator.chart.trend.empty", "de") in to_svg(trend([], workbook, "de"))
    assert "Kontakt" in t("navigator.chart.gap.empty", "de")
    assert "Kontakt-" in to_svg(gap_chart([], workbook, "de"))


# --- figures --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "months"),
    [
        ("2026", ("2026-01", "2026-12")),
        ("2026-Q4", ("2026-10", "2026-12")),
        ("2026-h1", ("2026-01", "2026-06")),
        ("2026-11", ("2026-11", "2026-11")),
        ("November 2026", None),
        ("", None),
    ],
)
def test_report_periods_become_months(period, months):
    assert period_months(period) == months


def test_the_sample_feedback_has_figures_gaps_and_comments_newest_first():
    feedback = collect(read(SHAWNA), SHAWNA, shown=3)
    assert feedback.responses > 1000
    assert (feedback.first_month, feedback.last_month) == ("2026-06", "2026-11")
    assert {"csat", "nps", "ces"} <= set(feedback.overall)
    blind = [g for g in feedback.gaps if g.touchpoint == "customer_service" and g.gap >= 1]
    assert blind and blind[0].measure == "contact"
    for comments in feedback.comments.values():
        assert len(comments) <= 3
        assert [c.submitted for c in comments] == sorted(
            (c.submitted for c in comments), reverse=True
        )
    assert feedback.comment_counts["checkout_flow"] > 3


def test_a_period_keeps_only_its_months(answered):
    november = collect(read(answered), answered, "2026-11")
    assert november.responses == 3
    assert (november.first_month, november.last_month) == ("2026-11", "2026-11")
    assert collect(read(answered), answered, "2025").responses == 0


# --- the report section ---------------------------------------------------------------


def test_the_section_shows_figures_ranking_trend_gaps_and_comments():
    html = section_html("feedback", context(SHAWNA))
    assert f"<h1>{t('navigator.section', 'en')}</h1>" in html
    for key in ("figures", "league", "trend", "gap", "comments"):
        assert t(f"navigator.{key}.title", "en").replace("'", "&#x27;") in html
    assert "Box and packaging (unboxing)" in html
    assert html.count('src="data:image/svg+xml;') == 2  # the trend and the gap charts
    assert "⚠" in html  # small samples are flagged


def test_without_responses_the_section_says_so_and_draws_nothing(workbook_file):
    for ctx in (context(workbook_file, "it"), ReportContext(small_workbook(), "it", ("feedback",))):
        html = section_html("feedback", ctx)
        assert t("navigator.empty", "it").replace("'", "&#x27;") in html
        assert "<svg" not in html and "image/svg" not in html and "<table" not in html


def test_a_period_without_responses_is_named(answered):
    html = section_html("feedback", context(answered, period="2025-Q1"))
    assert t("navigator.empty_period", "en", period="2025-Q1") in html


def test_comments_are_escaped_and_masked_by_default(answered):
    html = section_html("feedback", context(answered))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "ana@example.com" not in html and "[e-mail]" in html
    assert "79 123 45 67" not in html
    assert "Ana was rude" not in html and "Participant 1 was rude" in html


def test_unmasked_comments_are_still_escaped(answered):
    html = section_html("feedback", context(answered, mask_personal_data=False))
    assert "ana@example.com" in html and "Ana was rude" in html
    assert "<script>" not in html and "&lt;script&gt;alert" in html


def test_bad_answers_are_left_out_of_the_figures(answered):
    feedback = collect(read(answered), answered)
    nps = next(f for f in feedback.touchpoints if f.group == "website" and f.measure == "nps")
    assert nps.n == 2  # 'eleven' was refused at import


# --- the mapping form and the view ----------------------------------------------------


@pytest.fixture
def session(tmp_path) -> WorkbookSession:
    path = create(tmp_path / "team.yaml", small_workbook())
    (tmp_path / "export.csv").write_text("stands for the export built in code\n")
    return WorkbookSession(path)


def reader(source: ExportFile) -> Export:
    return export_of(source.name, COLUMNS, ROWS)


def test_the_form_shows_the_proposal_with_its_marks_imports_and_lists_every_skip(session):
    view = FeedbackView(session)
    form = MappingForm(session, on_import=view.refresh, reader=reader)
    assert html.escape(t("navigator.form.empty", "en")) in view.figures.value
    chosen = str(session.path.parent / "export.csv")
    assert chosen in [value for _, value in form.file.options]
    form.file.value = chosen
    assert t("survey.tool.csv", "en") in form.tool.value
    # the same proposal as the command line: a "recommend" with 'eleven' among its
    # answers is no sure NPS, so it is marked and left out until someone decides
    assert {i: d.value for i, d in form.measures.items()} == {2: "csat", 3: "", 4: "comment"}
    assert form.touchpoints[2].value == "*" and form.scales[2].value == "satisfaction"
    assert [i for i, line in form.lines.items() if "⚠" in line.mark.value] == [3]
    assert "NPS" in form.lines[3].evidence.value
    assert html.escape(t("navigator.form.doubtful_count", "en", count=1)) in form.summary.value
    form.measures[3].value = "nps"  # the user decides: it is the NPS
    assert form.scales[3].value == "0-10" and "✓" in form.lines[3].mark.value
    assert html.escape(t("navigator.form.confident", "en")) in form.summary.value
    form.touchpoints[4].value = "newsletter"  # every comment is about the newsletter
    form.import_button.click()
    stored = responses.load(session.path)
    assert stored.num_rows == 4
    assert {"csat@*", "nps@*", "comment@newsletter"} <= set(stored.column_names)
    assert "eleven" in form.result.value and ">4<" in form.result.value  # its line
    assert t("survey.reason.not_a_number", "en") in form.result.value
    assert "&lt;script&gt;" in view.comments.value and "<script>" not in view.comments.value
    assert "[e-mail]" in view.comments.value
    assert "Newsletter" in view.league.value or "Website" in view.league.value
    form.import_button.click()  # the same export again adds nothing
    assert responses.load(session.path).num_rows == 4
    form.touchpoints[4].value = WHOLE_FIRM  # a changed mapping reads them again
    result = form.run_import()
    assert result is not None and result.replaced == 4
    assert "comment@" in responses.load(session.path).column_names


def test_the_form_saves_the_mapping_with_its_marks_and_refuses_an_empty_one(session):
    form = MappingForm(session, reader=reader)
    form.file.value = str(session.path.parent / "export.csv")
    form.measures[4].value = ""  # leave out the comments
    form.save_button.click()
    saved = (session.path.parent / "export.mapping.yaml").read_text(encoding="utf-8")
    assert '"Why?": ignore' in saved and "measure: csat" in saved
    assert '"Would you recommend us?": ignore  # ? ' in saved  # still doubtful: untouched
    for dropdown in form.measures.values():
        dropdown.value = ""
    assert form.run_import() is None
    assert form.message.text == t("navigator.form.nothing", "en")


def test_the_form_takes_an_uploaded_export_from_its_bytes(tmp_path):
    path = create(tmp_path / "shawna.yaml", read(SHAWNA))
    form = MappingForm(WorkbookSession(path))
    data = (SAMPLES / "surveys" / "shawna-typeform.csv").read_bytes()
    form.load_upload("C:\\Users\\ann\\Downloads\\shawna-typeform.csv", data)
    assert t("survey.tool.typeform", "en") in form.tool.value
    assert not [line for line in form.lines.values() if "⚠" in line.mark.value]
    result = form.run_import()
    assert result is not None and result.added == 68
    assert set(responses.load(path).column("source").to_pylist()) == {"shawna-typeform.csv"}


def test_the_form_reads_the_bundled_sample_export_with_the_real_reader(tmp_path):
    path = create(tmp_path / "shawna.yaml", read(SHAWNA))
    form = MappingForm(WorkbookSession(path))
    sample = next(v for label, v in form.file.options if label.endswith("shawna-google-forms.csv"))
    form.file.value = sample
    assert t("survey.tool.google_forms", "en") in form.tool.value
    result = form.run_import()
    assert result is not None and result.added > 1000
    assert {s.reason for s in result.skipped} >= {"out_of_range", "unknown_touchpoint"}


# --- notebook 04 and the PDF ----------------------------------------------------------


def test_the_navigator_notebook_runs_with_its_defaults(folder, tmp_path):
    notebook = execute("04_navigator", tmp_path / "out.ipynb")
    results = outputs(notebook)
    assert not [o for o in results if o.get("output_type") == "error"]
    assert any(WIDGET in o.get("data", {}) for o in results)


def test_the_navigator_notebook_shows_a_workbooks_responses_in_french(folder, tmp_path):
    workbook = create(folder / "shawna.yaml", read(SHAWNA))
    shutil.copy(responses.responses_path(SHAWNA), responses.responses_path(workbook))
    notebook = execute(
        "04_navigator", tmp_path / "out.ipynb", workbook=str(workbook), language="fr"
    )
    assert notebook.metadata.papermill.parameters["language"] == "fr"
    results = outputs(notebook)
    assert not [o for o in results if o.get("output_type") == "error"]
    markdown = [o["data"]["text/markdown"] for o in results if "text/markdown" in o.get("data", {})]
    assert markdown[0] == t("navigator.guide.intro", "fr")
    widget_states = nbformat.writes(notebook)
    assert "Box and packaging (unboxing)" in widget_states  # the ranking, in the widget state
    assert "Vérification : ce qui manque encore" in widget_states  # the exercise, at the end


def test_the_sample_report_pdf_has_the_feedback_section(tmp_path):
    from tpkit.report import pipeline
    from tpkit.report.params import ReportParameters

    pdf = pipeline.build(
        ReportParameters(workbook=str(SHAWNA), sections=("summary", "feedback")),
        tmp_path / "shawna.pdf",
    )
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert t("navigator.section", "en") in text
    assert t("navigator.league.title", "en") in text
    assert "Box and packaging (unboxing)" in text
    assert "[e-mail]" in text and "anna.rossi@example.com" not in text
