"""Reading survey tools' own exports: which tool wrote the file, which column is what.

:func:`read_export` looks at the first records of a file and recognises Google
Forms, Microsoft Forms, SurveyMonkey, Qualtrics, Typeform and LimeSurvey exports
by their fixed column names (in any of the four languages where the tool
translates them), and reads any other CSV or xlsx table by guessing roles from its
header names. It knows nothing about touchpoints or answers: that is the import's
job (:mod:`tpkit.survey.importer`).

Text files stream through Arrow's CSV reader; the physical line where each record
starts is counted separately from the raw bytes with numpy (:class:`_RecordLines`),
so quoted newlines, a lone ``\\r`` or an empty line never shift a line number.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tpkit.errors import TpkitError
from tpkit.survey.dates import TimestampParser
from tpkit.survey.export import LINE, SKIP, Column, Export, Role
from tpkit.survey.measures import normalise_label

_HEAD_BYTES = 1 << 20  # enough for any tool's header rows and a sample of records
_CHUNK_BYTES = 2 << 20  # the line counter's reading step
_STRAY_QUOTES = 1_000  # literal quotes set aside per chunk before the counter gives up
_DELIMITERS = (",", ";", "\t")
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_BOMS: tuple[tuple[bytes, str, str], ...] = (  # BOM, Python/Arrow codec, numpy unit
    (codecs.BOM_UTF8, "utf-8", "u1"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "<u2"),
    (codecs.BOM_UTF16_BE, "utf-16-be", ">u2"),
)


def read_export(path: Path, *, batch_rows: int = 65_536) -> Export:
    """Open a survey export of any supported tool and say what each column holds."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            head = file.read(_HEAD_BYTES)
    except FileNotFoundError:
        raise TpkitError("survey_formats.missing", file=str(path)) from None
    except OSError as error:
        raise TpkitError(
            "survey_formats.unreadable", file=str(path), reason=error.strerror or str(error)
        ) from None
    if head.startswith(_XLS_MAGIC):
        raise TpkitError("survey_formats.old_excel", file=str(path))
    if head.startswith(_XLSX_MAGIC):
        return _read_xlsx(path, batch_rows)
    return _read_text(path, head, batch_rows)


# --- roles from header names --------------------------------------------------------


def _key(text: str) -> str:
    """A header as compared: casefolded, no accents, punctuation or underscores."""
    return normalise_label(text.replace("_", " "))


def _words(role: Role, *names: str) -> dict[str, Role]:
    return {_key(name): role for name in names}


