"""An installed wheel (not only the source tree) carries the samples, catalogue and locales."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tpkit.model import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_carries_its_data(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tpkit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "tpkit/data/catalogue.yaml",
        "tpkit/data/samples/shawna.yaml",
        "tpkit/data/samples/ticino.yaml",
    }
    expected |= {f"tpkit/locales/{lang}.yaml" for lang in LANGUAGES}
    expected |= {f"tpkit/locales/suggestions/{lang}.yaml" for lang in LANGUAGES}
    expected |= {f"tpkit/docs/guide/{lang}/09-checklist.md" for lang in LANGUAGES}
    expected |= {f"tpkit/docs/guide/{lang}/cases/saas.md" for lang in LANGUAGES}
    expected |= {"tpkit/data/samples/saas.yaml", "tpkit/data/samples/ecoshop.yaml"}
    assert expected <= names
