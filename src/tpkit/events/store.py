"""The events store beside a workbook, and the import that fills it.

``workbook/our-team.yaml`` keeps its events in ``workbook/our-team.events/``: one
Parquet folder per month (``month=2026-11/``, the layout DuckDB, Spark, pandas and R
all read as a partitioned table) and ``imports.json``, the logs already imported.
Each stored event is one row: customer, session, time (UTC), event name, page path,
campaign source, device, the marketing consent it records (if any) and its
touchpoint (null when no rule maps it), plus the line of the log it came from.

The import runs in embedded DuckDB: the log's text batches stream in, every field is
normalised in SQL (times with their offsets or the workbook's time zone, URLs to their
path), bad rows are set aside with their line and reason, and each month touched is
rewritten with the events already stored, duplicates left out (same customer, time,
event, page, source and session). A month is swapped in whole, so a reader sees the old
month or the new one, never half; a second import of the same log adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa

from tpkit.errors import TpkitError
from tpkit.events.mapping import consent_of, digital_settings, event_touchpoints, pattern_rules
from tpkit.events.pages import with_page_fields
from tpkit.events.readers import Log, check_columns, find_columns, open_log
from tpkit.i18n import plural
from tpkit.model import Digital, Workbook, now
from tpkit.store import write_atomic
from tpkit.survey.export import LINE, SKIP

MANIFEST = "imports.json"
MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond it: a laptop stays usable
UNMAPPED_SHOWN = 10
_SAMPLE_TIMES = 2_000

# What the stored events hold, in order; ``month`` is the folder, not a column.
COLUMNS = (
    "customer",
    "session",
    "ts",
    "event",
    "page",
    "source",
    "device",
    "consent",
    "touchpoint",
    "line",
)
_KEY = ("customer", "ts", "event", "page", "source", "session")

_DAY_FIRST = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y")
_CLOCKS = (" %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p", "")
_TRUE = ("1", "true", "yes", "y", "granted", "opt_in", "opt-in", "si", "sì", "ja", "oui")
_FALSE = ("0", "false", "no", "n", "denied", "opt_out", "opt-out", "nein", "non")


def events_folder(workbook_path: Path) -> Path:
    """Where a workbook's events lie: ``our-team.events/`` beside ``our-team.yaml``."""
    workbook_path = Path(workbook_path)
    return workbook_path.with_name(f"{workbook_path.stem}.events")


def month_files(folder: Path) -> list[Path]:
    """The stored Parquet files, oldest month first."""
    return sorted(folder.glob("month=*/*.parquet"))


def has_events(workbook_path: Path) -> bool:
    return bool(month_files(events_folder(workbook_path)))


@dataclass(frozen=True)
class Skipped:
    """A row of a log that could not become an event."""

    file: str
    line: int
    reason: str  # a key under events.reason
    value: str = ""


@dataclass(frozen=True)
class Unmapped:
    """Events no rule maps, grouped by name and page, with their volume."""

    event: str
    page: str
    events: int


@dataclass
class LogResult:
    source: str
    kind: str
    columns: dict[str, list[str]]  # field → the headers read for it
    rows: int = 0
    already_imported: bool = False


@dataclass
class ImportResult:
    logs: list[LogResult] = field(default_factory=list)
    added: int = 0
    duplicates: int = 0
    mapped: int = 0
    unmapped: int = 0
    months: list[str] = field(default_factory=list)
    stored: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    top_unmapped: list[Unmapped] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "rows": sum(log.rows for log in self.logs),
            "added": self.added,
            "duplicates": self.duplicates,
            "mapped": self.mapped,
            "unmapped": self.unmapped,
            "skipped": len(self.skipped),
            "stored": self.stored,
        }

    def counted(self, language: str | None = None) -> dict[str, str]:
        """The figures as phrases with their numbers in ``language``: "1 event added",
        "12 rows skipped" (every account of an import: the CLI, notebook 06's form)."""
        return {
            name: plural(f"events.counts.{name}", number, language)
            for name, number in self.counts().items()
        }


