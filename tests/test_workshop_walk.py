"""Issue 12's "done when", walked with the real parts a team uses.

A team has filled in notebooks 01–03 (the Shawna sample: inventory, ratings, journey)
and imports its first customer feedback with ``tpkit survey import``; notebook 05 gives
it a ranked, explained list of what to fix first; it turns two findings into actions
and starts them; a month later it imports the next export, and ``tpkit report`` prints
a PDF whose action plan says whether customers noticed.
"""

from __future__ import annotations

import csv
import subprocess
from datetime import date

from tests.test_notebooks import execute, outputs
from tpkit.cli import main
from tpkit.diagnostics.text import words
from tpkit.diagnostics.widgets import DiagnosticsView
from tpkit.forms.session import WorkbookSession
from tpkit.i18n import t
from tpkit.samples import sample_path
from tpkit.store import create, read

EXPORT = sample_path("shawna").parent / "surveys" / "shawna-google-forms.csv"
CHOSEN = (("importance_performance", "concentrate_here"), ("team_vs_customers", ""))


def next_export(path, touchpoints: list[str], answers: int) -> None:
    """The survey tool's next export: the same questions, December's answers, happy."""
    with EXPORT.open(encoding="utf-8", newline="") as source:
        header = next(csv.reader(source))
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(header)
        for touchpoint in touchpoints:
            for number in range(answers):
                day, minute = 2 + number % 20, 10 + number
                stamp = f"2026/12/{day:02d} 9:{minute % 60:02d}:00 AM GMT+2"
                writer.writerow(
                    [stamp, touchpoint, 5, 5, "Very satisfied", 10, 7, "Much better now", ""]
                )


def test_a_team_gets_its_ranked_list_acts_on_two_findings_and_the_pdf_says_it_worked(
    folder, tmp_path, capsys
):
    path = create(folder / "glowbox.yaml", read(sample_path("shawna")))
    first = main(["survey", "import", str(EXPORT), "--workbook", str(path)])
    assert first in (0, 1), capsys.readouterr().err  # 1: three refused answers, reported
    assert (folder / "glowbox.responses.parquet").is_file()

    notebook = execute("05_diagnostics", tmp_path / "05.ipynb", workbook=str(path))
    assert not [o for o in outputs(notebook) if o.get("output_type") == "error"]
    view = DiagnosticsView(WorkbookSession(path))
    findings = view.findings.findings
    severities = [finding.severity for finding in findings]
    assert severities == sorted(severities, reverse=True)  # ranked: the worst first
    shown = str(notebook.metadata.get("widgets", {}))
    workbook = read(path)
    for finding in findings[:3]:  # each explained, with what to do, in the notebook
        text = words(finding, workbook, "en")
        assert text.title in shown and text.explanation and text.action

    planned = {action.id for action in read(path).actions}
    for key in CHOSEN:
        view.findings.buttons[[f.key for f in findings].index(key)].click()
    actions = [a for a in read(path).actions if a.id not in planned]
    assert len(actions) == 2 and all(a.touchpoint for a in actions)
    for action in actions:
        view.plan.choice.value = action.id
        view.plan.start.value = date(2026, 12, 1)
        view.plan.status.value = "in_progress"
        view.plan.save.click()

    later = tmp_path / "december.csv"
    next_export(later, [a.touchpoint for a in actions], answers=40)
    assert main(["survey", "import", str(later), "--workbook", str(path)]) == 0
    pdf = tmp_path / "glowbox.pdf"
    assert main(["report", str(path), "-o", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    text = " ".join(text.split())
    better = " ".join(t("diagnostics.plan.verdict.better", "en").split())
    # CSAT and NPS of both actions: December's 40 answers, clearly above those before
    assert text.count(f"40 answers {better}") == 4, text
    for action in actions:
        assert " ".join(action.what.split())[:30] in text