# Headers that say what a column is, in the four languages, whatever tool wrote them.
_TOUCHPOINT = _words(
    "touchpoint",
    *("tp", "touchpoint", "touchpoint id", "touch point", "touchpoint_id"),
    *("punto di contatto", "punto contatto", "id punto di contatto"),
    *("Kontaktpunkt", "Berührungspunkt", "Touchpoint-ID"),
    *("point de contact", "id point de contact", "point de contact id"),
)
_PERSONAL: dict[str, Role] = {
    **_words(
        "email",
        *("email", "e-mail", "mail", "email address", "e-mail address"),
        *("indirizzo email", "indirizzo e-mail", "posta elettronica"),
        *("E-Mail-Adresse", "E-Mail Adresse", "Email-Adresse"),
        *("adresse e-mail", "adresse email", "adresse électronique", "courriel"),
        *("adresse de messagerie", "RecipientEmail"),
    ),
    **_words(
        "name",
        *("name", "full name", "your name", "first name", "last name", "surname"),
        *("firstname", "lastname", "nome", "cognome", "nome e cognome", "nome completo"),
        *("Vorname", "Nachname", "vollständiger Name", "nom", "prénom", "nom complet"),
        *("nom et prénom", "RecipientFirstName", "RecipientLastName"),
    ),
    **_words(
        "phone",
        *("phone", "phone number", "telephone", "telephone number", "mobile", "tel"),
        *("telefono", "numero di telefono", "cellulare", "Telefon", "Telefonnummer"),
        *("Handynummer", "Mobilnummer", "téléphone", "numéro de téléphone", "portable"),
    ),
    **_words(
        "ip",
        *("ip", "ip address", "ipaddress", "ipaddr", "indirizzo ip", "IP-Adresse"),
        *("adresse ip", "Network ID"),
    ),
}
_GENERIC: dict[str, Role] = {
    **_words(
        "response_id",
        *("id", "response id", "responseid", "respondent id", "submission id", "record id"),
        *("id risposta", "id della risposta", "numero risposta"),
        *("Antwort-ID", "Antwort ID", "Antwortnummer"),
        *("id de réponse", "identifiant", "identifiant de réponse", "numéro de réponse"),
    ),
    **_words(
        "submitted",
        *("date", "timestamp", "time", "submitted", "submitted at", "submit date"),
        *("submission date", "date submitted", "completion time", "completed at"),
        *("end date", "response date", "created at", "date and time"),
        *("data", "data e ora", "data invio", "data di invio", "data risposta"),
        *("Informazioni cronologiche", "ora di completamento"),
        *("Datum", "Zeit", "Zeitstempel", "abgeschickt", "Datum abgeschickt"),
        *("eingereicht am", "Fertigstellungszeit", "Abschlusszeit", "Antwortdatum"),
        *("date de soumission", "date d'envoi", "date de réponse", "Horodateur"),
        *("heure de fin", "date et heure"),
    ),
    **_words(
        "ignore",
        *("status", "response status", "duration", "duration (in seconds)", "progress"),
        *("finished", "completed", "language", "user language", "lingua", "Sprache"),
        *("langue", "user agent", "browser", "platform", "referer", "referrer"),
        *("start date", "start time", "started at", "Startzeit", "ora di inizio"),
        *("heure de début", "last modified time", "tags", "score", "total points"),
        *("quiz feedback", "response type", "collector id", "custom data 1", "token"),
    ),
}


def _role(header: str, tool_words: dict[str, Role], generic: bool) -> Role:
    """The role a header names: the tool's own columns first, then common words."""
    key = _key(header)
    if key in tool_words:
        return tool_words[key]
    if key in _TOUCHPOINT:
        return "touchpoint"
    if key in _PERSONAL:
        return _PERSONAL[key]
    return _GENERIC.get(key, "question") if generic else "question"


def _one_each(columns: list[Column]) -> list[Column]:
    """A response id and a submission time once each: later look-alikes are questions."""
    seen: set[Role] = set()
    kept = []
    for column in columns:
        if column.role in {"response_id", "submitted", "touchpoint"}:
            if column.role in seen:
                column = Column(column.header, "question", column.code)
            seen.add(column.role)
        kept.append(column)
    return kept


# --- what each tool writes --------------------------------------------------------------


@dataclass(frozen=True)
class _Skip:
    """Rows the tool itself marks as not real or not finished: ``column`` in ``values``."""

    column: int
    values: frozenset[str]  # casefolded; "" stands for an empty cell
    reason: str


@dataclass
class _Layout:
    tool: str
    header_rows: int
    columns: list[Column]
    skips: list[_Skip]
    parser: TimestampParser


