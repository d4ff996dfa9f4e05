"""Reading back the PDFs the kit prints: the words on each page, where they sit, and the
page's size (poppler's ``pdftotext -bbox`` and ``pdfinfo``)."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)
_WORD = re.compile(
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>'
)
A4 = (595.28, 841.89)  # points, portrait
A3 = (841.89, 1190.55)


@dataclass(frozen=True)
class Word:
    text: str
    box: tuple[float, float, float, float]  # x min, y min, x max, y max, in points


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        """The words in reading order; a word hyphenated at a line end is whole again."""
        return " ".join(word.text for word in self.words).replace("\u2010 ", "")

    def outside(self) -> list[Word]:
        """Words that do not lie wholly inside the page."""
        return [
            word
            for word in self.words
            if word.box[0] < 0
            or word.box[1] < 0
            or word.box[2] > self.width
            or word.box[3] > self.height
        ]

    def is_landscape(self, size: tuple[float, float]) -> bool:
        return abs(self.width - size[1]) < 1 and abs(self.height - size[0]) < 1


def pages(path: Path) -> list[Page]:
    """Every page of the PDF with its words."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        Page(
            float(width),
            float(height),
            [
                Word(html.unescape(text), (float(a), float(b), float(c), float(d)))
                for a, b, c, d, text in _WORD.findall(body)
            ],
        )
        for width, height, body in _PAGE.findall(out)
    ]


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
