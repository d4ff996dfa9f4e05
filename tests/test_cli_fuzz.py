"""A fuzz of every subcommand's arguments and paths: whatever a user types, tpkit answers
with its own message (or does the work), never an internal error (issue 11, defect 6).

The commands come from the argparse parser itself, so a new command or option is fuzzed
without touching this file. Paths are drawn from the mistakes users make (a folder, a
file where a folder should be, a name too long, a missing file, a file of the wrong kind)
and from right ones; a seeded generator keeps a failure reproducible. Runs in-process.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from tpkit.cli import _parser, main
from tpkit.i18n import t
from tpkit.model import Rating
from tpkit.store import create

from .conftest import small_workbook

SEED = 20261202
# The suite draws a few per command; ``benchmarks/reliability.py path-fuzz`` the full run.
RUNS_PER_COMMAND = 4
FULL_RUNS_PER_COMMAND = 9
# Servers start JupyterLab or Voila; Spark starts a JVM: not fuzzed here.
SKIPPED_COMMANDS = {("lab",), ("app",)}
FIXED = {"--engine": "duckdb", "--workers": "1"}
SKIPPED_OPTIONS = {"--kernel", "--help", "--version"}

LONG = "n" * 300
INPUTS = [
    "w.yaml",
    "w.yaml",
    "w.yaml",
    "w.xlsx",
    "folder",
    "folder.yaml",
    "file",
    "file/w.yaml",
    "missing.yaml",
    f"{LONG}.yaml",
    "broken.yaml",
    "logo.png",
    "ümlaut ß.yaml",
    "-",
]
OUTPUTS = [
    "out/new",
    "out/new",
    "folder",
    "folder.yaml",
    "file/new",
    f"{LONG}.pdf",
    "file",
    "deep/er/new",
    " x",
    "out/ümlaut ß",
]
TEXTS = ["x", "   ", "=cmd|' /C calc'!A0", "<script>", "0", "-1", "web", "Ä" * 400, "a\tb"]
SUFFIXES = {"pdf", "html", "ipynb", "xlsx", "yaml", "txt", "csv", "md"}


def _sandbox(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    workbook = small_workbook()
    workbook.ratings.append(
        Rating(
            touchpoint="website",
            participant="Zoe",
            contact_quality=2,
            process_quality=3,
            importance=4,
        )
    )
    create(folder / "w.yaml", workbook)
    with redirect_stdout(io.StringIO()):  # its "wrote …" line is not the fuzz's news
        assert main(["xlsx", "export", str(folder / "w.yaml")]) == 0
    (folder / "folder").mkdir()
    (folder / "folder.yaml").mkdir()
    (folder / "file").write_text("plain text, not a workbook\n")
    (folder / "broken.yaml").write_text("meta: [unclosed\n")
    (folder / "logo.png").write_bytes(b"not really a png")


def _leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _leaf_commands(sub, (*prefix, name))
            return
    yield prefix, parser


def _value(action: argparse.Action, rng: random.Random, positional: bool) -> list[str]:
    option = action.option_strings[0] if action.option_strings else ""
    if option in FIXED:
        return [FIXED[option]]
    if action.choices:
        choices = [str(choice) for choice in action.choices]
        return [rng.choice([*choices, "nonsense"] if rng.random() < 0.1 else choices)]
    if action.nargs == 2:  # -p KEY VALUE
        key = rng.choice(["logo", "accent", "sections", "footer", "title", "nonsense", ""])
        return [key, rng.choice([*INPUTS, *TEXTS])]
    metavar = action.metavar or ""
    if metavar in {"OUT", "DIR", "CSV"} or option in {"--save-mapping", "-o"}:
        choice = rng.choice(OUTPUTS)
        return [f"{choice}.{rng.choice(sorted(SUFFIXES))}" if choice.endswith("new") else choice]
    if metavar in {"PATH", "WORKBOOK", "SPREADSHEET", "EXPORT", "FILE", "LOG"} or positional:
        return [rng.choice(INPUTS)]
    if action.type is int or metavar == "N":
        return [rng.choice(["1", "2", "0", "-3", "x", "99999999999999999999"])]
    return [rng.choice(TEXTS)]


def _invocation(command: tuple[str, ...], parser, rng: random.Random) -> list[str]:
    arguments = list(command)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.dest == "help":
            continue
        if set(action.option_strings) & SKIPPED_OPTIONS:
            continue
        if not action.option_strings:  # positional: always given (sometimes twice)
            count = 2 if action.nargs == "+" and rng.random() < 0.2 else 1
            for _ in range(count):
                arguments += _value(action, rng, positional=True)
            continue
        if not (action.required or rng.random() < 0.45):
            continue
        arguments.append(action.option_strings[0])
        if action.nargs != 0:
            arguments += _value(action, rng, positional=False)
    return arguments


def _invocations(runs_per_command: int = RUNS_PER_COMMAND) -> list[list[str]]:
    rng = random.Random(SEED)
    return [
        _invocation(command, parser, rng)
        for command, parser in _leaf_commands(_parser())
        if command not in SKIPPED_COMMANDS
        for _ in range(runs_per_command)
    ]


def test_every_command_is_fuzzed():
    leaves = {command for command, _ in _leaf_commands(_parser())} - SKIPPED_COMMANDS
    assert {("new",), ("report",), ("xlsx", "export"), ("survey", "import"), ("guide",)} <= leaves
    fuzzed = {next(c for c in leaves if tuple(a[: len(c)]) == c) for a in _invocations()}
    assert fuzzed == leaves and len(leaves) >= 19


def run_fuzz(folder: Path, runs_per_command: int = RUNS_PER_COMMAND) -> tuple[int, list[tuple]]:
    """Every invocation, each in a fresh copy of the sandbox; returns how many ran and
    those that ended in an internal error (or let an exception out)."""
    internal = t("error.unexpected", detail="").split("(")[0].strip()
    invocations, failures = _invocations(runs_per_command), []
    home = os.getcwd()
    try:
        for number, arguments in enumerate(invocations):
            place = folder / f"run{number % 2}"
            shutil.rmtree(place, ignore_errors=True)  # each run starts from the same files
            _sandbox(place)
            os.chdir(place)
            err = io.StringIO()
            try:
                with redirect_stdout(io.StringIO()), redirect_stderr(err):
                    status = main(arguments)
            except SystemExit as stop:  # argparse: exit 2 with its usage line
                status = stop.code
            except Exception as error:  # exactly what the fuzz looks for
                failures.append((arguments, f"escaped: {type(error).__name__}: {error}"))
                continue
            finally:
                os.chdir(home)
            text = err.getvalue()
            if internal in text or "Traceback" in text or status not in (0, 1, 2, 3, 4):
                failures.append((arguments, status, text.strip()[-300:]))
    finally:
        os.chdir(home)
    return len(invocations), failures


@pytest.mark.slow
def test_no_invocation_ends_in_an_internal_error(tmp_path):
    count, failures = run_fuzz(tmp_path)
    assert not failures, "\n".join(map(str, failures))
    assert count >= 19 * RUNS_PER_COMMAND
