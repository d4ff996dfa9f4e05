"""The benchmarks' command lines: ``make bench`` runs each script with no arguments."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _reliability():
    """The script as a module; the folder it puts on ``sys.path`` (for its neighbour
    ``foundation``) is taken off again, so no later test imports a benchmark by chance."""
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("reliability", BENCHMARKS / "reliability.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def test_reliability_with_no_part_named_runs_every_part():
    reliability = _reliability()
    assert reliability.chosen_parts([]) == list(reliability.PARTS)
    assert reliability.chosen_parts(["words", "hostile"]) == ["words", "hostile"]


def test_reliability_refuses_a_part_it_does_not_have(capsys):
    with pytest.raises(SystemExit) as stop:
        _reliability().chosen_parts(["speed"])
    assert stop.value.code == 2
    assert "invalid choice: 'speed'" in capsys.readouterr().err


def test_reports_refuses_an_empty_batch():
    """``--batch 0`` used to run every report and then divide by zero."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "reports.py"), "--batch", "0"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--batch must be 1 or more" in done.stderr
