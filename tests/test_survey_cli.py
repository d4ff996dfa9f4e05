"""``tpkit survey import`` and ``tpkit survey metrics`` as a user runs them: the first try,
the look, the second try, the documented exit codes."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.conftest import small_workbook
from tpkit.cli import main
from tpkit.store import create
from tpkit.survey import responses

NPS = "How likely are you to recommend us?"
EXPORT = (
    f"Response ID;Submitted;tp;{NPS};How satisfied were you overall?;Why?;Email\n"
    "r1;2026-03-01 10:00:00;website;10;Very satisfied;Fast, friendly;ann@example.com\n"
    'r2;2026-03-05 11:00:00;website;11;n/a;=HYPERLINK("x");\n'
    "r3;2026-04-02 09:30:00;newsletter;3;2;Too many mails;\n"
    "r3;2026-04-03 09:30:00;newsletter;9;5;;\n"
    "r4;2026-04-05 09:30:00;newsletter;7;Satisfied;;\n"
)


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys):
    """tpkit in this process, as the user calls it: its exit code and what it printed."""

    def tpkit(*arguments: str) -> Done:
        capsys.readouterr()
        try:
            code = main([*arguments, "--lang", "en"])
        except SystemExit as usage:  # argparse's own exit
            code = usage.code
        printed = capsys.readouterr()
        return Done(code, printed.out, printed.err)

    return tpkit


@pytest.fixture
def firm(tmp_path):
    workbook = create(tmp_path / "firm.yaml", small_workbook())
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    return workbook, export


def test_first_try_stores_nothing_then_one_look_and_one_command_import(run, firm):
    """An NPS with an 11 is doubtful: exit 2, nothing stored, a proposal to check."""
    workbook, export = firm
    before = {p.name for p in workbook.parent.iterdir()}
    first = run("survey", "import", str(export), "--workbook", str(workbook))
    assert first.returncode == 2, first.stderr
    assert "Traceback" not in first.stderr
    assert f"?  {NPS}" in first.stdout  # the doubtful line, marked
    assert "numbers from 3 to 11" in first.stdout  # and why
    proposal = workbook.with_name("export.mapping.yaml")
    assert f"--mapping {proposal}" in first.stderr and "--accept" in first.stderr
    assert len(first.stderr.strip().splitlines()) == 1
    assert not responses.responses_path(workbook).exists()
    left = {p.name for p in workbook.parent.iterdir()}  # nothing behind but the proposal
    assert left == before | {proposal.name}, left
    # the user reads the proposal and writes the NPS line it suggests
    text = proposal.read_text(encoding="utf-8")
    assert f'"{NPS}": ignore  # ? ' in text
    fixed = text.replace(f'"{NPS}": ignore', f'"{NPS}": {{measure: nps, touchpoint: "*"}}')
    proposal.write_text(fixed, encoding="utf-8")
    second = run(
        "survey", "import", str(export), "--workbook", str(workbook), "--mapping", str(proposal)
    )
    assert second.returncode == 1, second.stderr  # imported; the 11 is listed
    assert "5 rows read; stored in" in second.stdout and ": 4 responses with" in second.stdout
    assert "personal data left out: Email" in second.stdout
    assert f"{export} line 3, column '{NPS}': '11' skipped, outside the scale" in second.stderr
    assert f"{export} line 5: row skipped, a response with the same id" in second.stderr
    # the same mapping again: nothing new; a changed one: the answers are read again
    again = run(
        "survey", "import", str(export), "--workbook", str(workbook), "--mapping", str(proposal)
    )
    assert "0 responses" in again.stdout and "4 were already there" in again.stdout
    proposal.write_text(fixed.replace('touchpoint: "*"}', "touchpoint: newsletter}", 1))
    changed = run(
        "survey", "import", str(export), "--workbook", str(workbook), "--mapping", str(proposal)
    )
    assert "replaced 4 responses imported on" in changed.stdout
    assert responses.load(workbook).column("nps@newsletter").to_pylist() == [10, None, 3, 7]


def test_accept_takes_the_proposal_as_it_is(run, firm):
    workbook, export = firm
    done = run("survey", "import", str(export), "--workbook", str(workbook), "--accept")
    assert done.returncode == 0, done.stderr  # only a duplicate skipped: the tool's own
    stored = responses.load(workbook)
    assert NPS not in str(stored.column_names) and "nps@*" not in stored.column_names
    assert stored.column("csat@*").to_pylist() == [5.0, None, 2.0, 4.0]


def test_a_mapping_file_is_complete_and_ignore_is_not_reported(run, firm, tmp_path):
    workbook, export = firm
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(
        "columns:\n  Why?: ignore\n  'How satisfied were you overall?': {measure: csat}\n"
    )
    done = run(
        "survey", "import", str(export), "--workbook", str(workbook), "--mapping", str(mapping)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(f"not in {mapping}, so not imported: '{NPS}'") == 1
    assert "Why?" not in done.stdout.split("not imported")[-1]
    assert set(responses.answer_columns(responses.load(workbook))) == {"csat@"}


def test_a_clean_export_imports_with_exit_zero_and_a_mapping_can_be_saved(run, firm, tmp_path):
    workbook, export = firm
    export.write_text("\n".join(EXPORT.splitlines()[:2] + EXPORT.splitlines()[5:]) + "\n")
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


def test_metrics_as_a_table_and_as_json(run, firm, tmp_path):
    workbook, export = firm
    run("survey", "import", str(export), "--workbook", str(workbook), "--accept")
    mapping = workbook.with_name("export.mapping.yaml")
    mapping.write_text(
        f"columns:\n  '{NPS}': {{measure: nps, touchpoint: '*'}}\n"
        "  'How satisfied were you overall?': {measure: csat, touchpoint: '*'}\n"
    )
    run("survey", "import", str(export), "--workbook", str(workbook), "--mapping", str(mapping))
    table = run("survey", "metrics", str(workbook))
    assert table.returncode == 0, table.stderr
    assert "Website" in table.stdout and "NPS" in table.stdout and "*" in table.stdout
    assert "(0/1/1)" in table.stdout  # the newsletter's promoters/passives/detractors
    document = json.loads(run("survey", "metrics", str(workbook), "--json").stdout)
    nps = {(f["touchpoint"], f["measure"]): f for f in document["figures"]}
    assert nps[("website", "nps")]["score"] == 100.0  # r1 only: r2's 11 was skipped
    # newsletter: r3's first answer 3 (detractor), r4's 7 (passive); r3's copy left out
    newsletter = nps[("newsletter", "nps")]
    assert (newsletter["n"], newsletter["score"]) == (2, -50.0)
    assert (newsletter["promoters"], newsletter["passives"], newsletter["detractors"]) == (0, 1, 1)
    assert newsletter["detractors_pct"] == 50.0
    assert nps[("website", "csat")]["satisfied"] == 1
    months = json.loads(run("survey", "metrics", str(workbook), "--by", "month", "--json").stdout)
    assert months["by"] == "touchpoint,month"
    keys = {(f["touchpoint"], f["month"], f["measure"]) for f in months["figures"]}
    assert ("website", "2026-03", "nps") in keys and ("newsletter", "2026-04", "nps") in keys
    assert not any(month == "2026-04" and tp == "website" for tp, month, _ in keys)
    by_phase = run("survey", "metrics", str(workbook), "--by", "phase,month")
    assert by_phase.returncode == 0 and "2026-04" in by_phase.stdout


def test_metrics_without_responses_says_how_to_get_some(run, firm):
    workbook, _ = firm
    done = run("survey", "metrics", str(workbook))
    assert done.returncode == 0
    assert "tpkit survey import" in done.stdout


def test_metrics_on_a_damaged_store_is_one_clear_line(run, firm):
    workbook, _ = firm
    responses.responses_path(workbook).write_bytes(b"PAR1 not really parquet PAR1")
    done = run("survey", "metrics", str(workbook))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "firm.responses.parquet" in done.stderr and "internal" not in done.stderr


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["survey", "import", "missing.csv", "--workbook", "{workbook}"], 3, "missing.csv"),
        (["survey", "import", "{export}", "--workbook", "nope.yaml"], 3, "nope.yaml"),
        (
            ["survey", "import", "{export}", "--workbook", "{workbook}", "--mapping", "m.yaml"],
            3,
            "m.yaml",
        ),
        (["survey", "import", "{export}"], 4, "--workbook"),
        (["survey", "import", "{export}", "--workbook", "{workbook}", "--bogus"], 4, "--bogus"),
        (
            [
                "survey",
                "import",
                "{export}",
                "--workbook",
                "{workbook}",
                "--accept",
                "--mapping",
                "m",
            ],
            4,
            "--accept",
        ),
        (["survey", "metrics", "nope.yaml"], 1, "nope.yaml"),
        (["survey", "metrics", "{workbook}", "--by", "week"], 2, "week"),
    ],
)
def test_user_mistakes_end_in_one_clear_line_with_the_documented_code(
    run, firm, arguments, code, message, monkeypatch
):
    workbook, export = firm
    monkeypatch.chdir(workbook.parent)
    done = run(*[a.format(workbook=workbook, export=export) for a in arguments])
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
