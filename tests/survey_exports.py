"""Survey exports built in memory, for testing the import without any file format."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from tpkit.survey.export import LINE, SKIP, Column, Export, Role


def iso_timestamps(texts: pa.Array) -> pa.Array:
    return pc.strptime(texts, format="%Y-%m-%d %H:%M", unit="s", error_is_null=True).cast(
        pa.timestamp("s", "UTC")
    )


def export_from_rows(
    columns: Sequence[tuple[str, Role]],
    rows: Sequence[Sequence[str | None]],
    *,
    skips: Sequence[str | None] | None = None,
    first_line: int = 2,
    batch_rows: int = 3,
    tool: str = "csv",
) -> Export:
    """An export of ``rows`` whose data starts on ``first_line``, streamed in small batches
    so that every test also crosses batch boundaries."""
    skips = list(skips or [None] * len(rows))

    def batches():
        for start in range(0, len(rows), batch_rows):
            chunk = rows[start : start + batch_rows]
            data = {
                f"c{i}": pa.array([row[i] for row in chunk], pa.string())
                for i in range(len(columns))
            }
            data[LINE] = pa.array(range(first_line + start, first_line + start + len(chunk)))
            data[SKIP] = pa.array(skips[start : start + len(chunk)], pa.string())
            yield pa.RecordBatch.from_pydict(data)

    return Export(
        Path("export.csv"),
        tool,
        [Column(header, role) for header, role in columns],
        batches(),
        iso_timestamps,
    )


def csv_record_starts(text: str) -> list[tuple[int, str]]:
    """(physical line, first field) of every non-empty record after the header, as
    Python's csv module reads ``text``: what the reader's line numbers are held to."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    found = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return found
        if record:
            found.append((start, record[0]))