_QUALTRICS = {
    **_words("ignore", "StartDate", "Status", "Progress", "Duration (in seconds)", "Finished"),
    **_words("ignore", "RecordedDate", "ExternalReference", "ExternalDataReference"),
    **_words("ignore", "LocationLatitude", "LocationLongitude", "DistributionChannel"),
    **_words("ignore", "UserLanguage", "ResponseSet"),
    **_words("response_id", "ResponseId"),
    **_words("submitted", "EndDate"),
}
_SURVEYMONKEY = {
    **_words("response_id", "Respondent ID"),
    **_words("ignore", "Collector ID", "Start Date", "Custom Data 1"),
    **_words("submitted", "End Date"),
}
_TYPEFORM = {
    **_words("response_id", "#"),
    **_words("submitted", "Submit Date (UTC)", "Submitted At"),
    **_words("ignore", "Start Date (UTC)", "Stage Date (UTC)", "Response Type", "Tags"),
    **_words("ignore", "completed", "Score", "Ending"),
}
_LIMESURVEY = {
    **_words("response_id", "id", "Response ID"),
    **_words("submitted", "submitdate", "Date submitted"),
    **_words("ignore", "lastpage", "Last page", "startlanguage", "Start language", "seed"),
    **_words("ignore", "startdate", "Date started", "datestamp", "Date last action"),
    **_words("ignore", "refurl", "Referrer URL", "token", "interviewtime", "Total time"),
    **_words("ip", "ipaddr"),
}
# Google Forms: the first column, in the interface language of whoever downloads.
_GOOGLE_TIMESTAMP = {
    _key("Timestamp"): False,  # US English sheets write month first
    _key("Informazioni cronologiche"): True,
    _key("Zeitstempel"): True,
    _key("Horodateur"): True,
}
_GOOGLE = {
    **_words("submitted", *("Timestamp", "Informazioni cronologiche", "Zeitstempel")),
    **_words("submitted", "Horodateur"),
    **_words("email", "Email Address", "Indirizzo email", "E-Mail-Adresse", "Adresse e-mail"),
    **_words("ignore", "Score", "Punteggio", "Punkte", "Punkte insgesamt"),
}
_MS_FORMS_TIMES = {  # start and completion time, by interface language
    (_key("Start time"), _key("Completion time")): False,
    (_key("Ora di inizio"), _key("Ora di completamento")): True,
    (_key("Startzeit"), _key("Fertigstellungszeit")): True,
    (_key("Heure de début"), _key("Heure de fin")): True,
}
_MS_FORMS = {
    **_words("response_id", "ID"),
    **_words("submitted", "Completion time", "Ora di completamento", "Fertigstellungszeit"),
    **_words("submitted", "Heure de fin"),
    **_words("ignore", "Start time", "Ora di inizio", "Startzeit", "Heure de début"),
    **_words("ignore", "Last modified time", "Ora ultima modifica", "Letzte Änderung"),
    **_words("ignore", "Heure de la dernière modification", "Total points", "Quiz feedback"),
    **_words("email", "Email", "Posta elettronica", "E-Mail", "Adresse de messagerie"),
    **_words("name", "Name", "Nome", "Nom"),
}


def _layout(rows: list[list[str]], plain: str) -> _Layout:
    """Which tool wrote a file whose first records are ``rows``, and how to read it."""
    first = rows[0]
    keys = {_key(cell) for cell in first}
    if {"responseid", "enddate"} <= keys:
        return _qualtrics(rows)
    if {"respondent id", "collector id"} <= keys:
        return _surveymonkey(rows)
    if first[0].strip() == "#" and keys & {"network id", "submit date utc", "submitted at"}:
        return _single(first, "typeform", _TYPEFORM, _TYPEFORM_SKIPS, day_first=False)
    if {"submitdate", "lastpage"} <= keys or {"date submitted", "last page"} <= keys:
        return _single(first, "limesurvey", _LIMESURVEY, _LIMESURVEY_SKIPS, day_first=True)
    if _key(first[0]) in _GOOGLE_TIMESTAMP:
        day_first = _GOOGLE_TIMESTAMP[_key(first[0])]
        return _single(first, "google_forms", _GOOGLE, (), day_first=day_first)
    for (start, end), day_first in _MS_FORMS_TIMES.items():
        if {"id", start, end} <= keys:
            return _single(first, "ms_forms", _MS_FORMS, (), day_first=day_first)
    return _single(first, plain, {}, (), day_first=True, generic=True)


