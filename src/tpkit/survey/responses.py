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
Imports only append, under the workbook's lock, and every write is atomic.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tpkit.errors import TpkitError
from tpkit.store import locked, write_atomic

RESPONSE, FORM, SUBMITTED, TOUCHPOINT, SOURCE, LINE = (
    "response",
    "form",
    "submitted",
    "touchpoint",
    "source",
    "line",
)
FIXED_SCHEMA = pa.schema(
    [
        (RESPONSE, pa.string()),  # the tool's response id (or a digest of the answers)
        (FORM, pa.dictionary(pa.int32(), pa.string())),  # tool:fingerprint of the questions
        (SUBMITTED, pa.timestamp("ms", tz="UTC")),  # Parquet has no seconds unit
        (TOUCHPOINT, pa.string()),  # the link's touchpoint id, null without a link
        (SOURCE, pa.dictionary(pa.int32(), pa.string())),  # the export's file name
        (LINE, pa.int32()),  # its line there, to trace an answer back
    ]
)


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
    except (OSError, pa.ArrowInvalid) as error:
        raise TpkitError("survey.store.unreadable", file=str(path), detail=str(error)) from None


def load_answers(workbook: str | os.PathLike[str]) -> pa.Table:
    """What the metrics need: when, which touchpoint, and the answers — not the ids."""
    path = responses_path(workbook)
    if not path.exists():
        return FIXED_SCHEMA.empty_table()
    names = pq.read_schema(path).names
    return load(workbook, [n for n in names if n not in (RESPONSE, FORM, SOURCE, LINE)])


def answer_columns(table: pa.Table) -> list[str]:
    """The question columns of a stored table (everything but the fixed columns)."""
    return [name for name in table.column_names if name not in FIXED_SCHEMA.names]


def append(workbook: str | os.PathLike[str], new: pa.Table) -> None:
    """Add responses under the workbook's lock, rewriting the file atomically.

    Responses another import stored meanwhile (two people importing the same export at
    once) are left out here, under the lock, so none is stored twice. Columns one
    import has and another lacks are filled with nulls.
    """
    path = responses_path(workbook)
    with locked(workbook):
        stored = load(workbook)
        if stored.num_rows:
            new = new.filter(pc.invert(_already_stored(new, stored)))
            new = pa.concat_tables([stored, new], promote_options="permissive")
        write_atomic(path, lambda stream: _write_parquet(new, stream))


def _already_stored(new: pa.Table, stored: pa.Table) -> pa.ChunkedArray:
    forms = pc.unique(new.column(FORM).cast(pa.string()))
    same_form = stored.filter(pc.is_in(stored.column(FORM).cast(pa.string()), value_set=forms))
    return pc.is_in(new.column(RESPONSE), value_set=same_form.column(RESPONSE))


def _write_parquet(table: pa.Table, stream: BinaryIO) -> None:
    """Scores as byte-stream-split floats (few distinct values compress well that way,
    and fast), dictionaries only for the few repeated texts; no statistics to compute."""
    scores = [f.name for f in table.schema if pa.types.is_floating(f.type)]
    pq.write_table(
        table,
        stream,
        compression="lz4",
        use_dictionary=[FORM, SOURCE, TOUCHPOINT],
        column_encoding=dict.fromkeys([*scores, LINE], "BYTE_STREAM_SPLIT"),
        write_statistics=False,
    )


def stored_ids(workbook: str | os.PathLike[str], form: str) -> pa.Array:
    """The ids already stored from one form: a re-import skips them. Ids are only
    unique within a form, so two surveys' "1, 2, 3" never collide."""
    stored = load(workbook, columns=[RESPONSE, FORM])
    same_form = pc.equal(stored.column(FORM).cast(pa.string()), form)
    return stored.column(RESPONSE).filter(same_form).combine_chunks()
