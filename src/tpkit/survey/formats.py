"""Reading survey tools' own exports: which tool wrote the file, which column is what.

:func:`read_export` looks at the first records of a file — on disk, or an upload's
bytes (:class:`ExportFile`) — and recognises Google Forms, Microsoft Forms, SurveyMonkey,
Qualtrics (today's layout and the legacy one), Typeform and LimeSurvey exports by their
fixed column names, in any of the four languages where the tool translates them; any
other CSV or xlsx table is read by guessing roles from its header names. It knows
nothing about touchpoints or answers: that is the import's job
(:mod:`tpkit.survey.importer`).

Each row comes with its physical line and, when the row is not to be imported, why:
the tool's own previews, spam and unfinished responses, a spreadsheet's summary row,
and — for text files (:mod:`tpkit.survey.textfile`) — bad bytes, a stray quote or a
ragged row. Nothing is dropped without a line and a reason.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tpkit.errors import TpkitError
from tpkit.survey.dates import TimestampParser, known_time_zone
from tpkit.survey.export import LINE, SKIP, Column, Export, Role
from tpkit.survey.measures import normalise_label
from tpkit.survey.textfile import (
    HEAD_BYTES,
    MARK_NONE,
    MARK_QUOTE,
    ArrowView,
    Encoding,
    NotText,
    Records,
    Scanner,
    describe_mark,
    encoding_of,
    first_records,
    physical_lines,
    sniff,
    split_swallowed,
    swallows,
)
from tpkit.survey.vocabulary import summary_words, vocabulary

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class ExportFile:
    """An export to read: a file on disk, or an upload's bytes with its file name."""

    name: Path  # shown in every message, and stored as the responses' source
    data: bytes | None = None  # an upload's bytes; None: read the file ``name``

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data) if self.data is not None else self.name.open("rb")


def uploaded(data: bytes, name: str) -> ExportFile:
    """An upload's bytes under the file name it had on the user's disk (a browser may
    send the whole path, with either kind of slash)."""
    return ExportFile(Path(re.split(r"[\\/]", name)[-1] or "upload"), data)


def read_upload(data: bytes, name: str, *, batch_rows: int = 65_536) -> Export:
    """An export uploaded in the app: its bytes and the name it had on the user's disk."""
    return read_export(uploaded(data, name), batch_rows=batch_rows)


def read_export(source: Path | str | ExportFile, *, batch_rows: int = 65_536) -> Export:
    """Open a survey export of any supported tool and say what each column holds."""
    source = source if isinstance(source, ExportFile) else ExportFile(Path(source))
    name = str(source.name)
    try:
        with source.open() as stream:
            head = stream.read(HEAD_BYTES)
    except FileNotFoundError:
        raise TpkitError("survey_formats.missing", file=name) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise TpkitError("survey_formats.unreadable", file=name, reason=reason) from None
    if head.startswith(_XLS_MAGIC):
        raise TpkitError("survey_formats.old_excel", file=name)
    if head.startswith(_XLSX_MAGIC):
        return _read_xlsx(source, batch_rows)
    return _read_text(source, head, batch_rows)


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
        *("number", "no", "nr", "n°", "nummer", "numero", "numéro"),
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
        *("Informazioni cronologiche", "Marca temporale", "ora di completamento"),
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
    **_words("ignore", "LocationLatitude", "LocationLongitude", "LocationAccuracy"),
    **_words("ignore", "DistributionChannel", "UserLanguage", "ResponseSet", "Name"),
    **_words("response_id", "ResponseId"),
    **_words("submitted", "EndDate"),
    **_words("email", "EmailAddress", "RecipientEmail"),
    **_words("ip", "IPAddress"),
}
_QUALTRICS_CODE = re.compile(r"^V\d+$")  # the legacy layout's codes of its own columns
_IMPORT_ID = re.compile(r"""^\s*\{\s*['"]ImportId['"]\s*:""")
_SURVEYMONKEY = {
    **_words("response_id", "Respondent ID", "RespondentID"),
    **_words("ignore", "Collector ID", "CollectorID", "Start Date", "StartDate"),
    **_words("ignore", "Custom Data", "Custom Data 1"),
    **_words("submitted", "End Date", "EndDate"),
    **_words("ip", "IP Address"),
    **_words("email", "Email Address"),
    **_words("name", "First Name", "Last Name", "LastName", "FirstName"),
}
_SURVEYMONKEY_SUBHEADERS = {_key("Response"), _key("Open-Ended Response")}
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
    _key("Marca temporale"): True,
    _key("Zeitstempel"): True,
    _key("Horodateur"): True,
}
_GOOGLE = {
    **_words("submitted", "Timestamp", "Informazioni cronologiche", "Marca temporale"),
    **_words("submitted", "Zeitstempel", "Horodateur"),
    **_words("email", "Email Address", "Indirizzo email", "E-Mail-Adresse", "Adresse e-mail"),
    **_words("ignore", "Score", "Punteggio", "Punkte", "Punkte insgesamt"),
}
# Microsoft Forms: start and completion time, by interface language (German writes
# either name for the completion time).
_MS_FORMS_STARTS = {
    _key("Start time"): False,
    _key("Ora di inizio"): True,
    _key("Startzeit"): True,
    _key("Heure de début"): True,
}
_MS_FORMS_ENDS = {
    _key(name)
    for name in (
        *("Completion time", "Ora di completamento", "Fertigstellungszeit"),
        *("Abschlusszeit", "Heure de fin"),  # German writes either
    )
}
_MS_FORMS = {
    **_words("response_id", "ID"),
    **_words("submitted", "Completion time", "Ora di completamento", "Fertigstellungszeit"),
    **_words("submitted", "Abschlusszeit", "Heure de fin"),
    **_words("ignore", "Start time", "Ora di inizio", "Startzeit", "Heure de début"),
    **_words("ignore", "Last modified time", "Ora ultima modifica", "Ora dell'ultima modifica"),
    **_words("ignore", "Letzte Änderung", "Letzte Änderungszeit", "Zeitpunkt der letzten Änderung"),
    **_words("ignore", "Heure de la dernière modification", "Total points", "Quiz feedback"),
    **_words("ignore", "Punti totali", "Punteggio totale", "Gesamtpunktzahl", "Total des points"),
    **_words("email", "Email", "Posta elettronica", "E-Mail", "Adresse de messagerie"),
    **_words("email", "Indirizzo di posta elettronica", "Courrier"),
    **_words("name", "Name", "Nome", "Nom"),
}