_SkipSpec = tuple[tuple[Role | str, Sequence[str], str], ...]  # role or header key, values
_TYPEFORM_SKIPS: _SkipSpec = (
    ("submitted", ("",), "incomplete"),
    ("response type", ("partial",), "incomplete"),
    ("completed", ("0", "false", "no"), "incomplete"),
)
_LIMESURVEY_SKIPS: _SkipSpec = (("submitted", ("",), "incomplete"),)
_QUALTRICS_SKIPS: _SkipSpec = (
    ("finished", ("false", "0"), "incomplete"),
    ("status", ("survey preview", "1", "survey test", "2"), "preview"),
)


def _skips(columns: list[Column], keys: list[str], spec: _SkipSpec) -> list[_Skip]:
    """The skip rules of ``spec`` whose column (a role or a header key) is present."""
    rules = []
    for target, values, reason in spec:
        for index, (column, key) in enumerate(zip(columns, keys, strict=True)):
            if column.role == target or key == target:
                rules.append(_Skip(index, frozenset(values), reason))
                break
    return rules


def _single(
    header: list[str],
    tool: str,
    words: dict[str, Role],
    spec: _SkipSpec,
    *,
    day_first: bool,
    generic: bool = False,
) -> _Layout:
    """A tool with one header row of column names."""
    codes = tool == "limesurvey" and "submitdate" in {_key(h) for h in header}
    columns = _one_each(
        [Column(h.strip(), _role(h, words, generic), h.strip() if codes else "") for h in header]
    )
    skips = _skips(columns, [_key(h) for h in header], spec)
    return _Layout(tool, 1, columns, skips, TimestampParser(day_first=day_first))


def _qualtrics(rows: list[list[str]]) -> _Layout:
    """Three header rows: field ids, question texts, ImportId JSON (two before 2017)."""
    ids = rows[0]
    texts = _padded(rows[1] if len(rows) > 1 else ids, len(ids))
    third = _padded(rows[2] if len(rows) > 2 else [], len(ids))
    import_ids = any(cell.lstrip().startswith('{"ImportId"') for cell in third)
    columns = []
    for code, text in zip(ids, texts, strict=True):
        key = _key(code)
        role = "ignore" if key.startswith("q ") else _role(code, _QUALTRICS, generic=False)
        columns.append(Column(text.strip() or code.strip(), role, code.strip()))
    columns = _one_each(columns)
    time_zone = None
    if import_ids:
        submitted = next((i for i, c in enumerate(columns) if c.role == "submitted"), None)
        if submitted is not None:
            time_zone = _json_field(third[submitted], "timeZone")
    return _Layout(
        "qualtrics",
        3 if import_ids else 2,
        columns,
        _skips(columns, [_key(c) for c in ids], _QUALTRICS_SKIPS),
        TimestampParser(day_first=False, time_zone=time_zone),
    )


def _json_field(text: str, name: str) -> str | None:
    try:
        value = json.loads(text).get(name)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _surveymonkey(rows: list[list[str]]) -> _Layout:
    """Two header rows: the question over its first sub-column, then 'Response',
    'Open-Ended Response' or the choice and row labels of multi-column questions."""
    names = rows[0]
    subs = _padded(rows[1] if len(rows) > 1 else [], len(names))
    columns = []
    question = ""
    for name, sub in zip(names, subs, strict=True):
        question = name.strip() or question
        role = _role(question, _SURVEYMONKEY, generic=False) if name.strip() else "question"
        detail = sub.strip()
        plain = not detail or _key(detail) in {"response", "open ended response"}
        header = question if plain or role != "question" else f"{question} — {detail}"
        columns.append(Column(header, role))
    columns = _one_each(columns)
    return _Layout("surveymonkey", 2, columns, [], TimestampParser(day_first=False))


def _padded(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width]


# --- the rows of a batch ---------------------------------------------------------------


