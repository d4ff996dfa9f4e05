"""Delimited text exports read record by record, whatever their bytes.

Arrow's streaming CSV reader parses the fields. Before it, a :class:`Scanner` reads the
raw bytes with numpy and hands them on: it knows where each record starts (its
physical line, 1-based) and ends, so quoted newlines, a lone ``\\r`` or an empty line
never shift a line number, and it finds the records that hold bytes which are no text
in the file's encoding — a NUL, an invalid UTF-8 sequence, a byte cp1252 leaves
undefined — or an opening quote that never closes. Those bytes are replaced before Arrow
sees them and their record is marked, so a bad byte costs its line, not the file, and
every other record keeps its true line number. A quote is taken as stray when the
quoted stretch it opens runs to the end of the file or past :data:`RUNAWAY` bytes; a
shorter stretch that swallows whole records is split again line by line
(:func:`split_swallowed`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from bisect import bisect_left
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

HEAD_BYTES = 1 << 20  # enough for any tool's header rows and a sample of records
RUNAWAY = 256 << 10  # a quoted stretch longer than this is a stray quote, not an answer
DELIMITERS = (",", ";", "\t")
MARK_NONE = -1  # a record without bad bytes
MARK_QUOTE = -2  # a record whose opening quote never closes
_LF, _CR, _QUOTE = 10, 13, 34
_PLACEHOLDER, _LITERAL_QUOTE = ord("?"), ord("'")  # what Arrow sees instead
_BOMS: tuple[tuple[bytes, str, str], ...] = (  # BOM, Python codec, numpy unit
    (codecs.BOM_UTF8, "utf-8", "u1"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "<u2"),
    (codecs.BOM_UTF16_BE, "utf-16-be", ">u2"),
)
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 13))


class NotText(ValueError):
    """The bytes are not a text file (an image, an archive, a program)."""


@dataclass(frozen=True)
class Encoding:
    """How a text file is encoded: Python codec, numpy code unit, byte order mark."""

    codec: str
    unit: str  # "u1", "<u2" or ">u2"
    bom: int  # bytes of the byte order mark

    @property
    def width(self) -> int:
        return np.dtype(self.unit).itemsize


def encoding_of(head: bytes) -> Encoding:
    """The encoding of a file whose first bytes are ``head``: a BOM; UTF-16 by its
    zeros; UTF-8 when its multi-byte characters outnumber invalid bytes; else cp1252,
    or Mac Roman when that reads as more plausible text."""
    for bom, codec, unit in _BOMS:
        if head.startswith(bom):
            return Encoding(codec, unit, len(bom))
    even, odd = head[0:2000:2], head[1:2000:2]
    if head and odd.count(0) > len(odd) // 3 and not even.count(0):
        return Encoding("utf-16-le", "<u2", 0)
    if head and even.count(0) > len(even) // 3 and not odd.count(0):
        return Encoding("utf-16-be", ">u2", 0)
    if sum(head.count(bytes([c])) for c in _CONTROLS) * 10 > len(head):
        raise NotText
    whole = head if len(head) < HEAD_BYTES else head[: len(head) - 3]  # no cut character
    text = whole.decode("utf-8", "replace")
    invalid = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if invalid <= non_ascii - invalid:
        return Encoding("utf-8", "u1", 0)
    roman = _plausibility(head.decode("mac_roman", "replace"))
    if roman > _plausibility(head.decode("cp1252", "replace")):
        return Encoding("mac_roman", "u1", 0)
    return Encoding("cp1252", "u1", 0)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plausibility(text: str) -> int:
    """How much a decoding reads like text: accented letters that fit their word count
    for it, capitals inside lower-case words and symbols inside words against it."""
    score = 0
    for match in _NON_ASCII.finditer(text):
        at = match.start()
        char, before = match.group(), text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if char.isalpha():
            score += -2 if char.isupper() and before.islower() else 1
        elif before.isalpha() and after.isalpha():
            score -= 2
    return score


def sniff(text: str) -> tuple[str, list[list[str]]]:
    """The delimiter that splits the first records into the most, equally long rows."""
    best: tuple[tuple[int, int, int], str, list[list[str]]] | None = None
    for delimiter in DELIMITERS:
        rows = first_records(text, delimiter, 6)
        if not rows:
            continue
        width = len(rows[0])
        same = sum(len(row) == width for row in rows[1:])
        score = (int(width > 1), same, width)
        if best is None or score > best[0]:
            best = (score, delimiter, rows)
    if best is None or len(best[2][0]) < 2 or (len(best[2]) > 1 and not best[0][1]):
        raise ValueError("not a table")
    return best[1], best[2]


def first_records(text: str, delimiter: str, count: int) -> list[list[str]]:
    """The first ``count`` non-empty records of ``text``, quotes and newlines honoured."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) == count:
                break
    except csv.Error:
        pass
    return rows


