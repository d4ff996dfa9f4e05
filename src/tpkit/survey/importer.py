"""Import a survey export into a workbook's responses: check every cell, keep what is
sound, report the rest by line, and store nothing the kit is unsure of.

Two steps over one reading of the file. :func:`scan_export` reads the export once:
every row's id, time, link and the reader's verdict, and every question column's
answers as small codes — a one-digit answer is its digit, any other text a number given
once per *distinct* text — so that the proposal (:mod:`tpkit.survey.proposal`) can read
each column's scale from its answers. :func:`store` then reads the codes on the chosen
scales (one look-up per distinct text, spread back with one ``take``), reports every row
and cell it cannot use with its line and reason, and stores the rest; importing an
export again with a changed mapping replaces its earlier answers. :func:`import_export`
does both and stores only when the proposal is confident, or confirmed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from queue import Empty, Full, Queue
from threading import Event, Thread
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tpkit.i18n import plural
from tpkit.model import Workbook
from tpkit.survey import responses
from tpkit.survey.export import LINE, SKIP, Export
from tpkit.survey.mapping import ROW_TOUCHPOINT, Target, mapping_digest, personal_columns
from tpkit.survey.measures import MEASURES, normalise_label
from tpkit.survey.proposal import Proposal, propose, read_mapping_file
from tpkit.survey.scales import SCALES, Answers, is_not_answered, read_answer, stored_value

# Why a row is not imported, in the order a row is judged; each is a message key
# survey.reason.<name>. The first ones come from the reader (tpkit.survey.formats).
ROW_REASONS = (
    "preview",
    "spam",
    "incomplete",
    "summary",
    "bad_bytes",
    "unterminated_quote",
    "unreadable",
    "ragged",
    "missing_id",
    "bad_date",
    "empty",
    "duplicate",
)
CELL_REASONS = ("not_a_number", "out_of_range", "unknown_touchpoint")
# Exclusions that are nobody's mistake (the tool's own previews, spam and unfinished
# responses, a spreadsheet's summary rows, empty or repeated responses): reported, and
# the import still counts as clean.
EXPECTED = frozenset({"preview", "spam", "incomplete", "summary", "empty", "duplicate"})
_STAMP = responses.FIXED_SCHEMA.field(responses.SUBMITTED).type
_BLANK = -1  # the code of an empty cell
_DIGITS = 10  # codes 0–9 are one-digit answers; others start here
FREE_TEXT = 1_000  # distinct texts beyond which a column is free text, kept as written


@dataclass(frozen=True)
class Skipped:
    """A row, or one cell of it, that was not imported, and why."""

    line: int
    reason: str
    column: str = ""  # the question header; empty for a whole row
    value: str = ""  # the text found, for cell reasons; a detail for some row reasons


@dataclass
class ImportResult:
    """What an import did: enough for the user to trust that nothing went missing."""

    source: Path
    tool: str
    proposal: Proposal
    status: Literal["stored", "dry_run", "needs_mapping"] = "needs_mapping"
    rows: int = 0  # data rows read from the export
    added: int = 0  # responses stored now (replacements included)
    already: int = 0  # stored by an earlier import with the same mapping: left as they were
    replaced: int = 0  # stored earlier with another mapping: replaced by this reading
    replaced_on: str = ""  # the day the earliest replaced response had been imported
    answers: int = 0  # answers stored (scores and texts)
    blank: int = 0  # questions left blank or "n/a" in the responses stored (not listed)
    skipped: list[Skipped] = field(default_factory=list)
    personal_left_out: list[str] = field(default_factory=list)  # headers not stored

    @property
    def fixable(self) -> list[Skipped]:
        """Skipped rows and answers the user can do something about."""
        return [skip for skip in self.skipped if skip.reason not in EXPECTED]

    def counted(self, language: str | None = None) -> dict[str, str]:
        """The figures every account of an import gives (the CLI, the notebook's form),
        as phrases with their numbers in ``language``: "1 row read", "12 rows read"."""
        numbers = {
            "rows": self.rows,
            "responses": self.added,
            "new_responses": self.added,
            "answers": self.answers,
            "already": self.already,
            "already_earlier": self.already,
            "blank": self.blank,
        }
        return {name: plural(f"survey.counts.{name}", n, language) for name, n in numbers.items()}


# --- one reading of the export --------------------------------------------------------


@dataclass
class _Rows:
    """One record batch, reduced to what every row needs: numbers and short strings."""

    line: np.ndarray  # int32
    key: pa.Array  # response key, null when missing
    submitted: pa.Array
    touchpoint: pa.Array  # resolved touchpoint id of the link, null when none
    reason: np.ndarray  # int8 index into ("", *ROW_REASONS)
    details: dict[int, str]  # row → detail of its reason (the byte found, …)
    link_problems: list[Skipped]


class _Codes:
    """One question column's answers over the whole export, as small integer codes."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] | None = []  # int16 codes per batch
        self.texts: dict[str, int] = {}  # distinct other text (trimmed) → code
        self.raw: list[pa.Array] | None = None  # free text: the trimmed texts as written

    def add(self, column: pa.Array) -> None:
        if self.raw is not None:
            self.raw.append(_trimmed(column))
            return
        digit, single = _one_digit_cells(column)
        codes = np.full(len(column), _BLANK, dtype=np.int16)
        codes[single] = digit[single]
        rest = ~single
        if column.null_count:
            rest &= column.is_valid().to_numpy(zero_copy_only=False)
        where = np.flatnonzero(rest)
        if where.size:
            encoded = pc.dictionary_encode(column.take(pa.array(where)))
            local = np.array([self._code(t) for t in encoded.dictionary.to_pylist()], np.int16)
            codes[where] = local[encoded.indices.to_numpy(zero_copy_only=False)]
        assert self.parts is not None
        self.parts.append(codes)
        if len(self.texts) > FREE_TEXT:
            self._become_free_text()

    def _code(self, text: str) -> int:
        stripped = text.strip()
        if not stripped:
            return _BLANK
        if len(stripped) == 1 and stripped.isdigit() and stripped.isascii():
            return int(stripped)
        return self.texts.setdefault(stripped, _DIGITS + len(self.texts))

    def _texts(self) -> list[str]:
        return [str(d) for d in range(_DIGITS)] + list(self.texts)

    def _become_free_text(self) -> None:
        lookup = pa.array(self._texts(), pa.string())
        assert self.parts is not None
        self.raw = [
            lookup.take(pa.array(codes.astype(np.int32), mask=codes == _BLANK))
            for codes in self.parts
        ]
        self.parts = None

    @property
    def codes(self) -> np.ndarray:
        """Every cell's code, in one array (joined once, after the last batch)."""
        assert self.parts is not None
        if len(self.parts) != 1:
            self.parts = [np.concatenate(self.parts) if self.parts else np.empty(0, np.int16)]
        return self.parts[0]

    def answers(self, rows: np.ndarray) -> Answers:
        """The distinct answers of the ``rows`` (a mask) and how often each was given:
        what the proposal reads."""
        if self.raw is not None:
            column = pa.chunked_array(self.raw, pa.string()).combine_chunks()
            counted = pc.value_counts(column.filter(pa.array(rows)))
            pairs = sorted(
                ((v, n) for v, n in zip(*_fields(counted), strict=True) if v is not None),
                key=lambda pair: -pair[1],
            )
            shown = dict(pairs[:FREE_TEXT])
            return Answers(shown, unlisted=sum(n for _, n in pairs[FREE_TEXT:]))
        texts = self._texts()
        counts = np.bincount(self.codes[rows] + 1, minlength=len(texts) + 1)[1:]
        return Answers({texts[c]: int(n) for c, n in enumerate(counts) if n})

    def answered(self) -> np.ndarray:
        """Per row: whether the cell holds an answer (not blank, not "n/a")."""
        if self.raw is not None:
            column = pa.chunked_array(self.raw, pa.string())
            return column.is_valid().to_numpy(zero_copy_only=False)
        lookup = np.array([not is_not_answered(t) for t in self._texts()] + [False])
        return lookup[self.codes]

    def read(
        self, target: Target, lines: np.ndarray, header: str
    ) -> tuple[pa.Array, np.ndarray, list[Skipped]]:
        """The column on ``target``'s scale: stored values, which cells were blank, and
        the cells that could not be used."""
        spec = MEASURES[target.measure]
        if not spec.is_score:
            if self.raw is not None:
                values = pa.chunked_array(self.raw, pa.string()).combine_chunks()
            else:
                texts = [None if is_not_answered(t) else t for t in self._texts()]
                lookup = pa.array([*texts, None], pa.string())
                codes = self.codes.astype(np.int64)
                codes[codes == _BLANK] = len(texts)
                values = lookup.take(pa.array(codes))
            return values, values.is_null().to_numpy(zero_copy_only=False), []
        scale = SCALES[target.scale]
        texts = self._texts() if self.raw is None else None
        if texts is None:  # free text answering a score: every text judged once
            column = pa.chunked_array(self.raw, pa.string()).combine_chunks()
            encoded = pc.dictionary_encode(column, null_encoding="encode")
            texts = [t if t is not None else "" for t in encoded.dictionary.to_pylist()]
            codes = encoded.indices.to_numpy(zero_copy_only=False)
        else:
            codes = self.codes  # int16; -1 (a blank) picks the last entry of each table
        judged = [read_answer(text, scale) for text in texts]
        values = np.array(
            [np.nan if v is None else stored_value(v, scale, target.measure) for v, _ in judged]
            + [np.nan],
            dtype=np.float32,
        )
        reasons = [r for _, r in judged]
        blank = np.array([r == "empty" for r in reasons] + [True])
        bad = np.array([r not in (None, "empty") for r in reasons] + [False])
        problems = []
        if bad.any():
            where = np.flatnonzero(bad[codes])
            problems = [
                Skipped(int(lines[i]), str(reasons[codes[i]]), header, texts[codes[i]])
                for i in where
            ]
        return pa.array(values[codes], from_pandas=True), blank[codes], problems  # NaN → null


def _fields(counted: pa.StructArray) -> tuple[list, list]:
    return counted.field("values").to_pylist(), counted.field("counts").to_pylist()


def _trimmed(column: pa.Array) -> pa.Array:
    text = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(text, ""), pa.nulls(len(text), pa.string()), text)