def _batch(arrays: list[pa.Array], lines: np.ndarray, skips: list[_Skip]) -> pa.RecordBatch:
    """A batch in the :class:`Export` shape, with the tool's own skip reasons."""
    skip = pa.nulls(len(lines), pa.string())
    for rule in sorted(skips, key=lambda rule: rule.reason == "preview"):
        cell = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(arrays[rule.column], "")))
        hit = pc.is_in(cell, value_set=pa.array(sorted(rule.values), pa.string()))
        skip = pc.if_else(hit, rule.reason, skip)
    names = [f"c{i}" for i in range(len(arrays))]
    return pa.RecordBatch.from_arrays(
        [*arrays, pa.array(lines, pa.int64()), skip], names=[*names, LINE, SKIP]
    )


def _sliced(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """At most ``rows`` rows per batch (zero-copy slices)."""
    for batch in batches:
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


# --- text files ------------------------------------------------------------------------


def _encoding(head: bytes, path: Path) -> tuple[str, str, int]:
    """Codec, numpy unit and BOM length: BOM, else UTF-16 by its zeros, UTF-8, cp1252."""
    for bom, codec, unit in _BOMS:
        if head.startswith(bom):
            return codec, unit, len(bom)
    even, odd = head[0:2000:2], head[1:2000:2]
    if head and odd.count(0) > len(odd) // 3 and not even.count(0):
        return "utf-16-le", "<u2", 0
    if head and even.count(0) > len(even) // 3 and not odd.count(0):
        return "utf-16-be", ">u2", 0
    if b"\0" in head:
        raise TpkitError("survey_formats.not_a_table", file=str(path))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _HEAD_BYTES)
    except UnicodeDecodeError:
        return "cp1252", "u1", 0
    return "utf-8", "u1", 0


def _sniff(text: str) -> tuple[str, list[list[str]]]:
    """The delimiter that splits the first records into the most, equally long rows."""
    best: tuple[tuple[int, int], str, list[list[str]]] | None = None
    for delimiter in _DELIMITERS:
        rows = _records(text, delimiter, 6)
        if not rows:
            continue
        width = len(rows[0])
        same = sum(len(row) == width for row in rows[1:])
        score = (width > 1, same, width)
        if best is None or score > best[0]:
            best = (score, delimiter, rows)
    if best is None or len(best[2][0]) < 2 or (len(best[2]) > 1 and not best[0][1]):
        raise ValueError("not a table")
    return best[1], best[2]


def _records(text: str, delimiter: str, count: int) -> list[list[str]]:
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


