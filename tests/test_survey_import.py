"""The survey import: mapping, checking by line, deduplication, the responses store."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import small_workbook
from tests.survey_exports import export_from_rows
from tpkit.errors import TpkitError
from tpkit.store import create
from tpkit.survey import responses
from tpkit.survey.importer import import_export
from tpkit.survey.mapping import (
    ROW_TOUCHPOINT,
    WHOLE_FIRM,
    Target,
    mapping_file_text,
    measure_in,
    propose,
    read_mapping_file,
    touchpoint_in,
)

LINKED = [
    ("Response ID", "response_id"),
    ("Submitted", "submitted"),
    ("tp", "touchpoint"),
    ("How likely are you to recommend us to a friend?", "question"),
    ("Overall, how satisfied were you?", "question"),
    ("Why?", "question"),
    ("E-mail", "email"),
]


@pytest.fixture
def workbook_path(tmp_path):
    path = tmp_path / "team.yaml"
    create(path, small_workbook())
    return path


def _import(rows, path, columns=LINKED, **options):
    export = export_from_rows(columns, rows, skips=options.pop("skips", None))
    mapping = options.pop("mapping", None) or propose(export, small_workbook())
    return import_export(export, small_workbook(), path, mapping, **options)


def test_headers_propose_measures_and_the_link_touchpoint():
    export = export_from_rows(LINKED, [])
    assert propose(export, small_workbook()) == {
        3: Target("nps", ROW_TOUCHPOINT),
        4: Target("csat", ROW_TOUCHPOINT),
        5: Target("comment", ROW_TOUCHPOINT),
    }


@pytest.mark.parametrize(
    ("header", "measure", "touchpoint"),
    [
        ("Quanto consiglieresti il nostro sito a un amico? (Website)", "nps", "website"),
        ("Wie zufrieden waren Sie mit unserem Newsletter?", "csat", "newsletter"),
        ("Dans quelle mesure était-il facile de … (newsletter)", "ces", "newsletter"),
        ("How friendly was our staff on the website?", "contact", "website"),
        ("Pourquoi ?", "comment", None),
        ("Shoe size", None, None),
    ],
)
def test_headers_in_every_language_name_measure_and_touchpoint(header, measure, touchpoint):
    assert measure_in(header) == measure
    assert touchpoint_in(header, small_workbook()) == touchpoint


def test_a_clean_import_stores_every_answer_and_leaves_personal_data_out(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "10", "Very satisfied", "Quick", "a@b.ch"],
        ["r2", "2026-03-02 11:00", "Newsletter", "6", "2", "", "c@d.ch"],
        ["r3", "2026-04-02 11:00", "website", "9 - Very likely", "sehr zufrieden", "", ""],
    ]
    result = _import(rows, workbook_path)
    assert (result.rows, result.added, result.already, result.skipped) == (3, 3, 0, [])
    assert result.blank == 2  # the two empty comments
    assert result.personal_left_out == ["E-mail"]
    stored = responses.load(workbook_path).to_pydict()
    assert stored["response"] == ["r1", "r2", "r3"]
    assert stored["touchpoint"] == ["website", "newsletter", "website"]  # a name resolves
    assert stored["nps@*"] == [10.0, 6.0, 9.0]
    assert stored["csat@*"] == [5.0, 2.0, 5.0]
    assert stored["comment@*"] == ["Quick", None, None]
    assert stored["line"] == [2, 3, 4]
    assert "email@" not in stored


def test_personal_data_is_kept_only_when_asked(workbook_path):
    rows = [["r1", "2026-03-01 10:00", "website", "10", "5", "", "a@b.ch"]]
    result = _import(rows, workbook_path, keep_personal_data=True)
    assert result.personal_left_out == []
    assert responses.load(workbook_path).column("email@").to_pylist() == ["a@b.ch"]


def test_every_unusable_row_and_cell_is_reported_by_line(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "11", "5", "", ""],  # 11 on 0–10
        ["r2", "2026-03-01 10:00", "website", "n/a", "five", "", ""],
        ["r1", "2026-03-02 10:00", "website", "3", "3", "", ""],  # duplicate id
        ["", "2026-03-02 10:00", "website", "3", "3", "", ""],  # missing id
        ["r5", "31/02/2026", "website", "3", "3", "", ""],  # not a date
        ["r6", "2026-03-02 10:00", "shop", "3", "3", "", ""],  # no such touchpoint
        ["r7", "2026-03-02 10:00", "website", "3", "3", "", ""],  # a preview
        ["r8", "2026-03-02 10:00", "website", "3", "3", "", ""],  # unfinished
        ["r9", "2026-03-02 10:00", "website", "4,0", "4", "", ""],
    ]
    skips = [None] * 6 + ["preview", "incomplete", None]
    result = _import(rows, workbook_path, skips=skips)
    found = [(s.line, s.reason, s.column, s.value) for s in result.skipped]
    nps, csat = LINKED[3][0], LINKED[4][0]
    assert found == [
        (2, "out_of_range", nps, "11"),
        (3, "no_answer", nps, "n/a"),
        (3, "not_a_number", csat, "five"),
        (4, "duplicate", "", ""),
        (5, "missing_id", "", ""),
        (6, "bad_date", "", ""),
        (7, "unknown_touchpoint", "tp", "shop"),
        (8, "preview", "", ""),
        (9, "incomplete", "", ""),
    ]
    stored = responses.load(workbook_path).to_pydict()
    assert stored["response"] == ["r1", "r2", "r6", "r9"]
    assert stored["nps@*"] == [None, None, None, 4.0]  # r6's answers have no touchpoint
    assert stored["csat@*"] == [5.0, None, None, 4.0]


def test_the_first_of_duplicates_is_kept_and_a_preview_does_not_hide_a_real_copy(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "1", "1", "", ""],  # a preview
        ["r1", "2026-03-02 10:00", "website", "9", "5", "", ""],  # the real one: kept
        ["r1", "2026-03-03 10:00", "website", "0", "1", "", ""],  # a later copy: dropped
    ]
    result = _import(rows, workbook_path, skips=["preview", None, None])
    assert [(s.line, s.reason) for s in result.skipped] == [(2, "preview"), (4, "duplicate")]
    assert responses.load(workbook_path).column("nps@*").to_pylist() == [9.0]


def test_importing_the_same_export_twice_adds_nothing(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "10", "5", "", ""],
        ["r2", "2026-03-01 10:00", "website", "11", "5", "", ""],
    ]
    first = _import(rows, workbook_path)
    again = _import(rows, workbook_path)
    assert (first.added, again.added, again.already) == (2, 0, 2)
    assert again.skipped == []  # cells of responses already stored are not news
    assert responses.load(workbook_path).num_rows == 2
    grown = _import([*rows, ["r3", "2026-03-04 10:00", "website", "7", "4", "", ""]], workbook_path)
    assert (grown.added, grown.already) == (1, 2)
    assert responses.load(workbook_path).column("response").to_pylist() == ["r1", "r2", "r3"]


def test_two_forms_with_the_same_ids_do_not_collide(workbook_path):
    rows = [["1", "2026-03-01 10:00", "website", "10", "5", "", ""]]
    _import(rows, workbook_path)
    other = [*LINKED[:3], ("How easy was it to get what you needed?", "question")]
    result = _import([["1", "2026-03-01 10:00", "website", "6"]], workbook_path, columns=other)
    assert result.added == 1
    stored = responses.load(workbook_path)
    assert stored.num_rows == 2
    assert len(set(stored.column("form").to_pylist())) == 2
    assert stored.column("ces@*").to_pylist() == [None, 6.0]


def test_an_export_without_ids_is_deduplicated_by_content(workbook_path):
    columns = [("Timestamp", "submitted"), ("How satisfied were you with the website?", "question")]
    rows = [["2026-03-01 10:00", "4"], ["2026-03-01 10:00", "4"], ["2026-03-01 10:05", "4"]]
    result = _import(rows, workbook_path, columns=columns)
    assert [(s.line, s.reason) for s in result.skipped] == [(3, "duplicate")]
    assert result.added == 2
    assert _import(rows, workbook_path, columns=columns).already == 2
    assert responses.load(workbook_path).column("csat@website").to_pylist() == [4.0, 4.0]


def test_a_question_with_no_touchpoint_and_no_link_is_about_the_firm(workbook_path):
    columns = [("ID", "response_id"), ("Would you recommend us?", "question")]
    result = _import([["a", "9"]], workbook_path, columns=columns)
    assert result.added == 1
    assert responses.load(workbook_path).column(f"nps@{WHOLE_FIRM}").to_pylist() == [9.0]


def test_a_dry_run_reports_without_storing(workbook_path):
    rows = [["r1", "2026-03-01 10:00", "website", "10", "5", "", ""]]
    assert _import(rows, workbook_path, dry_run=True).added == 1
    assert not responses.responses_path(workbook_path).exists()


def test_a_mapping_file_overrides_the_proposal(tmp_path, workbook_path):
    export = export_from_rows(LINKED, [])
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(
        "columns:\n"
        "  'Overall, how satisfied were you?': {measure: process, touchpoint: website}\n"
        "  'Why?': ignore\n",
        encoding="utf-8",
    )
    mapping = read_mapping_file(mapping_file, export, small_workbook())
    assert mapping == {3: Target("nps", ROW_TOUCHPOINT), 4: Target("process", "website")}
    written = tmp_path / "written.yaml"
    written.write_text(mapping_file_text(mapping, export), encoding="utf-8")
    assert read_mapping_file(written, export, small_workbook()) == mapping


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns:\n  Nope: {measure: nps}\n", "'Nope'"),
        ("columns:\n  'Why?': {measure: happiness}\n", "contact, process, csat"),
        ("columns:\n  'Why?': {measure: csat, touchpoint: shop}\n", "'shop'"),
        ("just text\n", "columns:"),
        ("columns: [\n", "mapping.yaml"),
    ],
)
def test_a_bad_mapping_file_names_the_problem(tmp_path, text, message):
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(text, encoding="utf-8")
    with pytest.raises(TpkitError) as raised:
        read_mapping_file(mapping_file, export_from_rows(LINKED, []), small_workbook())
    assert message in str(raised.value)
    assert "mapping.yaml" in str(raised.value)


@pytest.mark.parametrize("language", ["en", "it", "de", "fr"])
def test_the_kit_questionnaire_maps_back_to_its_measures(language):
    """A form built from our own questionnaire imports without a mapping file."""
    from tpkit.i18n import t
    from tpkit.survey.measures import MEASURES

    for measure in MEASURES:
        question = t(f"questionnaire.question.{measure}", language, touchpoint="Newsletter")
        assert measure_in(question) == measure, question
        assert touchpoint_in(question, small_workbook()) == "newsletter", question


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["1", "3", "5", "0", "9", "6", "10", "", None, "n/a", "4,5", " 2", "x"]),
        max_size=40,
    ),
    st.integers(0, 5),
)
def test_the_fast_reading_of_one_digit_answers_agrees_with_interpret(cells, cut):
    """Whatever the mix, and in a slice of a larger array, every cell scores as
    :func:`interpret` says."""
    import pyarrow as pa

    from tpkit.survey.importer import _answers
    from tpkit.survey.measures import MEASURES, interpret

    column = pa.array(["7"] * cut + cells, pa.string()).slice(cut)
    lines = pa.array(range(2, 2 + len(cells)))
    values, problems, blanks = _answers(column, Target("csat", "website"), lines, "Q")
    expected = [interpret(cell, MEASURES["csat"]) for cell in cells]
    assert values.to_pylist() == [value for value, _ in expected]
    assert [(p.line, p.reason) for p in sorted(problems, key=lambda p: p.line)] == [
        (line, reason)
        for line, (_, reason) in zip(range(2, 2 + len(cells)), expected, strict=True)
        if reason not in (None, "empty")
    ]
    assert blanks.tolist() == [reason == "empty" for _, reason in expected]


def test_a_late_writer_does_not_store_a_response_twice(workbook_path):
    """Two imports of one export both checked the store before either wrote; the
    second write, under the lock, leaves out what the first one stored."""
    rows = [["r1", "2026-03-01 10:00", "website", "10", "5", "", ""]]
    _import(rows, workbook_path)
    found_fresh_by_the_other = responses.load(workbook_path)
    responses.append(workbook_path, found_fresh_by_the_other)
    assert responses.load(workbook_path).column("response").to_pylist() == ["r1"]


def test_a_folder_given_as_mapping_file_is_named_not_a_crash(tmp_path):
    with pytest.raises(TpkitError) as raised:
        read_mapping_file(tmp_path, export_from_rows(LINKED, []), small_workbook())
    assert str(tmp_path) in str(raised.value)
