"""Event import: real log layouts in, stored events out, every bad row named by line."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tpkit.cli import main
from tpkit.errors import TpkitError
from tpkit.events.mapping import event_touchpoints, name_key
from tpkit.events.readers import find_columns, open_log
from tpkit.events.store import events_folder, import_logs, month_files
from tpkit.model import Digital, EventRule, Meta, Stage, Touchpoint, Workbook
from tpkit.store import create

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "events"


def bank_workbook(**digital: object) -> Workbook:
    touchpoints = [
        Touchpoint(id="app-login", name="App login", phase="before", aliases=["Login"]),
        Touchpoint(
            id="funds-transfer", name="Funds transfer", phase="before", aliases=["Überweisung"]
        ),
        Touchpoint(id="mortgage-calculator", name="Mortgage calculator", phase="before"),
        Touchpoint(id="car-rates", name="Car-loan rates", phase="before"),
        Touchpoint(id="newsletter", name="Newsletter", phase="after", marketing_contact=True),
    ]
    rules = {
        "mortgage-calculator": EventRule(paths=["/mortgage/calc*", "/hypothek/*"]),
        "car-rates": EventRule(paths=["/loans/car*"]),
    }
    return Workbook(
        meta=Meta(team="Bank"),
        touchpoints=touchpoints,
        stages=[Stage(id="everyday", name="Everyday", phase="before")],
        digital=Digital(touchpoints=rules, **digital),
    )


def stored(workbook_path: Path) -> list[dict[str, object]]:
    files = [str(p) for p in month_files(events_folder(workbook_path))]
    query = f"SELECT * FROM read_parquet({files}) ORDER BY ts, line"
    return duckdb.connect().sql(query).to_arrow_table().to_pylist()


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    path = tmp_path / "bank.yaml"
    create(path, bank_workbook())
    return path


def test_ga4_flat_export_by_line_with_micros_and_full_urls(workbook_path: Path):
    result = import_logs([FIXTURES / "ga4-flat.csv"], bank_workbook(), workbook_path)
    assert [(s.line, s.reason) for s in result.skipped] == [(5, "no_time"), (6, "no_customer")]
    rows = stored(workbook_path)
    assert [r["customer"] for r in rows] == ["111.222", "C7", "C7"]  # user_id before pseudo id
    assert rows[1]["ts"] == datetime(2026, 10, 5, 8, 0, 1, 500000, tzinfo=UTC)
    assert [r["page"] for r in rows] == ["/", "/app/home", "/mortgage/calculator"]
    assert [r["touchpoint"] for r in rows] == [None, "app-login", "mortgage-calculator"]
    assert rows[2]["source"] == "google"  # the source column wins over the URL's utm_source
    assert rows[0]["device"] == "mobile" and rows[0]["session"] == "1791187200"
    assert result.logs[0].columns["customer"] == ["user_id", "user_pseudo_id"]
    assert (result.added, result.mapped, result.unmapped) == (3, 2, 1)
    assert result.top_unmapped[0].event == "session_start"


def test_matomo_export_in_cp1252_semicolons_local_time(workbook_path: Path):
    workbook = bank_workbook(time_zone="Europe/Berlin")
    result = import_logs([FIXTURES / "matomo-cp1252.csv"], workbook, workbook_path)
    assert [(s.line, s.reason, s.value) for s in result.skipped] == [
        (4, "bad_time", "31/13/2026 10:00"),
        (5, "ragged", ""),
    ]
    rows = stored(workbook_path)
    assert rows[0]["ts"] == datetime(2026, 10, 5, 7, 15, tzinfo=UTC)  # CEST is UTC+2
    assert [r["touchpoint"] for r in rows] == ["funds-transfer", "mortgage-calculator"]
    assert rows[0]["page"] == "/app/überweisung"
    assert rows[1]["source"] == "zürich zeitung"


def test_a_bad_byte_in_a_csv_log_costs_its_line(tmp_path: Path, workbook_path: Path):
    """The survey readers' bad-byte verdicts arrive with their reason and the byte."""
    log = tmp_path / "log.csv"
    log.write_bytes(
        "customer,time,page\nc1,2026-10-05 09:15:00,/app/überweisung\n".encode()
        + b"c2,2026-10-05 09:16:00,/loans/c\x00ar\n"
        + b"c3,2026-10-05 09:17:00,/loans/car\n"
    )
    result = import_logs([log], bank_workbook(), workbook_path)
    assert [(s.line, s.reason, s.value) for s in result.skipped] == [(3, "bad_bytes", "NUL")]
    assert [r["customer"] for r in stored(workbook_path)] == ["c1", "c3"]


