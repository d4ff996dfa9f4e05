"""Folders the package ships: inside an installed wheel, or in the source tree when the
project is installed in editable mode (``pip install -e``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled(relative: str) -> Path:
    """``bundled("data/samples")``, ``bundled("notebooks")``: the wheel's copy if there
    is one, else the folder of the source tree."""
    packaged = Path(str(files("tpkit"))) / relative
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / relative
