"""One look for every chart: colours, fonts, text measuring and the shared finishing touches.

The palette is Okabe–Ito (safe for the common colour-vision deficiencies), always with
the same meaning: quality is vermillion / orange / bluish green, phases are blues and
purple. DejaVu Sans is the only font on the machines that render the static charts, so
text is measured with its real advance widths and wrapped here, not by the browser.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any, ClassVar

import altair as alt
import pandas as pd

from tpkit.i18n import current_language, label, t
from tpkit.model import KINDS, PHASES

FONT = "DejaVu Sans, Verdana, sans-serif"
INK = "#1f2328"
MUTED = "#5a6270"
RULE = "#c9ced6"
PAPER = "#f3f5f8"

PHASE_COLOURS = {"before": "#56B4E9", "during": "#0072B2", "after": "#CC79A7"}
KIND_COLOURS = {
    "human": "#E69F00",
    "digital": "#0072B2",
    "print": "#009E73",
    "third_party": "#CC79A7",
}
# Quality levels: the team's mean score puts each touchpoint in one of these.
LEVELS = ("poor", "fair", "good", "unrated")
LEVEL_COLOURS = {"poor": "#D55E00", "fair": "#E69F00", "good": "#009E73", "unrated": "#8c8c8c"}
LEVEL_INKS = {"poor": "#B34700", "fair": "#8F6100", "good": "#00735A", "unrated": "#5a6270"}  # text
LEVEL_TINTS = {"poor": "#f8dccb", "fair": "#fbebc4", "good": "#c9eadf", "unrated": "#e6e6e6"}
PARTICIPANT_COLOURS = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442",
    "#7f7f7f", "#8c564b",
]  # fmt: skip

TITLE_SIZE = 20
LABEL_SIZE = 14

# Advance widths of DejaVu Sans for ' ' … '~' in hundredths of an em, read from the font.
_WIDTHS = dict(
    zip(
        (chr(code) for code in range(32, 127)),
        (
            32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64,
            64, 64, 64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66,
            56, 86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61,
            63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82,
            59, 59, 52, 64, 34, 64, 84,
        ),
        strict=True,
    )
)  # fmt: skip
_BOLD = 1.12  # DejaVu Sans Bold is about 10 % wider; a little more keeps wrapping safe


def _char_width(char: str) -> int:
    if char in _WIDTHS:
        return _WIDTHS[char]
    base = unicodedata.normalize("NFKD", char)[:1]  # 'è' measures like 'e'
    return _WIDTHS.get(base, 100 if unicodedata.east_asian_width(char) in "WF" else 64)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in pixels of one line of DejaVu Sans at ``size`` px."""
    return sum(map(_char_width, text)) * size / 100 * (_BOLD if bold else 1)


def wrap(text: str, width: float, size: float, bold: bool = False, indent: str = "") -> list[str]:
    """Break text into lines no wider than ``width`` px; over-long words are cut.

    ``indent`` starts continuation lines, so a bullet hangs ("• first", "  next").
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size, bold) > width:
            lines.append(line)
            candidate = indent + word
        line = candidate
        while text_width(line, size, bold) > width and len(line) > len(indent) + 1:
            cut = _longest_prefix(line, width, size, bold, at_least=len(indent) + 1)
            lines.append(line[:cut])
            line = indent + line[cut:]
    if line.strip():
        lines.append(line)
    return lines


def _longest_prefix(line: str, width: float, size: float, bold: bool, at_least: int) -> int:
    cut = at_least
    while cut < len(line) - 1 and text_width(line[: cut + 1], size, bold) <= width:
        cut += 1
    return cut


def bullets(items: Iterable[str], width: float, size: float) -> list[str]:
    """A wrapped bullet list: each item starts with '•', continuation lines hang under it."""
    return [line for item in items for line in wrap(f"• {item}", width, size, indent="  ")]


class _Rows:
    """Records that altair passes through ``to_dict`` as they are, instead of visiting every
    value (it does so for objects with ``_schema`` and ``to_dict``, its ``SchemaLike``)."""

    _schema: ClassVar[dict[str, str]] = {"type": "array"}

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def to_dict(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return self.rows


try:  # should a later altair drop the protocol, plain lists still work, only slower
    from altair.utils.schemapi import SchemaLike

    _PASS_THROUGH = isinstance(_Rows([]), SchemaLike)
except ImportError:  # pragma: no cover
    _PASS_THROUGH = False


class Datasets(dict[str, Any]):
    """A chart's tables, referred to by name in its layers and attached once at the end.

    Altair copies a chart, data included, at every ``.encode()`` or ``.properties()``,
    and visits every value in ``to_dict()``. Named tables keep the copies small, plain
    records skip altair's DataFrame clean-up, and :class:`_Rows` skips the visit: on a
    200-touchpoint workbook that is the difference between 10 ms and 500 ms a chart.
    """

    def add(
        self, name: str, data: pd.DataFrame | list[dict[str, Any]], *columns: str
    ) -> alt.NamedData:
        """Keeps ``data`` (only ``columns`` of a DataFrame, if given) as the table ``name``."""
        if isinstance(data, pd.DataFrame):
            data = _records(data, list(columns or data.columns))
        self[name] = _Rows(data) if _PASS_THROUGH else data
        return alt.NamedData(name=name)


def _records(table: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as plain dicts (Python types, NaN as None): pandas' own way is slower."""
    values = [
        [None if isinstance(v, float) and v != v else v for v in table[name].tolist()]
        for name in columns
    ]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def labels(group: str, keys: Iterable[str], language: str | None) -> dict[str, str]:
    """Translated labels of fixed values, e.g. ``{"before": "Before purchase", ...}``."""
    return {key: label(group, key, language) for key in keys}


