"""When a response was submitted: the many ways survey tools write a date, read with Arrow.

Every tool and interface language writes its own: Google Forms downloads
"2024/05/14 10:15:32 AM GMT+2", its sheets "14/05/2024 10:15:32" or "14.05.2024
10.15.32", Microsoft Forms "5/14/24 10:15:32", Qualtrics a plain local time with its
time zone in the third header row, xlsx files Excel serial numbers. The format is
worked out from a sample of the values, then the whole column is parsed with one
vectorised ``strptime`` per format found, so a million dates take milliseconds.
Times without an offset are taken as UTC unless the export names its time zone; a zone
written as an abbreviation ("EST", "MESZ") is read as its offset.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

UTC = pa.timestamp("s", tz="UTC")
_SAMPLE = 200  # values looked at to find the formats
_EXCEL_EPOCH_DAYS = 25_569  # days from Excel's day 0 (1899-12-30) to 1970-01-01

# Normalisations applied to every value before parsing, in order (RE2 rewrites).
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"\s+", " "),
    (r"^(\d{4}-\d{1,2}-\d{1,2})T", r"\1 "),  # ISO 8601 'T'
    (r"(\d:\d\d)[.,]\d+", r"\1"),  # fractions of a second
    (r"\s?(?:Z|GMT|UTC)$", " +0000"),
)
_AM = r"(?i) (?:am|a\.\s?m\.?|vorm\.?)( [+-]\d{4})?$"
_PM = r"(?i) (?:pm|p\.\s?m\.?|nachm\.?)( [+-]\d{4})?$"
_OFFSETS: tuple[tuple[str, str], ...] = (
    (r"\s?(?:GMT|UTC)([+-])(\d)$", r" \g<1>0\g<2>00"),
    (r"\s?(?:GMT|UTC)([+-])(\d\d)$", r" \1\200"),
    (r"\s?(?:GMT|UTC)?([+-])(\d):?(\d\d)$", r" \g<1>0\2\3"),
    (r"\s?(?:GMT|UTC)?([+-])(\d\d):?(\d\d)$", r" \1\2\3"),
)

# Time zones that exports name by their abbreviation (Google Forms writes the sheet's:
# "… 10:15:32 PM EST"), as offsets. Ambiguous ones (IST) are left out: such a time is
# not read, and said so, rather than guessed.
ZONES: dict[str, str] = {
    **{"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500", "MST": "-0700"},
    **{"MDT": "-0600", "PST": "-0800", "PDT": "-0700", "AKST": "-0900", "AKDT": "-0800"},
    **{"HST": "-1000", "AST": "-0400", "ADT": "-0300", "NST": "-0330", "NDT": "-0230"},
    **{"WET": "+0000", "WEST": "+0100", "BST": "+0100", "CET": "+0100", "CEST": "+0200"},
    **{"MEZ": "+0100", "MESZ": "+0200", "EET": "+0200", "EEST": "+0300", "MSK": "+0300"},
    **{"JST": "+0900", "KST": "+0900", "SGT": "+0800", "HKT": "+0800", "AWST": "+0800"},
    **{"ACST": "+0930", "AEST": "+1000", "AEDT": "+1100", "NZST": "+1200", "NZDT": "+1300"},
}
_ZONE = re.compile(r" ([A-Z]{2,5})$")

_DATE_YMD = re.compile(r"^\d{4}([-/.])\d{1,2}\1\d{1,2}")
_DATE_DMY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_TIME = re.compile(r"^ (\d{1,2})([:.])\d{2}(\2\d{2})?( [AP]M)?( [+-]\d{4})?$")
_SERIAL = r"^\d{5}(\.\d+)?$"
_FIRST_FIELDS = r"^(?P<first>\d{1,2})[-/.](?P<second>\d{1,2})[-/.]\d{2,4}"


def _normalise(values: pa.Array) -> pa.Array:
    """One spelling for what differs only in form: spaces, 'T', offsets, named time
    zones, AM/PM."""
    text = pc.utf8_trim_whitespace(values)
    for pattern, rewrite in (*_REWRITES, *_OFFSETS):
        text = pc.replace_substring_regex(text, pattern, _re2(rewrite))
    sample = pc.unique(pc.drop_null(text.slice(0, _SAMPLE * 5))).to_pylist()
    named = {m.group(1) for s in sample if (m := _ZONE.search(s)) and m.group(1) in ZONES}
    for zone in sorted(named):  # nearly always one: the sheet's own
        text = pc.replace_substring_regex(text, f" {zone}$", f" {ZONES[zone]}")
    text = pc.replace_substring_regex(text, _AM, r" AM\1")
    return pc.replace_substring_regex(text, _PM, r" PM\1")


def _re2(rewrite: str) -> str:
    r"""Python's '\g<1>' written the way RE2 wants it ('\1'); digits may follow."""
    return re.sub(r"\\g<(\d)>", r"\\\1", rewrite)


