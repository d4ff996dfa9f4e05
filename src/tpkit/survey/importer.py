"""Import a survey export into a workbook's responses: check every cell, keep what is
sound, report the rest by line, and never add a response twice.

The work is columnar. An export streams in record batches of text; each question
column is dictionary-encoded, so a verbal scale or a decimal comma is interpreted
once per *distinct* text and the result is spread back with one ``take``. Rows and
cells that cannot be used become :class:`Skipped` entries with the file's line
number and a reason; blank cells (questions a customer left out) are only counted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from queue import Queue
from threading import Thread

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tpkit.model import Workbook
from tpkit.survey import responses
from tpkit.survey.export import LINE, SKIP, Export
from tpkit.survey.mapping import ROW_TOUCHPOINT, Mapping, Target, personal_columns
from tpkit.survey.measures import MEASURES, interpret, normalise_label

# Reasons, in the order a row is judged; each is a message key survey.reason.<name>.
ROW_REASONS = ("preview", "incomplete", "ragged", "missing_id", "bad_date", "duplicate")
CELL_REASONS = ("no_answer", "not_a_number", "out_of_range", "unknown_touchpoint")
_CELL_CODES = {reason: code for code, reason in enumerate(("", *CELL_REASONS[:3]), start=0)}
_NO_REASON = 0
_STAMP = responses.FIXED_SCHEMA.field(responses.SUBMITTED).type


@dataclass(frozen=True)
class Skipped:
    """A row, or one cell of it, that was not imported, and why."""

    line: int
    reason: str
    column: str = ""  # the question header; empty for a whole row
    value: str = ""  # the text found, for cell reasons


@dataclass
class ImportResult:
    """What an import did: enough for the user to trust that nothing went missing."""

    source: Path
    tool: str
    rows: int = 0  # data rows read from the export
    added: int = 0  # new responses stored
    already: int = 0  # responses stored by an earlier import of the same export
    answers: int = 0  # answers stored (scores and texts)
    blank: int = 0  # cells left blank in the responses imported (counted, not listed)
    skipped: list[Skipped] = field(default_factory=list)
    personal_left_out: list[str] = field(default_factory=list)  # headers not stored
    unmapped: list[str] = field(default_factory=list)  # question columns nobody answers to

    def counts(self) -> dict[str, int]:
        """The figures every account of an import gives (the CLI, the notebook's form)."""
        names = ("rows", "added", "answers", "already", "blank")
        return {name: getattr(self, name) for name in names}


@dataclass
class _Batch:
    """The compact result of one record batch: numbers and short strings, no raw rows."""

    line: pa.Array
    key: pa.Array  # response key, null when missing
    submitted: pa.Array
    touchpoint: pa.Array  # resolved touchpoint id of the link, null when none
    row_reason: np.ndarray  # index into ("", *ROW_REASONS) before dedupe
    answers: dict[str, pa.Array]  # target name → float32 scores or texts (null: none)
    cell_problems: list[Skipped]
    blank: np.ndarray  # per row: questions left blank


def import_export(
    export: Export,
    workbook: Workbook,
    workbook_path: str | os.PathLike[str],
    mapping: Mapping,
    *,
    keep_personal_data: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Read, check and store one export; return what happened."""
    _lean_memory_pool()
    result = ImportResult(export.source, export.tool)
    keep = personal_columns(export) if keep_personal_data else []
    result.personal_left_out = [
        export.columns[i].header for i in personal_columns(export) if i not in keep
    ]
    result.unmapped = [
        column.header
        for index, column in enumerate(export.columns)
        if column.role == "question" and index not in mapping
    ]
    targets = {**mapping, **{i: Target(export.columns[i].role, "") for i in keep}}
    form = _form_of(export)
    resolve = _touchpoint_resolver(workbook)
    batches = [_read_batch(b, export, targets, resolve) for b in _read_ahead(export.batches)]
    if not batches:
        return result
    table, row_reason = _combine(batches, targets, export.source.name, form)
    result.rows = table.num_rows
    first = _first_occurrences(table.column(responses.RESPONSE), row_reason == 0)
    row_reason[(row_reason == 0) & ~first] = 1 + ROW_REASONS.index("duplicate")
    fresh = row_reason == 0
    if fresh.any():
        stored = responses.stored_ids(workbook_path, form)
        already = pc.is_in(table.column(responses.RESPONSE), value_set=stored)
        already = already.to_numpy(zero_copy_only=False) & fresh
        result.already = int(already.sum())
        fresh &= ~already
    lines = table.column(responses.LINE).to_numpy()
    result.skipped = _row_skips(lines, row_reason) + _cell_skips(batches, lines[fresh])
    result.skipped.sort(key=lambda skip: skip.line)
    result.blank = int(np.concatenate([b.blank for b in batches])[fresh].sum())
    kept = table if fresh.all() else table.filter(pa.array(fresh))
    result.added = kept.num_rows
    result.answers = sum(
        kept.num_rows - kept.column(name).null_count for name in responses.answer_columns(kept)
    )
    if result.added and not dry_run:
        responses.append(workbook_path, kept)
    return result


@cache
def _lean_memory_pool() -> None:
    """Arrow's jemalloc pool, giving freed memory back at once, so the reading thread's
    blocks do not linger beside the checked columns: a million-row import peaks about
    70 MB lower, and runs no slower. Where the wheel has no jemalloc, nothing changes."""
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:
        pass


def _form_of(export: Export) -> str:
    """Which form the responses answer: the tool and a fingerprint of its questions, so
    the same form exported again (with more responses) matches itself."""
    questions = "\x1f".join(c.code or c.header for c in export.columns if c.role == "question")
    return f"{export.tool}:{hashlib.blake2b(questions.encode(), digest_size=4).hexdigest()}"


def _touchpoint_resolver(workbook: Workbook) -> dict[str, str]:
    """What a link may carry, normalised → touchpoint id: the id, the name, an alias."""
    known: dict[str, str] = {}
    for tp in workbook.touchpoints:
        for text in (tp.name, *tp.aliases, tp.id):
            known[normalise_label(text)] = tp.id
    return known


def _read_batch(
    batch: pa.RecordBatch,
    export: Export,
    targets: dict[int, Target],
    resolve: dict[str, str],
) -> _Batch:
    rows = batch.num_rows
    lines = pc.cast(batch.column(LINE), pa.int32())  # as stored; half the memory
    reason = np.zeros(rows, dtype=np.int8)
    skip = batch.column(SKIP)
    if skip.null_count < rows:  # the reader's verdicts: preview, incomplete, ragged
        encoded = pc.dictionary_encode(skip, null_encoding="encode")
        codes = np.array(
            [1 + ROW_REASONS.index(text) if text else 0 for text in encoded.dictionary.to_pylist()],
            dtype=np.int8,
        )
        reason = codes[encoded.indices.to_numpy(zero_copy_only=False)]
    key = _keys(batch, export)
    reason[(reason == 0) & key.is_null().to_numpy(zero_copy_only=False)] = 1 + ROW_REASONS.index(
        "missing_id"
    )
    submitted = _submitted(batch, export)
    if (at := export.index_of("submitted")) is not None:
        text = batch.column(at)
        blank_text = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True)
        unreadable = submitted.is_null().to_numpy(zero_copy_only=False) & ~blank_text.to_numpy(
            zero_copy_only=False
        )
        reason[(reason == 0) & unreadable] = 1 + ROW_REASONS.index("bad_date")
    touchpoint, problems = _link_touchpoints(batch, export, resolve)
    answers: dict[str, pa.Array] = {}
    blank = np.zeros(rows, dtype=np.int16)
    for index, target in targets.items():
        column = batch.column(index)
        header = export.columns[index].header
        values, cell_problems, blanks = _answers(column, target, lines, header)
        blank += blanks
        if target.touchpoint == ROW_TOUCHPOINT:  # no touchpoint known: the answer can't be placed
            values = pc.if_else(touchpoint.is_null(), pa.nulls(rows, values.type), values)
        answers[target.name] = _merge(answers.get(target.name), values)
        problems += cell_problems
    return _Batch(lines, key, submitted, touchpoint, reason, answers, problems, blank)


def _read_ahead(batches: Iterator[pa.RecordBatch], depth: int = 1) -> Iterator[pa.RecordBatch]:
    """The export's batches, read on a thread while the previous one is checked.

    Arrow's CSV parser and numpy release the GIL, so reading and checking overlap on
    two cores. A reader's error (a damaged file) surfaces here, in the caller.
    """
    queue: Queue[pa.RecordBatch | BaseException | None] = Queue(maxsize=depth)

    def read() -> None:
        try:
            for batch in batches:
                queue.put(batch)
        except BaseException as error:  # handed over, raised in the caller's thread
            queue.put(error)
        queue.put(None)

    Thread(target=read, name="tpkit-export-reader", daemon=True).start()
    while (item := queue.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item


def _merge(earlier: pa.Array | None, values: pa.Array) -> pa.Array:
    """Two columns answering the same target (a form asking twice): the first answer wins."""
    return values if earlier is None else pc.coalesce(earlier, values)


def _keys(batch: pa.RecordBatch, export: Export) -> pa.Array:
    at = export.index_of("response_id")
    if at is None:  # no ids (Google Forms): a response is known by what it says
        digest = [
            hashlib.blake2b("\x1f".join(map(str, row.values())).encode(), digest_size=8).hexdigest()
            for row in batch.drop_columns([LINE, SKIP]).to_pylist()
        ]
        return pa.array(digest, pa.string())
    ids = pc.utf8_trim_whitespace(batch.column(at))
    return pc.if_else(pc.equal(ids, ""), pa.nulls(len(ids), pa.string()), ids)


def _submitted(batch: pa.RecordBatch, export: Export) -> pa.Array:
    at = export.index_of("submitted")
    if at is None:
        return pa.nulls(batch.num_rows, _STAMP)
    return export.parse_submitted(batch.column(at))


def _link_touchpoints(
    batch: pa.RecordBatch, export: Export, resolve: dict[str, str]
) -> tuple[pa.Array, list[Skipped]]:
    """The touchpoint each response's link names; an unknown one is reported."""
    at = export.index_of("touchpoint")
    if at is None:
        return pa.nulls(batch.num_rows, pa.string()), []
    column = batch.column(at)
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    texts = encoded.dictionary.to_pylist()
    ids = pa.array([resolve.get(normalise_label(t or "")) for t in texts], pa.string())
    resolved = ids.take(encoded.indices)
    unknown = [i for i, t in enumerate(texts) if t and t.strip() and ids[i].as_py() is None]
    problems: list[Skipped] = []
    if unknown:
        bad = pc.is_in(encoded.indices, value_set=pa.array(unknown, encoded.indices.type))
        lines = batch.column(LINE).filter(bad).to_pylist()
        values = column.filter(bad).to_pylist()
        header = export.columns[at].header
        problems = [
            Skipped(line, "unknown_touchpoint", header, value)
            for line, value in zip(lines, values, strict=True)
        ]
    return resolved, problems


def _answers(
    column: pa.Array, target: Target, lines: pa.Array, header: str
) -> tuple[pa.Array, list[Skipped], np.ndarray]:
    """One question column as stored values, the cells that could not be used, and
    which cells were blank."""
    measure = MEASURES.get(target.measure)
    if measure is None or not measure.is_score:  # free text, or kept personal data
        text = pc.utf8_trim_whitespace(column)
        text = pc.if_else(pc.equal(text, ""), pa.nulls(len(text), pa.string()), text)
        return text, [], text.is_null().to_numpy(zero_copy_only=False)
    scores = np.full(len(column), np.nan, dtype=np.float32)
    digit, single = _one_digit_cells(column)
    plain = single & (digit >= measure.low) & (digit <= measure.high)
    scores[plain] = digit[plain]
    rest = np.flatnonzero(~plain)  # blanks, labels, '10', '4,5', and what is wrong
    problems: list[Skipped] = []
    blanks = np.zeros(len(column), dtype=bool)
    if rest.size:
        encoded = pc.dictionary_encode(column.take(pa.array(rest)), null_encoding="encode")
        texts = encoded.dictionary.to_pylist()
        judged = [interpret(text, measure) for text in texts]
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        table = np.array([np.nan if v is None else v for v, _ in judged], dtype=np.float32)
        scores[rest] = table[indices]
        reasons = np.array([_CELL_CODES.get(r or "", 0) for _, r in judged], dtype=np.int8)
        empty = np.array([r == "empty" for _, r in judged], dtype=bool)
        blanks[rest] = empty[indices]
        problems = [
            Skipped(
                int(lines[int(rest[i])].as_py()),
                CELL_REASONS[reasons[indices[i]] - 1],
                header,
                texts[indices[i]] or "",
            )
            for i in np.flatnonzero(reasons[indices] != _NO_REASON)
        ]
    return pa.array(scores, from_pandas=True), problems, blanks  # NaN → null


def _one_digit_cells(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The value of every cell that is one digit ('1' … '5': nearly all answers), read
    straight from Arrow's buffers, and which cells those are; the rest go through
    :func:`interpret` once per distinct text."""
    rows = len(column)
    if not pa.types.is_string(column.type) or rows == 0:
        return np.zeros(rows, dtype=np.float32), np.zeros(rows, dtype=bool)
    _, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32)[column.offset : column.offset + rows + 1]
    single = np.diff(offsets) == 1
    if column.null_count:
        single &= column.is_valid().to_numpy(zero_copy_only=False)
    digit = np.zeros(rows, dtype=np.float32)
    if single.any():
        data = np.frombuffer(data_buffer, np.uint8)
        digit[single] = data[offsets[:-1][single]].astype(np.float32) - ord("0")
        single &= (digit >= 0) & (digit <= 9)
    return digit, single


def _combine(
    batches: list[_Batch], targets: dict[int, Target], source_name: str, form: str
) -> tuple[pa.Table, np.ndarray]:
    """All batches as one table in the store's layout, and each row's reason code."""
    names = list(dict.fromkeys(t.name for t in targets.values()))
    columns = {
        responses.RESPONSE: pa.chunked_array([b.key for b in batches], pa.string()),
        responses.SUBMITTED: pa.chunked_array([pc.cast(b.submitted, _STAMP) for b in batches]),
        responses.TOUCHPOINT: pa.chunked_array([b.touchpoint for b in batches], pa.string()),
        responses.LINE: pa.chunked_array([b.line for b in batches]),
    }
    table = pa.table(columns)
    constant = pa.array(np.zeros(table.num_rows, dtype=np.int32))
    for at, name, value in ((1, responses.FORM, form), (4, responses.SOURCE, source_name)):
        table = table.add_column(at, name, pa.DictionaryArray.from_arrays(constant, [value]))
    for name in names:
        table = table.append_column(name, pa.chunked_array([b.answers[name] for b in batches]))
    return table, np.concatenate([b.row_reason for b in batches])


def _first_occurrences(keys: pa.ChunkedArray, eligible: np.ndarray) -> np.ndarray:
    """True for the first eligible row of each response key; later copies are duplicates.

    A preview or unfinished row does not hide a later sound copy of itself. Dictionary
    encoding numbers keys in order of first appearance, so a row is a first occurrence
    exactly when its number exceeds every number before it: one hash pass, one scan.
    """
    if not eligible.all():
        keys = pc.if_else(pa.array(eligible), keys, pa.scalar(None, pa.string()))
    numbered = pc.dictionary_encode(keys)  # one dictionary across all chunks
    codes = np.concatenate([pc.fill_null(c.indices, -1).to_numpy() for c in numbered.chunks])
    seen_before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    valid = codes >= 0
    return ~valid | (codes > seen_before)


def _cell_skips(batches: list[_Batch], imported_lines: np.ndarray) -> list[Skipped]:
    """Cell problems of the rows being imported (a duplicate's cells are not news)."""
    problems = [problem for b in batches for problem in b.cell_problems]
    if not problems:
        return []
    keep = np.isin([problem.line for problem in problems], imported_lines)
    return [problem for problem, kept in zip(problems, keep, strict=True) if kept]


def _row_skips(lines: np.ndarray, row_reason: np.ndarray) -> list[Skipped]:
    where = np.flatnonzero(row_reason)
    return [Skipped(int(lines[i]), ROW_REASONS[row_reason[i] - 1]) for i in where]
