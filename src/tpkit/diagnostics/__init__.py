"""The diagnostic engine: what the method teaches, found in a team's own workbook.

:func:`diagnose` runs every rule of :data:`~tpkit.diagnostics.rules.RULES` over the
workbook (and, where given, its customers' figures) and returns one list ranked by
priority score = weight × severity (:mod:`tpkit.diagnostics.findings`). The same list
feeds ``tpkit diagnose``, notebook 05, the app's diagnostics tab, the report's
diagnostics section and the top findings of its summary page.

Modules: :mod:`.facts` (plain facts, shared with the teaching kit's exercise checks),
:mod:`.settings` (thresholds and weights), :mod:`.evidence` (what rules read),
:mod:`.findings` (severity and ranking), :mod:`.rules`, :mod:`.ipa`
(importance–performance), :mod:`.text` (the words, in four languages), :mod:`.plan`
(findings into actions, actions re-measured), :mod:`.listing` (the list as text and
JSON), :mod:`.cli` (``tpkit diagnose``), :mod:`.html` (the views' HTML) and
:mod:`.widgets` (notebook 05 and the app's tab).
"""

from __future__ import annotations

from tpkit.diagnostics.evidence import Customers, Evidence
from tpkit.diagnostics.findings import Finding, Item, rank
from tpkit.diagnostics.rules import RULES
from tpkit.model import Thresholds, Workbook


def diagnose(
    workbook: Workbook, customers: Customers | None = None, settings: Thresholds | None = None
) -> list[Finding]:
    """Every finding of every rule, highest priority first."""
    evidence = Evidence(workbook, customers or Customers(), settings)
    found = [finding for rule in RULES.values() for finding in rule(evidence)]
    return rank(found, {rule: float(w) for rule, w in workbook.diagnostics.weights.items()})


__all__ = ["RULES", "Customers", "Evidence", "Finding", "Item", "diagnose"]