def import_logs(
    paths: list[Path],
    workbook: Workbook,
    workbook_path: Path,
    mapping_file: Path | None = None,
    *,
    memory_limit: str = MEMORY_LIMIT,
) -> ImportResult:
    """Read the logs, map their events to touchpoints and store them beside the workbook."""
    from filelock import FileLock

    settings = digital_settings(workbook, mapping_file)
    folder = events_folder(workbook_path)
    logs = [open_log(Path(path)) for path in paths]  # every file checked before any work
    columns = [find_columns(log.headers, settings.columns) for log in logs]
    for log, found in zip(logs, columns, strict=True):
        check_columns(log, found)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder.parent / f".{folder.name}.lock"):
        manifest = _read_manifest(folder)
        seen = {entry["digest"] for entry in manifest}
        result = ImportResult()
        with _connect(folder, settings, memory_limit) as con:
            con.execute(_STAGED_TABLE)
            entries = []
            for number, (log, found) in enumerate(zip(logs, columns, strict=True)):
                digest = _digest(log.source)
                outcome = LogResult(
                    str(log.source),
                    log.kind,
                    {name: [log.headers[i] for i in indexes] for name, indexes in found.items()},
                )
                result.logs.append(outcome)
                if digest in seen:
                    outcome.already_imported = True
                    continue
                seen.add(digest)
                outcome.rows = _stage(con, log, found, number)
                entries.append({"file": log.source.name, "digest": digest, "rows": outcome.rows})
            result.skipped = _skipped(con, logs)
            if entries:
                _store(con, folder, workbook, settings, result)
            for entry in entries:
                entry["imported"] = now().isoformat()
        if entries:
            _write_manifest(folder, manifest + entries)
        result.stored = _count_stored(folder)
        return result


# --- DuckDB ----------------------------------------------------------------------------


class _connect:
    """An in-memory DuckDB on two threads with a memory limit, spilling into the store's
    folder, with the SQL helpers the import uses; closed (and its spill removed) after."""

    def __init__(self, folder: Path, settings: Digital, memory_limit: str) -> None:
        self.spill = Path(tempfile.mkdtemp(prefix=".import-", dir=folder))
        self.settings, self.memory_limit = settings, memory_limit

    def __enter__(self) -> Any:
        import duckdb

        self.con = duckdb.connect(
            config={
                "threads": min(2, os.cpu_count() or 1),
                "memory_limit": self.memory_limit,
                "temp_directory": str(self.spill),
                "preserve_insertion_order": False,
            }
        )
        zone = self.settings.time_zone or "UTC"
        try:
            self.con.execute(f"SET TimeZone = '{_sql_text(zone)}'")
            self.con.execute(f"SELECT TIMESTAMPTZ '2000-01-01 00:00:00 {_sql_text(zone)}'")
        except duckdb.Error:
            self.con.close()
            raise TpkitError("events.mapping.bad_time_zone", value=zone) from None
        for macro in _MACROS:
            self.con.execute(macro)
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()
        shutil.rmtree(self.spill, ignore_errors=True)


_MACROS = (
    # a time as written: epoch micros (GA4), millis, seconds; ISO 8601 with or without
    # an offset (naive ones are in the session's time zone); local day/month formats.
    # Digits alone are never an ISO time, so they skip that cast: a failed cast costs
    # as much as all the rest (1 s for 10 million GA4 times)
    """CREATE MACRO tp_time(x, formats) AS CASE
        WHEN regexp_full_match(x, '\\d{9,16}(\\.\\d+)?') THEN coalesce(CASE
            WHEN length(x) = 16 THEN timezone('UTC', make_timestamp(x::BIGINT))
            WHEN length(x) = 13 THEN timezone('UTC', epoch_ms(x::BIGINT))
            WHEN regexp_full_match(x, '\\d{9,10}(\\.\\d+)?') THEN to_timestamp(x::DOUBLE)
            END, try_strptime(x, formats)::TIMESTAMPTZ)
        ELSE coalesce(TRY_CAST(x AS TIMESTAMPTZ), try_strptime(x, formats)::TIMESTAMPTZ) END""",
    # the month (UTC) an event is stored under; epoch arithmetic, not a time zone
    # conversion, which costs twice as much
    "CREATE MACRO tp_month(ts) AS strftime(make_timestamp(epoch_us(ts)), '%Y-%m')",
    "CREATE MACRO tp_text(x) AS nullif(trim(x), '')",
)

_STAGED_TABLE = """CREATE TABLE staged (
    file_no INTEGER, line BIGINT, reason VARCHAR, value VARCHAR,
    customer VARCHAR, session VARCHAR, ts TIMESTAMPTZ, event VARCHAR, page VARCHAR,
    source VARCHAR, device VARCHAR, consent BOOLEAN, key_hash UBIGINT)"""
_KEY_HASH = f"hash({', '.join(_KEY)})"  # what duplicates are found by (see _store)


def _one(con: Any, sql: str) -> Any:
    """The single value a query returns (the whole result read, as DuckDB 2 asks)."""
    return con.execute(sql).fetchall()[0][0]


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _sql_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(f"'{_sql_text(v)}'" for v in values) + "]"