def test_segment_calls_as_json_lines(workbook_path: Path):
    result = import_logs([FIXTURES / "segment.jsonl"], bank_workbook(), workbook_path)
    assert [(s.line, s.reason) for s in result.skipped] == [(3, "not_json"), (6, "not_json")]
    rows = stored(workbook_path)
    assert [r["customer"] for r in rows] == ["anon-1", "U-9", "U-9"]  # userId once known
    assert [r["touchpoint"] for r in rows] == ["funds-transfer", "mortgage-calculator", None]
    assert rows[0]["ts"] == datetime(2026, 10, 5, 7, 0, 0, 120000, tzinfo=UTC)
    assert rows[1]["ts"] == datetime(2026, 10, 5, 7, 1, tzinfo=UTC)  # +02:00 honoured
    assert rows[0]["source"] == "newsletter" and rows[0]["device"] == "ios"
    assert rows[1]["event"] == "page"  # a page call has a type, not an event name
    assert rows[2]["consent"] is True  # a consent event records the choice


def test_ga4_nested_export_flattens_event_params(workbook_path: Path):
    log = open_log(FIXTURES / "ga4-nested.jsonl")
    assert "event_params.page_location" in log.headers
    import_logs([FIXTURES / "ga4-nested.jsonl"], bank_workbook(), workbook_path)
    (row,) = stored(workbook_path)
    assert (row["touchpoint"], row["session"], row["device"]) == (
        "car-rates",
        "1791187200",
        "desktop",
    )
    assert row["consent"] is True  # privacy_info.ads_storage: Yes


def test_parquet_log_with_typed_columns(tmp_path: Path, workbook_path: Path):
    log = tmp_path / "events.parquet"
    pq.write_table(
        pa.table(
            {
                "client_id": ["a", "a", None],
                "event_time": pa.array(
                    [datetime(2026, 9, 30, 23, 0), datetime(2026, 10, 1, 1, 0), None],
                    pa.timestamp("ms"),
                ),
                "event": ["login", "Funds transfer", "login"],
            }
        ),
        log,
    )
    result = import_logs([log], bank_workbook(), workbook_path)
    assert [(s.line, s.reason) for s in result.skipped] == [(3, "no_customer")]
    assert result.months == ["2026-09", "2026-10"]
    assert [r["touchpoint"] for r in stored(workbook_path)] == ["app-login", "funds-transfer"]


def test_reimport_adds_nothing_and_overlaps_are_left_out(tmp_path: Path, workbook_path: Path):
    first = import_logs([FIXTURES / "ga4-flat.csv"], bank_workbook(), workbook_path)
    again = import_logs([FIXTURES / "ga4-flat.csv"], bank_workbook(), workbook_path)
    assert again.logs[0].already_imported and again.added == 0 and not again.skipped
    copy = tmp_path / "overlap.csv"
    shutil.copy(FIXTURES / "ga4-flat.csv", copy)
    with copy.open("a") as stream:
        stream.write("20261006,1791273600000000,login,555,,9,https://www.bank.example/,,\n")
    overlap = import_logs([copy], bank_workbook(), workbook_path)
    assert (overlap.added, overlap.duplicates) == (1, 3)
    assert overlap.stored == first.stored + 1 == len(stored(workbook_path))
    manifest = json.loads((events_folder(workbook_path) / "imports.json").read_text())
    assert [entry["file"] for entry in manifest] == ["ga4-flat.csv", "overlap.csv"]


def test_repeated_rows_of_one_log_are_stored_once_with_their_first_line(
    tmp_path: Path, workbook_path: Path
):
    """Equal on the whole key (empty fields too): one stored, at its first line; a row
    differing in any key field stays."""
    log = tmp_path / "repeats.csv"
    row = "c1,2026-10-01T10:00:00Z,login,,\n"
    log.write_text(
        "user_id,timestamp,event,page,utm_source\n"
        + row * 3
        + "c1,2026-10-01T10:00:00Z,login,/home,\n"
        + "c2,2026-10-01T10:00:00Z,login,,\n",
        encoding="utf-8",
    )
    result = import_logs([log], bank_workbook(), workbook_path)
    assert (result.added, result.duplicates) == (3, 2)
    lines = sorted((r["customer"], r["page"] or "", r["line"]) for r in stored(workbook_path))
    assert lines == [("c1", "", 2), ("c1", "/home", 5), ("c2", "", 6)]


