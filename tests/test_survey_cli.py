"""``tpkit survey import`` and ``tpkit survey metrics`` as a user runs them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import small_workbook
from tests.test_cli import run
from tpkit.store import create

EXPORT = (
    "Response ID;Submitted;tp;How likely are you to recommend us?;"
    "How satisfied were you overall?;Why?;Email\n"
    "r1;2026-03-01 10:00:00;website;10;Very satisfied;Fast, friendly;ann@example.com\n"
    'r2;2026-03-05 11:00:00;website;11;n/a;=HYPERLINK("x");\n'
    "r3;2026-04-02 09:30:00;newsletter;3;2;Too many mails;\n"
    "r3;2026-04-03 09:30:00;newsletter;9;5;;\n"
)


@pytest.fixture
def firm(tmp_path):
    workbook = create(tmp_path / "firm.yaml", small_workbook())
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    return workbook, export


def test_import_reports_mapping_counts_and_every_skip_by_line(firm):
    workbook, export = firm
    done = run("survey", "import", str(export), "--workbook", str(workbook))
    assert done.returncode == 1, done.stderr  # a value the user can fix was skipped
    assert "Traceback" not in done.stderr
    assert "'How likely are you to recommend us?' → likelihood to recommend (NPS)" in done.stdout
    assert "4 rows read: 3 new responses" in done.stdout
    assert "personal data left out: Email" in done.stdout
    assert f"{export} line 3, column 'How likely are you to recommend us?': '11'" in done.stderr
    assert "outside the scale of the question" in done.stderr
    assert f"{export} line 5: row skipped, a response with the same id" in done.stderr
    again = run("survey", "import", str(export), "--workbook", str(workbook))
    assert "0 new responses" in again.stdout and "3 were already imported" in again.stdout


def test_a_clean_export_imports_with_exit_zero_and_a_mapping_can_be_saved(firm, tmp_path):
    workbook, export = firm
    lines = EXPORT.splitlines()
    export.write_text("\n".join([*lines[:2], lines[3]]) + "\n")
    saved = tmp_path / "mapping.yaml"
    done = run(
        "survey", "import", str(export), "--workbook", str(workbook), "--save-mapping", str(saved)
    )
    assert done.returncode == 0, done.stderr
    assert "measure: nps" in saved.read_text(encoding="utf-8")
    dry = run(
        "survey",
        "import",
        str(export),
        "--workbook",
        str(workbook),
        "--mapping",
        str(saved),
        "--dry-run",
    )
    assert dry.returncode == 0 and "nothing stored" in dry.stdout


def test_metrics_as_a_table_and_as_json(firm):
    workbook, export = firm
    run("survey", "import", str(export), "--workbook", str(workbook))
    table = run("survey", "metrics", str(workbook))
    assert table.returncode == 0, table.stderr
    assert "Website" in table.stdout and "NPS" in table.stdout and "*" in table.stdout
    document = json.loads(run("survey", "metrics", str(workbook), "--json").stdout)
    nps = {(f["group"], f["measure"]): f for f in document["figures"]}
    assert nps[("website", "nps")]["score"] == 100.0  # r1 only: r2's 11 was skipped
    assert nps[("newsletter", "nps")]["score"] == -100.0  # r3's first answer, a 3
    assert nps[("website", "nps")]["small_sample"] is True
    months = json.loads(run("survey", "metrics", str(workbook), "--by", "month", "--json").stdout)
    assert sorted({f["group"] for f in months["figures"]}) == ["2026-03", "2026-04"]


def test_metrics_without_responses_says_how_to_get_some(firm):
    workbook, _ = firm
    done = run("survey", "metrics", str(workbook), "--lang", "it")
    assert done.returncode == 0
    assert "tpkit survey import" in done.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["survey", "import", "missing.csv", "--workbook", "{workbook}"], "missing.csv"),
        (["survey", "import", "{export}", "--workbook", "nope.yaml"], "nope.yaml"),
        (
            ["survey", "import", "{export}", "--workbook", "{workbook}", "--mapping", "m.yaml"],
            "m.yaml",
        ),
        (["survey", "metrics", "nope.yaml"], "nope.yaml"),
    ],
)
def test_user_mistakes_end_in_one_clear_line(firm, arguments, message):
    workbook, export = firm
    filled = [a.format(workbook=workbook, export=export) for a in arguments]
    done = run(*filled, cwd=workbook.parent)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert message in done.stderr
