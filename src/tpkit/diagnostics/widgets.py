"""Notebook 05 and the app's diagnostics tab: the ranked findings with a "make an
action" button each, the importance–performance chart, and the action plan with a
small editor (owner, start, due date, status) and the before/after of each action.

Thin: everything shown comes from :func:`tpkit.diagnostics.diagnose` and
:mod:`tpkit.diagnostics.html`; every change is saved through the session at once.
Tests set ``.value`` and call ``.click()``.
"""

from __future__ import annotations

import ipywidgets as w
from IPython.display import Markdown

from tpkit.diagnostics import diagnose
from tpkit.diagnostics.evidence import customers_of
from tpkit.diagnostics.findings import Finding
from tpkit.diagnostics.html import finding_html, findings_html, ipa_html, plan_html
from tpkit.diagnostics.plan import action_from, answering, remeasure_file
from tpkit.forms.fields import InlineMessage, choices, heading, row
from tpkit.forms.session import SaveResult, WorkbookSession
from tpkit.i18n import t
from tpkit.model import ACTION_STATUSES, Workbook


def diagnostics_guide(topic: str, language: str | None = None) -> Markdown:
    """The notebook's guidance between the views, from the ``guide.diagnostics`` texts."""
    return Markdown(t(f"guide.diagnostics.{topic}", language))


class FindingsList:
    """The ranked findings, each with a button that turns it into an action."""

    def __init__(self, session: WorkbookSession) -> None:
        self.session, self.language = session, session.language
        self.message = InlineMessage()
        self.entries = w.VBox()
        self.findings: list[Finding] = []
        self.buttons: list[w.Button] = []
        self.widget = w.VBox([self.message.widget, self.entries])
        session.on_change(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        workbook = self.session.workbook
        self.findings = diagnose(workbook, customers_of(workbook, self.session.path))
        self.buttons = [self._button(finding, workbook) for finding in self.findings]
        if not self.findings:
            self.entries.children = [w.HTML(findings_html([], workbook, self.language))]
            return
        self.entries.children = [
            w.HTML(f'<p class="tp-intro">{t("diagnostics.formula", self.language)}</p>'),
            *(
                w.VBox([w.HTML(finding_html(finding, workbook, self.language)), button])
                for finding, button in zip(self.findings, self.buttons, strict=True)
            ),
        ]

    def _button(self, finding: Finding, workbook: Workbook) -> w.Button:
        planned = bool(answering(workbook, finding))
        key = "diagnostics.planned" if planned else "diagnostics.make_action"
        button = w.Button(
            description=t(key, self.language),
            icon="check" if planned else "plus",
            disabled=planned,
            layout=w.Layout(width="auto"),
        )
        button.on_click(lambda _: self.make_action(finding))
        return button

    def make_action(self, finding: Finding) -> SaveResult:
        """Add an action answering the finding (once: a second click finds it planned)."""

        def add(workbook: Workbook) -> None:
            if not answering(workbook, finding):
                workbook.actions = [
                    *workbook.actions,
                    action_from(finding, workbook, self.language),
                ]

        result = self.session.apply(add)
        if result.saved:
            made = answering(self.session.workbook, finding)[-1]
            self.message.show(t("diagnostics.made", self.language, what=made.what), "ok")
        else:
            self.message.show(result.message)
        return result


class ActionPlan:
    """The action plan and its before/after, with an editor for one action at a time."""

    def __init__(self, session: WorkbookSession) -> None:
        self.session, self.language = session, session.language
        language = self.language
        self.choice = w.Dropdown(layout=w.Layout(width="32em"))
        self.owner = w.Text()
        self.start = w.DatePicker()
        self.due = w.DatePicker()
        self.status = w.Dropdown(options=choices("status", ACTION_STATUSES, language))
        self.save = w.Button(
            description=t("diagnostics.plan.save", language), icon="save", button_style="primary"
        )
        self.message = InlineMessage()
        self.view = w.HTML()
        self.choice.observe(lambda _: self._show_action(), "value")
        self.save.on_click(lambda _: self.save_action())
        editor = w.VBox(
            [
                row(t("diagnostics.plan.action", language), self.choice),
                row(t("field.owner", language), self.owner),
                row(t("field.start", language), self.start),
                row(t("field.due", language), self.due),
                row(t("field.status", language), self.status),
                w.HBox([self.save, self.message.widget]),
            ]
        )
        self.widget = w.VBox([self.view, heading(t("diagnostics.plan.edit", language)), editor])
        session.on_change(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        workbook = self.session.workbook
        checks = remeasure_file(workbook, self.session.path)
        self.view.value = plan_html(workbook, checks, self.language)
        chosen = self.choice.value
        self.choice.options = [(a.what[:80], a.id) for a in workbook.actions]
        ids = [a.id for a in workbook.actions]
        if ids:
            self.choice.value = chosen if chosen in ids else ids[-1]
        self.save.disabled = not ids
        self._show_action()

    def _show_action(self) -> None:
        action = next((a for a in self.session.workbook.actions if a.id == self.choice.value), None)
        if action is None:
            return
        self.owner.value = action.owner
        self.start.value = action.start
        self.due.value = action.due
        self.status.value = action.status

    def save_action(self) -> SaveResult:
        """Write the editor's owner, start, due date and status into the chosen action."""
        chosen, owner = self.choice.value, self.owner.value.strip()
        start, due, status = self.start.value, self.due.value, self.status.value

        def change(workbook: Workbook) -> None:
            for action in workbook.actions:
                if action.id == chosen:
                    action.owner, action.start, action.due = owner, start, due
                    action.status = status

        result = self.session.apply(change)
        if result.saved:
            self.message.show(t("diagnostics.plan.saved", self.language), "ok")
        else:
            self.message.show(result.message)
        return result


class DiagnosticsView:
    """Everything of notebook 05 in one widget (the app's tab): findings, IPA, plan."""

    def __init__(self, session: WorkbookSession) -> None:
        self.session, language = session, session.language
        self.findings = FindingsList(session)
        self.ipa = w.HTML(ipa_html(session.workbook, language))
        self.plan = ActionPlan(session)
        session.on_change(lambda workbook: setattr(self.ipa, "value", ipa_html(workbook, language)))
        self.widget = w.VBox(
            [
                self.findings.widget,
                heading(t("diagnostics.ipa.title", language)),
                self.ipa,
                heading(t("diagnostics.plan.title", language)),
                self.plan.widget,
            ]
        )

    def refresh(self) -> None:
        """Read the workbook's customer answers again (after an import of responses)."""
        self.findings.refresh()
        self.plan.refresh()