@dataclass
class Scan:
    """An export read once: every row's verdict, every question column's answers."""

    export: Export
    form: str  # tool and a fingerprint of the questions: the same form exported again
    rows: list[_Rows]
    questions: dict[int, _Codes]
    personal: dict[int, list[pa.Array]]  # kept personal data (only when asked)

    def answers(self) -> dict[int, Answers]:
        """Each question column's answers in the rows that may be imported: a preview's,
        a spam response's or a ragged row's do not decide a scale."""
        if self.rows:
            eligible = np.concatenate([r.reason for r in self.rows]) == 0
        else:
            eligible = np.zeros(0, dtype=bool)
        return {index: codes.answers(eligible) for index, codes in self.questions.items()}


def scan_export(export: Export, workbook: Workbook, *, keep_personal_data: bool = False) -> Scan:
    """Read the whole export once, keeping what the proposal and the store need."""
    _lean_memory_pool()
    resolve = _touchpoint_resolver(workbook)
    questions = {i: _Codes() for i, c in enumerate(export.columns) if c.role == "question"}
    personal: dict[int, list[pa.Array]] = (
        {i: [] for i in personal_columns(export)} if keep_personal_data else {}
    )
    rows = []
    for batch in _read_ahead(export.batches):
        rows.append(_read_rows(batch, export, resolve))
        for index, codes in questions.items():
            codes.add(batch.column(index))
        for index, parts in personal.items():
            parts.append(_trimmed(batch.column(index)))
    return Scan(export, _form_of(export), rows, questions, personal)


