"""Making user text safe for where it goes: spreadsheets now; HTML and masking join here."""

from __future__ import annotations

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
