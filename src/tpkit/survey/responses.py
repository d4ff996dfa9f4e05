"""Where a workbook's customer responses live: one Parquet file beside the workbook.

``workbook/shawna.yaml`` keeps the team's own work, small and diffable;
``workbook/shawna.responses.parquet`` keeps what customers answered, which may be
millions of rows. Parquet because it is typed (a score stays a number, a time a
time), compressed, read in a fraction of a second, and opened by pandas, DuckDB,
Excel's Power Query and R alike; the YAML workbook could not hold a million rows.

One row per response. Fixed columns say which response, when and from where; then
one column per question answered, named ``MEASURE@TOUCHPOINT`` (see
:class:`tpkit.survey.mapping.Target`): ``csat@invoice``, ``nps@*`` (about the
touchpoint of the response's link, held in ``touchpoint``), ``nps@`` (the firm).

Every response remembers where it came from: the export's file and line, the form, a
digest of the mapping that read it and when it was imported; the mappings themselves
are kept in the file's metadata, keyed by digest. Importing an export again with the
same mapping adds only the responses not stored yet; with a changed mapping it replaces
that export's earlier answers (:func:`merge`). Every write is atomic, under the
workbook's lock.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tpkit.errors import TpkitError
from tpkit.store import locked, write_atomic

RESPONSE, FORM, SUBMITTED, TOUCHPOINT, SOURCE, LINE, MAPPING, IMPORTED = (
    "response",
    "form",
    "submitted",
    "touchpoint",
    "source",
    "line",
    "mapping",
    "imported",
)
_TEXTS = pa.dictionary(pa.int32(), pa.string())
FIXED_SCHEMA = pa.schema(
    [
        (RESPONSE, pa.string()),  # the tool's response id (or a digest of the answers)
        (FORM, _TEXTS),  # tool:fingerprint of the questions
        (SUBMITTED, pa.timestamp("ms", tz="UTC")),  # Parquet has no seconds unit
        (TOUCHPOINT, pa.string()),  # the link's touchpoint id, null without a link
        (SOURCE, _TEXTS),  # the export's file name
        (LINE, pa.int32()),  # its line there, to trace an answer back
        (MAPPING, _TEXTS),  # digest of the mapping that read it (see MAPPINGS_KEY)
        (IMPORTED, pa.timestamp("ms", tz="UTC")),  # when it was imported
    ]
)
MAPPINGS_KEY = b"tpkit.mappings"  # file metadata: JSON {digest: the mapping, as written}


def responses_path(workbook: str | os.PathLike[str]) -> Path:
    """``workbook/shawna.yaml`` → ``workbook/shawna.responses.parquet``."""
    path = Path(workbook)
    return path.with_name(f"{path.stem}.responses.parquet")


def load(workbook: str | os.PathLike[str], columns: list[str] | None = None) -> pa.Table:
    """The responses stored for a workbook; an empty table when there are none yet."""
    path = responses_path(workbook)
    if not path.exists():
        return FIXED_SCHEMA.empty_table()
    try:
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as error:
        raise TpkitError("survey.store.unreadable", file=str(path), detail=str(error)) from None


def load_answers(workbook: str | os.PathLike[str]) -> pa.Table:
    """What the metrics need: when, which touchpoint, and the answers — not the ids."""
    path = responses_path(workbook)
    if not path.exists():
        return FIXED_SCHEMA.empty_table()
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException) as error:
        raise TpkitError("survey.store.unreadable", file=str(path), detail=str(error)) from None
    keep = {SUBMITTED, TOUCHPOINT}
    return load(workbook, [n for n in names if n in keep or n not in FIXED_SCHEMA.names])


def answer_columns(table: pa.Table) -> list[str]:
    """The question columns of a stored table (everything but the fixed columns)."""
    return [name for name in table.column_names if name not in FIXED_SCHEMA.names]


@dataclass(frozen=True)
class Merged:
    """Stored responses with an import's added: what changed, for the import to say."""

    table: pa.Table
    added: int  # responses stored now (replacements included)
    already: int  # responses of the import stored before with the same mapping: left as they were
    replaced: int  # responses stored before with another mapping: replaced by the new reading
    replaced_on: str  # the day the earliest of those had been imported ("" if unknown)


