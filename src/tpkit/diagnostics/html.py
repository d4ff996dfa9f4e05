"""The diagnostics as HTML, shared by notebook 05, the app's tab and the report.

Plain HTML with inline styles and the report's own classes (``tp-findings``,
``tp-table``), so it looks the same in JupyterLab, Voila and the PDF, and WeasyPrint
lays it out without a chart engine: the only drawing is the IPA's small SVG. Every
text from the workbook or from customers is escaped here.
"""

from __future__ import annotations

from html import escape

from tpkit.diagnostics import ipa
from tpkit.diagnostics.findings import Finding
from tpkit.diagnostics.plan import MEASURES, Check, addressed, answering
from tpkit.diagnostics.text import Names, number, words
from tpkit.i18n import label, t
from tpkit.model import Action, Workbook
from tpkit.safety import inline_svg
from tpkit.survey.metrics import Figure

ITEMS_SHOWN = 4  # evidence lines per finding; the rest are counted
BRIEF_ITEMS = 2  # … on the report's summary page, which leaves out the explanations
_MUTED = "color:#5a6270"
_VERDICT_COLOURS = {"better": "#00735A", "worse": "#B34700"}


def _t(key: str, language: str, **values: object) -> str:
    return escape(t(f"diagnostics.{key}", language, **values))


def finding_html(
    finding: Finding, workbook: Workbook, language: str, brief: bool = False, formula: bool = True
) -> str:
    """One finding: title, rule and priority, why it matters, what to do, the evidence,
    how its severity is computed (``formula``) and the actions answering it; ``brief``
    leaves out the explanation and the severity formula and keeps two evidence lines."""
    said = words(finding, workbook, language, BRIEF_ITEMS if brief else ITEMS_SHOWN)
    lines = [escape(line) for line in said.lines]
    if said.more:
        lines.append(f'<span style="{_MUTED}">{_t("more", language, count=said.more)}</span>')
    planned = "".join(
        f'<p style="color:#00735A">✓ {_t("answered", language, what=a.what, status=status)}</p>'
        for a in answering(workbook, finding)
        if (status := label("status", a.status, language))
    )
    items = "".join(f"<li>{line}</li>" for line in lines)
    how = f'<p style="{_MUTED};font-size:85%">{_t("how", language)}: {escape(said.severity)}</p>'
    return (
        f"<h3>{escape(said.title)}</h3>"
        f'<p style="{_MUTED};font-size:90%">{escape(said.rule)} · {escape(said.score)}</p>'
        + ("" if brief else f"<p>{escape(said.explanation)}</p>")
        + f"<p><b>{_t('todo', language)}:</b> {escape(said.action)}</p>"
        + (f'<ul class="tp-items">{items}</ul>' if items else "")
        + (how if formula and not brief else "")
        + planned
    )


def findings_html(
    found: list[Finding],
    workbook: Workbook,
    language: str,
    brief: bool = False,
    formulas: bool = True,
) -> str:
    """The ranked list, numbered, after the priority formula (``brief``: without it, for
    the report's summary page, which introduces the list in its own words); ``formulas``
    adds each rule's severity formula."""
    if not workbook.touchpoints:
        return _note(t("diagnostics.empty", language))
    if not found:
        return _note(t("diagnostics.none", language))
    entries = "".join(
        f'<li class="tp-finding">{finding_html(f, workbook, language, brief, formulas)}</li>'
        for f in found
    )
    formula = "" if brief else f'<p class="tp-intro">{_t("formula", language)}</p>'
    return f'{formula}<ol class="tp-findings">{entries}</ol>'


def _note(text: str) -> str:
    return f'<p class="tp-note">{escape(text)}</p>'


# --- importance–performance ----------------------------------------------------------------


def ipa_html(workbook: Workbook, language: str) -> str:
    """The IPA chart beside the four quadrants and their touchpoints (the dots' names are
    only tooltips, so print needs the lists), with the formula."""
    analysis = ipa.analyse(workbook)
    if analysis is None:
        return _note(t("diagnostics.ipa.none", language, count=ipa.MINIMUM))
    names = Names.of(workbook)
    formula = _t(
        "ipa.formula",
        language,
        importance=number(round(analysis.importance, 1), language),
        performance=number(round(analysis.performance, 1), language),
    )
    quadrants = "".join(
        f'<p style="margin:0 0 2mm"><b style="color:{ipa.COLOURS[q]}">'
        f"{_t(f'ipa.{q}', language)}</b>: "
        + escape(", ".join(names.touchpoint(p.touchpoint) for p in analysis.members(q)) or "–")
        + "</p>"
        for q in ipa.QUADRANTS
    )
    chart = inline_svg(ipa.chart_svg(analysis, names.touchpoints, language))  # checked
    # a table, not flex: WeasyPrint lays it out faster, and it keeps the two side by side
    return (
        f'<p class="tp-intro">{formula}</p>'
        '<table style="width:100%;table-layout:fixed;break-inside:avoid"><tr>'
        f'<td style="width:50%;vertical-align:top;padding:0">{chart}</td>'
        f'<td style="vertical-align:top;padding:0 0 0 4mm;font-size:8.5pt">{quadrants}</td>'
        "</tr></table>"
    )