def test_a_later_mapping_maps_the_stored_events_of_the_month_again(workbook_path: Path):
    import_logs([FIXTURES / "ga4-flat.csv"], bank_workbook(), workbook_path)
    workbook = bank_workbook()
    workbook.digital.touchpoints["newsletter"] = EventRule(events=["session_start"])
    extra = FIXTURES / "segment.jsonl"
    import_logs([extra], workbook, workbook_path)
    assert "newsletter" in {r["touchpoint"] for r in stored(workbook_path)}


def test_names_match_ids_names_and_aliases_without_case_or_punctuation():
    workbook = bank_workbook()
    names = ["funds_transfer", "Funds Transfer", "LOGIN", "überweisung", "logout"]
    assert event_touchpoints(names, workbook, workbook.digital) == {
        "funds_transfer": "funds-transfer",
        "Funds Transfer": "funds-transfer",
        "LOGIN": "app-login",
        "überweisung": "funds-transfer",
    }
    assert name_key("Car-loan rates") == name_key("car_loan_rates")


def test_the_workbook_names_unusual_columns():
    headers = ["Kundennr", "Wann", "Was"]
    assert find_columns(headers) == {}
    named = {"customer": ["Kundennr"], "time": ["Wann"], "event": ["Was"]}
    assert find_columns(headers, named) == {"customer": [0], "time": [1], "event": [2]}


def test_a_log_without_a_customer_column_names_its_headers(tmp_path: Path, workbook_path: Path):
    log = tmp_path / "x.csv"
    log.write_text("when,what\n2026-10-01,login\n", encoding="utf-8")
    with pytest.raises(TpkitError) as caught:
        import_logs([log], bank_workbook(), workbook_path)
    assert "customer" in caught.value.message() and "when, what" in caught.value.message()
    assert not month_files(events_folder(workbook_path))


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", ["2 rows;", "1 event added", "1 row skipped", "1 row could not be imported"]),
        ("de", ["2 Zeilen;", "1 Ereignis hinzugefügt", "1 Zeile übersprungen", "1 Zeile konnte"]),
        ("fr", ["2 lignes ;", "1 événement ajouté", "1 ligne écartée", "1 ligne n'a pas pu"]),
        ("it", ["2 righe;", "1 evento aggiunto", "1 riga scartata", "1 riga non è stata"]),
    ],
)
def test_one_event_and_one_skipped_row_are_said_in_the_singular(
    language, said, tmp_path: Path, workbook_path: Path, capsys
):
    log = tmp_path / "one.csv"
    log.write_text(
        "user_id,timestamp,event\nc1,2026-10-01T10:00:00Z,login\nc2,not a time,login\n",
        encoding="utf-8",
    )
    command = ["events", "import", str(log), "--workbook", str(workbook_path), "--lang", language]
    assert main(command) == 1
    out, err = capsys.readouterr()
    shown = out + err
    assert all(phrase in shown for phrase in said), shown


def test_cli_import_reports_skips_and_exits_non_zero(workbook_path: Path, capsys):
    code = main(
        ["events", "import", str(FIXTURES / "matomo-cp1252.csv"), "--workbook", str(workbook_path)]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert "2 events added" in out
    assert "matomo-cp1252.csv line 4: the time is not a date and time (31/13/2026 10:00)" in err
    assert "line 5: the row has a different number of fields than the header" in err
    assert (
        main(
            [
                "events",
                "import",
                str(FIXTURES / "matomo-cp1252.csv"),
                "--workbook",
                str(workbook_path),
            ]
        )
        == 0
    )
    assert "already imported" in capsys.readouterr().out


def test_cli_mapping_file_mistakes_are_named(tmp_path: Path, workbook_path: Path, capsys):
    mapping = tmp_path / "map.yaml"
    log = str(FIXTURES / "ga4-flat.csv")
    command = ["events", "import", log, "--workbook", str(workbook_path), "--mapping", str(mapping)]
    mapping.write_text("touchpoints:\n  nowhere:\n    events: [x]\n", encoding="utf-8")
    assert main(command) == 1
    assert "'nowhere', which is not a touchpoint id" in capsys.readouterr().err
    mapping.write_text("time_zone: Mars/Olympus\n", encoding="utf-8")
    assert main(command) == 1
    assert "'Mars/Olympus' is not a time zone" in capsys.readouterr().err
    mapping.write_text("touchpoints: [1, 2]\n", encoding="utf-8")
    assert main(command) == 1
    assert "map.yaml: touchpoints: " in capsys.readouterr().err


def test_cli_analytics_on_a_workbook_without_events_say_what_to_do(workbook_path, capsys):
    assert main(["events", "paths", str(workbook_path)]) == 1
    assert "import a log first" in capsys.readouterr().err