def _read_text(path: Path, head: bytes, batch_rows: int) -> Export:
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\0 \t\r\n"):
        raise TpkitError("survey_formats.empty", file=str(path))
    codec, unit, bom = _encoding(head, path)
    even = len(head) - len(head) % np.dtype(unit).itemsize
    text = codecs.getincrementaldecoder(codec)("replace").decode(head[bom:even], final=False)
    try:
        delimiter, rows = _sniff(text)
    except ValueError:
        raise TpkitError("survey_formats.not_a_table", file=str(path)) from None
    layout = _layout(rows, "csv")
    lines = _RecordLines(path, unit, delimiter, bom // np.dtype(unit).itemsize)
    header_start, header_end = lines.take(layout.header_rows)
    offset = int(header_end[-1]) * np.dtype(unit).itemsize if len(header_end) else len(head)
    records = _records(text, delimiter, 2_000)
    sample = records[layout.header_rows : -1]
    per_record = len(text) // max(1, text.count("\n"))  # bytes a record takes, about
    block = max(1 << 20, min(16 << 20, per_record * batch_rows))
    reader = _TextReader(path, codec, delimiter, len(layout.columns), layout, lines)
    reader.last_line = int(header_start[-1]) if len(header_start) else 0
    return Export(
        source=path,
        tool=layout.tool,
        columns=layout.columns,
        batches=_sliced(reader.batches(offset, block), batch_rows),
        parse_submitted=_primed(layout, sample),
    )


def _primed(layout: _Layout, sample: list[list[str]]) -> Callable[[pa.Array], pa.Array]:
    """The layout's date parser, shown the first records so the day/month order is
    settled by the file's head rather than by whichever batch comes first."""
    index = next((i for i, c in enumerate(layout.columns) if c.role == "submitted"), None)
    if index is not None:
        layout.parser(pa.array([row[index] for row in sample if len(row) > index], pa.string()))
    return layout.parser


class _TextReader:
    """Arrow's streaming CSV reader from the first data record, with line numbers."""

    def __init__(
        self,
        path: Path,
        codec: str,
        delimiter: str,
        width: int,
        layout: _Layout,
        lines: _RecordLines,
    ) -> None:
        self.path, self.codec, self.delimiter, self.width = path, codec, delimiter, width
        self.layout, self.lines = layout, lines
        self.ragged: deque[int] = deque()  # data record numbers (1-based) of ragged rows
        self._done = 0  # data records yielded, ragged ones included
        self.last_line = 0  # the line of the last of them (after the header, once read)

    def _invalid_row(self, row: pacsv.InvalidRow) -> str:
        self.ragged.append(row.number)
        return "skip"

    def batches(self, offset: int, block: int) -> Iterator[pa.RecordBatch]:
        names = [f"c{i}" for i in range(self.width)]
        source = pa.OSFile(str(self.path))
        source.seek(offset)
        try:
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    encoding="utf8" if self.codec == "utf-8" else self.codec,
                    block_size=block,
                    use_threads=False,  # so that a ragged row comes with its number
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter,
                    newlines_in_values=True,
                    invalid_row_handler=self._invalid_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[""],
                    strings_can_be_null=True,
                ),
            )
            for batch in reader:
                yield from self._numbered(batch)
            if self.ragged:  # ragged records after the last good one
                yield from self._numbered(None)
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            reason = str(error).splitlines()[0]
            if reason.startswith("Empty CSV file"):  # a header and nothing after it
                return
            raise TpkitError("survey_formats.damaged", file=str(self.path), reason=reason) from None
        finally:
            source.close()

    def _numbered(self, batch: pa.RecordBatch | None) -> Iterator[pa.RecordBatch]:
        """``batch``'s rows with their lines, then the ragged records among them."""
        rows = batch.num_rows if batch is not None else 0
        numbers: list[int] = []
        while self.ragged and (batch is None or self.ragged[0] <= self._done + rows + len(numbers)):
            numbers.append(self.ragged.popleft())
        count = rows + len(numbers)
        starts, _ = self.lines.take(count)
        if len(starts) < count:  # a stray quote the counter read otherwise than Arrow
            starts = np.arange(self.last_line + 1, self.last_line + count + 1)
        if count:
            self.last_line = int(starts[-1])
        good = np.ones(count, bool)
        good[np.array(numbers, np.int64) - self._done - 1] = False
        self._done += count
        if rows:
            yield _batch(batch.columns, starts[good], self.layout.skips)
        if numbers:
            rag = _batch([pa.nulls(len(numbers), pa.string())] * self.width, starts[~good], [])
            reason = pa.array(["ragged"] * len(numbers), pa.string())
            yield rag.set_column(rag.num_columns - 1, SKIP, reason)


