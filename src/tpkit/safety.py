"""Making user text safe for where it goes: spreadsheets, printed reports, HTML and CSS."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Callable, Iterable
from functools import partial
from html import escape
from typing import Any
from xml.etree import ElementTree

from tpkit.i18n import t
from tpkit.model import CONTROL_CHARACTERS, Workbook, plain_line_feeds


def printable(text: str) -> str:
    """Text as a form should store it: Windows line ends made plain, and control characters
    (a NUL pasted from a PDF, an escape sequence) removed — the model refuses them, and
    the user cannot see them to delete them."""
    return CONTROL_CHARACTERS.sub("", plain_line_feeds(text))


# A spreadsheet cell whose text starts with one of these is run as a formula by Excel,
# LibreOffice or Google Sheets ("CSV injection"). A leading apostrophe also gets one,
# so that neutralising can always be undone exactly.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise_formula(text: str) -> str:
    """'=HYPERLINK(...)' → \"'=HYPERLINK(...)\": shown as text, never evaluated."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def restore_formula(text: str) -> str:
    """The inverse of :func:`neutralise_formula`, for reading our own exports back."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def neutralise_formula_html(text: str) -> str:
    """For a cell whose text is HTML (LimeSurvey's survey file): the first character as a
    character reference ('@shop' → '&#64;shop'), so a spreadsheet sees no formula and
    the survey still shows '@shop', with no apostrophe in front of the customer."""
    return f"&#{ord(text[0])};{text[1:]}" if text.startswith(_FORMULA_STARTS) else text


def spreadsheet_csv(
    rows: Iterable[Iterable[object]],
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    html: bool = False,
) -> str:
    """CSV text of ``rows`` that a spreadsheet opens without running anything: every
    cell passes :func:`neutralise_formula` (or, for HTML cells, :func:`neutralise_formula_html`).
    Every file the kit writes for a spreadsheet (links.csv, problem lists, customer
    lists, the LimeSurvey file) goes through here, as the xlsx export neutralises its cells."""
    neutralise = neutralise_formula_html if html else neutralise_formula
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# User text as every view shows it (reports, charts, widgets). Two things a name can do
# to its surroundings are undone here, once, for all views:
# - direction: the explicit directional formatting characters (embeddings, overrides,
#   isolates: U+202A–U+202E, U+2066–U+2069) are invisible, and in a name their only
#   effect is to make it read as something else ("abc\u202egnp.exe" shows "abcexe.png")
#   and to reverse the text after it. They are removed; a text with right-to-left letters
#   (Hebrew, Arabic, …) is then isolated (FSI … PDI, the characters behind HTML's <bdi>),
#   so it keeps its own order without pulling the numbers or words beside it into it.
# - length: WeasyPrint's line breaking is quadratic in the length of one unbroken word
#   (a 10,000-letter word: more than a minute). A word longer than LONGEST_WORD gets a
#   zero-width break opportunity every LONGEST_WORD characters, and a view prints at most
#   PRINTED_NAME / PRINTED_TEXT characters of a field, cut at a word with "…".

DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
WORD_BREAK = "\u200b"  # zero-width space: a place to break, nothing drawn
LONGEST_WORD = 40  # "Rechtsschutzversicherungsgesellschaften" (39) still hyphenates whole
PRINTED_NAME = 200
PRINTED_TEXT = 1_000
ELLIPSIS = "…"
_LONG_WORD = re.compile(rf"[^\s{WORD_BREAK}]{{{LONGEST_WORD + 1},}}")


def isolated(text: str) -> str:
    """The text without directional controls, isolated if it holds right-to-left letters."""
    text = DIRECTION_CONTROLS.sub("", text)
    if _RIGHT_TO_LEFT.search(text):
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


def breakable(text: str) -> str:
    """Words longer than LONGEST_WORD with a zero-width break every LONGEST_WORD letters."""

    def split(match: re.Match[str]) -> str:
        word = match.group()
        return WORD_BREAK.join(
            word[i : i + LONGEST_WORD] for i in range(0, len(word), LONGEST_WORD)
        )

    return _LONG_WORD.sub(split, text)


def capped(text: str, limit: int) -> str:
    """At most ``limit`` characters: a longer text is cut at its last space in the final
    fifth (else mid-word) and ends with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit * 4 // 5:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def shown_text(text: str, limit: int = PRINTED_TEXT) -> str:
    """User text ready for any view: direction controls gone (isolated if right-to-left),
    at most ``limit`` characters, long words breakable. Applying it twice changes nothing
    (zero-width spaces already there are taken out and put back where they belong)."""
    plain = DIRECTION_CONTROLS.sub("", text).replace(WORD_BREAK, "")
    return isolated(breakable(capped(plain, limit)))


# Fields printed as names (one line in a table cell, a chart label); the rest are texts.
_NAME_FIELDS = frozenset({"name", "what", "participant", "team"})
# Blocks that are settings for the kit, not text a view prints: left as they are.
_SETTINGS = frozenset({"digital", "diagnostics"})


def shown_workbook(workbook: Workbook) -> Workbook:
    """A copy of the workbook with :func:`shown_text` applied to every printed text, so
    that tables, charts and the journey map all show the same safe text."""

    def clean(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: v if k in _SETTINGS else clean(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(item, key) for item in value]
        if isinstance(value, str) and key not in _ID_FIELDS:
            return shown_text(value, PRINTED_NAME if key in _NAME_FIELDS else PRINTED_TEXT)
        return value

    return Workbook.model_validate(clean(workbook.model_dump()))


# ---------------------------------------------------------------------------------------
# Personal data in printed reports. A report leaves the team (it is mailed, printed,
# archived), so contact details typed into notes and the names of the people who rated
# are replaced unless the team asks otherwise.

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Addresses spelt out to fool harvesters: "anna at example dot com", "anna [at] example
# [dot] com", "anna(at)example.com". "at" must be followed by a domain with at least one
# dot, spelt or written, before a top-level domain of letters.
_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+|\.)"
_SPELT_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.%+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[A-Za-z]{{2,6}}(?![\w-])",
    re.IGNORECASE,
)
# A run of digit groups with single separators between them, optionally opened with
# "+41" or "(555)"; :func:`_looks_like_phone` then decides whether it is a phone number.
_DIGIT_RUN = re.compile(r"(?<![\w+.,/-])\+?\(?\d{1,4}\)?(?:[ \u00a0.\-/]?\(?\d{1,4}\)?)+(?![\w])")
_DATE = re.compile(r"\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2\d{2,4}")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:([ \u00a0.])\d{3})(?:\1\d{3})*")
_PHONE_DIGITS = range(7, 16)  # E.164 numbers have at most 15 digits; fewer than 7 are codes
_LOCAL_NUMBER = re.compile(r"\d{3}[ \u00a0.\-/]\d{4}")  # 555-1234: a number without area code


