"""The frame around the sections: cover page, table of contents and the print stylesheet.

The stylesheet is ``report.css`` with a few values filled in (accent colour, running
title, the charts' quality colours), so the PDF and the charts share one palette and a
parameter can never inject CSS: the colour is checked and the title is a CSS string.
"""

from __future__ import annotations

import base64
import mimetypes
from datetime import date
from importlib.resources import files
from pathlib import Path

from tpkit.charts import style
from tpkit.charts.journey import LANE_TINTS, PHASE_TINTS
from tpkit.model import PHASES
from tpkit.report.sections import ReportContext, esc, section_title
from tpkit.safety import css_colour, css_string

DEFAULT_ACCENT = "#1f6f8b"
LOGO_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp")
MAX_LOGO_BYTES = 5_000_000  # a logo, not a photo archive: keeps every report small


def issued_on(ctx: ReportContext) -> str:
    """The report's date in words, in its language: '22 November 2026'."""
    day = ctx.issued or date.today()
    month = ctx.text(f"month.{day.month}")
    return ctx.text("date", day=day.day, month=month, year=day.year)


def logo_html(path: str) -> str:
    """The logo embedded as a data URI (the HTML stays one self-contained file); "" if the
    path is empty or not a readable image (the parameters check reports a missing file)."""
    if not path:
        return ""
    kind = mimetypes.guess_type(path)[0]
    try:
        data = Path(path).read_bytes() if kind in LOGO_TYPES else b""
    except OSError:
        return ""
    if not data or len(data) > MAX_LOGO_BYTES:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img class="tp-logo" alt="" src="data:{kind};base64,{encoded}">'


def cover_html(ctx: ReportContext) -> str:
    """The first page: logo, the title on the accent band, then who, what period, when."""
    meta = ctx.shown.meta
    facts = [
        (ctx.label("field", "team"), meta.team),
        (ctx.label("field", "company"), meta.company),
        (ctx.label("field", "industry"), ctx.label("industry", meta.industry)),
        (ctx.text("cover.period"), ctx.period_shown),
        (ctx.label("field", "language"), ctx.label("language", ctx.language)),
        (ctx.text("cover.date"), issued_on(ctx)),
    ]
    rows = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in facts if value)
    period = f'<p class="tp-cover-period">{esc(ctx.period_shown)}</p>' if ctx.period_shown else ""
    kicker = meta.company or meta.team
    return (
        f'<div class="tp-cover tex2jax_ignore mathjax_ignore" lang="{esc(ctx.language)}">'
        f'<div class="tp-cover-top">{logo_html(ctx.logo)}</div>'
        f'<div class="tp-cover-band"><p class="tp-cover-kicker">{esc(kicker)}</p>'
        f'<h1 class="tp-cover-title">{esc(ctx.report_title)}</h1>{period}</div>'
        f'<dl class="tp-cover-facts">{rows}</dl>'
        f'<p class="tp-cover-foot">{esc(ctx.text("made_with"))}</p></div>'
    )


def contents_html(ctx: ReportContext) -> str:
    """The table of contents (page numbers filled in by the PDF engine) and a reading guide."""
    entries = "".join(
        f'<li><a href="#section-{esc(name)}">{esc(section_title(name, ctx.language))}</a></li>'
        for name in ctx.sections
    )
    guide = ["reading", "scale"]
    guide += ["journey"] if "journey" in ctx.sections else []
    guide += ["masked"] if ctx.mask_personal_data else []
    paragraphs = "".join(f"<p>{esc(ctx.text(f'contents.{key}'))}</p>" for key in guide)
    return (
        f'<nav class="tp-contents tex2jax_ignore mathjax_ignore" lang="{esc(ctx.language)}">'
        f'<h1>{esc(ctx.text("contents.title"))}</h1><ol class="tp-toc">{entries}</ol>'
        f'<div class="tp-reading"><h2>{esc(ctx.text("contents.reading_title"))}</h2>'
        f"{paragraphs}</div></nav>"
    )


