"""The command line: the contract of PRODUCT.md, clear messages, exit codes, no tracebacks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tpkit.cli import main
from tpkit.i18n import t
from tpkit.model import LANGUAGES
from tpkit.store import read

from .conftest import CORPUS, SAMPLES

TPKIT = Path(sys.executable).with_name("tpkit")
BAD = CORPUS / "bad"


def run(
    *arguments: str, cwd: Path | None = None, language: str = "en"
) -> subprocess.CompletedProcess:
    """tpkit as a user runs it: a separate process, its own environment."""
    environment = {**os.environ, "TPKIT_LANG": language}
    return subprocess.run(
        [str(TPKIT), *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


def test_new_from_the_shawna_sample_is_valid(tmp_path, capsys):
    target = tmp_path / "workbook" / "t.yaml"
    assert main(["new", str(target), "--sample", "shawna"]) == 0
    assert f"created {target}" in capsys.readouterr().out
    workbook = read(target)
    assert workbook.persona.name == "Shawna" and len(workbook.touchpoints) >= 18
    assert main(["validate", str(target)]) == 0


def test_new_blank_takes_language_team_and_industry(tmp_path):
    target = tmp_path / "la-bottega.yaml"
    assert main(["new", str(target), "--lang", "it", "--industry", "retail_ecommerce"]) == 0
    meta = read(target).meta
    assert (meta.team, meta.language, meta.industry) == ("La bottega", "it", "retail_ecommerce")
    assert read(target).touchpoints == []


def test_new_refuses_to_overwrite_unless_forced(tmp_path, capsys):
    target = tmp_path / "t.yaml"
    assert main(["new", str(target)]) == 0
    assert main(["new", str(target), "--sample", "ticino"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["new", str(target), "--sample", "ticino", "--force"]) == 0
    assert read(target).meta.language == "it"


def test_new_refuses_a_name_that_is_not_yaml(tmp_path, capsys):
    assert main(["new", str(tmp_path / "t.txt")]) == 1
    assert "must end in .yaml" in capsys.readouterr().err


def test_validate_accepts_every_sample(capsys):
    assert main(["validate", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid (") == len(list(SAMPLES.glob("*.yaml")))


def test_validate_rejects_each_broken_file_with_one_line_and_no_traceback():
    """Every broken file of the corpus in one run (one process, not one per file): each
    gets exactly its own line, in the order given, then the count."""
    expected = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
    result = run("validate", *expected, cwd=BAD)
    assert result.returncode == 1
    count = len(expected)
    assert result.stderr.splitlines() == [
        *expected.values(),
        f"{count} of {count} workbooks have problems",
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_validate_of_many_files_reports_the_count(capsys):
    assert main(["validate", str(SAMPLES / "shawna.yaml"), str(BAD / "empty.yaml")]) == 1
    assert "1 of 2 workbooks have problems" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["validate", "missing.yaml"], "missing.yaml does not exist"),
        (["summary", "."], "is a folder"),
        (["xlsx", "import", "missing.xlsx"], "missing.xlsx does not exist"),
    ],
)
def test_user_mistakes_get_one_clear_line(arguments, message, tmp_path):
    result = run(*arguments, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_malformed_command_line_is_a_usage_error(tmp_path):
    result = run("new", str(tmp_path / "x.yaml"), "--sample", "nope")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = run("new", str(tmp_path / "x.yaml"), "--lang", "xx")
    assert result.returncode == 2 and "'xx' is not a supported language" in result.stderr


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple]:
    """Every command and subcommand of the parser, found by walking it: a command
    someone adds is covered without touching this test."""
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, (*path, name))
    return found


def test_the_parser_walk_finds_every_command():
    from tpkit.cli import _parser

    names = {" ".join(path) for path in _commands(_parser())}
    assert {"", "new", "xlsx export", "survey import", "survey metrics"} <= names


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_works_everywhere_in_every_language(language, capsys):
    from tpkit.cli import _parser

    for command in _commands(_parser()):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--help", "--lang", language])
        assert exit_.value.code == 0, command
        shown = capsys.readouterr()
        assert shown.out.startswith(t("argparse.usage", language) + "tpkit"), command
        assert not shown.err, command


def test_messages_follow_the_chosen_language(tmp_path):
    result = run("validate", "missing.yaml", cwd=tmp_path, language="it")
    assert result.returncode == 1
    assert "missing.yaml" in result.stderr and "does not exist" not in result.stderr


def test_summary_is_readable(capsys):
    assert main(["summary", str(SAMPLES / "shawna.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Before purchase" in out and "After purchase" in out
    assert "Shawna" in out


def test_catalogue_lists_suggestions_per_phase(capsys):
    assert main(["catalogue", "--industry", "electrical_installer", "--lang", "it"]) == 0
    out = capsys.readouterr().out
    assert "PRIMA DELL'ACQUISTO" in out and "DOPO L'ACQUISTO" in out


def test_xlsx_export_then_import_round_trips(tmp_path, capsys):
    source = tmp_path / "t.yaml"
    assert main(["new", str(source), "--sample", "ticino"]) == 0
    assert main(["xlsx", "export", str(source)]) == 0
    spreadsheet = source.with_suffix(".xlsx")
    assert spreadsheet.is_file()
    assert main(["xlsx", "import", str(spreadsheet), "-o", str(tmp_path / "back.yaml")]) == 0
    without_save_time = {"meta": {"updated"}}  # the import is a new file, saved now
    assert read(tmp_path / "back.yaml").model_dump(exclude=without_save_time) == read(
        source
    ).model_dump(exclude=without_save_time)
    assert main(["xlsx", "import", str(spreadsheet), "-o", str(source)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_internal_errors_are_reported_briefly(monkeypatch, capsys):
    import tpkit.summary

    monkeypatch.setattr(tpkit.summary, "describe", lambda wb: 1 / 0)
    assert main(["summary", str(SAMPLES / "shawna.yaml")]) == 3
    assert "unexpected internal error (ZeroDivisionError" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["lab", "app"])
def test_lab_and_app_pass_other_options_through_to_jupyter(name, monkeypatch):
    from tpkit import servers

    started = []
    monkeypatch.setattr(subprocess, "call", lambda command, env: started.append(command) or 0)
    monkeypatch.setattr(
        servers, "serve_app", lambda command, *_, **__: started.append(command) or 0
    )
    assert main([name, "--no-browser", "--allow-root", "--ServerApp.port_retries=0"]) == 0
    assert started[0][-2:] == ["--allow-root", "--ServerApp.port_retries=0"]
    assert "--no-browser" in started[0]


def test_other_commands_still_refuse_unknown_options(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["validate", "x.yaml", "--allow-root"])
    assert stopped.value.code == 2
    assert "--allow-root" in capsys.readouterr().err