# --- bad bytes ---------------------------------------------------------------------------

_found = threading.local()


def _collect(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _found.spans.append((error.start, error.end))
    return "\ufffd", error.end


codecs.register_error("tpkit-collect", _collect)


def _undecodable(data: bytes, codec: str, final: bool) -> tuple[list[tuple[int, int]], int]:
    """Byte spans of ``data`` that are not text in ``codec``, and how many bytes could be
    judged (a character cut at the end waits for the next chunk unless ``final``)."""
    decode = {
        "utf-8": codecs.utf_8_decode,
        "utf-16-le": codecs.utf_16_le_decode,
        "utf-16-be": codecs.utf_16_be_decode,
    }.get(codec)
    if decode is None:  # one byte per character: nothing is ever cut
        try:
            data.decode(codec)
            return [], len(data)
        except UnicodeDecodeError:
            _found.spans = []
            data.decode(codec, "tpkit-collect")
            return _found.spans, len(data)
    try:
        return [], decode(data, "strict", final)[1]
    except UnicodeDecodeError:
        _found.spans = []
        return _found.spans, decode(data, "tpkit-collect", final)[1]


# --- the scanner ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Records:
    """Consecutive records of a file: where each starts and ends, and what is wrong."""

    start: np.ndarray  # its first physical line, 1-based
    last: np.ndarray  # the line it ends on
    begin: np.ndarray  # offset of its first code unit (after the previous record)
    end: np.ndarray  # offset after its terminating line break
    mark: np.ndarray  # MARK_NONE, MARK_QUOTE, or the first bad code unit found in it

    def __len__(self) -> int:
        return len(self.start)


class Scanner:
    """Reads a delimited text file once, ahead of Arrow, record by record.

    :meth:`take` gives the next records' lines, offsets and marks; :meth:`serve` gives
    Arrow the bytes, with bad bytes and stray quotes replaced, never past the point
    where the scanner has settled every question about them. While Arrow parses a
    block, the next one is scanned on a worker thread (numpy releases the GIL), so the
    scan costs little time on two cores.
    """

    def __init__(
        self, stream: BinaryIO, encoding: Encoding, delimiter: str, chunk: int = 1 << 20
    ) -> None:
        self._stream, self._encoding = stream, encoding
        self._dtype = np.dtype(encoding.unit)
        self._width = self._dtype.itemsize
        self._chunk = max(chunk - chunk % self._width, self._width)
        self._field_starts = np.array([ord(delimiter), _LF, _CR], self._dtype)
        bom = encoding.bom // self._width
        self._held = bytearray()  # raw bytes from unit _held_from on
        self._held_from = 0
        self._eof = False
        self._finished = False
        self._scanned = bom  # units scanned for records
        self._checked = encoding.bom  # bytes checked for bad bytes
        self._lines = 0  # line breaks before _scanned
        self._quoted = 0  # 1 inside a quoted field
        self._stretch: tuple[int, int] | None = None  # (opening quote, breaks before it)
        self._previous = _LF  # the unit before _scanned
        self._first_unit = bom
        self._record_line = 1
        self._record_begin = bom
        self._bad: list[tuple[int, int]] = []  # (unit, its value) not yet on a record
        self._open_quote = False  # the open record's quote was found stray
        self._fixes: dict[int, int] = {}  # unit → what Arrow sees there
        self._fix_order: list[int] = []
        self._queue: deque[Records] = deque()
        self._queued = 0
        self._served = 0  # units handed to Arrow
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="tpkit-scanner")
        self._ahead: Future[None] | None = None

    # -- what the reader asks for --

    def take(self, count: int) -> Records:
        """The next ``count`` records (fewer at the end of the file)."""
        self._wait()
        while self._queued < count and not self._finished:
            self._step()
        parts: list[Records] = []
        needed = count
        while needed and self._queue:
            first = self._queue[0]
            if len(first) <= needed:
                parts.append(self._queue.popleft())
            else:
                parts.append(_sliced(first, 0, needed))
                self._queue[0] = _sliced(first, needed, len(first))
            needed -= len(parts[-1])
        self._queued -= count - needed
        return _joined(parts)

    def rest(self) -> Records:
        """Every record not taken yet, to the end of the file."""
        self._wait()
        while not self._finished:
            self._step()
        return self.take(self._queued)

    def start_serving(self, unit: int) -> None:
        """Arrow reads from ``unit`` on (the first data record)."""
        self._wait()
        self._served = unit
        self._trim()

    def serve(self, size: int) -> bytes:
        """Up to ``size`` bytes for Arrow, settled: checked for bad bytes, and with every
        quote they hold known to be a real one or a stray one."""
        units = max(size // self._width, 1)
        self._wait()
        self._settle(units)
        end = min(self._settled(), self._served + units)
        data = self._bytes(self._served, end)
        first = bisect_left(self._fix_order, self._served)
        if first < len(self._fix_order) and self._fix_order[first] < end:  # rare: fix a copy
            fixed = bytearray(data)
            for at in self._fix_order[first:]:
                if at >= end:
                    break
                offset = (at - self._served) * self._width
                fixed[offset : offset + self._width] = np.array(
                    [self._fixes[at]], self._dtype
                ).tobytes()
            data = bytes(fixed)
        self._served = end
        self._trim()
        if not self._finished:  # the next block, scanned while Arrow parses this one
            self._ahead = self._worker.submit(self._settle, units)
        return data

    def close(self) -> None:
        """Stop scanning ahead (the reader is done, or gave up)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and not ahead.cancel():
            ahead.exception()  # waits for it; its error no longer matters
        self._worker.shutdown(wait=True)

    def _settle(self, units: int) -> None:
        while not self._finished and self._settled() - self._served < units:
            self._step()
        if self._finished:
            self._worker.shutdown(wait=False)

    def _wait(self) -> None:
        if self._ahead is not None:
            ahead, self._ahead = self._ahead, None
            ahead.result()  # a scanning error surfaces in the reader's thread

    def _bytes(self, start: int, end: int) -> bytes:
        """The held bytes of units ``start`` to ``end``, copied once."""
        first = (start - self._held_from) * self._width
        with memoryview(self._held) as view:
            return bytes(view[first : first + (end - start) * self._width])

    # -- scanning --

    def _settled(self) -> int:
        settled = min(self._scanned, self._checked // self._width)
        return min(settled, self._stretch[0]) if self._stretch else settled

    def _trim(self) -> None:
        keep = min(self._served, self._settled())
        if keep > self._held_from:
            del self._held[: (keep - self._held_from) * self._width]
            self._held_from = keep

    def _units(self, start: int, end: int) -> np.ndarray:
        return np.frombuffer(self._bytes(start, end), self._dtype)

    def _step(self) -> None:
        """Read a chunk (unless the file is read) and scan what it completes."""
        if not self._eof:
            data = self._stream.read(self._chunk)
            if data:
                self._held += data
            else:
                self._eof = True
        available = self._held_from + len(self._held) // self._width
        end = available
        if not self._eof:  # a CR may pair with the next LF, a quote with the next quote
            while end > self._scanned and int(self._units(end - 1, end)[0]) in (_CR, _QUOTE):
                end -= 1
        self._check(end)
        if end > self._scanned:
            self._records(self._units(self._scanned, end))
            self._scanned = end
        if self._stretch and (
            (self._eof and self._scanned >= available)
            or (self._scanned - self._stretch[0]) * self._width > RUNAWAY
        ):
            self._unquote()
        elif self._eof and self._scanned >= available:
            self._finish(len(self._held) % self._width)

    def _check(self, end: int) -> None:
        """Find the bad bytes before unit ``end``: each is replaced for Arrow, and marks
        the record it belongs to when that record is scanned."""
        first = self._checked - self._held_from * self._width
        with memoryview(self._held) as view:
            data = bytes(view[first : (end - self._held_from) * self._width])
        if not data:
            return
        spans, judged = _undecodable(data, self._encoding.codec, self._eof)
        units = np.frombuffer(data[: len(data) - len(data) % self._width], self._dtype)
        base = self._checked // self._width
        bad = {(self._checked + at) // self._width for a, b in spans for at in range(a, b)}
        if b"\0" in data and (units == 0).any():  # memchr first: nearly never
            bad |= {base + int(i) for i in np.flatnonzero(units == 0)}
        for unit in sorted(bad):
            # (past the last whole unit: a character cut at the very end of the file)
            value = int(units[unit - base]) if unit - base < len(units) else data[-1]
            self._bad.append((unit, value))
            self._fix(unit, _PLACEHOLDER)
        self._checked += judged - judged % self._width

    def _fix(self, unit: int, replacement: int) -> None:
        if unit not in self._fixes:
            self._fix_order.insert(bisect_left(self._fix_order, unit), unit)
        self._fixes[unit] = replacement

    def _records(self, units: np.ndarray) -> None:
        """Push the records that end inside ``units``."""
        base = self._scanned
        breaks = np.flatnonzero(units == _LF)
        crs = np.flatnonzero(units == _CR)
        if crs.size:
            after = np.minimum(crs + 1, units.size - 1)
            lone = crs[(crs + 1 >= units.size) | (units[after] != _LF)]
            breaks = np.union1d(breaks, lone)
        quoted = self._quoted  # before these units
        crossed = self._toggles_before(units, base, breaks)
        if crossed is not None:
            ends_at = np.flatnonzero(((quoted + crossed) & 1) == 0)
        elif quoted:
            ends_at = np.empty(0, np.int64)
        else:
            ends_at = np.arange(breaks.size)
        position = breaks[ends_at]
        if position.size:
            line = self._lines + ends_at + 1  # the line each record's last break ends
            begin = np.empty(position.size, np.int64)
            begin[0] = self._record_begin - base
            begin[1:] = position[:-1] + 1
            start = np.empty(position.size, np.int64)
            start[0] = self._record_line
            start[1:] = line[:-1] + 1
            end = position
            if crs.size:  # a CR LF record's content ends before the CR
                end = position - ((position > 0) & (units[np.maximum(position - 1, 0)] == _CR))
            marks = self._marks(base + position)
            content = end > begin
            self._push(
                Records(
                    start[content],
                    line[content],
                    base + begin[content],
                    base + position[content] + 1,
                    marks[content],
                )
            )
            self._record_line = int(line[-1]) + 1
            self._record_begin = base + int(position[-1]) + 1
        self._lines += breaks.size
        if units.size:
            self._previous = int(units[-1])

    def _toggles_before(
        self, units: np.ndarray, base: int, breaks: np.ndarray
    ) -> np.ndarray | None:
        """For each line break in ``units``, how many quotes before it open or close a
        quoted field (None: ``units`` holds no quote); leaves ``_quoted`` and
        ``_stretch`` as they are after ``units``.

        A run of consecutive quotes counts all its quotes when it is inside a quoted
        field or starts a field; a run inside an unquoted field ('9"') is literal, as
        Arrow reads it. Without a literal run every quote counts, so the count before a
        break is where it falls among the quotes: one vectorised pass settles nearly
        every file, and literal quotes are walked one by one.
        """
        at = np.flatnonzero(units == _QUOTE)
        if not at.size:
            return None
        first = np.flatnonzero(np.concatenate(([True], np.diff(at) > 1)))  # each run's first
        starts = at[first]
        before = units[np.maximum(starts - 1, 0)]
        if starts[0] == 0:
            before[0] = self._previous
        delimiter, lf, cr = self._field_starts  # (three comparisons beat np.isin here)
        field_start = (before == delimiter) | (before == lf) | (before == cr)
        field_start |= starts + base == self._first_unit
        parity = (self._quoted + first) & 1  # 1: the run starts inside a quoted field
        literal = (parity == 0) & ~field_start
        if literal.any():
            lengths = np.diff(np.concatenate((first, [at.size])))
            toggles = self._walk_literal(lengths, parity, field_start, int(np.argmax(literal)))
            counted = toggles > 0
            parity = (self._quoted + np.concatenate(([0], np.cumsum(toggles)[:-1]))) & 1
            starts, parity, toggles = starts[counted], parity[counted], toggles[counted]
            crossed = np.concatenate(([0], np.cumsum(toggles)))[np.searchsorted(starts, breaks)]
            total = int(toggles.sum())
        else:
            crossed, total = np.searchsorted(at, breaks), at.size
        self._quoted = (self._quoted + total) & 1
        if not self._quoted:
            self._stretch = None
        else:  # the last counted run that starts outside opened the field still open
            outside = np.flatnonzero(parity == 0)
            if outside.size:
                quote = int(starts[outside[-1]])
                self._stretch = (base + quote, self._lines + int(np.searchsorted(breaks, quote)))
        return crossed

    @staticmethod
    def _walk_literal(
        lengths: np.ndarray, parity: np.ndarray, field_start: np.ndarray, first: int
    ) -> np.ndarray:
        """How many toggles each run counts, walking from the first literal run on."""
        toggles = lengths.copy()
        state = int(parity[first])
        for k in range(first, lengths.size):
            if state == 0 and not field_start[k]:
                toggles[k] = 0
            else:
                state = (state + int(lengths[k])) & 1
        return toggles

    def _marks(self, ends: np.ndarray) -> np.ndarray:
        """The mark of each record ending at unit ``ends``; bad bytes after the last
        one stay for the record still open."""
        marks = np.full(ends.size, MARK_NONE, np.int64)
        if self._open_quote:
            marks[0], self._open_quote = MARK_QUOTE, False
        if self._bad:
            units = np.array([u for u, _ in self._bad])
            inside = units <= ends[-1]
            for index, (_, value) in zip(
                np.searchsorted(ends, units[inside]),
                [b for b, keep in zip(self._bad, inside, strict=True) if keep],
                strict=True,
            ):
                if marks[index] == MARK_NONE:
                    marks[index] = value
            self._bad = [b for b, keep in zip(self._bad, inside, strict=True) if not keep]
        return marks

    def _unquote(self) -> None:
        """The open stretch's quote is stray: a literal for Arrow, a mark on its record,
        and everything after it scanned again as unquoted."""
        assert self._stretch is not None
        quote, lines = self._stretch
        self._fix(quote, _LITERAL_QUOTE)
        self._open_quote = True
        self._scanned, self._lines, self._quoted = quote + 1, lines, 0
        self._stretch, self._previous = None, _QUOTE
        self._checked = min(self._checked, (quote + 1) * self._width)
        self._bad = [(u, v) for u, v in self._bad if u < quote]

    def _finish(self, partial: int) -> None:
        """The last record, when the file does not end with a line break."""
        if partial:  # half a UTF-16 character at the very end
            self._bad.append((self._scanned, self._held[-1]))
        if self._scanned > self._record_begin:
            one = np.ones(1, np.int64)
            mark = self._marks(one * self._scanned)
            self._push(
                Records(
                    one * self._record_line,
                    one * (self._lines + 1),
                    one * self._record_begin,
                    one * self._scanned,
                    mark,
                )
            )
        self._finished = True

    def _push(self, records: Records) -> None:
        if len(records):
            self._queue.append(records)
            self._queued += len(records)


def _sliced(records: Records, start: int, stop: int) -> Records:
    return Records(*(getattr(records, f)[start:stop] for f in Records.__dataclass_fields__))


def _joined(parts: list[Records]) -> Records:
    if len(parts) == 1:
        return parts[0]
    fields = Records.__dataclass_fields__
    if not parts:
        return Records(*(np.empty(0, np.int64) for _ in fields))
    return Records(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))


class ArrowView(io.RawIOBase):
    """The scanner's settled bytes as a file Arrow reads, transcoded to UTF-8."""

    def __init__(self, scanner: Scanner, codec: str) -> None:
        self._scanner = scanner
        self._decoder = None if codec == "utf-8" else codecs.getincrementaldecoder(codec)("replace")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = size if size and size > 0 else 1 << 20
        if self._decoder is None:
            return self._scanner.serve(size)
        while len(self._pending) < size:
            raw = self._scanner.serve(size)
            self._pending += self._decoder.decode(raw, final=not raw).encode("utf-8")
            if not raw:
                break
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def describe_mark(mark: int, encoding: Encoding) -> str:
    """A bad code unit as a user reads it: 'NUL', '0xFF'."""
    if mark == 0:
        return "NUL"
    return f"0x{mark:0{2 * encoding.width}X}"


# --- records a stray quote swallowed ---------------------------------------------------

_BREAK = re.compile(r"\r\n|\r|\n")


def physical_lines(text: str, first: int) -> list[tuple[int, str]]:
    """A record's raw text as (line number, line): leading empty lines dropped, the
    first non-empty one numbered ``first``."""
    lines = _BREAK.split(text)
    while lines and not lines[0]:
        lines.pop(0)
    return [(first + i, line) for i, line in enumerate(lines)]


def swallows(cells: list[str | None], width: int, delimiter: str) -> bool:
    """Whether a multi-line value holds whole records: a line of it splits into as many
    fields as the header has. A stray quote, not a long answer."""
    if width < 3:
        return False
    for cell in cells:
        if cell and ("\n" in cell or "\r" in cell):
            for line in _BREAK.split(cell)[1:]:
                if len(line.split(delimiter)) >= width:
                    return True
    return False


Row = tuple[int, list[str] | None, str | None]  # line, cells (None: skipped), reason


def split_swallowed(lines: list[tuple[int, str]], width: int, delimiter: str) -> list[Row]:
    """A record that a stray quote made swallow the lines after it, read again: its
    first line is reported (the quote is there), and the lines after it are read as
    records of their own, again and again while another stray quote swallows more."""
    found: list[Row] = []
    pending = lines
    while pending:
        found.append((pending[0][0], None, "unterminated_quote"))
        rest, pending = pending[1:], []
        texts = [text + "\n" for _, text in rest]
        reader = csv.reader(iter(texts), delimiter=delimiter, strict=False)
        while True:
            before = reader.line_num
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:
                pending = rest[before:]
                break
            after = reader.line_num
            if not cells or cells == [""]:
                continue
            number = rest[before][0]
            multi = after - before > 1
            if multi and (len(cells) != width or swallows(cells, width, delimiter)):
                pending = rest[before:]
                break
            found.append((number, cells, None) if len(cells) == width else (number, None, "ragged"))
    return found
