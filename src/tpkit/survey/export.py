"""What a survey export reader hands to the import: columns of text and what they are.

Readers (:mod:`tpkit.survey.formats`) know each tool's layout — header rows,
encodings, which column is the response id or the time, which rows are previews or
unfinished — and nothing about touchpoints. The import
(:mod:`tpkit.survey.importer`) knows touchpoints and measures and nothing about tools.
This record is the seam between the two, in the way pandera splits a schema from
its back-ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa

Role = Literal[
    "question",  # an answer to a question: mapped to a touchpoint and a measure
    "response_id",  # the tool's id of a response: re-imports are deduplicated by it
    "submitted",  # when the response was submitted
    "touchpoint",  # the touchpoint id carried by the questionnaire link (?tp=…)
    "email",
    "name",
    "phone",
    "ip",  # personal data: not stored unless asked
    "ignore",  # tool bookkeeping (status, duration, language, …)
]

LINE = "__line"  # int64: the physical line of the file where the record starts (1-based);
# for xlsx, the sheet row
SKIP = "__skip"  # string: why the tool's own layout excludes the row ("preview",
# "incomplete"), null for rows to import


@dataclass(frozen=True)
class Column:
    """One column of the export."""

    header: str  # the question text as the tool wrote it
    role: Role = "question"
    code: str = ""  # the tool's question code or import id, where it has one


@dataclass
class Export:
    """A survey export, read but not yet interpreted.

    ``batches`` yields record batches with one ``pa.string()`` column per entry of
    ``columns`` (named ``c0``, ``c1``, …, in order), then :data:`LINE` and
    :data:`SKIP`. Batches stream, so a million-row file never sits in memory as text.
    ``parse_submitted`` turns the text of the ``submitted`` column into UTC
    timestamps (``pa.timestamp("s", "UTC")``), null where the text is not a date.
    """

    source: Path
    tool: str  # "google_forms", "ms_forms", "surveymonkey", "qualtrics", "typeform",
    # "limesurvey", "csv", "xlsx"
    columns: list[Column]
    batches: Iterator[pa.RecordBatch]
    parse_submitted: Callable[[pa.Array], pa.Array]

    def index_of(self, role: Role) -> int | None:
        """The column holding ``role``, if the export has one."""
        return next((i for i, c in enumerate(self.columns) if c.role == role), None)