def _layout(rows: list[list[str]], plain: str) -> _Layout:
    """Which tool wrote a file whose first records are ``rows``, and how to read it."""
    first = rows[0]
    keys = {_key(cell) for cell in first}
    second = {_key(cell) for cell in rows[1]} if len(rows) > 1 else set()
    if {"responseid", "enddate"} <= keys:
        return _qualtrics(rows)
    if sum(bool(_QUALTRICS_CODE.match(c.strip())) for c in first) >= 3 and "responseid" in second:
        return _qualtrics_legacy(rows)
    respondent = keys & {"respondent id", "respondentid"}
    if respondent and (keys & {"collector id", "collectorid"} or second & _SURVEYMONKEY_SUBHEADERS):
        return _surveymonkey(rows)
    if first[0].strip() == "#" and keys & {"network id", "submit date utc", "submitted at"}:
        return _single(first, "typeform", _TYPEFORM, _TYPEFORM_SKIPS, day_first=False)
    if {"submitdate", "lastpage"} <= keys or {"date submitted", "last page"} <= keys:
        return _single(first, "limesurvey", _LIMESURVEY, _LIMESURVEY_SKIPS, day_first=True)
    if _key(first[0]) in _GOOGLE_TIMESTAMP:
        day_first = _GOOGLE_TIMESTAMP[_key(first[0])]
        return _single(first, "google_forms", _GOOGLE, (), day_first=day_first)
    starts = keys & set(_MS_FORMS_STARTS)
    if "id" in keys and starts and keys & _MS_FORMS_ENDS:
        day_first = _MS_FORMS_STARTS[next(iter(starts))]
        return _single(first, "ms_forms", _MS_FORMS, (), day_first=day_first)
    return _single(first, plain, {}, (), day_first=True, generic=True)


_SkipSpec = tuple[tuple[Role | str, Sequence[str], str], ...]  # role or header key, values
_TYPEFORM_SKIPS: _SkipSpec = (
    ("submitted", ("",), "incomplete"),
    ("response type", ("partial",), "incomplete"),
    ("completed", ("0", "false", "no"), "incomplete"),
)
_LIMESURVEY_SKIPS: _SkipSpec = (("submitted", ("",), "incomplete"),)
# Qualtrics' response types, as text or as their codes: previews and test responses
# are not customers; spam is what its bot and ballot-box checks flagged.
_QUALTRICS_SKIPS: _SkipSpec = (
    ("finished", ("false", "0"), "incomplete"),
    ("status", ("spam", "8", "imported spam", "12"), "spam"),
    ("status", ("survey preview", "1", "survey test", "2", "preview spam", "9"), "preview"),
    ("status", ("offline survey preview", "17"), "preview"),
)