class _RecordLines:
    """Where each record of a delimited text file starts (physical line, 1-based) and
    where it ends (offset in code units), read from the raw bytes with numpy.

    A line break inside quotes continues the record; ``\\r\\n``, ``\\n`` and a lone
    ``\\r`` each end one line; empty records are left out, as Arrow leaves them out.
    One chunk is scanned ahead on a worker thread while Arrow parses (numpy releases
    the GIL), which keeps the count nearly free on a two-core machine.
    """

    def __init__(self, path: Path, unit: str, delimiter: str, bom_units: int) -> None:
        self._file = path.open("rb")
        self._dtype = np.dtype(unit)
        # what may come right before a quote that opens a quoted field
        self._field_starts = np.array([ord(delimiter), 10, 13], self._dtype)
        self._first_unit = bom_units  # the file's first field starts after its BOM
        self._previous = np.array([10], self._dtype)  # the unit before this chunk
        self._base = 0  # offset of the next unit to scan
        self._lines = 0  # line breaks seen so far
        self._quoted = 0  # 1 inside a quoted field
        self._record_line = 1  # where the record being read started
        self._record_begin = 0  # and the offset of its first unit
        self._carry = b""  # a trailing \\r, until the unit after it is read
        self._starts: deque[np.ndarray] = deque()
        self._ends: deque[np.ndarray] = deque()
        self._buffered = 0
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="tpkit-lines")
        self._ahead: Future[None] | None = None

    def take(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``count`` records' start lines and end offsets (fewer at the end)."""
        while self._buffered < count and not self._file.closed:
            self._scan_ahead()
            self._wait()
        self._wait()
        starts, ends = [], []
        needed = count
        while needed and self._starts:
            first_starts, first_ends = self._starts[0], self._ends[0]
            starts.append(first_starts[:needed])
            ends.append(first_ends[:needed])
            if len(first_starts) <= needed:
                self._starts.popleft()
                self._ends.popleft()
            else:
                self._starts[0], self._ends[0] = first_starts[needed:], first_ends[needed:]
            needed -= len(starts[-1])
        self._buffered -= count - needed
        self._scan_ahead()
        empty = np.empty(0, np.int64)
        return (
            np.concatenate(starts) if starts else empty,
            np.concatenate(ends) if ends else empty,
        )

    def _scan_ahead(self) -> None:
        if self._ahead is None and not self._file.closed:
            self._ahead = self._worker.submit(self._scan)

    def _wait(self) -> None:
        if self._ahead is not None:
            self._ahead.result()
            self._ahead = None

    def _scan(self) -> None:
        raw = self._carry + self._file.read(_CHUNK_BYTES)
        last = len(raw) == len(self._carry)
        width = self._dtype.itemsize
        keep = len(raw) - len(raw) % width
        if not last and raw[:keep].endswith(np.array([13], self._dtype).tobytes()):
            keep -= width
        self._carry = raw[keep:]
        self._records(raw[:keep])
        if last:
            self._finish()

    def _records(self, raw: bytes) -> None:
        """Push the records that end inside ``raw``; bytes tests skip the absent cases."""
        units = np.frombuffer(raw, self._dtype)
        base = self._base
        self._base += units.size
        breaks = np.flatnonzero(units == 10)
        if b"\r" in raw:
            crs = np.flatnonzero(units == 13)
            after = np.minimum(crs + 1, max(units.size - 1, 0))
            lone = crs[(crs + 1 >= units.size) | (units[after] != 10)]
            if lone.size:
                breaks = np.union1d(breaks, lone)
        quotes = np.flatnonzero(units == 34) if b'"' in raw else np.empty(0, np.int64)
        quotes = self._toggling(units, quotes, base)
        if quotes.size:
            ends_at = np.flatnonzero(((self._quoted + np.searchsorted(quotes, breaks)) & 1) == 0)
        elif self._quoted:
            ends_at = np.empty(0, np.int64)
        else:
            ends_at = np.arange(breaks.size)
        self._quoted = (self._quoted + quotes.size) & 1
        if ends_at.size:
            position = breaks[ends_at]
            line = self._lines + ends_at + 1  # the line each record's last break ends
            begin = np.empty(position.size, np.int64)
            begin[0] = self._record_begin - base
            begin[1:] = position[:-1] + 1
            start = np.empty(position.size, np.int64)
            start[0] = self._record_line
            start[1:] = line[:-1] + 1
            end = position
            if b"\r" in raw:  # a CR LF record's content ends before the CR
                end = position - ((position > 0) & (units[np.maximum(position - 1, 0)] == 13))
            content = end > begin
            self._push(start[content], base + position[content] + 1)
            self._record_line = int(line[-1]) + 1
            self._record_begin = base + int(position[-1]) + 1
        self._lines += breaks.size

    def _toggling(self, units: np.ndarray, quotes: np.ndarray, base: int) -> np.ndarray:
        """The quotes that open or close a quoted field. A quote inside an unquoted field
        ('9"') is a literal, as Arrow reads it, and must not start a quoted stretch:
        each pass drops the first such quote, so the usual file takes one pass."""
        if quotes.size:
            before = np.concatenate((self._previous, units))[quotes]
            field_start = np.isin(before, self._field_starts) | (quotes + base == self._first_unit)
            for _ in range(_STRAY_QUOTES):
                outside = ((self._quoted + np.arange(quotes.size)) & 1) == 0
                stray = np.flatnonzero(outside & ~field_start)
                if not stray.size:
                    break
                quotes = np.delete(quotes, stray[0])
                field_start = np.delete(field_start, stray[0])
        if units.size:
            self._previous = units[-1:].copy()
        return quotes

    def _finish(self) -> None:
        """The last record, when the file does not end with a line break."""
        if self._base > self._record_begin:
            self._push(np.array([self._record_line]), np.array([self._base]))
        self._file.close()
        self._worker.shutdown(wait=False)

    def _push(self, starts: np.ndarray, ends: np.ndarray) -> None:
        if starts.size:
            self._starts.append(starts)
            self._ends.append(ends)
            self._buffered += starts.size


# --- xlsx ------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    """A cell as the text a CSV export would hold: ISO dates, 4 rather than 4.0."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _read_xlsx(path: Path, batch_rows: int) -> Export:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:  # a file object: openpyxl would refuse a workbook whose name ends in .csv
        workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise TpkitError("survey_formats.not_a_table", file=str(path)) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    head: list[list[str]] = []
    numbers: list[int] = []  # the sheet rows of ``head``
    for number, row in enumerate(rows, start=1):
        cells = [_cell_text(v) or "" for v in row]
        if any(cells):
            head.append(cells)
            numbers.append(number)
        if len(head) == 3:
            break
    if not head or sum(bool(c) for c in head[0]) < 2:
        workbook.close()
        raise TpkitError("survey_formats.empty", file=str(path))
    layout = _layout([_trimmed(r) for r in head], "xlsx")
    first_data = numbers[layout.header_rows - 1] + 1
    return Export(
        source=path,
        tool=layout.tool,
        columns=layout.columns,
        batches=_xlsx_batches(workbook, path, layout, first_data, batch_rows),
        parse_submitted=layout.parser,
    )


def _trimmed(row: list[str]) -> list[str]:
    """A header row without the empty cells a sheet keeps to its right."""
    while row and not row[-1]:
        row = row[:-1]
    return row


def _xlsx_batches(
    workbook: object, path: Path, layout: _Layout, first: int, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    """Rows of the first sheet from ``first`` on, ``batch_rows`` at a time."""
    width = len(layout.columns)
    sheet = workbook.worksheets[0]  # type: ignore[attr-defined]
    cells: list[list[str | None]] = [[] for _ in range(width)]
    lines: list[int] = []
    try:
        for number, row in enumerate(sheet.iter_rows(min_row=first, values_only=True), first):
            texts = [_cell_text(v) for v in row[:width]]
            if not any(texts):
                continue
            texts += [None] * (width - len(texts))
            for column, text in zip(cells, texts, strict=True):
                column.append(text)
            lines.append(number)
            if len(lines) == batch_rows:
                yield _xlsx_batch(cells, lines, layout)
                cells, lines = [[] for _ in range(width)], []
        if lines:
            yield _xlsx_batch(cells, lines, layout)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise TpkitError("survey_formats.damaged", file=str(path), reason=str(error)) from None
    finally:
        workbook.close()  # type: ignore[attr-defined]


def _xlsx_batch(cells: list[list[str | None]], lines: list[int], layout: _Layout) -> pa.RecordBatch:
    arrays = [pa.array(column, pa.string()) for column in cells]
    return _batch(arrays, np.array(lines, np.int64), layout.skips)