def merge(stored: pa.Table, new: pa.Table) -> Merged:
    """``new`` (one import: one form, one mapping) added to ``stored``.

    Ids are unique within a form only. A response stored before with the same mapping
    stays as it was and its copy in ``new`` is left out; one stored with another
    mapping is replaced by its new reading.
    """
    if not stored.num_rows or not new.num_rows:
        table = new if not stored.num_rows else stored
        return Merged(table, new.num_rows, 0, 0, "")
    form = new.column(FORM)[0].as_py()
    digest = new.column(MAPPING)[0].as_py()
    same_form = pc.equal(stored.column(FORM).cast(pa.string()), form)
    again = pc.and_(same_form, pc.is_in(stored.column(RESPONSE), value_set=new.column(RESPONSE)))
    again = pc.fill_null(again, False)
    if MAPPING in stored.column_names:
        same_mapping = pc.fill_null(
            pc.equal(stored.column(MAPPING).cast(pa.string()), digest), False
        )
    else:
        same_mapping = pa.repeat(False, stored.num_rows)
    kept_ids = stored.filter(pc.and_(again, same_mapping)).column(RESPONSE)
    replaced = stored.filter(pc.and_(again, pc.invert(same_mapping)))
    fresh = new.filter(pc.invert(pc.is_in(new.column(RESPONSE), value_set=kept_ids)))
    remaining = stored.filter(pc.invert(pc.and_(again, pc.invert(same_mapping))))
    table = pa.concat_tables([remaining, fresh], promote_options="permissive")
    return Merged(
        table, fresh.num_rows, new.num_rows - fresh.num_rows, replaced.num_rows, _day(replaced)
    )


def unchanged(
    workbook: str | os.PathLike[str], form: str, digest: str, ids: pa.ChunkedArray
) -> np.ndarray:
    """Which of an import's response ids are stored already from the same form with the
    same mapping: their answers are not news, and the import leaves them as they are."""
    nothing = np.zeros(len(ids), dtype=bool)
    path = responses_path(workbook)
    if not path.exists():
        return nothing
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException) as error:
        raise TpkitError("survey.store.unreadable", file=str(path), detail=str(error)) from None
    if MAPPING not in names:  # stored before mappings were remembered: all news
        return nothing
    stored = load(workbook, [RESPONSE, FORM, MAPPING])
    same = pc.and_(
        pc.equal(stored.column(FORM).cast(pa.string()), form),
        pc.equal(stored.column(MAPPING).cast(pa.string()), digest),
    )
    known = stored.column(RESPONSE).filter(pc.fill_null(same, False)).combine_chunks()
    found = pc.is_in(ids, value_set=known)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _day(table: pa.Table) -> str:
    if not table.num_rows or IMPORTED not in table.column_names:
        return ""
    first = pc.min(table.column(IMPORTED)).as_py()
    return first.date().isoformat() if first else ""


def append(workbook: str | os.PathLike[str], new: pa.Table, mapping: dict) -> Merged:
    """Add one import's responses under the workbook's lock, rewriting the file atomically.

    The merge happens under the lock, against the file as it is then: two people
    importing the same export at once store each response once. ``mapping`` (as a
    mapping file writes it) is kept in the file's metadata under the import's digest.
    """
    path = responses_path(workbook)
    if not new.num_rows:  # nothing to add: no file is written, none is created
        return Merged(FIXED_SCHEMA.empty_table(), 0, 0, 0, "")
    with locked(workbook):
        stored = load(workbook)
        merged = merge(stored, new)
        mappings = {**_mappings(stored.schema), new.column(MAPPING)[0].as_py(): mapping}
        digests = merged.table.column(MAPPING).chunks
        used = {value for chunk in digests for value in chunk.unique().to_pylist()}
        metadata = {MAPPINGS_KEY: json.dumps({k: v for k, v in mappings.items() if k in used})}
        table = merged.table.replace_schema_metadata(metadata)
        write_atomic(path, lambda stream: _write_parquet(table, stream))
    return merged


def _mappings(schema: pa.Schema) -> dict[str, dict]:
    """The mappings a stored table keeps in its metadata, by digest."""
    raw = (schema.metadata or {}).get(MAPPINGS_KEY)
    return json.loads(raw) if raw else {}


def mappings(workbook: str | os.PathLike[str]) -> dict[str, dict]:
    """The mappings the stored responses were read with, by digest."""
    path = responses_path(workbook)
    if not path.exists():
        return {}
    try:
        return _mappings(pq.read_schema(path))
    except (OSError, pa.ArrowException) as error:
        raise TpkitError("survey.store.unreadable", file=str(path), detail=str(error)) from None


def _write_parquet(table: pa.Table, stream: BinaryIO) -> None:
    """Scores as byte-stream-split floats (few distinct values compress well that way,
    and fast), dictionaries only for the few repeated texts; no statistics to compute."""
    scores = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    pq.write_table(
        table,
        stream,
        compression="lz4",
        use_dictionary=[FORM, SOURCE, TOUCHPOINT, MAPPING, IMPORTED],
        column_encoding=dict.fromkeys([*scores, LINE], "BYTE_STREAM_SPLIT"),
        write_statistics=False,
    )
