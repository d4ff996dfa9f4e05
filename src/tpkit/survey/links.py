"""Survey links that say which touchpoint a customer answers about, and their QR codes.

A link is the questionnaire's address plus ``tp=<touchpoint id>`` and the usual
campaign tags (utm_source / utm_medium / utm_campaign), so the survey tool stores the
touchpoint with every answer and web analytics can tell an invoice from a van. The
base address's own query (a survey id, a language) is kept as it was written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

import segno

from tpkit.errors import TpkitError
from tpkit.model import Touchpoint
from tpkit.safety import spreadsheet_csv
from tpkit.store import write_atomic
from tpkit.survey.questionnaire import LINK_PARAMETER

# Where a link appears, and the utm_medium that analytics tools group it under: the
# printed ones are reached by scanning a QR code.
MEDIUM_OF_SOURCE: dict[str, str] = {
    "invoice": "qr",
    "van": "qr",
    "counter": "qr",
    "email": "email",
    "sms": "sms",
}
SOURCES: tuple[str, ...] = tuple(MEDIUM_OF_SOURCE)
DEFAULT_SOURCES: tuple[str, ...] = ("invoice",)
DEFAULT_CAMPAIGN = "feedback"
CSV_COLUMNS: tuple[str, ...] = ("touchpoint", "name", "phase", "source", "url")
# Error correction M restores up to 15 % of a smudged or folded code; segno raises it
# further when the code's size allows. Four modules of quiet zone, as the standard asks.
QR_ERROR, QR_BORDER = "m", 4
_TAGS = frozenset({LINK_PARAMETER, "utm_source", "utm_medium", "utm_campaign"})


@dataclass(frozen=True)
class SurveyLink:
    """One touchpoint's link for one place it appears."""

    touchpoint: Touchpoint
    source: str
    url: str

    @property
    def stem(self) -> str:
        """The file name of its QR codes: the touchpoint id is already file-safe."""
        return f"{self.touchpoint.id}-{self.source}"

    @property
    def short(self) -> str:
        """The address to type from a printed card: no scheme, no campaign tags."""
        parts = urlsplit(self.url)
        kept = _query_without(parts.query, _TAGS - {LINK_PARAMETER})
        return urlunsplit(("", parts.netloc, parts.path, "&".join(kept), "")).removeprefix("//")


def _query_without(query: str, names: frozenset[str]) -> list[str]:
    """The query's parameters exactly as written, less those with these names."""
    return [
        part for part in query.split("&") if part and unquote_plus(part.split("=")[0]) not in names
    ]


def check_base_url(base_url: str) -> None:
    """Only a web address can become a link a customer's phone opens."""
    parts = urlsplit(base_url.strip())
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(char.isspace() or ord(char) < 32 for char in base_url.strip())
    ):
        raise TpkitError("questionnaire.error.bad_base_url", value=base_url)


def survey_url(base_url: str, touchpoint_id: str, campaign: str, source: str) -> str:
    """The base address with the touchpoint and the campaign tags added (URL-encoded);
    its own query stays as written, except tags of ours that it already had."""
    check_base_url(base_url)
    parts = urlsplit(base_url.strip())
    own = _query_without(parts.query, _TAGS)
    tags = urlencode(
        {
            LINK_PARAMETER: touchpoint_id,
            "utm_source": source,
            "utm_medium": MEDIUM_OF_SOURCE[source],
            "utm_campaign": campaign,
        },
        quote_via=quote,
    )
    query = "&".join([*own, tags])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, parts.fragment))


def survey_links(
    touchpoints: Sequence[Touchpoint],
    base_url: str,
    campaign: str = DEFAULT_CAMPAIGN,
    sources: Sequence[str] = DEFAULT_SOURCES,
) -> list[SurveyLink]:
    """One link per touchpoint and place, touchpoint by touchpoint."""
    return [
        SurveyLink(tp, source, survey_url(base_url, tp.id, campaign, source))
        for tp in touchpoints
        for source in dict.fromkeys(sources)
    ]


def write_csv(links: Sequence[SurveyLink], path: Path) -> None:
    """links.csv for a mail merge or a spreadsheet: every cell shown as text, never run
    as a formula (a touchpoint called '=cmd|…' stays text). UTF-8 with a BOM, so that
    Excel reads accents right."""
    rows = [
        (link.touchpoint.id, link.touchpoint.name, link.touchpoint.phase, link.source, link.url)
        for link in links
    ]
    write_atomic(path, spreadsheet_csv([CSV_COLUMNS, *rows]).encode("utf-8-sig"))


def qr_code(url: str) -> segno.QRCode:
    """A full QR code (never a micro one, which few phone cameras read)."""
    return segno.make(url, error=QR_ERROR, micro=False)


def write_qr_codes(links: Sequence[SurveyLink], folder: Path) -> list[Path]:
    """An SVG (for print) and a PNG (for e-mail and office documents) per link."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for link in links:
        code = qr_code(link.url)
        svg, png = folder / f"{link.stem}.svg", folder / f"{link.stem}.png"
        code.save(svg, kind="svg", border=QR_BORDER, scale=4, title=link.touchpoint.name)
        code.save(png, kind="png", border=QR_BORDER, scale=10)
        written += [svg, png]
    return written
