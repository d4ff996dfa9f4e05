"""Starting points for a workbook: a blank one, or a copy of a bundled sample."""

from __future__ import annotations

from pathlib import Path

from tpkit.errors import TpkitError
from tpkit.model import Meta, Workbook, now
from tpkit.resources import bundled
from tpkit.store import read

SAMPLE_NAMES = ("shawna", "ticino", "saas", "bank", "ecoshop")


def sample_path(name: str) -> Path:
    if name not in SAMPLE_NAMES:
        raise TpkitError("error.unknown_sample", name=name, names=", ".join(SAMPLE_NAMES))
    return bundled("data/samples") / f"{name}.yaml"


def blank(team: str, language: str = "en", industry: str = "other") -> Workbook:
    return Workbook(meta=Meta(team=team, language=language, industry=industry))


def from_sample(name: str, language: str | None = None) -> Workbook:
    """A fresh copy of a sample: its content, with new dates (and language, if given)."""
    workbook = read(sample_path(name))
    created = now()
    workbook.meta.created = workbook.meta.updated = created
    if language:
        workbook.meta.language = language
    return workbook


def copy_sample_events(name: str, workbook_path: Path) -> int:
    """Put a copy of a sample's interaction events beside a new workbook made from it
    (the bank sample ships a month of app and web logs); the number of months copied."""
    import shutil

    from tpkit.events.store import events_folder, month_files

    source = events_folder(sample_path(name))
    if not month_files(source):
        return 0
    target = events_folder(workbook_path)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*"))
    return len(month_files(target))
