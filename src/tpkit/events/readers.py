"""Reading interaction logs as firms have them: which column is the customer, the time,
the event, the page.

A log is a CSV or TSV file (any delimiter and encoding, read by the survey readers'
line-counting CSV reader, :func:`tpkit.survey.formats.read_export`), an xlsx sheet,
a Parquet file or JSON lines (Segment calls, a GA4 BigQuery export). Whatever the
format, :func:`open_log` hands back the same thing: the column headers, nested JSON
and Parquet fields flattened to dotted names (``context.page.path``; GA4's
``event_params`` list becomes ``event_params.page_location``), and record batches of
text with the line (or row) each record starts on. Which header holds what is worked
out by :func:`find_columns` from the names that GA4, Snowplow, Segment, Matomo and
plain exports use; a workbook can name others (``digital.columns``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tpkit.errors import TpkitError
from tpkit.survey.export import LINE, SKIP
from tpkit.survey.measures import normalise_label

BATCH_ROWS = 65_536
_JSON_SAMPLE = 1_000  # records whose keys make the header of a JSON lines log

# The fields an event has, and the headers each is found under, most telling first.
# Where several are present they are taken in this order, row by row: a Segment call
# has a ``userId`` once the visitor logged in and an ``anonymousId`` before.
FIELDS: dict[str, tuple[str, ...]] = {
    "customer": (
        *("customer_id", "customer", "client_id", "clientid", "user_id", "userid"),
        *("cliente", "id cliente", "codice cliente", "Kundennummer", "Kunden-ID", "Kunde"),
        *("id client", "numéro client", "user_pseudo_id", "domain_userid", "network_userid"),
        *("anonymous_id", "anonymousid", "visitor_id", "visitorid", "idvisitor", "fullvisitorid"),
    ),
    "session": (
        *("session_id", "sessionid", "session", "ga_session_id", "event_params.ga_session_id"),
        *("domain_sessionid", "idvisit", "visit_id", "visitid", "sitzung", "sessione"),
    ),
    "time": (
        *("event_timestamp", "timestamp", "derived_tstamp", "collector_tstamp", "event_time"),
        *("server_time", "time", "datetime", "date_time", "ts", "created_at", "occurred_at"),
        *("received_at", "sent_at", "original_timestamp", "data e ora", "Zeitpunkt"),
        *("Zeitstempel", "horodatage", "date et heure", "date"),
    ),
    "event": (
        *("event_name", "se_action", "event", "event_action", "eventaction", "action"),
        *("action_name", "evento", "Ereignis", "événement", "name", "type"),
    ),
    "page": (
        *("page_path", "page_urlpath", "path", "context.page.path", "pagepath", "page"),
        *("page_location", "event_params.page_location", "page_url", "url"),
        *("context.page.url", "properties.path", "properties.url", "seite", "pagina"),
    ),
    "source": (
        *("utm_source", "source", "traffic_source.source", "mkt_source", "campaign_source"),
        *("context.campaign.source", "collected_traffic_source.manual_source"),
        *("event_params.source", "referer_name", "refr_source", "fonte", "Quelle"),
    ),
    "device": (
        *("device_category", "device.category", "dvce_type", "device_type", "device"),
        *("context.device.type", "platform", "dispositivo", "Gerät", "appareil"),
    ),
    "consent": (
        *("marketing_consent", "consent", "marketing_opt_in", "opt_in", "optin"),
        *("privacy_info.ads_storage", "consenso", "consenso marketing", "Einwilligung"),
        *("consentement",),
    ),
}
REQUIRED = ("customer", "time")


@dataclass
class Log:
    """A log, opened but not yet read: its headers and its records as text.

    ``batches`` yields record batches with one ``pa.string()`` column per header
    (``c0``, ``c1``, …), then the line each record starts on and why the reader
    itself could not read it (``ragged``, ``not_json``), null for good records. For
    Parquet, the "line" is the row number (1-based).
    """

    source: Path
    kind: str  # "csv", "xlsx", "parquet", "jsonl"
    headers: list[str]
    batches: Iterator[pa.RecordBatch]


def open_log(path: Path) -> Log:
    """Open a log of any supported kind, chosen by its content and name."""
    path = Path(path)
    if not path.is_file():
        raise TpkitError("events.reader.missing", file=str(path))
    with path.open("rb") as file:
        head = file.read(4096)
    if head.startswith(b"PAR1"):
        return _parquet(path)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") or path.suffix.lower() in (".jsonl", ".ndjson"):
        return _json_lines(path)
    return _table(path)


def _key(header: str) -> str:
    return normalise_label(header.replace("_", " ").replace(".", " "))


def find_columns(
    headers: list[str], named: dict[str, list[str]] | None = None
) -> dict[str, list[int]]:
    """For each field, the columns that hold it, in the order to take them: the ones the
    workbook names first, then the usual headers. Fields with no column are left out."""
    by_key: dict[str, int] = {}
    for index, header in enumerate(headers):
        by_key.setdefault(_key(header), index)
    found: dict[str, list[int]] = {}
    taken: set[int] = set()
    for field in FIELDS:
        names = [*(named or {}).get(field, []), *FIELDS[field]]
        columns = []
        for name in names:
            index = by_key.get(_key(name))
            if index is not None and index not in columns and index not in taken:
                columns.append(index)
        if columns:
            found[field] = columns
            taken.update(columns)
    return found


def check_columns(log: Log, columns: dict[str, list[int]]) -> None:
    """A log without a customer or a time column cannot give journeys: say which is missing
    and which headers the file has, so the user can name the right one."""
    missing = [field for field in REQUIRED if field not in columns]
    if "event" not in columns and "page" not in columns:
        missing.append("event")
    if missing:
        raise TpkitError(
            "events.reader.no_column",
            file=str(log.source),
            field=", ".join(missing),
            headers=", ".join(log.headers[:30]),
        )


# --- CSV, TSV and xlsx: the survey readers' text handling -------------------------------


def _table(path: Path) -> Log:
    from tpkit.survey.formats import read_export

    try:
        export = read_export(path, batch_rows=BATCH_ROWS)
    except TpkitError as error:  # the survey reader's words, said about a log
        raise TpkitError(
            "events.reader.not_a_log", file=str(path), reason=error.message()
        ) from None
    kind = "xlsx" if export.tool == "xlsx" else "csv"
    return Log(path, kind, [column.header for column in export.columns], export.batches)


# --- Parquet ---------------------------------------------------------------------------


def _parquet(path: Path) -> Log:
    """Columns as text, nested structs flattened (GA4's ``device.category``); the row
    number stands for the line."""
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise TpkitError("events.reader.not_a_log", file=str(path), reason=str(error)) from None
    flat = _flat_schema(file.schema_arrow)
    return Log(path, "parquet", flat, _parquet_batches(file, flat, path))


def _flat_schema(schema: pa.Schema) -> list[str]:
    names: list[str] = []
    for field in schema:
        if pa.types.is_struct(field.type):
            inner = pa.schema(list(field.type))
            names += [f"{field.name}.{name}" for name in _flat_schema(inner)]
        elif not pa.types.is_nested(field.type):
            names.append(field.name)
    return names


def _parquet_batches(file: pq.ParquetFile, flat: list[str], path: Path) -> Iterator[pa.RecordBatch]:
    row = 1
    try:
        for batch in file.iter_batches(batch_size=BATCH_ROWS):
            table = pa.Table.from_batches([batch])
            while any(pa.types.is_struct(f.type) for f in table.schema):
                table = table.flatten()
            arrays = [_as_text(table.column(name)) for name in flat]
            lines = pa.array(range(row, row + table.num_rows), pa.int64())
            row += table.num_rows
            yield _text_batch(arrays, lines, pa.nulls(table.num_rows, pa.string()))
    except (pa.ArrowInvalid, OSError) as error:
        raise TpkitError("events.reader.damaged", file=str(path), reason=str(error)) from None


def _as_text(column: pa.ChunkedArray) -> pa.Array:
    """A column as text; times keep their offset (``Z`` for UTC), whole numbers their digits."""
    array = column.combine_chunks()
    if pa.types.is_timestamp(array.type) and array.type.tz is None:
        array = array.cast(pa.timestamp(array.type.unit, "UTC"))
    if pa.types.is_timestamp(array.type):
        return pc.strftime(array, "%Y-%m-%dT%H:%M:%S%z")
    return array.cast(pa.string())


def _text_batch(arrays: list[pa.Array], lines: pa.Array, skip: pa.Array) -> pa.RecordBatch:
    names = [f"c{i}" for i in range(len(arrays))]
    return pa.RecordBatch.from_arrays([*arrays, lines, skip], names=[*names, LINE, SKIP])


# --- JSON lines ------------------------------------------------------------------------


def _json_lines(path: Path) -> Log:
    """One JSON object per line: Segment calls, Snowplow or GA4 events as JSON. The header
    is every flattened key of the first records (in the order first seen)."""
    sample: list[dict[str, str]] = []
    with path.open(encoding="utf-8-sig", errors="replace") as stream:
        for text in stream:
            record = _flat_record(text)
            if record:
                sample.append(record)
            if len(sample) == _JSON_SAMPLE:
                break
    headers = list(dict.fromkeys(chain.from_iterable(sample)))
    if not headers:
        raise TpkitError("events.reader.not_a_log", file=str(path), reason="no JSON objects")
    return Log(path, "jsonl", headers, _json_batches(path, headers))


def _flat_record(text: str) -> dict[str, str] | None:
    """A line's object as dotted keys and text values; None if the line is no object."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    flat: dict[str, str] = {}
    _flatten(value, "", flat)
    return flat


def _flatten(value: dict[str, Any], prefix: str, into: dict[str, str]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            _flatten(item, f"{name}.", into)
        elif key == "event_params" and isinstance(item, list):
            for param in item:  # GA4: [{"key": "page_location", "value": {"string_value": …}}]
                if isinstance(param, dict) and isinstance(param.get("value"), dict):
                    found = [v for v in param["value"].values() if v is not None]
                    if found:
                        into[f"{name}.{param.get('key')}"] = str(found[0])
        elif item is not None and not isinstance(item, list):
            into[name] = item if isinstance(item, str) else json.dumps(item)


def _json_batches(path: Path, headers: list[str]) -> Iterator[pa.RecordBatch]:
    position = {header: i for i, header in enumerate(headers)}
    columns: list[list[str | None]] = [[] for _ in headers]
    lines: list[int] = []
    skips: list[str | None] = []
    with path.open(encoding="utf-8-sig", errors="replace") as stream:
        for number, text in enumerate(stream, start=1):
            if not text.strip():
                continue
            record = _flat_record(text)
            row: list[str | None] = [None] * len(headers)
            if record is None:
                skips.append("not_json")
            else:
                skips.append(None)
                for key, value in record.items():
                    if key in position:
                        row[position[key]] = value
            for column, value in zip(columns, row, strict=True):
                column.append(value)
            lines.append(number)
            if len(lines) == BATCH_ROWS:
                yield _json_batch(columns, lines, skips)
                columns, lines, skips = [[] for _ in headers], [], []
    if lines:
        yield _json_batch(columns, lines, skips)


def _json_batch(
    columns: list[list[str | None]], lines: list[int], skips: list[str | None]
) -> pa.RecordBatch:
    arrays = [pa.array(column, pa.string()) for column in columns]
    return _text_batch(arrays, pa.array(lines, pa.int64()), pa.array(skips, pa.string()))