def _stage(con: Any, log: Log, columns: dict[str, list[int]], number: int) -> int:
    """Stream one log into ``staged``: fields normalised, each bad row with its reason."""
    pages = columns.get("page", [])
    batches = with_page_fields(iter(log.batches), pages)
    first = next(batches, None)
    if first is None:
        return 0

    def text(field: str) -> str:
        parts = [f"tp_text(c{i})" for i in columns.get(field, [])]
        return f"coalesce({', '.join(parts)})" if parts else "NULL::VARCHAR"

    time_index = columns["time"][0]
    formats = _time_formats(first.column(f"c{time_index}"))
    fields = ("customer", "session", "time", "event", "source", "device", "consent")
    texts = ", ".join(f"{text(name)} AS {name}_text" for name in fields)
    page = f"coalesce({', '.join(f'p{i}' for i in pages)})" if pages else "NULL::VARCHAR"
    # the campaign source of the page column the page was taken from
    firsts = " ".join(f"WHEN p{i} IS NOT NULL THEN u{i}" for i in pages)
    utm = f"CASE {firsts} END" if pages else "NULL::VARCHAR"
    # Three layers, so that each field's text is trimmed once: a macro's argument is
    # written out wherever the macro uses it.
    insert = f"""INSERT INTO staged SELECT *, {_KEY_HASH} FROM (
        SELECT {number}, line,
            CASE WHEN skip IS NOT NULL THEN split_part(skip, ':', 1)
                 WHEN customer IS NULL THEN 'no_customer'
                 WHEN time_text IS NULL THEN 'no_time'
                 WHEN ts IS NULL THEN 'bad_time'
                 WHEN event IS NULL AND page IS NULL THEN 'no_event' END AS reason,
            CASE WHEN skip IS NOT NULL THEN nullif(regexp_extract(skip, ':(.*)$', 1), '')
                 WHEN ts IS NULL AND time_text IS NOT NULL THEN time_text END,
            customer, session, ts, coalesce(event, 'page_view') AS event, page, source, device,
            consent
        FROM (
            SELECT line, skip, customer_text AS customer, session_text AS session, time_text,
                tp_time(time_text, {_sql_list(formats)}) AS ts, event_text AS event,
                page, lower(coalesce(source_text, utm)) AS source,
                lower(device_text) AS device,
                CASE WHEN lower(consent_text) IN {tuple(_TRUE)} THEN true
                     WHEN lower(consent_text) IN {tuple(_FALSE)} THEN false END AS consent
            FROM (SELECT "{LINE}" AS line, "{SKIP}" AS skip, {texts}, {page} AS page, {utm} AS utm
                  FROM raw_log)))"""
    con.register(
        "raw_log", pa.RecordBatchReader.from_batches(first.schema, chain([first], batches))
    )
    con.execute(insert)
    con.unregister("raw_log")
    rows = _one(con, f"SELECT count(*) FROM staged WHERE file_no = {number}")
    return int(rows)


def _time_formats(sample: pa.Array) -> list[str]:
    """Local date formats to try, day first unless the log's first values show a month
    first (a second number above 12, as in 3/14/2026): European logs write day first."""
    import re

    month_first = day_first = False
    for value in sample.to_pylist()[:_SAMPLE_TIMES]:
        match = re.match(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}", value or "")
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first |= first > 12
            month_first |= second > 12
    dates = _MONTH_FIRST if month_first and not day_first else _DAY_FIRST
    return [date + clock for date in dates for clock in _CLOCKS]


def _skipped(con: Any, logs: list[Log]) -> list[Skipped]:
    rows = con.execute(
        "SELECT file_no, line, reason, coalesce(value, '') FROM staged "
        "WHERE reason IS NOT NULL ORDER BY file_no, line"
    ).fetchall()
    return [
        Skipped(str(logs[number].source), int(line), reason, value)
        for number, line, reason, value in rows
    ]


def _mapped_sql(con: Any, workbook: Workbook, settings: Digital, source: str) -> str:
    """``source`` (a table or query with the stored columns but ``touchpoint``, and each
    event's key hash and month) with each event's touchpoint and consent worked out by
    the rules."""
    names = [row[0] for row in con.execute(f"SELECT DISTINCT event FROM {source}").fetchall()]
    by_name = event_touchpoints(names, workbook, settings)
    consent = consent_of(names)
    table = pa.table(
        {
            "event": pa.array(names, pa.string()),
            "named_touchpoint": pa.array([by_name.get(n) for n in names], pa.string()),
            "consent_event": pa.array([consent.get(n) for n in names], pa.bool_()),
        }
    )
    con.register("event_rules", table)
    paths, sources = pattern_rules(settings)
    cases = [f"WHEN s.page GLOB '{_sql_text(p)}' THEN '{tp}'" for p, tp in paths]
    cases += [f"WHEN s.source = '{_sql_text(src)}' THEN '{tp}'" for src, tp in sources]
    by_rule = f"CASE {' '.join(cases)} END" if cases else "NULL::VARCHAR"
    return f"""SELECT s.customer, s.session, s.ts, s.event, s.page, s.source, s.device,
            coalesce(s.consent, r.consent_event) AS consent,
            coalesce(r.named_touchpoint, {by_rule}) AS touchpoint, s.line, s.key_hash, s.month
        FROM {source} s LEFT JOIN event_rules r ON s.event = r.event"""