# --- the action plan ---------------------------------------------------------------------------


def _where(workbook: Workbook, action: Action) -> str:
    names = Names.of(workbook)
    if action.touchpoint:
        return names.touchpoint(action.touchpoint)
    if action.stage:
        return names.stage(action.stage)
    return "–"


def _table(columns: list[tuple[str, int]], rows: list[list[str]]) -> str:
    """A table of already-escaped cells with fixed column widths (%), so long texts wrap
    inside the page instead of squeezing the other columns."""
    widths = "".join(f'<col style="width:{width}%">' for _, width in columns)
    head = "".join(f"<th>{escape(heading)}</th>" for heading, _ in columns)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        '<table class="tp-table" style="table-layout:fixed;width:100%">'
        f"<colgroup>{widths}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _small(text: str) -> str:
    return f'<br><span style="{_MUTED};font-size:90%">{escape(text)}</span>'


def plan_html(workbook: Workbook, checks: list[Check], language: str) -> str:
    """The actions (what and the finding it answers, where, who, when, status, expected
    effect), then before against after for those that have started."""
    if not workbook.actions:
        return _note(t("diagnostics.plan.empty", language))
    columns = [
        (t("field.what", language), 29),
        (t("diagnostics.plan.where", language), 15),
        (t("field.owner", language), 13),
        (t("diagnostics.plan.when", language), 13),
        (t("field.status", language), 12),
        (t("field.expected_effect", language), 18),
    ]

    def when(action: Action) -> str:
        start = action.start.isoformat() if action.start else "–"
        due = action.due.isoformat() if action.due else "–"
        started, due_by = (
            _t("plan.start_on", language, date=start),
            _t("plan.due_on", language, date=due),
        )
        return f"{started}<br>{due_by}"

    rows = [
        [
            escape(action.what)
            + (
                _small(
                    t(
                        "diagnostics.plan.answers",
                        language,
                        rule=label("rule", action.finding.rule, language),
                    )
                )
                if action.finding
                else ""
            ),
            escape(_where(workbook, action)),
            escape(action.owner or "–"),
            when(action),
            escape(label("status", action.status, language)),
            escape(action.expected_effect or "–"),
        ]
        for action in workbook.actions
    ]
    return (
        _table(columns, rows)
        + f"<h3>{_t('plan.remeasure_title', language)}</h3>"
        + remeasured_html(workbook, checks, language)
    )


def remeasured_html(workbook: Workbook, checks: list[Check], language: str) -> str:
    """Per started action and touchpoint, CSAT and NPS before → since the start, each with
    n, interval and what it means ("not enough answers yet" where n is small)."""
    from tpkit.report.feedback import interval_text, score_text

    if not any(a.start and addressed(workbook, a) for a in workbook.actions):
        return _note(t("diagnostics.plan.no_start", language))
    if all(c.before is None and c.after is None for c in checks):
        return _note(t("diagnostics.plan.unmeasured", language))
    names = Names.of(workbook)
    what = {action.id: action.what for action in workbook.actions}

    def shown(item: Figure | None) -> str:
        if item is None:
            return "–"
        score, interval = score_text(item, language), interval_text(item, language)
        return _t("plan.figure", language, score=score, interval=interval, n=item.n)

    def cell(check: Check) -> str:
        colour = _VERDICT_COLOURS.get(check.verdict, "#5a6270")
        return (
            f"{_t('plan.before', language)}: {shown(check.before)}<br>"
            f"{_t('plan.after', language)}: {shown(check.after)}<br>"
            f'<b style="color:{colour}">{_t(f"plan.verdict.{check.verdict}", language)}</b>'
        )

    by_row: dict[tuple[str, str], dict[str, Check]] = {}
    for check in checks:
        by_row.setdefault((check.action, check.touchpoint), {})[check.measure] = check
    columns = [(t("diagnostics.plan.action", language), 34)] + [
        (t(f"navigator.measure.{measure}", language), 33) for measure in MEASURES
    ]
    rows = [
        [escape(what[action]) + _small(names.touchpoint(touchpoint))]
        + [cell(measures[m]) if m in measures else "–" for m in MEASURES]
        for (action, touchpoint), measures in by_row.items()
    ]
    return f'<p class="tp-intro">{_t("plan.remeasure_intro", language)}</p>' + _table(columns, rows)
