"""The report's *Diagnostics and action plan* section, and the summary's top findings.

Both come from the one run of the diagnostic engine held by the report context
(:attr:`~tpkit.report.sections.ReportContext.findings`), drawn by
:mod:`tpkit.diagnostics.html`: HTML lists and tables and one small hand-made SVG (the
importance–performance chart), so the section adds little to a report's time.
"""

from __future__ import annotations

from html import escape

from tpkit.diagnostics.html import findings_html, ipa_html, plan_html
from tpkit.i18n import t
from tpkit.report import sections

SUMMARY_SHOWN = 3  # findings on the summary page
SECTION_SHOWN = 5  # findings in the section; tpkit diagnose and notebook 05 list them all


def summary(ctx: sections.ReportContext) -> str:
    """The summary page's most important findings."""
    if not ctx.shown.touchpoints:
        return sections.note(ctx.text("findings.empty"))  # nothing to judge is not "all well"
    found = ctx.findings[:SUMMARY_SHOWN]
    if not found:
        return sections.note(ctx.text("findings.none"))
    return f'<p class="tp-intro">{sections.esc(ctx.text("findings.intro"))}</p>' + findings_html(
        found, ctx.shown, ctx.language, brief=True
    )


def body(ctx: sections.ReportContext) -> str:
    """The ranked findings, the importance–performance chart, the action plan with the
    before and after of each started action."""
    from tpkit.diagnostics.plan import remeasure_file

    shown, language = ctx.shown, ctx.language
    found = ctx.findings
    parts = [f'<p class="tp-intro">{escape(t("diagnostics.intro", language))}</p>']
    # without each rule's severity formula: print is costly, the notebook shows them
    parts.append(findings_html(found[:SECTION_SHOWN], shown, language, formulas=False))
    if len(found) > SECTION_SHOWN:
        parts.append(sections.note(t("diagnostics.shown", language, count=SECTION_SHOWN)))
    parts.append(f"<h2>{escape(t('diagnostics.ipa.title', language))}</h2>")
    parts.append(ipa_html(shown, language))
    checks = remeasure_file(shown, ctx.workbook_path) if ctx.workbook_path else []
    parts.append(f"<h2>{escape(t('diagnostics.plan.title', language))}</h2>")
    parts.append(plan_html(shown, checks, language))
    return "".join(parts)