def _store(
    con: Any, folder: Path, workbook: Workbook, settings: Digital, result: ImportResult
) -> None:
    """Merge the staged events into the months they fall in, and swap those months in."""
    stored = ", ".join(c for c in COLUMNS if c != "touchpoint")
    con.execute(
        f"CREATE VIEW good AS SELECT {stored}, key_hash, tp_month(ts) AS month FROM staged "
        "WHERE reason IS NULL"
    )
    found = con.execute("SELECT DISTINCT month FROM good ORDER BY 1").fetchall()
    months = [row[0] for row in found]
    if not months:
        return
    old_files = [str(p) for m in months for p in sorted((folder / f"month={m}").glob("*.parquet"))]
    before = 0
    if old_files:
        before = _one(con, f"SELECT count(*) FROM read_parquet({_sql_list(old_files)})")
        con.execute(
            f"CREATE VIEW old AS SELECT {stored}, {_KEY_HASH} AS key_hash, tp_month(ts) AS month "
            f"FROM read_parquet({_sql_list(old_files)})"
        )
        source = "(SELECT * FROM good UNION ALL SELECT * FROM old)"
    else:
        source = "good"
    key = ", ".join(_KEY)
    con.execute(f"CREATE VIEW merged AS {_mapped_sql(con, workbook, settings, source)}")
    # Duplicates are left out by grouping on the whole key; grouping millions of rows
    # on six texts is most of an import's time, so only the rows whose key's hash comes
    # twice are grouped (equal keys have equal hashes; a collision only sends a few
    # more rows through the exact grouping, never one row less). A first import of a
    # log without repeated rows has none, and is written straight.
    con.execute(
        f"CREATE TEMP TABLE repeated AS SELECT key_hash FROM {source} "
        "GROUP BY key_hash HAVING count(*) > 1"
    )
    events = f"SELECT {key}, device, consent, touchpoint, line, month FROM merged"
    if _one(con, "SELECT count(*) FROM repeated"):
        others = ", ".join(f"any_value({c}) AS {c}" for c in ("device", "consent", "touchpoint"))
        events = f"""{events} ANTI JOIN repeated USING (key_hash)
            UNION ALL
            SELECT {key}, {others}, min(line) AS line, month
            FROM merged SEMI JOIN repeated USING (key_hash) GROUP BY {key}, month"""
    fresh = Path(tempfile.mkdtemp(prefix=".months-", dir=folder))
    try:
        con.execute(
            f"""COPY ({events})
            TO '{_sql_text(str(fresh))}' (FORMAT parquet, PARTITION_BY (month))"""
        )
        after = _one(
            con, f"SELECT count(*) FROM read_parquet('{_sql_text(str(fresh))}/*/*.parquet')"
        )
        good = _one(con, "SELECT count(*) FROM good")
        result.added = int(after) - int(before)
        result.duplicates = int(good) - result.added
        unmapped = con.execute(
            f"""SELECT coalesce(event, ''), coalesce(page, ''), count(*) FROM
                read_parquet('{_sql_text(str(fresh))}/*/*.parquet') WHERE touchpoint IS NULL
                GROUP BY ALL ORDER BY 3 DESC, 1, 2"""
        ).fetchall()
        result.unmapped = sum(int(n) for *_, n in unmapped)
        result.mapped = int(after) - result.unmapped
        result.top_unmapped = [Unmapped(e, p, int(n)) for e, p, n in unmapped[:UNMAPPED_SHOWN]]
        for month in months:
            _swap(folder / f"month={month}", fresh / f"month={month}")
        result.months = months
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _swap(target: Path, replacement: Path) -> None:
    """Put a month's new folder in place of the old one with two renames."""
    retired = target.with_name(f".old-{target.name}")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        os.replace(target, retired)
    os.replace(replacement, target)
    shutil.rmtree(retired, ignore_errors=True)


def _count_stored(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(path).metadata.num_rows for path in month_files(folder))


# --- the manifest ----------------------------------------------------------------------


def _digest(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _read_manifest(folder: Path) -> list[dict[str, Any]]:
    path = folder / MANIFEST
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TpkitError("events.store.unreadable", file=str(path), detail=str(error)) from None
    return list(entries) if isinstance(entries, list) else []


def _write_manifest(folder: Path, entries: list[dict[str, Any]]) -> None:
    text = json.dumps(entries, indent=1, ensure_ascii=False) + "\n"
    write_atomic(folder / MANIFEST, text.encode("utf-8"))


def imported_logs(workbook_path: Path) -> list[dict[str, Any]]:
    """What ``imports.json`` says was imported, for the notebook and the report."""
    return _read_manifest(events_folder(workbook_path))
