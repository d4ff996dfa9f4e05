"""scripts/system-packages: the one list of Debian packages, checked with stub PATHs and
a dry run, so nothing is installed or uninstalled for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "system-packages"
TOOLS = ("bash", "grep", "env", "cat", "make", "pdftotext", "pdftoppm", "java")


def _path(tmp_path: Path, without: tuple[str, ...] = (), uid: int = 0, sudo: bool | None = None):
    """A PATH of this machine's tools less ``without``, with ``id -u`` saying ``uid`` and a
    sudo that works without a password (True), asks for one (False) or is absent (None)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "python3").symlink_to(sys.executable)
    for tool in TOOLS:
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True)
        if tool not in without and found.returncode == 0:
            (folder / tool).symlink_to(found.stdout.strip())
    (folder / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    if sudo is not None:
        (folder / "sudo").write_text(f"#!/bin/sh\nexit {0 if sudo else 1}\n")
    for stub in ("id", "sudo"):
        if (folder / stub).exists():
            (folder / stub).chmod(0o755)
    return str(folder)


def _run(*arguments: str, path: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path, "SYSTEM_PACKAGES_DRY_RUN": "1", **extra}
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), *arguments], capture_output=True, text=True, env=env
    )


def test_this_machine_has_everything_the_suite_needs():
    """The suite itself runs here: the check must agree (make test ran it before pytest)."""
    done = subprocess.run([str(SCRIPT), "--check", "test"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == ""


def test_a_missing_tool_names_its_package(tmp_path):
    path = _path(tmp_path, without=("pdftotext", "java"))
    done = _run("--check", "test", path=path, CHROMIUM=str(tmp_path / "no-chromium"))
    assert done.returncode == 1
    assert done.stdout.split() == ["poppler-utils", "chromium", "default-jre-headless"]
    # a report needs none of those
    assert _run("--check", "report", path=path).returncode == 0


def test_root_installs_what_is_missing(tmp_path):
    done = _run("test", path=_path(tmp_path, without=("pdftotext",), uid=0))
    assert done.returncode == 0
    assert "apt-get install -y -qq poppler-utils" in done.stdout
    assert not done.stdout.lstrip().startswith("sudo")


def test_sudo_without_a_password_installs(tmp_path):
    done = _run("test", path=_path(tmp_path, without=("pdftotext",), uid=1000, sudo=True))
    assert done.returncode == 0
    assert "sudo -n DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils" in (
        done.stdout
    )


@pytest.mark.parametrize("sudo", [False, None], ids=["sudo asks a password", "no sudo"])
def test_otherwise_one_line_names_the_command(tmp_path, sudo):
    done = _run("test", path=_path(tmp_path, without=("pdftotext", "java"), uid=1000, sudo=sudo))
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "sudo apt-get install -y poppler-utils default-jre-headless" in lines[0]


def test_make_and_ci_use_the_one_list():
    """make test checks the packages before the venv and the tests; .ci/run only makes
    sure make itself is there, then calls make test."""
    dry = subprocess.run(
        ["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    check = next(i for i, line in enumerate(dry) if "scripts/system-packages test" in line)
    assert check < next(i for i, line in enumerate(dry) if "pytest" in line)
    assert check < next(i for i, line in enumerate(dry) if "-m venv" in line)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/system-packages make" in ci and ci.rstrip().endswith("make test")
    assert "apt-get" not in ci
