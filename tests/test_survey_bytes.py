"""Bad bytes cost a line, not a file: NULs, bytes that are no text in the file's
encoding, stray quotes; uploads read like files; a fuzz test over mutated exports."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.survey_exports import csv_record_starts
from tpkit.errors import TpkitError
from tpkit.survey.export import LINE, SKIP
from tpkit.survey.formats import read_export, read_upload
from tpkit.survey.textfile import RUNAWAY, Scanner, encoding_of

FIXTURES = Path(__file__).parent / "fixtures" / "surveys"
HEADER = b"Response ID,Submitted,How satisfied were you?,Why?\n"


def rows_of(data: bytes, tmp_path: Path, name: str = "export.csv") -> dict[int, tuple]:
    """Line → (id, answer, reason) of every record the reader hands over."""
    path = tmp_path / name
    path.write_bytes(data)
    table = pa.Table.from_batches(list(read_export(path, batch_rows=7).batches))
    return {
        line: (rid, answer, skip)
        for line, rid, answer, skip in zip(
            table.column(LINE).to_pylist(),
            table.column("c0").to_pylist(),
            table.column("c2").to_pylist(),
            table.column(SKIP).to_pylist(),
            strict=True,
        )
    }


def record(number: int, answer: str = "4", comment: str = "fine") -> bytes:
    return f"r{number},2026-03-01 10:00,{answer},{comment}\n".encode()


def test_a_nul_costs_its_line(tmp_path):
    data = HEADER + record(1) + b"r2,2026-03-01 10:00,4,fi\x00ne\n" + record(3)
    found = rows_of(data, tmp_path)
    assert found == {
        2: ("r1", "4", None),
        3: ("r2", "4", "bad_bytes:NUL"),
        4: ("r3", "4", None),
    }


def test_an_invalid_utf8_byte_far_down_costs_its_line_and_keeps_every_other_row(tmp_path):
    """All 99,999 good rows of a 100,000-row file are kept, at their own lines."""
    rows = [record(n, str(1 + n % 5), "Très bien") for n in range(1, 100_001)]
    rows[94_999] = b"r95000,2026-03-01 10:00,4,Tr\xe8s bien\n"  # a cp1252 byte in UTF-8
    found = rows_of(HEADER + b"".join(rows), tmp_path)
    assert len(found) == 100_000
    assert found[95_001][::2] == ("r95000", "bad_bytes:0xE8")
    assert found[95_002] == ("r95001", "2", None)
    assert found[100_001] == ("r100000", "1", None)
    assert sum(1 for _, _, skip in found.values() if skip) == 1


def test_a_byte_cp1252_leaves_undefined_costs_its_line(tmp_path):
    text = "Antwort-ID;Datum;Zufriedenheit\n1;14.05.2024;zufrieden\n"
    data = text.encode("cp1252") + b"2;15.05.2024;gr\x81n\n" + "3;16.05.2024;für\n".encode("cp1252")
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    table = pa.Table.from_batches(list(read_export(path).batches))
    assert table.column(LINE).to_pylist() == [2, 3, 4]
    assert table.column(SKIP).to_pylist() == [None, "bad_bytes:0x81", None]
    assert table.column("c2").to_pylist()[2] == "für"


def test_an_unterminated_quote_is_reported_at_its_line_and_reading_resumes(tmp_path):
    data = HEADER + record(1) + b'r2,2026-03-01 10:00,4,"oops\n' + record(3) + record(4)
    found = rows_of(data, tmp_path)
    assert found == {
        2: ("r1", "4", None),
        3: ("r2", "4", "unterminated_quote"),  # read, and skipped with its reason
        4: ("r3", "4", None),
        5: ("r4", "4", None),
    }


def test_a_stray_quote_closed_by_a_later_one_swallows_no_row(tmp_path):
    """The stray quote pairs with a quote of a later answer: the records in between
    are read again one by one, at their own lines."""
    data = (
        HEADER
        + record(1)
        + b'r2,2026-03-01 10:00,4,"oops\n'  # 3: the stray quote
        + record(3)
        + record(4)
        + b'r5,2026-03-01 10:00,5,say "hi" twice\n'  # 6: a literal quote pair
        + record(6)
    )
    found = rows_of(data, tmp_path)
    assert [line for line, (_, _, skip) in found.items() if skip] == [3]
    assert found[3][2] == "unterminated_quote"
    assert {line: rid for line, (rid, _, _) in found.items()} == {
        2: "r1",
        3: "r2",
        4: "r3",
        5: "r4",
        6: "r5",
        7: "r6",
    }


def test_a_runaway_quote_in_a_big_file_costs_one_line(tmp_path):
    """Past RUNAWAY bytes a quoted stretch is a stray quote, not an answer: Arrow never
    sees a record bigger than its block."""
    count = RUNAWAY // 30 + 5_000
    rows = [record(n) for n in range(1, count + 1)]
    rows[9] = b'r10,2026-03-01 10:00,4,"oops\n'
    rows[-2] = b'r-last,2026-03-01 10:00,4,"a closing quote" far down\n'
    found = rows_of(HEADER + b"".join(rows), tmp_path)
    assert len(found) == count
    assert [line for line, (_, _, skip) in found.items() if skip] == [11]
    assert found[12] == ("r11", "4", None)


def test_mac_roman_is_read_as_mac_roman(tmp_path):
    export = read_export(FIXTURES / "plain_fr_macroman.csv")
    assert [c.header for c in export.columns][:2] == ["Numéro", "Date"]
    table = pa.Table.from_batches(list(export.batches))
    assert table.column("c3").to_pylist()[0] == "Livré à l'heure, très poli"


def test_named_time_zones_are_read_as_their_offsets():
    export = read_export(FIXTURES / "google_forms_named_zones.csv")
    table = pa.Table.from_batches(list(export.batches))
    stamps = export.parse_submitted(table.column("c0")).to_pylist()
    assert [s.strftime("%Y-%m-%d %H:%M:%S") for s in stamps] == [
        "2022-06-22 15:07:29",  # 11:07:29 AM AST (UTC-4)
        "2022-06-22 15:07:33",
        "2022-11-08 02:15:02",  # 9:15:02 PM EST (UTC-5)
    ]


def test_qualtrics_single_quoted_import_ids_name_the_time_zone():
    export = read_export(FIXTURES / "qualtrics_single_quotes.csv")
    table = pa.Table.from_batches(list(export.batches))
    at = export.index_of("submitted")
    first = export.parse_submitted(table.column(f"c{at}"))[0].as_py()
    assert first.strftime("%Y-%m-%d %H:%M") == "2024-11-03 05:40"  # 01:40 EDT, the earlier


def test_an_upload_reads_like_the_file_it_came_from():
    for name in ("typeform.csv", "ms_forms.xlsx", "plain_fr_macroman.csv"):
        path = FIXTURES / name
        from_disk = pa.Table.from_batches(list(read_export(path).batches))
        upload = read_upload(path.read_bytes(), f"C:\\Users\\ann\\Downloads\\{name}")
        assert upload.source == Path(name)
        assert pa.Table.from_batches(list(upload.batches)).equals(from_disk)


def test_a_picture_is_no_table(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    with pytest.raises(TpkitError) as raised:
        read_export(path)
    assert "photo.csv" in str(raised.value) and "not a table" in str(raised.value)


# --- the fuzz test -----------------------------------------------------------------------

SEEDS = ["google_forms_en.csv", "typeform.csv", "qualtrics.csv", "plain_en_cr.tsv"]
INSERTS = [b"\x00", b"\xff", b"\xe8", b'"', b"\xc3", b"\x81", b",", b";", b"\t"]


def _records(path: Path) -> dict[int, tuple]:
    """Line → (cells, skip) of every record read from ``path``."""
    export = read_export(path, batch_rows=3)
    table = pa.Table.from_batches(list(export.batches))
    columns = [table.column(i).to_pylist() for i in range(len(export.columns))]
    cells = list(zip(*columns, strict=True))
    lines = table.column(LINE).to_pylist()
    assert len(set(lines)) == len(lines), "a line was handed over twice"
    return dict(zip(lines, zip(cells, table.column(SKIP).to_pylist(), strict=True), strict=True))


@settings(  # benchmarks/survey_fuzz.py runs it far longer
    max_examples=int(os.environ.get("TPKIT_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.floats(0, 0.999), st.sampled_from(INSERTS)), min_size=1, max_size=3),
    st.booleans(),
)
def test_mutated_exports_never_crash_and_keep_every_row_they_did_not_touch(
    tmp_path, seed, mutations, truncate
):
    """Bytes inserted anywhere, the end cut off: no traceback, no signal; every record
    on a line no byte touched is read as before, at its line; every other line is part
    of a record handed over (imported or skipped with a reason) or blank."""
    source = FIXTURES / seed
    before = _records(source)
    data = bytearray(source.read_bytes())
    touched = set()
    for where, insert in mutations:
        at = max(int(where * len(data)), 3)  # the BOM and first bytes: the header
        if data[at - 1 : at + 1] == b"\r\n":  # splitting a CR LF would add a line
            at += 1
        data[at:at] = insert
        touched.add(len(re.findall(rb"\r\n|\r|\n", bytes(data[:at]))) + 1)
    cut = len(data)
    if truncate:
        cut = int(len(data) * 0.9)
        del data[cut:]
    last_whole = len(re.findall(rb"\r\n|\r|\n", bytes(data)))  # lines ending before the cut
    path = tmp_path / f"mutated-{seed}"
    path.write_bytes(bytes(data))
    try:
        after = _records(path)
    except TpkitError as error:  # a clear refusal (the header itself broken) is fine
        assert str(path) in str(error)
        return
    spans = sorted(before)
    for index, line in enumerate(spans):
        end = spans[index + 1] - 1 if index + 1 < len(spans) else 10**6
        own = set(range(line, end + 1))
        if own & touched or end >= last_whole or min(touched) <= 1:
            continue
        assert after.get(line) == before[line], (line, after.get(line), before[line])
    lines = re.split(rb"\r\n|\r|\n", bytes(data))
    for line, (_, skip) in after.items():
        assert lines[line - 1].strip() or skip, line


def test_the_fuzzed_reader_keeps_untouched_rows_of_a_plain_file(tmp_path):
    """One bad byte in one row: every other row is kept, at its line, unchanged."""
    rows = [record(n, str(1 + n % 5)) for n in range(1, 40)]
    baseline = rows_of(HEADER + b"".join(rows), tmp_path)
    for index, insert in enumerate(INSERTS):
        broken = list(rows)
        victim = (index * 7) % len(rows)
        line = broken[victim]
        broken[victim] = line[:12] + insert + line[12:]
        found = rows_of(HEADER + b"".join(broken), tmp_path, f"broken-{index}.csv")
        changed = {n for n in baseline if found.get(n) != baseline[n]}
        assert changed <= {victim + 2}, (insert, changed)
        assert set(found) == set(baseline), insert


def test_line_numbers_after_a_bad_byte_agree_with_pythons_csv_reader(tmp_path):
    text = "id,comment\n" + "".join(f'r{n},"zwei\nZeilen {n} für"\n' for n in range(20))
    data = text.encode().replace(b"Zeilen 7", b"Zei\xfflen 7")
    expected = csv_record_starts(data.decode("utf-8", "replace"))
    path = tmp_path / "lines.csv"
    path.write_bytes(data)
    table = pa.Table.from_batches(list(read_export(path, batch_rows=4).batches))
    found = list(zip(table.column(LINE).to_pylist(), table.column("c0").to_pylist(), strict=True))
    assert sorted(found) == expected
    assert table.column(SKIP).to_pylist().count("bad_bytes:0xFF") == 1


_PIECES = (b"a", b",", b'"', b'""', b'"x"', b',"', b'9"', b"\n", b"\r\n", b"\r", b"\0", b"\xff")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.sampled_from([1, 2, 3, 5, 8]))
def test_records_do_not_depend_on_where_the_scanner_cuts_the_file(pieces, chunk):
    """Quotes opened in one chunk and closed in another, literal quotes and line breaks
    at a chunk's edge: the records are those of the whole file scanned at once."""
    data = b"".join(pieces)

    def scanned(size: int) -> tuple:
        scanner = Scanner(io.BytesIO(data), encoding_of(b"a,b\n"), ",", chunk=size)
        scanner.start_serving(0)
        served = b"".join(iter(lambda: scanner.serve(7), b""))
        records = scanner.rest()
        scanner.close()
        fields = (records.start, records.last, records.begin, records.end, records.mark)
        return served, [part.tolist() for part in fields]

    assert scanned(chunk) == scanned(1 << 20)
