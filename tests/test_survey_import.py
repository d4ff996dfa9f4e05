"""The survey import: checking by line, deduplication, replacing, the responses store."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import small_workbook
from tests.survey_exports import export_from_rows
from tpkit.errors import TpkitError
from tpkit.store import create
from tpkit.survey import responses
from tpkit.survey.importer import _Codes, import_export, scan_export, store
from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM, Target
from tpkit.survey.proposal import mapping_file_text, propose, read_mapping_file
from tpkit.survey.scales import SCALES, read_answer

LINKED = [
    ("Response ID", "response_id"),
    ("Submitted", "submitted"),
    ("tp", "touchpoint"),
    ("How likely are you to recommend us to a friend?", "question"),
    ("Overall, how satisfied were you?", "question"),
    ("Why?", "question"),
    ("E-mail", "email"),
]
NPS, CSAT, WHY = 3, 4, 5
MAPPED = {
    NPS: Target("nps", ROW_TOUCHPOINT, "0-10"),
    CSAT: Target("csat", ROW_TOUCHPOINT, "satisfaction"),
    WHY: Target("comment", ROW_TOUCHPOINT, "text"),
}


@pytest.fixture
def workbook_path(tmp_path):
    path = tmp_path / "team.yaml"
    create(path, small_workbook())
    return path


def _import(rows, path, columns=LINKED, *, skips=None, mapping=None, **options):
    """Read ``rows`` as an export, take the proposal (or ``mapping``, as a person set
    it), and store."""
    export = export_from_rows(columns, rows, skips=skips)
    workbook = small_workbook()
    keep = options.pop("keep_personal_data", False)
    scan = scan_export(export, workbook, keep_personal_data=keep)
    proposal = propose(export, scan.answers(), workbook)
    proposal = proposal.accepted() if mapping is None else proposal.chosen(mapping)
    return store(scan, proposal, path, **options)


def test_a_clean_import_stores_every_answer_and_leaves_personal_data_out(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "10", "Very satisfied", "Quick", "a@b.ch"],
        ["r2", "2026-03-02 11:00", "Newsletter", "6", "2", "", "c@d.ch"],
        ["r3", "2026-04-02 11:00", "website", "9 - Very likely", "sehr zufrieden", "n/a", ""],
    ]
    result = _import(rows, workbook_path)
    assert (result.rows, result.added, result.already, result.skipped) == (3, 3, 0, [])
    assert result.blank == 2  # the empty comment and the "n/a": blanks, not problems
    assert result.personal_left_out == ["E-mail"]
    stored = responses.load(workbook_path).to_pydict()
    assert stored["response"] == ["r1", "r2", "r3"]
    assert stored["touchpoint"] == ["website", "newsletter", "website"]  # a name resolves
    assert stored["nps@*"] == [10.0, 6.0, 9.0]
    assert stored["csat@*"] == [5.0, 2.0, 5.0]
    assert stored["comment@*"] == ["Quick", None, None]
    assert stored["line"] == [2, 3, 4]
    assert "email@" not in stored
    assert set(stored["source"]) == {"export.csv"} and len(set(stored["mapping"])) == 1


def test_personal_data_is_kept_only_when_asked(workbook_path):
    rows = [["r1", "2026-03-01 10:00", "website", "10", "5", "", "a@b.ch"]]
    result = _import(rows, workbook_path, keep_personal_data=True)
    assert result.personal_left_out == []
    assert responses.load(workbook_path).column("email@").to_pylist() == ["a@b.ch"]


def test_every_unusable_row_and_cell_is_reported_by_line(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "11", "5", "", ""],  # 11 on 0–10
        ["r2", "2026-03-01 10:00", "website", "n/a", "five", "x", ""],
        ["r1", "2026-03-02 10:00", "website", "3", "3", "", ""],  # duplicate id
        ["", "2026-03-02 10:00", "website", "3", "3", "", ""],  # missing id
        ["r5", "31/02/2026", "website", "3", "3", "", ""],  # not a date
        ["r6", "2026-03-02 10:00", "shop", "3", "3", "", ""],  # no such touchpoint
        ["r7", "2026-03-02 10:00", "website", "3", "3", "", ""],  # a preview
        ["r8", "2026-03-02 10:00", "website", "3", "3", "", ""],  # unfinished
        ["r9", "2026-03-02 10:00", "website", "4,0", "4", "", ""],
        ["r10", "2026-03-02 10:00", "website", "", "", "", "z@y.ch"],  # nothing answered
        ["Average", "", "", "4.1", "3.2", "", ""],  # a spreadsheet's summary row
    ]
    skips = [None] * 6 + ["preview", "incomplete", None, None, "summary"]
    result = _import(rows, workbook_path, skips=skips, mapping=MAPPED)
    found = [(s.line, s.reason, s.column, s.value) for s in result.skipped]
    nps, csat = LINKED[NPS][0], LINKED[CSAT][0]
    assert found == [
        (2, "out_of_range", nps, "11"),
        (3, "not_a_number", csat, "five"),
        (4, "duplicate", "", ""),
        (5, "missing_id", "", ""),
        (6, "bad_date", "", ""),
        (7, "unknown_touchpoint", "tp", "shop"),
        (8, "preview", "", ""),
        (9, "incomplete", "", ""),
        (11, "empty", "", ""),
        (12, "summary", "", ""),
    ]
    assert [s.reason for s in result.fixable] == [
        "out_of_range",
        "not_a_number",
        "missing_id",
        "bad_date",
        "unknown_touchpoint",
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
    result = _import(rows, workbook_path, skips=["preview", None, None], mapping=MAPPED)
    assert [(s.line, s.reason) for s in result.skipped] == [(2, "preview"), (4, "duplicate")]
    assert responses.load(workbook_path).column("nps@*").to_pylist() == [9.0]


def test_importing_the_same_export_twice_with_the_same_mapping_adds_nothing(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "10", "5", "", ""],
        ["r2", "2026-03-01 10:00", "website", "11", "5", "", ""],
    ]
    first = _import(rows, workbook_path, mapping=MAPPED)
    again = _import(rows, workbook_path, mapping=MAPPED)
    assert (first.added, again.added, again.already, again.replaced) == (2, 0, 2, 0)
    assert again.skipped == []  # cells of responses already stored are not news
    assert responses.load(workbook_path).num_rows == 2
    grown = [*rows, ["r3", "2026-03-04 10:00", "website", "7", "4", "", ""]]
    more = _import(grown, workbook_path, mapping=MAPPED)
    assert (more.added, more.already) == (1, 2)
    assert responses.load(workbook_path).column("response").to_pylist() == ["r1", "r2", "r3"]


def test_a_changed_mapping_replaces_that_exports_earlier_answers(workbook_path):
    rows = [
        ["r1", "2026-03-01 10:00", "website", "10", "5", "", ""],
        ["r2", "2026-03-02 10:00", "newsletter", "3", "2", "", ""],
    ]
    _import(rows, workbook_path, mapping={CSAT: Target("csat", ROW_TOUCHPOINT, "1-5")})
    changed = {**MAPPED, CSAT: Target("process", "website", "1-5")}
    result = _import(rows, workbook_path, mapping=changed)
    assert (result.added, result.already, result.replaced) == (2, 0, 2)
    assert result.replaced_on  # the day the replaced ones had come in
    stored = responses.load(workbook_path)
    assert stored.num_rows == 2
    assert stored.column("process@website").to_pylist() == [5.0, 2.0]
    assert stored.column("nps@*").to_pylist() == [10.0, 3.0]
    assert stored.column("csat@*").null_count == 2  # the first reading is gone
    (kept,) = responses.mappings(workbook_path).values()  # only mappings still in use
    assert kept["columns"]["Overall, how satisfied were you?"]["measure"] == "process"


def test_two_forms_with_the_same_ids_do_not_collide(workbook_path):
    rows = [["1", "2026-03-01 10:00", "website", "10", "5", "", ""]]
    _import(rows, workbook_path, mapping=MAPPED)
    other = [*LINKED[:3], ("How easy was it to get what you needed?", "question")]
    ces = {3: Target("ces", ROW_TOUCHPOINT, "1-7")}
    result = _import([["1", "2026-03-01 10:00", "website", "6"]], workbook_path, other, mapping=ces)
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


def test_a_five_point_ces_is_spread_over_one_to_seven(workbook_path):
    columns = [
        ("ID", "response_id"),
        ("It was easy to order (1 = not at all, 5 = very)", "question"),
    ]
    rows = [[f"r{i}", v] for i, v in enumerate(["1", "2", "3", "4", "5"])]
    result = _import(rows, workbook_path, columns=columns)
    assert result.proposal.columns[0].target == Target("ces", WHOLE_FIRM, "1-5")
    assert responses.load(workbook_path).column("ces@").to_pylist() == [1.0, 2.5, 4.0, 5.5, 7.0]


def test_a_dry_run_reports_without_storing(workbook_path):
    rows = [["r1", "2026-03-01 10:00", "website", "10", "5", "", ""]]
    result = _import(rows, workbook_path, dry_run=True, mapping=MAPPED)
    assert (result.added, result.status) == (1, "dry_run")
    assert not responses.responses_path(workbook_path).exists()


def test_an_unsure_proposal_stores_nothing_and_leaves_nothing_behind(workbook_path):
    """A yes/no 'recommend' is no NPS: the first try stores nothing at all."""
    rows = [[f"r{i}", "2026-03-01 10:00", "website", a, "", "", ""] for i, a in enumerate("YYN")]
    export = export_from_rows(LINKED, rows)
    result = import_export(export, small_workbook(), workbook_path)
    assert result.status == "needs_mapping"
    (nps,) = [c for c in result.proposal.columns if c.doubtful]
    assert nps.target is None and nps.suggested == Target("nps", ROW_TOUCHPOINT, "0-10")
    assert not responses.responses_path(workbook_path).exists()


def test_an_export_of_previews_only_writes_no_responses_file(workbook_path):
    rows = [["r1", "2026-03-01 10:00", "website", "10", "5", "", ""]]
    result = _import(rows, workbook_path, skips=["preview"], mapping=MAPPED)
    assert (result.status, result.added, [s.reason for s in result.skipped]) == (
        "stored",
        0,
        ["preview"],
    )
    assert not responses.responses_path(workbook_path).exists()


def test_a_mapping_file_is_complete_and_round_trips(tmp_path, workbook_path):
    rows = [["r1", "2026-03-01 10:00", "website", "10", "Very satisfied", "Quick", ""]]
    export = export_from_rows(LINKED, rows)
    workbook = small_workbook()
    answers = scan_export(export, workbook).answers()
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(
        "columns:\n"
        "  'Overall, how satisfied were you?': {measure: process, touchpoint: website}\n"
        "  'Why?': ignore\n",
        encoding="utf-8",
    )
    proposal = read_mapping_file(mapping_file, export, answers, workbook)
    # the scale left out is read from the answers; the NPS column it does not name is out
    assert proposal.mapping() == {CSAT: Target("process", "website", "satisfaction")}
    assert proposal.left_out == ("How likely are you to recommend us to a friend?",)
    written = tmp_path / "written.yaml"
    written.write_text(mapping_file_text(proposal), encoding="utf-8")
    again = read_mapping_file(written, export, answers, workbook)
    assert again.mapping() == proposal.mapping() and again.left_out == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns:\n  Nope: {measure: nps}\n", "'Nope'"),
        ("columns:\n  'Why?': {measure: happiness}\n", "contact, process, csat"),
        ("columns:\n  'Why?': {measure: csat, touchpoint: shop}\n", "'shop'"),
        ("columns:\n  'Why?': {measure: nps, scale: 1-5}\n", "0-10"),
        ("just text\n", "columns:"),
        ("columns: [\n", "mapping.yaml"),
    ],
)
def test_a_bad_mapping_file_names_the_problem(tmp_path, text, message):
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(text, encoding="utf-8")
    with pytest.raises(TpkitError) as raised:
        read_mapping_file(mapping_file, export_from_rows(LINKED, []), {}, small_workbook())
    assert message in str(raised.value)
    assert "mapping.yaml" in str(raised.value)


def test_a_folder_given_as_mapping_file_is_named_not_a_crash(tmp_path):
    with pytest.raises(TpkitError) as raised:
        read_mapping_file(tmp_path, export_from_rows(LINKED, []), {}, small_workbook())
    assert str(tmp_path) in str(raised.value)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["1", "3", "5", "0", "9", "6", "10", "", None, "n/a", "4,5", " 2", "x", "Good"]
        ),
        max_size=40,
    ),
    st.integers(0, 5),
    st.sampled_from(["1-5", "quality", "0-10"]),
)
def test_the_coded_reading_of_answers_agrees_with_read_answer(cells, cut, scale):
    """Whatever the mix, in a slice of a larger array and across batches, every cell
    reads as :func:`read_answer` says on the chosen scale."""
    codes = _Codes()
    column = pa.array(["7"] * cut + cells, pa.string()).slice(cut)
    codes.add(column.slice(0, len(cells) // 2))
    codes.add(column.slice(len(cells) // 2))
    lines = list(range(2, 2 + len(cells)))
    target = Target("csat" if scale != "0-10" else "nps", "website", scale)
    values, blanks, problems = codes.read(target, lines, "Q")
    expected = [read_answer(cell, SCALES[scale]) for cell in cells]
    assert values.to_pylist() == [value for value, _ in expected]
    assert [(p.line, p.reason) for p in sorted(problems, key=lambda p: p.line)] == [
        (line, reason)
        for line, (_, reason) in zip(lines, expected, strict=True)
        if reason not in (None, "empty")
    ]
    assert blanks.tolist() == [reason == "empty" for _, reason in expected]


def test_free_text_with_many_distinct_answers_is_kept_as_written(workbook_path):
    codes = _Codes()
    texts = [f"comment number {i}" for i in range(2_500)]
    for start in range(0, len(texts), 700):
        codes.add(pa.array([*texts[start : start + 700], "  "], pa.string()))
    assert codes.raw is not None  # past FREE_TEXT distinct texts
    answers = codes.answers(np.ones(len(texts) + 4, dtype=bool))
    assert answers.answered == len(texts)
    values, blanks, _ = codes.read(Target("comment", "website", "text"), list(range(2_504)), "Q")
    assert values.to_pylist()[:2] == ["comment number 0", "comment number 1"]
    assert int(blanks.sum()) == 4


def test_a_late_writer_does_not_store_a_response_twice(workbook_path):
    """Two imports of one export both checked the store before either wrote; the
    second write, under the lock, leaves out what the first one stored."""
    rows = [["r1", "2026-03-01 10:00", "website", "10", "5", "", ""]]
    _import(rows, workbook_path, mapping=MAPPED)
    found_fresh_by_the_other = responses.load(workbook_path)
    merged = responses.append(workbook_path, found_fresh_by_the_other, {})
    assert (merged.added, merged.already) == (0, 1)
    assert responses.load(workbook_path).column("response").to_pylist() == ["r1"]