def _looks_like_phone(candidate: str) -> bool:
    """Phone numbers have 8–15 digits and start with "+", "(" or a trunk "0", or come in
    three or more groups (555 123 4567); a seven-digit one is written 555-1234. Dates,
    years, ranges such as 2025-2026, scores and amounts written in thousands (12 500 000)
    do not qualify."""
    groups = re.findall(r"\d+", candidate)
    if sum(map(len, groups)) not in _PHONE_DIGITS:
        return False
    if sum(map(len, groups)) == 7:  # seven digits: only as a local number, 555-1234
        return bool(_LOCAL_NUMBER.fullmatch(candidate))
    if candidate.startswith(("+", "(")):
        return True
    if _DATE.fullmatch(candidate) or _THOUSANDS.fullmatch(candidate):
        return False
    return candidate.startswith("0") or (
        len(groups) >= 3 and all(len(group) >= 2 for group in groups[1:])
    )


def mask_contacts(text: str, language: str) -> str:
    """Replaces e-mail addresses and phone numbers with a translated placeholder."""
    email, phone = t("report.mask.email", language), t("report.mask.phone", language)
    text = _EMAIL.sub(lambda _: email, text)  # a function: the placeholder is not a pattern
    text = _SPELT_EMAIL.sub(lambda _: email, text)
    return _DIGIT_RUN.sub(
        lambda match: phone if _looks_like_phone(match.group()) else match.group(), text
    )


def pseudonyms(names: Iterable[str], language: str) -> dict[str, str]:
    """'Participant 1', 'Participant 2', … in order: the same person keeps one number."""
    unique = dict.fromkeys(names)
    return {
        name: t("report.mask.participant", language, number=number)
        for number, name in enumerate(unique, start=1)
    }


_SHORTEST_WORD = 3  # shorter names ('Al', 'MK') only as written: 'al' is a word of its own