RUNNING_TITLE_CHARACTERS = 90  # one line beside the section name at 7.5 pt


def running_title(ctx: ReportContext) -> str:
    """'Team · Title' at the top of every page; just the title when it names the team.
    Clipped to one line, so the section name beside it keeps its place."""
    team, title = ctx.shown.meta.team, ctx.report_title
    text = title if team in title else ctx.text("running_title", team=team, title=title)
    if len(text) <= RUNNING_TITLE_CHARACTERS:
        return text
    return text[: RUNNING_TITLE_CHARACTERS - 1].rsplit(" ", 1)[0].rstrip(" ·:,–") + " …"


def _rgb(colour: str) -> tuple[float, float, float] | None:
    """'#1f6f8b' or '#abc' as red, green, blue in 0…1; None for names and functions."""
    digits = colour.lstrip("#")
    if not colour.startswith("#") or len(digits) not in (3, 6):
        return None
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance: 0 for black, 1 for white."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on a background of this colour."""
    rgb = _rgb(colour)
    return style.INK if rgb and luminance(rgb) > 0.18 else "#ffffff"  # names: assume dark


def text_accent(colour: str) -> str:
    """The accent darkened until text in it reads on white (contrast 4.5:1): a yellow
    brand colour still fills the cover band, but headings turn a dark gold."""
    rgb = _rgb(colour)
    if rgb is None:
        return colour
    while luminance(rgb) > 0.18:
        rgb = (rgb[0] * 0.9, rgb[1] * 0.9, rgb[2] * 0.9)
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _palette_rules() -> str:
    """Quality, phase, lane and kind colours as CSS classes, taken from the charts so
    tables, charts, the coverage bars and the printed journey map agree."""
    rules = [
        *(
            f".tp-{name} {{ background: {style.LEVEL_TINTS[name]}; "
            f"color: {style.LEVEL_INKS[name]}; }}"
            for name in style.LEVELS
        ),
        *(
            f".tp-chip-{name} {{ background: {style.LEVEL_TINTS[name]}; "
            f"border-left-color: {style.LEVEL_COLOURS[name]}; }}"
            for name in style.LEVELS
        ),
        *(
            f".tp-phase-{phase} {{ background: {PHASE_TINTS[phase]}; "
            f"border-top-color: {style.PHASE_COLOURS[phase]}; }}"
            for phase in PHASES
        ),
        *(f".tp-lane-{lane} td {{ background: {tint}; }}" for lane, tint in LANE_TINTS.items()),
        *(
            f".tp-kind-{kind} {{ background: {colour}; color: {ink_on(colour)}; }}"
            for kind, colour in style.KIND_COLOURS.items()
        ),
    ]
    return "\n".join(rules)


def stylesheet(ctx: ReportContext) -> str:
    """The print CSS with this report's accent colour and running title filled in."""
    return print_stylesheet(ctx.accent, running_title(ctx))


def print_stylesheet(accent: str, title: str) -> str:
    """The reports' print CSS for any A4 document of the kit (the reports, the
    facilitator guide): this accent colour, this running title at the top of pages."""
    accent = css_colour(accent, DEFAULT_ACCENT)
    values = {
        "@accent@": accent,
        "@on-accent@": ink_on(accent),
        "@accent-text@": text_accent(accent),
        "@running-title@": css_string(title),
        "@ink@": style.INK,
        "@muted@": style.MUTED,
        "@rule@": style.RULE,
        "@paper@": style.PAPER,
        "@warning@": style.LEVEL_INKS["poor"],
        "@fine@": style.LEVEL_INKS["good"],
    }
    css = files("tpkit.report").joinpath("report.css").read_text(encoding="utf-8")
    for token, value in values.items():
        css = css.replace(token, value)
    return f"{css}\n{_palette_rules()}\n"
