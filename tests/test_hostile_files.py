"""Hostile and oversized workbook files are refused quickly, in little memory, with one
clear line each; honest files close to the limits still load."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from tpkit import fileformat, store
from tpkit.errors import TpkitError, WorkbookInvalid
from tpkit.fileformat import dumps, loads
from tpkit.model import MAX_TOUCHPOINTS, Meta, Workbook

from .conftest import small_workbook

MIB = 1024 * 1024
HEADER = "schema_version: 1\nmeta:\n  team: T\n"


# Refusals that once ran for 30 s and more must stay far below that even on a loaded
# machine; the figures on a quiet one (under a second) are benchmarks/reliability.py's.
QUICK_SECONDS = 5.0


def billion_laughs(field_line: str, levels: int = 9) -> str:
    """The classic alias chain: nine aliases of nine aliases of …, 9**9 values in all."""
    anchors = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    anchors += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "schema_version: 1\n" + "\n".join(anchors) + "\n" + field_line.format(f"*a{levels - 1}")


def refused_cheaply(text: str) -> tuple[str, float, float]:
    """The message of the refusal, its seconds, and the peak of new memory in MiB (from a
    second run: tracing every allocation makes Python several times slower)."""
    start = time.perf_counter()
    with pytest.raises(WorkbookInvalid) as caught:
        loads(text, "hostile.yaml")
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        with pytest.raises(WorkbookInvalid):
            loads(text, "hostile.yaml")
        peak = tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()
    return caught.value.message(), seconds, peak


@pytest.mark.parametrize(
    "field_line",
    [
        "meta:\n  team: {}\n",
        "meta:\n  team: T\npersona:\n  name: P\n  goals: {}\n",
        "meta:\n  team: T\ntouchpoints: {}\n",
    ],
    ids=["meta.team", "persona.goals", "touchpoints"],
)
def test_an_alias_bomb_is_refused_in_a_second_and_little_memory(field_line):
    text = billion_laughs(field_line)
    message, seconds, peak = refused_cheaply(text)
    where, _, _ = message.partition(": ")
    named = text.splitlines()[int(where.removeprefix("hostile.yaml line ")) - 1]
    assert "*a" in named  # the line where the aliases pass the budget
    assert "aliases" in message and len(message) < 300  # the expanded value is not printed
    assert seconds < QUICK_SECONDS and peak < 100, (seconds, peak)


def test_a_few_honest_aliases_still_load():
    text = (
        HEADER + "persona:\n  name: P\n  goals: &shared [calm skin, fair price]\n"
        "  frustrations: *shared\n"
    )
    assert loads(text, "ok.yaml").persona.frustrations == ["calm skin", "fair price"]


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch, suffix):
    from tpkit.spreadsheet import read_xlsx

    path = tmp_path / f"huge{suffix}"
    with path.open("wb") as stream:  # sparse: 50 MB on paper, nothing on disk
        stream.write(HEADER.encode())
        stream.truncate(50_000_000)
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read it all"))
    with pytest.raises(TpkitError) as caught:
        (store.read if suffix == ".yaml" else read_xlsx)(path)
    limit_mb = fileformat.MAX_FILE_BYTES // 1_000_000
    assert caught.value.message() == (
        f"{path}: the file is 50.0 MB; a workbook may be at most {limit_mb} MB "
        "(split it into one workbook per team)"
    )


def test_too_many_records_under_the_size_limit_are_refused_in_a_second():
    """100,000 tiny touchpoints fit under the size limit: they are counted, not built."""
    rows = "".join(f"- {{id: t{i}, name: T, phase: after}}\n" for i in range(100_000))
    text = HEADER + "touchpoints:\n" + rows
    assert len(text.encode()) < fileformat.MAX_FILE_BYTES
    message, seconds, peak = refused_cheaply(text)
    assert message == (
        f"hostile.yaml line {MAX_TOUCHPOINTS + 5}: touchpoints has more than "
        f"{MAX_TOUCHPOINTS} entries, the limit; split the workbook"
    )
    assert seconds < QUICK_SECONDS and peak < 100, (seconds, peak)


def test_one_record_over_the_limit_in_a_small_file_is_refused_too():
    workbook = Workbook(meta=Meta(team="T"))
    text = (
        dumps(workbook)
        + "touchpoints:\n"
        + "".join(f"- {{id: t{i}, name: T, phase: after}}\n" for i in range(MAX_TOUCHPOINTS + 1))
    )
    with pytest.raises(WorkbookInvalid, match=f"touchpoints has {MAX_TOUCHPOINTS + 1} entries"):
        loads(text, "many.yaml")


def test_a_workbook_at_every_limit_still_loads():
    workbook = small_workbook()
    workbook.touchpoints[0].notes = "word " * 1999  # 9,995 characters
    workbook.touchpoints[0].name = "N" * 300
    workbook.persona.goals = [f"goal {i}" for i in range(200)]
    assert loads(dumps(workbook), "full.yaml").touchpoints[0].name == "N" * 300


def test_a_long_wrong_value_is_shortened_in_the_message():
    text = HEADER.replace("team: T", "team: [" + ", ".join(["word"] * 5000) + "]")
    with pytest.raises(WorkbookInvalid) as caught:
        loads(text, "long.yaml")
    message = caught.value.message()
    assert message.startswith("long.yaml line 3: meta.team must be text, not ['word', 'word'")
    assert message.endswith("…; put it in quotes") and len(message) < 200


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_control_characters_are_refused_with_line_and_field(character):
    escaped = f"\\u{ord(character):04x}"
    text = HEADER + f'touchpoints:\n- id: a\n  name: A\n  phase: after\n  notes: "x{escaped}y"\n'
    with pytest.raises(WorkbookInvalid) as caught:
        loads(text, "c.yaml")
    assert caught.value.message() == (
        f"c.yaml line 8: touchpoints[0].notes holds the control character "
        f"U+{ord(character):04X} at position 2; remove it (only tabs and line breaks are "
        "allowed in texts)"
    )


def test_tabs_new_lines_and_windows_line_ends_are_fine():
    text = HEADER + 'persona:\n  name: P\n  description: "a\\tb\\r\\nc\\rd"\n'
    assert loads(text, "ok.yaml").persona.description == "a\tb\nc\nd"


def test_a_spreadsheet_with_too_many_rows_is_refused_without_reading_them_all(tmp_path):
    from openpyxl import Workbook as Book

    from tpkit.spreadsheet import read_xlsx

    path = tmp_path / "many.xlsx"
    book = Book()  # not write-only: Excel, LibreOffice and this mode note the sheet's size
    book.active.title = "Workbook"
    book.active.append(["Schema version", 1])
    sheet = book.create_sheet("Touchpoints")
    sheet.append(["Id", "Name", "Phase"])
    for i in range(8_000):
        sheet.append([f"t{i}", "T", "after"])
        if i % 100 == 0:
            sheet.append([])  # blank rows are not records and do not count
    book.save(path)
    start = time.perf_counter()
    with pytest.raises(WorkbookInvalid) as caught:
        read_xlsx(path)
    seconds = time.perf_counter() - start
    first_beyond = 2 + MAX_TOUCHPOINTS + MAX_TOUCHPOINTS // 100  # header, records, blanks
    assert caught.value.message() == (
        f"{path} sheet 'Touchpoints' cell A{first_beyond}: touchpoints has more than "
        f"{MAX_TOUCHPOINTS} entries, the limit; split the workbook"
    )
    assert seconds < QUICK_SECONDS, seconds


@pytest.mark.parametrize(
    "body",
    [
        "".join(f"  k{i}: v\n" for i in range(10_000)),  # 10,000 unknown fields
        "  team: T\ntouchpoints:\n"
        + "".join(f"- {{id: t{i}, name: T, phase: durante}}\n" for i in range(999)),
    ],
    ids=["unknown fields", "bad records"],
)
def test_thousands_of_problems_are_cut_to_the_first_twenty_quickly(body):
    text = "schema_version: 1\nmeta:\n" + body
    message, seconds, _ = refused_cheaply(text)
    lines = message.splitlines()
    assert len(lines) == 21, lines[-3:]
    assert lines[0].startswith("hostile.yaml line ")
    assert lines[-1].startswith("hostile.yaml: and ") and lines[-1].endswith(
        " more problems; fix the ones above and check again"
    )
    assert seconds < QUICK_SECONDS, seconds


def test_a_section_of_100000_fields_is_refused_before_it_is_built():
    text = "schema_version: 1\nmeta:\n" + "".join(f"  k{i}: v\n" for i in range(100_000))
    message, seconds, peak = refused_cheaply(text)
    assert message == (
        f"hostile.yaml line {MAX_TOUCHPOINTS + 3}: meta has more than {MAX_TOUCHPOINTS} "
        "entries, the limit; split the workbook"
    )
    assert seconds < QUICK_SECONDS and peak < 100, (seconds, peak)