def _without_role(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def mask_names(
    text: str, replacements: dict[str, str], shared: str | None = None, public: str = ""
) -> str:
    """Replaces each known person's name with their pseudonym (see :func:`name_masker`)."""
    return name_masker(replacements, shared, public)(text)


def name_masker(
    replacements: dict[str, str], shared: str | None = None, public: str = ""
) -> Callable[[str], str]:
    """What replaces each known person's name with their pseudonym, made once for many
    texts (a workbook's every field): the whole name, with or
    without a trailing "(role)" ('Maya (Marketing)', 'Maya'), and each part of it on its
    own ('Anna', 'Rossi'), as whole words in any case ('anna rossi'). Names and parts
    under three letters only with the case as written. A part two people share
    becomes ``shared`` (one pseudonym would name the wrong person). A part that is a word
    of ``public`` (the team's and the firm's names: 'Elettro Bernasconi') is left alone
    on its own: the firm's name is not personal data."""
    firm = {_key(word) for word in re.findall(r"\w[\w'’-]*", public)}
    whole: dict[str, str] = {}
    parts: dict[str, str] = {}
    for name, pseudonym in replacements.items():
        for variant in (name.strip(), _without_role(name)):
            if variant:
                whole.setdefault(_key(variant), pseudonym)
        words = re.findall(r"\w[\w'’-]*", _without_role(name))
        for part in words if len(words) > 1 else []:
            if _key(part) in firm:
                continue
            known = parts.setdefault(_key(part), pseudonym)
            if known != pseudonym:
                parts[_key(part)] = shared if shared is not None else known
    found = {**parts, **whole}  # a whole name wins over a part spelt the same
    if not found:
        return str  # nobody to mask: every text as it is
    pattern = "|".join(
        re.escape(key) if len(key) < _SHORTEST_WORD else f"(?i:{re.escape(key)})"
        for key in sorted(found, key=len, reverse=True)
    )
    # not inside an e-mail address or a domain: anna.rossi@firm.ch is mask_contacts' to hide
    names = re.compile(rf"(?<![\w.@+-])(?:{pattern})(?!\w|@|\.\w)")
    return partial(names.sub, lambda match: found[_key(match.group())])


def _key(name: str) -> str:
    """How a name is looked up: folded case for three letters or more, else as written."""
    return name.casefold() if len(name) >= _SHORTEST_WORD else name


# Workbook fields that hold ids, not text: masking must never touch them.
_ID_FIELDS = frozenset({"id", "touchpoint", "stage", "stages", "touchpoints", "subject"})


def text_masker(workbook: Workbook, language: str) -> Callable[[str], str]:
    """Masks a text as the report masks this workbook: e-mails and phone numbers, then the
    team's names with the participants' numbers (the team's and the firm's names are
    public). Made once, used for every field and every customer's comment."""
    names = pseudonyms(workbook.participants(), language)
    public = f"{workbook.meta.team} {workbook.meta.company}"
    mask_people = name_masker(names, t("report.mask.name", language), public)
    # contacts first: "anna at firm dot ch" is an address before "anna" is a name
    return lambda text: mask_people(mask_contacts(text, language))


def mask_workbook(workbook: Workbook, language: str) -> Workbook:
    """A copy of the workbook with contact details and participants' names masked in every
    text, so that every view of it (tables, charts, journey map) masks the same way."""
    names = pseudonyms(workbook.participants(), language)
    mask_text = text_masker(workbook, language)

    def clean(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: clean(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(item, key) for item in value]
        if key == "participant":
            return names[value]
        if isinstance(value, str) and key not in _ID_FIELDS:
            return mask_text(value)
        return value

    return Workbook.model_validate(clean(workbook.model_dump()))


# ---------------------------------------------------------------------------------------
# Values that go into a report's stylesheet and markup.

_COLOUR = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
    r"|(?:rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\)"
    r"|[a-zA-Z]{3,20}"
)


def is_css_colour(value: str) -> bool:
    """A plain CSS colour (#hex, rgb(), hsl(), a name) and nothing that could escape it:
    a parameter such as 'red; } body { display: none' must not rewrite the stylesheet."""
    return bool(_COLOUR.fullmatch(value.strip()))


def css_colour(value: str, default: str) -> str:
    """The colour if :func:`is_css_colour`, else ``default``."""
    return value.strip() if is_css_colour(value) else default


def css_string(text: str) -> str:
    """A quoted CSS string showing ``text`` literally, safe inside a <style> element too."""
    safe = "".join(
        char if char.isalnum() or char in " .,:;!?-_·–—'()" else f"\\{ord(char):06x}"
        for char in text
    )
    return f'"{safe}"'


_ACTIVE_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "embed", "object"})


def _is_active(element: ElementTree.Element) -> bool:
    """Whether an SVG element could run something: a script-like element, an event
    attribute (onload=…) or a javascript: link."""
    if element.tag.rpartition("}")[2].lower() in _ACTIVE_ELEMENTS:
        return True
    return any(
        name.rpartition("}")[2].lower().startswith("on")
        or value.strip().lower().startswith("javascript:")
        for name, value in element.attrib.items()
    )


def svg_image(svg: str, alt: str = "") -> str:
    """An SVG document as an ``<img>`` with the document inside (a data URI), checked as
    :func:`inline_svg` checks it.

    The PDF is the same as with the SVG inline, but WeasyPrint then parses the drawing
    with ElementTree instead of its pure-Python HTML parser, and leaves it out of the
    CSS cascade: a third of a report's rendering time for four charts.
    """
    data = base64.b64encode(inline_svg(svg).encode("utf-8")).decode("ascii")
    return f'<img alt="{escape(alt, quote=True)}" src="data:image/svg+xml;base64,{data}">'


def inline_svg(svg: str) -> str:
    """An SVG document ready to sit inside HTML: no XML prolog, and nothing that could run.

    vl-convert writes user text as escaped SVG text; this is the check that it still does,
    so that a touchpoint called '<script>' can never become markup in a report. The SVG
    is parsed, not searched: escaped text that merely reads 'onerror=' is fine.
    """
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise ValueError(f"not an SVG document: {error}") from None
    if root.tag.rpartition("}")[2] != "svg" or any(map(_is_active, root.iter())):
        raise ValueError("refusing to inline an SVG that is not plain drawing")
    return svg