def _skips(columns: list[Column], keys: list[str], spec: _SkipSpec) -> list[_Skip]:
    """The skip rules of ``spec`` whose column (a role or a header key) is present, and
    the summary row's rule on the first column and the id column."""
    rules = []
    for target, values, reason in spec:
        for index, (column, key) in enumerate(zip(columns, keys, strict=True)):
            if column.role == target or key == target:
                rules.append(_Skip(index, frozenset(values), reason))
                break
    labelled = {0} | {i for i, c in enumerate(columns) if c.role == "response_id"}
    rules += [_Skip(index, _summary_labels(), "summary") for index in sorted(labelled)]
    return rules


def _summary_labels() -> frozenset[str]:
    """A summary row's first cell as it may be written: 'Average', 'Totale:', 'Médiane'."""
    from tpkit.model import LANGUAGES

    written = {str(w).casefold() for lang in LANGUAGES for w in vocabulary(lang)["summary_rows"]}
    words = written | summary_words()
    return frozenset(words | {f"{w}:" for w in words})


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
    import_ids = any(_IMPORT_ID.match(cell) for cell in third)
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
            time_zone = _time_zone(third[submitted])
    return _Layout(
        "qualtrics",
        3 if import_ids else 2,
        columns,
        _skips(columns, [_key(c) for c in ids], _QUALTRICS_SKIPS),
        TimestampParser(day_first=False, time_zone=time_zone),
    )


def _qualtrics_legacy(rows: list[list[str]]) -> _Layout:
    """The legacy layout: codes V1, V2 … for Qualtrics' own columns and Q1 … for the
    questions, then a row with the names of its own columns and the question texts."""
    codes = rows[0]
    labels = _padded(rows[1], len(codes))
    columns = []
    keys = []
    for code, label in zip(codes, labels, strict=True):
        own = bool(_QUALTRICS_CODE.match(code.strip()))
        role = _role(label if own else code, _QUALTRICS, generic=False)
        if not own and _key(code).startswith("q "):
            role = "ignore"
        columns.append(Column(label.strip() or code.strip(), role, code.strip()))
        keys.append(_key(label) if own else _key(code))
    columns = _one_each(columns)
    return _Layout(
        "qualtrics",
        2,
        columns,
        _skips(columns, keys, _QUALTRICS_SKIPS),
        TimestampParser(day_first=False),
    )


_TIME_ZONE = re.compile(r"""['"]timeZone['"]\s*:\s*['"]([^'"]+)['"]""")


def _time_zone(text: str) -> str | None:
    """The time zone an ImportId cell names, in JSON or with single quotes."""
    try:
        value = json.loads(text).get("timeZone")
    except (ValueError, AttributeError):
        match = _TIME_ZONE.search(text)
        return match.group(1) if match else None
    return value if isinstance(value, str) else None


def _zone_checked(layout: _Layout, name: str) -> _Layout:
    """A time zone the export names must exist: a misspelt one would either stop the
    import halfway or, guessed at, shift every timestamp; the file is refused instead.
    The zone is shown with its control characters escaped, so a stray byte is seen."""
    zone = layout.parser.time_zone
    if zone and not known_time_zone(zone):
        shown = zone.encode("unicode_escape").decode("ascii")
        raise TpkitError(
            "survey_formats.unknown_zone", file=name, line=layout.header_rows, zone=shown
        )
    return layout


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
        plain = not detail or _key(detail) in _SURVEYMONKEY_SUBHEADERS
        header = question if plain or role != "question" else f"{question} — {detail}"
        columns.append(Column(header, role))
    columns = _one_each(columns)
    skips = _skips(columns, [_key(n) for n in names], ())
    return _Layout("surveymonkey", 2, columns, skips, TimestampParser(day_first=False))


def _padded(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width]


# --- the rows of a batch ---------------------------------------------------------------


def _batch(arrays: list[pa.Array], lines: np.ndarray, skips: list[_Skip]) -> pa.RecordBatch:
    """A batch in the :class:`Export` shape, with the tool's own skip reasons."""
    skip = pa.nulls(len(lines), pa.string())
    for rule in sorted(skips, key=lambda rule: rule.reason == "preview"):
        cells = arrays[rule.column]
        if "" in rule.values:
            cells = pc.fill_null(cells, "")
        hit = pc.is_in(cells, value_set=_written(rule.values))  # one hash look-up a cell
        if hit.true_count:
            skip = pc.if_else(hit, rule.reason, skip)
    names = [f"c{i}" for i in range(len(arrays))]
    return pa.RecordBatch.from_arrays(
        [*arrays, pa.array(lines, pa.int64()), skip], names=[*names, LINE, SKIP]
    )


