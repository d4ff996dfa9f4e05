"""The ranked list as plain data and text: what ``tpkit diagnose`` prints, and its JSON.

Kept apart from the command line so a notebook or a test can ask for the same list:
:func:`document` is the JSON (rule, score, severity, weight, subject, touchpoints,
stages, evidence, the texts and the actions that answer each finding), :func:`text`
the readable list.
"""

from __future__ import annotations

import textwrap
from typing import Any

from tpkit.diagnostics.findings import Finding
from tpkit.diagnostics.plan import answering
from tpkit.diagnostics.text import words
from tpkit.i18n import label, t
from tpkit.model import Workbook

WIDTH = 88


def _plain(value: Any) -> Any:
    """Evidence as JSON: floats to three decimals, tuples as lists."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def finding_document(finding: Finding, workbook: Workbook, language: str) -> dict[str, Any]:
    said = words(finding, workbook, language)
    return {
        "rule": finding.rule,
        "subject": finding.subject,
        "score": finding.score,
        "severity": finding.severity,
        "weight": finding.weight,
        "touchpoints": list(finding.touchpoints),
        "stages": list(finding.stages),
        "evidence": _plain(finding.evidence),
        "items": [
            {"key": i.key, "touchpoint": i.touchpoint, "stage": i.stage, "values": _plain(i.values)}
            for i in finding.items
        ],
        "title": said.title,
        "explanation": said.explanation,
        "action": said.action,
        "severity_formula": said.severity,
        "evidence_lines": list(said.lines),
        "answered_by": [action.id for action in answering(workbook, finding)],
    }


def document(found: list[Finding], workbook: Workbook, language: str) -> dict[str, Any]:
    return {
        "language": language,
        "formula": t("diagnostics.formula", language),
        "findings": [finding_document(f, workbook, language) for f in found],
    }


def text(found: list[Finding], workbook: Workbook, language: str) -> str:
    """The ranked list as lines of text, wrapped for a terminal."""

    def wrapped(paragraph: str, indent: str = "   ") -> list[str]:
        return textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent)

    heading = t("diagnostics.cli.heading", language, count=len(found), team=workbook.meta.team)
    lines = [heading, *wrapped(t("diagnostics.formula", language), ""), ""]
    if not found:
        key = "diagnostics.none" if workbook.touchpoints else "diagnostics.empty"
        return "\n".join([*lines, t(key, language)])
    for rank, finding in enumerate(found, start=1):
        said = words(finding, workbook, language)
        lines.append(t("diagnostics.cli.line", language, rank=rank, title=said.title))
        lines.append(f"   {said.rule} · {said.score}")
        lines += wrapped(said.explanation)
        lines += wrapped(f"{t('diagnostics.todo', language)}: {said.action}")
        lines += [f"   - {line}" for line in said.lines]
        for action in answering(workbook, finding):
            lines += wrapped(
                "✓ "
                + t(
                    "diagnostics.answered",
                    language,
                    what=action.what,
                    status=label("status", action.status, language),
                )
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
