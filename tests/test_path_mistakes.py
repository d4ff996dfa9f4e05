"""Ordinary path mistakes end as one line — the path, the problem, the fix — and exit 1
or 2, in the user's language; never an internal error (issue 11, defect 6)."""

from __future__ import annotations

import filelock
import pytest

from tpkit.cli import EXIT_INTERNAL, main
from tpkit.store import create

from .conftest import small_workbook

LONG = "a" * 300


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A workbook, a folder, a plain file and an xlsx export, in the current folder."""
    monkeypatch.chdir(tmp_path)
    create(tmp_path / "w.yaml", small_workbook())
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "file").write_text("not a folder\n")
    assert main(["xlsx", "export", "w.yaml", "-o", "w.xlsx"]) == 0
    return tmp_path


CASES = {
    "new --force over a folder": (
        ["new", "folder.yaml", "--force"],
        "folder.yaml: this is a folder, not a file",
    ),
    "report -o a folder": (
        ["report", "w.yaml", "-o", "folder", "--format", "html"],
        "folder: this is a folder, not a file",
    ),
    "xlsx export -o a folder": (
        ["xlsx", "export", "w.yaml", "-o", "folder"],
        "folder: this is a folder, not a file",
    ),
    "xlsx import -o a folder": (
        ["xlsx", "import", "w.xlsx", "-o", "folder", "--force"],
        "folder: this is a folder, not a file",
    ),
    "an output inside a file": (
        ["xlsx", "export", "w.yaml", "-o", "file/w.xlsx"],
        "file/w.xlsx: file is a file, not a folder",
    ),
    "new inside a file": (["new", "file/w.yaml"], "file/w.yaml: file is a file, not a folder"),
    "a name too long": (
        ["new", f"{LONG}.yaml"],
        f"{LONG}.yaml: a name in this path is 305 characters long, more than the 255",
    ),
    "report -o a name too long": (
        ["report", "w.yaml", "--format", "html", "-o", f"{LONG}.html"],
        "characters long, more than the 255",
    ),
    "--team of spaces": (["new", "x.yaml", "--team", "   "], "--team is empty"),
    "a logo that is not an image": (
        ["report", "w.yaml", "-o", "r.html", "--format", "html", "-p", "logo", "file"],
        "file: the logo is not a PNG, JPEG, GIF, WebP or SVG image",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_path_mistake_is_one_line_with_the_path_the_problem_and_the_fix(place, capsys, case):
    arguments, expected = CASES[case]
    assert main(arguments) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and expected in err and ";" in err, err  # "; " and the fix
    assert "internal" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "arguments",
    [["new", ""], ["validate", " "], ["report", "w.yaml", "-o", ""], ["xlsx", "export", ""]],
)
def test_an_empty_path_is_a_command_line_mistake(place, capsys, arguments):
    with pytest.raises(SystemExit) as stopped:
        main(arguments)
    assert stopped.value.code == 2
    assert "an empty path names no file; give a file name" in capsys.readouterr().err


def test_a_read_only_folder_says_the_lock_cannot_be_made(place, capsys, monkeypatch):
    def refuse(self, *args, **kwargs):  # what a read-only folder does (root ignores chmod)
        raise PermissionError(13, "Permission denied", str(self.lock_file))

    monkeypatch.setattr(filelock.FileLock, "acquire", refuse)
    assert main(["new", "--force", "w.yaml"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"tpkit: error: w.yaml: the lock file cannot be made in {'.'} (read-only, or no "
        "permission), so saving is not safe; copy the workbook to a folder you can write "
        "to, or ask for write access"
    )


def test_the_messages_are_translated(place, capsys):
    assert main(["--lang", "de", "xlsx", "export", "w.yaml", "-o", "folder"]) == 1
    assert "folder: das ist ein Ordner, keine Datei" in capsys.readouterr().err


def test_a_real_logo_still_works(place, capsys):
    (place / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    arguments = ["report", "w.yaml", "-o", "r.html", "--format", "html", "-p", "logo", "logo.svg"]
    assert main(arguments) == 0, capsys.readouterr().err


def test_an_os_error_without_a_path_is_still_an_internal_error(place, capsys, monkeypatch):
    import tpkit.store

    def broken(*_):
        raise OSError("no path in this one")

    monkeypatch.setattr(tpkit.store, "read", broken)
    assert main(["summary", "w.yaml"]) == EXIT_INTERNAL
    assert "internal error" in capsys.readouterr().err
