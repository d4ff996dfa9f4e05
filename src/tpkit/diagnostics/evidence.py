"""What the rules look at: the workbook, the thresholds in force, and what customers said.

Customer responses (``NAME.responses.parquet`` beside the workbook) are reduced once, by
the survey's own metrics, to figures per touchpoint and measure; the rules then read
plain values. Without responses the rules that need customers stay silent, and
``unbacked`` says that nothing the team wrote is backed by customers yet.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from tpkit.diagnostics.facts import rated
from tpkit.diagnostics.settings import thresholds
from tpkit.metrics import TeamScore
from tpkit.model import Thresholds, Workbook
from tpkit.survey.metrics import Figure


@dataclass(frozen=True)
class Customers:
    """Customers' figures per touchpoint id and measure, and how many responses in all."""

    figures: dict[str, dict[str, Figure]] = field(default_factory=dict)
    responses: int = 0

    def figure(self, touchpoint: str, measure: str) -> Figure | None:
        return self.figures.get(touchpoint, {}).get(measure)

    def answers(self, touchpoint: str) -> int:
        """The most answers any question about the touchpoint got (0: never asked)."""
        return max((item.n for item in self.figures.get(touchpoint, {}).values()), default=0)


def customers_from(figures: Iterable[Figure], responses: int) -> Customers:
    """Figures by touchpoint (``summarise(…, "touchpoint", …)``) as :class:`Customers`."""
    by_touchpoint: dict[str, dict[str, Figure]] = {}
    for item in figures:
        by_touchpoint.setdefault(item.group, {})[item.measure] = item
    return Customers(by_touchpoint, responses)


def customers_of(workbook: Workbook, workbook_path: str | os.PathLike[str]) -> Customers:
    """Every response stored beside the workbook, reduced to figures per touchpoint."""
    from tpkit.survey import responses
    from tpkit.survey.metrics import summarise, tally

    table = responses.load_answers(workbook_path)
    if not table.num_rows:
        return Customers()
    return customers_from(summarise(tally(table), "touchpoint", workbook), table.num_rows)


@dataclass(frozen=True)
class Evidence:
    """Everything a rule may look at, as plain data."""

    workbook: Workbook
    customers: Customers = field(default_factory=Customers)
    settings: Thresholds | None = None  # None: the workbook's own, else the defaults

    @cached_property
    def thresholds(self) -> Thresholds:
        return self.settings or thresholds(self.workbook)

    @cached_property
    def scores(self) -> dict[str, TeamScore]:
        """The team's consensus per touchpoint of the inventory."""
        return rated(self.workbook)