def _format_of(text: str, day_first: bool) -> str | None:
    """The strptime format one normalised value is written in, if it is a date."""
    match = _DATE_YMD.match(text)
    if match:
        sep = match.group(1)
        date = f"%Y{sep}%m{sep}%d"
    else:
        match = _DATE_DMY.match(text)
        if match is None:
            return None
        sep, year = match.group(2), "%Y" if len(match.group(4)) == 4 else "%y"
        date = sep.join(("%d", "%m") if day_first else ("%m", "%d")) + sep + year
    rest = text[match.end() :]
    if not rest:
        return date
    time = _TIME.match(rest)
    if time is None:
        return None
    _, sep, seconds, half, offset = time.groups()
    hour = "%I" if half else "%H"
    return (
        f"{date} {hour}{sep}%M"
        + (f"{sep}%S" if seconds else "")
        + (" %p" if half else "")
        + (" %z" if offset else "")
    )


@cache
def known_time_zone(zone: str) -> bool:
    """Whether Arrow's time-zone database knows ``zone`` (as the parser will use it)."""
    try:
        pc.assume_timezone(pa.array([0], pa.timestamp("s")), zone)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


class TimestampParser:
    """Turns a column of date texts into UTC timestamps, null where a text is no date.

    Day-first or month-first is read from the data (a first field above 12 settles
    it), remembered for later batches of the same file, and otherwise taken from
    the tool or language hint.
    """

    def __init__(self, *, day_first: bool = True, time_zone: str | None = None) -> None:
        self.day_first = day_first
        self.time_zone = time_zone
        self._settled = False
        self._as_written: str | None = None  # a format that needs no rewriting

    def __call__(self, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not pa.types.is_string(values.type):
            values = values.cast(pa.string())
        if self._as_written:  # the fast path: one strptime, no rewriting
            parsed = self._parse(values, self._as_written)
            if parsed.null_count == values.null_count:
                return parsed
        text = _normalise(values)
        self._learn_order(text)
        sample = pc.unique(pc.drop_null(text.slice(0, _SAMPLE * 5))).to_pylist()[:_SAMPLE]
        if sample and sum(bool(re.match(_SERIAL, s)) for s in sample) * 2 > len(sample):
            return _from_excel_serial(text)
        formats = Counter(f for f in (_format_of(s, self.day_first) for s in sample) if f)
        parsed = [self._parse(text, fmt) for fmt, _ in formats.most_common()]
        if not parsed:
            return pa.nulls(len(values), UTC)
        if len(formats) == 1:
            self._as_written = self._as_written or _format_as_written(values, next(iter(formats)))
        return pc.coalesce(*parsed) if len(parsed) > 1 else parsed[0]

    def _learn_order(self, text: pa.Array) -> None:
        """Day-first if a first field exceeds 12, month-first if a second one does."""
        if self._settled:
            return
        fields = pc.extract_regex(text, _FIRST_FIELDS)
        first = pc.max(pc.cast(pc.struct_field(fields, "first"), pa.int32())).as_py()
        second = pc.max(pc.cast(pc.struct_field(fields, "second"), pa.int32())).as_py()
        if first is not None and first > 12:
            self.day_first, self._settled = True, True
        elif second is not None and second > 12:
            self.day_first, self._settled = False, True

    def _parse(self, text: pa.Array, fmt: str) -> pa.Array:
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        parsed = _no_rollover(text, parsed, fmt, shifted="%z" in fmt or bool(self.time_zone))
        if parsed.type.tz is not None:
            return parsed.cast(UTC)
        if self.time_zone:
            local = pc.assume_timezone(
                parsed, self.time_zone, ambiguous="earliest", nonexistent="earliest"
            )
            return local.cast(UTC)
        return parsed.cast(UTC)


_FIELDS = r"^\s*(?P<a>\d{1,4})\D(?P<b>\d{1,2})\D(?P<c>\d{1,4})"
_DAY_MONTH_YEAR = {"%Y": ("c", "b", "a"), "%d": ("a", "b", "c"), "%m": ("b", "a", "c")}
_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _no_rollover(text: pa.Array, parsed: pa.Array, fmt: str, shifted: bool) -> pa.Array:
    """Arrow's strptime rolls '31/02/2026' over to 3 March; such a text is no date.

    Only a parsed day of 1–3 (or 28–31, when an offset has moved it to UTC: ``shifted``)
    can be a roll-over, so only those texts are read again, field by field, and
    checked against the length of their month.
    """
    order = _DAY_MONTH_YEAR.get(fmt[:2])
    if order is None or parsed.null_count == len(parsed):
        return parsed
    day = pc.day(parsed)
    early = pc.less_equal(day, 3)
    suspect = pc.fill_null(pc.or_(early, pc.greater_equal(day, 28)) if shifted else early, False)
    where = np.flatnonzero(suspect.to_numpy(zero_copy_only=False))
    if not where.size:
        return parsed
    fields = pc.extract_regex(text.take(pa.array(where)), _FIELDS)
    day_of, month_of, year_of = (
        pc.fill_null(pc.cast(pc.struct_field(fields, name), pa.int32()), 0).to_numpy(
            zero_copy_only=False
        )
        for name in order
    )
    year_of = np.where(year_of < 100, year_of + 2000, year_of)
    leap = (year_of % 4 == 0) & ((year_of % 100 != 0) | (year_of % 400 == 0))
    length = _MONTH_DAYS[np.clip(month_of, 0, 12)] - ((month_of == 2) & ~leap)
    rolled = where[(day_of > length) & (month_of > 0)]
    if not rolled.size:
        return parsed
    keep = np.ones(len(parsed), dtype=bool)
    keep[rolled] = False
    return pc.if_else(pa.array(keep), parsed, pa.scalar(None, parsed.type))


def _format_as_written(values: pa.Array, normalised_format: str) -> str | None:
    """The format that reads the texts exactly as written (e.g. ISO with its 'T'), if the
    rewrites changed nothing that matters: later batches then skip the rewriting."""
    sample = pc.drop_null(values.slice(0, _SAMPLE))
    for candidate in (normalised_format, normalised_format.replace(" ", "T", 1)):
        parsed = pc.strptime(sample, format=candidate, unit="s", error_is_null=True)
        if len(sample) and parsed.null_count == 0:
            return candidate
    return None


def _from_excel_serial(text: pa.Array) -> pa.Array:
    """Excel's day numbers (45426.43 = 2024-05-14 10:19) as UTC timestamps."""
    numbers = pc.if_else(pc.match_substring_regex(text, _SERIAL), text, None)
    days = pc.cast(numbers, pa.float64())
    seconds = pc.round(pc.multiply(pc.subtract(days, _EXCEL_EPOCH_DAYS), 86_400.0))
    return pc.cast(pc.cast(seconds, pa.int64()), UTC)