@cache
def _written(values: frozenset[str]) -> pa.Array:
    """Values as a cell may write them: lower, upper, capitalised, title case, padded."""
    forms = {
        form
        for value in values
        for case in (value, value.upper(), value.capitalize(), value.title())
        for form in (case, f" {case}", f"{case} ")
    }
    return pa.array(sorted(forms), pa.string())


def _with_reasons(batch: pa.RecordBatch, reasons: dict[int, str]) -> pa.RecordBatch:
    """The reader's own reasons (row → reason) override the tool's for the same row."""
    if not reasons:
        return batch
    column = [None] * batch.num_rows
    for row, reason in reasons.items():
        column[row] = reason
    skip = pc.coalesce(pa.array(column, pa.string()), batch.column(SKIP))
    return batch.set_column(batch.num_columns - 1, SKIP, skip)


def _sliced(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """At most ``rows`` rows per batch (zero-copy slices)."""
    for batch in batches:
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


# --- text files ------------------------------------------------------------------------


def _read_text(source: ExportFile, head: bytes, batch_rows: int) -> Export:
    name = str(source.name)
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\0 \t\r\n"):
        raise TpkitError("survey_formats.empty", file=name)
    try:
        encoding = encoding_of(head)
    except NotText:
        raise TpkitError("survey_formats.not_a_table", file=name) from None
    even = len(head) - len(head) % encoding.width
    text = head[encoding.bom : even].decode(encoding.codec, "replace")
    try:
        delimiter, rows = sniff(text)
    except ValueError:
        raise TpkitError("survey_formats.not_a_table", file=name) from None
    layout = _zone_checked(_layout(rows, "csv"), name)
    for number, row in enumerate(rows[: layout.header_rows]):
        if swallows(row, 3, delimiter):  # a header cell holding rows: a stray quote
            raise TpkitError("survey_formats.header_quote", file=name, line=number + 1)
    per_record = len(text.encode()) // max(1, text.count("\n"))  # bytes a record takes
    block = max(1 << 20, min(16 << 20, per_record * batch_rows))
    stream = source.open()
    scanner = Scanner(stream, encoding, delimiter)
    header = scanner.take(layout.header_rows)
    scanner.start_serving(int(header.end[-1]) if len(header) else 0)
    sample = first_records(text, delimiter, 2_000)[layout.header_rows : -1]
    reader = _TextReader(source, encoding, delimiter, layout, scanner, stream)
    reader.last_line = int(header.last[-1]) if len(header) else 0
    return Export(
        source=source.name,
        tool=layout.tool,
        columns=layout.columns,
        batches=_sliced(reader.batches(block), batch_rows),
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
    """Arrow's streaming CSV reader over the scanner's bytes, with every record's line
    and, for the records that cannot be read as they are, the reason."""

    def __init__(
        self,
        source: ExportFile,
        encoding: Encoding,
        delimiter: str,
        layout: _Layout,
        scanner: Scanner,
        stream: BinaryIO,
    ) -> None:
        self.source, self.encoding, self.delimiter = source, encoding, delimiter
        self.layout, self.scanner, self.stream = layout, scanner, stream
        self.width = len(layout.columns)
        self.ragged: list[int] = []  # data record numbers (1-based) of ragged rows
        self._done = 0  # data records yielded, ragged ones included
        self.last_line = 0

    def _invalid_row(self, row: pacsv.InvalidRow) -> str:
        self.ragged.append(row.number)
        return "skip"

    def batches(self, block: int) -> Iterator[pa.RecordBatch]:
        names = [f"c{i}" for i in range(self.width)]
        try:
            reader = pacsv.open_csv(
                pa.PythonFile(ArrowView(self.scanner, self.encoding.codec), mode="r"),
                read_options=pacsv.ReadOptions(
                    column_names=names,
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
        except pa.ArrowException as error:
            if str(error).startswith("Empty CSV file"):  # a header and nothing after it
                self._close()
                return
            yield from self._unreadable(error)
            self._close()
            return
        try:
            for batch in reader:
                yield from self._numbered(batch)
            if self.ragged:  # ragged records after the last good one
                yield from self._numbered(None)
        except pa.ArrowException as error:  # whatever Arrow could not parse: by line
            yield from self._unreadable(error)
        finally:
            self._close()

    def _close(self) -> None:
        self.scanner.close()
        self.stream.close()

    def _unreadable(self, error: Exception) -> Iterator[pa.RecordBatch]:
        """Every record not read yet, skipped with Arrow's reason."""
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        rest = self.scanner.rest()
        if len(rest):
            nulls = [pa.nulls(len(rest), pa.string())] * self.width
            batch = _batch(nulls, rest.start, [])
            skip = pa.repeat(pa.scalar(f"unreadable:{reason}"), len(rest))
            yield batch.set_column(batch.num_columns - 1, SKIP, skip)

    def _numbered(self, batch: pa.RecordBatch | None) -> Iterator[pa.RecordBatch]:
        """``batch``'s rows with their lines, then the ragged and the recovered ones."""
        rows = batch.num_rows if batch is not None else 0
        numbers: list[int] = []
        while self.ragged and (batch is None or self.ragged[0] <= self._done + rows + len(numbers)):
            numbers.append(self.ragged.pop(0))
        count = rows + len(numbers)
        records = self.scanner.take(count)
        if len(records) < count:  # cannot happen: scanner and Arrow agree on every record
            start = np.arange(self.last_line + 1, self.last_line + count + 1)
            marks = np.full(count, MARK_NONE)
            records = Records(start, start, start * 0, start * 0, marks)
        if count:
            self.last_line = int(records.last[-1])
        good = np.ones(count, bool)
        good[np.array(numbers, np.int64) - self._done - 1] = False
        self._done += count
        # the reader's own reasons, for the few records that have one
        reasons = {
            int(i): self._reason(int(records.mark[i]))
            for i in np.flatnonzero(records.mark != MARK_NONE)
        }
        recovered = self._recovered(batch, records, good, reasons)
        parts = []
        if rows:
            assert batch is not None
            lines = records.start[good]
            rank = np.cumsum(good) - 1  # a record's row in ``batch``
            mine = {int(rank[i]): r for i, r in reasons.items() if good[i]}
            parts.append(_with_reasons(_batch(batch.columns, lines, self.layout.skips), mine))
        if numbers:
            bad = [reasons.get(int(i), "ragged") for i in np.flatnonzero(~good)]
            nulls = [pa.nulls(len(bad), pa.string())] * self.width
            rag = _batch(nulls, records.start[~good], [])
            parts.append(rag.set_column(rag.num_columns - 1, SKIP, pa.array(bad, pa.string())))
        if recovered is None:
            yield from parts
            return
        table = pa.Table.from_batches([*parts, recovered]).sort_by(LINE)
        yield from table.combine_chunks().to_batches()

    def _reason(self, mark: int) -> str:
        if mark == MARK_QUOTE:
            return "unterminated_quote"
        return f"bad_bytes:{describe_mark(mark, self.encoding)}"

    def _recovered(
        self,
        batch: pa.RecordBatch | None,
        records: Records,
        good: np.ndarray,
        reasons: dict[int, str],
    ) -> pa.RecordBatch | None:
        """Records a stray quote swallowed, read again line by line; the swallowing
        record itself becomes an 'unterminated quote' in ``reasons``."""
        multi = np.flatnonzero((records.last > records.start) & (records.mark == MARK_NONE))
        if not multi.size:
            return None
        rank = np.cumsum(good) - 1
        found: list[tuple[int, list[str] | None, str | None]] = []
        for index in multi:
            if good[index]:
                assert batch is not None
                cells = [batch.column(c)[int(rank[index])].as_py() for c in range(self.width)]
                if not swallows(cells, self.width, self.delimiter):
                    continue
            reasons[int(index)] = "unterminated_quote"
            text = self._raw(int(records.begin[index]), int(records.end[index]))
            lines = physical_lines(text, int(records.start[index]))
            found += split_swallowed(lines, self.width, self.delimiter)[1:]
        if not found:
            return None
        cells = [
            [row[c] or None if row else None for _, row, _ in found] for c in range(self.width)
        ]
        arrays = [pa.array(column, pa.string()) for column in cells]
        lines_of = np.array([line for line, _, _ in found], np.int64)
        rebuilt = _batch(arrays, lines_of, self.layout.skips)
        return _with_reasons(rebuilt, {i: r for i, (_, _, r) in enumerate(found) if r})

    def _raw(self, begin: int, end: int) -> str:
        """A record's text as the file holds it, read again from the source."""
        width = self.encoding.width
        with self.source.open() as stream:
            stream.seek(begin * width)
            data = stream.read((end - begin) * width)
        return data.decode(self.encoding.codec, "replace")


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


def _read_xlsx(source: ExportFile, batch_rows: int) -> Export:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = source.name
    try:  # a file object: openpyxl would refuse a workbook whose name ends in .csv
        with source.open() as stream:
            data = io.BytesIO(stream.read())
        workbook = load_workbook(data, read_only=True, data_only=True)
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
    layout = _zone_checked(_layout([_trimmed(r) for r in head], "xlsx"), str(path))
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