# --- deciding and storing -------------------------------------------------------------


def import_export(
    export: Export,
    workbook: Workbook,
    workbook_path: str | os.PathLike[str],
    *,
    mapping_file: Path | None = None,
    accept: bool = False,
    keep_personal_data: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Read an export, propose (or read) its mapping, and store it if the mapping can
    be trusted: confident, confirmed with ``accept``, or given as a mapping file."""
    scan = scan_export(export, workbook, keep_personal_data=keep_personal_data)
    answers = scan.answers()
    if mapping_file is not None:
        proposal = read_mapping_file(mapping_file, export, answers, workbook)
    else:
        proposal = propose(export, answers, workbook)
        if accept:
            proposal = proposal.accepted()
    trusted = mapping_file is not None or accept or proposal.ready
    if not trusted or not proposal.mapping():
        return ImportResult(export.source, export.tool, proposal)
    return store(scan, proposal, workbook_path, dry_run=dry_run)


def store(
    scan: Scan,
    proposal: Proposal,
    workbook_path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
) -> ImportResult:
    """Read every mapped column on its scale and store the sound responses.

    A response is left out (and reported with its line) when the reader or the tool
    marks it, when it has no id or an unreadable date, when every question is blank, or
    when an earlier row had the same id; a cell that cannot be read is reported and left
    blank. Responses stored before from the same export are kept as they were when the
    mapping is the same, and replaced when it changed.
    """
    export = scan.export
    result = ImportResult(export.source, export.tool, proposal)
    kept_personal = list(scan.personal)
    result.personal_left_out = [
        export.columns[i].header for i in personal_columns(export) if i not in kept_personal
    ]
    result.status = "dry_run" if dry_run else "stored"
    if not scan.rows:
        return result
    mapping = proposal.mapping()
    lines = np.concatenate([r.line for r in scan.rows])
    reason = np.concatenate([r.reason for r in scan.rows])
    result.rows = len(lines)
    answered = np.zeros(len(lines), dtype=bool)
    for codes in scan.questions.values():
        answered |= codes.answered()
    reason[(reason == 0) & ~answered] = _code("empty")
    keys = pa.chunked_array([r.key for r in scan.rows], pa.string())
    first = _first_occurrences(keys, reason == 0)
    reason[(reason == 0) & ~first] = _code("duplicate")
    fresh = reason == 0

    digest = mapping_digest(mapping, export)
    table = _fixed_columns(scan, digest)
    problems: list[Skipped] = [p for r in scan.rows for p in r.link_problems]
    blank = np.zeros(len(lines), dtype=np.int32)
    answers: dict[str, pa.Array] = {}
    touchpoint_known = table.column(responses.TOUCHPOINT).is_valid().to_numpy(zero_copy_only=False)
    for index, target in mapping.items():
        values, blanks, cell_problems = scan.questions[index].read(
            target, lines, export.columns[index].header
        )
        if target.touchpoint == ROW_TOUCHPOINT:  # no link: the answer cannot be placed
            values = pc.if_else(
                pa.array(touchpoint_known), values, pa.nulls(len(values), values.type)
            )
        previous = answers.get(target.name)
        answers[target.name] = values if previous is None else pc.coalesce(previous, values)
        blank += blanks
        problems += cell_problems
    for index in kept_personal:
        answers[Target(export.columns[index].role, "").name] = pa.chunked_array(
            scan.personal[index], pa.string()
        ).combine_chunks()
    for name, values in answers.items():
        table = table.append_column(name, values)

    unchanged = responses.unchanged(
        workbook_path, scan.form, digest, table.column(responses.RESPONSE)
    )
    news = fresh & ~unchanged
    result.skipped = sorted(
        _row_skips(lines, reason, scan.rows) + _cell_skips(problems, lines[news]),
        key=lambda skip: skip.line,
    )
    result.blank = int(blank[news].sum())
    kept = table if fresh.all() else table.filter(pa.array(fresh))
    if dry_run:
        merged = responses.merge(responses.load(workbook_path), kept)
    else:
        merged = responses.append(workbook_path, kept, _described(proposal))
    result.added, result.already = merged.added, merged.already
    result.replaced, result.replaced_on = merged.replaced, merged.replaced_on
    stored_now = kept.filter(pa.array(~unchanged[fresh])) if unchanged.any() else kept
    result.answers = sum(
        stored_now.num_rows - stored_now.column(name).null_count
        for name in responses.answer_columns(stored_now)
    )
    return result


def _code(reason: str) -> int:
    return 1 + ROW_REASONS.index(reason)


def _fixed_columns(scan: Scan, digest: str) -> pa.Table:
    """The store's fixed columns for every row read, in the store's layout."""
    rows = scan.rows
    count = sum(len(r.line) for r in rows)
    table = pa.table(
        {
            responses.RESPONSE: pa.chunked_array([r.key for r in rows], pa.string()),
            responses.SUBMITTED: pa.chunked_array([pc.cast(r.submitted, _STAMP) for r in rows]),
            responses.TOUCHPOINT: pa.chunked_array([r.touchpoint for r in rows], pa.string()),
            responses.LINE: pa.chunked_array([pa.array(r.line, pa.int32()) for r in rows]),
        }
    )
    zeros = pa.array(np.zeros(count, dtype=np.int32))
    constants = (
        (1, responses.FORM, scan.form),
        (4, responses.SOURCE, scan.export.source.name),
        (6, responses.MAPPING, digest),
    )
    for at, name, value in constants:
        table = table.add_column(at, name, pa.DictionaryArray.from_arrays(zeros, [value]))
    now = pa.scalar(datetime.now(UTC), responses.FIXED_SCHEMA.field(responses.IMPORTED).type)
    return table.add_column(7, responses.IMPORTED, pa.repeat(now, count))


def _described(proposal: Proposal) -> dict[str, object]:
    """The mapping as the store keeps it in its metadata."""
    return {
        "source": proposal.source,
        "tool": proposal.tool,
        "columns": {
            c.key: (
                {
                    "measure": c.target.measure,
                    "touchpoint": c.target.touchpoint,
                    "scale": c.target.scale,
                }
                if c.target
                else "ignore"
            )
            for c in proposal.columns
        },
    }


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


def _read_rows(batch: pa.RecordBatch, export: Export, resolve: dict[str, str]) -> _Rows:
    rows = batch.num_rows
    lines = batch.column(LINE).to_numpy().astype(np.int32)  # as stored; half the memory
    reason = np.zeros(rows, dtype=np.int8)
    details: dict[int, str] = {}
    skip = batch.column(SKIP)
    if skip.null_count < rows:  # the reader's verdicts: preview, ragged, bad bytes, …
        encoded = pc.dictionary_encode(skip, null_encoding="encode")
        verdicts = [(text or "").partition(":") for text in encoded.dictionary.to_pylist()]
        codes = np.array([_code(r) if r else 0 for r, _, _ in verdicts], dtype=np.int8)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        reason = codes[indices]
        with_detail = [i for i, (_, _, detail) in enumerate(verdicts) if detail]
        for row in np.flatnonzero(np.isin(indices, with_detail)):
            details[int(row)] = verdicts[indices[row]][2]
    key = _keys(batch, export)
    missing = key.is_null().to_numpy(zero_copy_only=False)
    reason[(reason == 0) & missing] = _code("missing_id")
    submitted = _submitted(batch, export)
    if (at := export.index_of("submitted")) is not None:
        text = batch.column(at)
        blank_text = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True)
        unreadable = submitted.is_null().to_numpy(zero_copy_only=False) & ~blank_text.to_numpy(
            zero_copy_only=False
        )
        reason[(reason == 0) & unreadable] = _code("bad_date")
    touchpoint, problems = _link_touchpoints(batch, export, resolve)
    return _Rows(lines, key, submitted, touchpoint, reason, details, problems)


def _read_ahead(batches: Iterator[pa.RecordBatch], depth: int = 1) -> Iterator[pa.RecordBatch]:
    """The export's batches, read on a thread while the previous one is checked.

    Arrow's CSV parser and numpy release the GIL, so reading and checking overlap on
    two cores. A reader's error (a damaged file) surfaces here, in the caller. When the
    caller stops early, the thread is told to stop and is waited for, so no reader is
    left running inside Arrow when the process ends.
    """
    queue: Queue[pa.RecordBatch | BaseException | None] = Queue(maxsize=depth)
    stop = Event()

    def hand_over(item: pa.RecordBatch | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
        except BaseException as error:  # handed over, raised in the caller's thread
            hand_over(error)
        finally:
            close = getattr(batches, "close", None)
            if close:
                close()
        hand_over(None)

    thread = Thread(target=read, name="tpkit-export-reader", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get(timeout=0.05)
            except Empty:
                continue
        thread.join()


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


def _one_digit_cells(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The value of every cell that is one digit ('1' … '5': nearly all answers), read
    straight from Arrow's buffers, and which cells those are; the rest are coded once
    per distinct text."""
    rows = len(column)
    if not pa.types.is_string(column.type) or rows == 0:
        return np.zeros(rows, dtype=np.int16), np.zeros(rows, dtype=bool)
    _, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32)[column.offset : column.offset + rows + 1]
    single = np.diff(offsets) == 1
    if column.null_count:
        single &= column.is_valid().to_numpy(zero_copy_only=False)
    digit = np.zeros(rows, dtype=np.int16)
    if single.any():
        data = np.frombuffer(data_buffer, np.uint8)
        digit[single] = data[offsets[:-1][single]].astype(np.int16) - ord("0")
        single &= (digit >= 0) & (digit <= 9)
    return digit, single


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


def _cell_skips(problems: list[Skipped], imported_lines: np.ndarray) -> list[Skipped]:
    """Cell problems of the rows being stored now (a duplicate's cells are not news)."""
    if not problems:
        return []
    keep = np.isin([problem.line for problem in problems], imported_lines)
    return [problem for problem, kept in zip(problems, keep, strict=True) if kept]


def _row_skips(lines: np.ndarray, reason: np.ndarray, rows: list[_Rows]) -> list[Skipped]:
    details: dict[int, str] = {}
    offset = 0
    for part in rows:
        details.update({offset + row: detail for row, detail in part.details.items()})
        offset += len(part.line)
    return [
        Skipped(int(lines[i]), ROW_REASONS[reason[i] - 1], "", details.get(int(i), ""))
        for i in np.flatnonzero(reason)
    ]
