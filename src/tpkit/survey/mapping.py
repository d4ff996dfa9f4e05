"""What one question column of an export answers: a measure, on a scale, about a touchpoint.

A column with a measure but no touchpoint answers about the touchpoint of the
response's link when the export carries one (:data:`ROW_TOUCHPOINT`), else about the
firm as a whole (:data:`WHOLE_FIRM`). How a mapping is proposed, checked, written to a
mapping file and read back is :mod:`tpkit.survey.proposal`'s job.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tpkit.model import Workbook
from tpkit.survey.export import Export
from tpkit.survey.measures import PERSONAL, normalise_label

ROW_TOUCHPOINT = "*"  # the answer is about the touchpoint named by the response's link
WHOLE_FIRM = ""  # the answer is about the firm, not one touchpoint


@dataclass(frozen=True)
class Target:
    """What one column answers: a measure, about a touchpoint, on a scale."""

    measure: str
    touchpoint: str  # a touchpoint id, ROW_TOUCHPOINT or WHOLE_FIRM
    scale: str = ""  # a name of tpkit.survey.scales.SCALES; "" for kept personal data

    @property
    def name(self) -> str:
        """The stored column's name: ``csat@invoice``, ``nps@*``, ``nps@``."""
        return f"{self.measure}@{self.touchpoint}"


Mapping = dict[int, Target]  # column index of the export → target


def mapping_digest(mapping: Mapping, export: Export) -> str:
    """A short fingerprint of a mapping, stored with every response it imported, so a
    second import of the same export knows whether its answers were read the same way."""
    lines = sorted(
        f"{export.columns[i].code or export.columns[i].header}\x1f{t.measure}\x1f"
        f"{t.touchpoint}\x1f{t.scale}"
        for i, t in mapping.items()
    )
    return hashlib.blake2b("\x1e".join(lines).encode(), digest_size=6).hexdigest()


def _names_of(workbook: Workbook) -> list[tuple[str, str]]:
    """(normalised name or alias, touchpoint id), longest first so 'online invoice'
    wins over 'invoice'."""
    pairs = [
        (normalise_label(text), tp.id)
        for tp in workbook.touchpoints
        for text in (tp.name, tp.id.replace("-", " ").replace("_", " "), *tp.aliases)
        if normalise_label(text)
    ]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _name_pattern(name: str) -> re.Pattern[str]:
    """A name as whole words, with the endings a plural or a German genitive adds
    ('Monteur' finds 'Monteurs', 'Lieferung' 'Lieferungen')."""
    ending = "(?:s|es|e|en|n|er)?" if len(name) >= 4 else ""
    return re.compile(rf"(?<!\w){re.escape(name)}{ending}(?!\w)")


def touchpoints_in(header: str, workbook: Workbook) -> list[str]:
    """The touchpoints whose name or alias appears in a header as whole words, in the
    order they appear; a name inside a longer name found counts once."""
    text = normalise_label(header)
    found: list[tuple[int, str]] = []
    taken = [False] * len(text)
    for name, tp in _names_of(workbook):
        for match in _name_pattern(name).finditer(text):
            span = range(match.start(), match.end())
            if not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                found.append((match.start(), tp))
    return list(dict.fromkeys(tp for _, tp in sorted(found)))


def without_names(header: str, workbook: Workbook) -> str:
    """A header with the touchpoint names it holds taken out (normalised)."""
    text = normalise_label(header)
    for name, _ in _names_of(workbook):
        text = _name_pattern(name).sub(" ", text)
    return " ".join(text.split())


def is_touchpoint_name(header: str, workbook: Workbook) -> bool:
    """Whether a header is a touchpoint's name (or alias) and nothing else."""
    text = normalise_label(header)
    return any(text == name for name, _ in _names_of(workbook))


def personal_columns(export: Export) -> list[int]:
    """Columns holding personal data: left out of the store unless the user asks."""
    return [i for i, c in enumerate(export.columns) if c.role in PERSONAL]