def colour_scale(names: dict[str, str], colours: dict[str, str]) -> alt.Scale:
    """A nominal scale whose domain is translated labels and whose colours follow the keys."""
    return alt.Scale(domain=list(names.values()), range=[colours[key] for key in names])


def phase_scale(language: str | None) -> alt.Scale:
    return colour_scale(labels("phase", PHASES, language), PHASE_COLOURS)


def kind_scale(language: str | None) -> alt.Scale:
    return colour_scale(labels("kind", KINDS, language), KIND_COLOURS)


def titled(key: str, language: str | None, **values: Any) -> alt.TitleParams:
    """A chart title and its one-line explanation, from ``KEY.title`` and ``KEY.subtitle``."""
    return alt.TitleParams(
        t(f"{key}.title", language, **values),
        subtitle=t(f"{key}.subtitle", language),
        anchor="start",
    )


# One configuration object for every chart: font, sizes readable on a projector, no border.
CONFIG = alt.Config(
    font=FONT,
    background="white",
    padding=12,
    title=alt.TitleConfig(
        fontSize=TITLE_SIZE, subtitleFontSize=LABEL_SIZE, subtitleColor=MUTED, color=INK, offset=12
    ),
    axis=alt.AxisConfig(
        labelFontSize=LABEL_SIZE,
        titleFontSize=LABEL_SIZE,
        labelColor=INK,
        titleColor=INK,
        gridColor="#e3e6ea",
        domainColor=RULE,
        tickColor=RULE,
    ),
    legend=alt.LegendConfig(
        labelFontSize=LABEL_SIZE - 1,
        titleFontSize=LABEL_SIZE - 1,
        labelColor=INK,
        titleColor=INK,
        labelLimit=260,
    ),
    header=alt.HeaderConfig(labelFontSize=LABEL_SIZE, labelFontWeight="bold", titleFontSize=0),
    view=alt.ViewConfig(stroke=None),
)


@cache
def _config(language: str) -> alt.Config:
    """The shared look, writing numbers as the language does (3.5 or 3,5)."""
    number = alt.NumberLocale(
        decimal=t("chart.decimal_mark", language), thousands="", grouping=[3], currency=["", ""]
    )
    return alt.Config(**CONFIG.to_dict(validate=False), locale=alt.Locale(number=number))


def finish(
    chart: alt.TopLevelMixin, language: str | None, data: Datasets | None = None
) -> alt.TopLevelMixin:
    """Gives a freshly built chart the shared look and its tables (in place: no copies)."""
    chart.config = _config(language or current_language())
    if data:
        chart.datasets = dict(data)
    return chart


def message(key: str, language: str | None) -> alt.Chart:
    """A chart that only says why there is nothing to draw yet (no data is not an error)."""
    lines = wrap(t(f"{key}.empty", language), 640, LABEL_SIZE + 2)
    return finish(
        alt.Chart(alt.Data(values=[{"text": "\n".join(lines)}]))
        .mark_text(
            fontSize=LABEL_SIZE + 2, color=MUTED, align="left", baseline="top", lineBreak="\n"
        )
        .encode(x=alt.XValue(0), y=alt.YValue(0), text=alt.Text("text:N"))
        .properties(width=640, height=len(lines) * (LABEL_SIZE + 6)),
        language,
    )
