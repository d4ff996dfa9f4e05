"""The worked cases' teaching notes: what a sample illustrates, which findings it should
raise, what to ask the room.

A note is Markdown in ``docs/guide/LANG/cases/SAMPLE.md`` and opens with a short YAML
front matter naming the diagnostics' findings the sample is built to raise::

    ---
    findings: [consent, no_owner]
    ---

The list is the same in every language (a test checks it) and a test runs
``tpkit diagnose`` on the sample to hold the note to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from tpkit.resources import bundled

CASES_CHAPTER = "cases"  # the guide chapter the notes follow: NN-cases.md
_FENCE = "---\n"


@dataclass(frozen=True)
class TeachingNote:
    sample: str
    findings: tuple[str, ...]  # names of the diagnostics' rules the sample should trigger
    markdown: str


def teaching_note(sample: str, language: str) -> TeachingNote | None:
    """The note on ``sample`` in ``language``, or None if it has none (yet)."""
    path = bundled("docs/guide") / language / CASES_CHAPTER / f"{sample}.md"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    findings: tuple[str, ...] = ()
    if text.startswith(_FENCE):
        header, _, text = text[len(_FENCE) :].partition(_FENCE)
        findings = tuple(yaml.safe_load(header).get("findings", ()))
    return TeachingNote(sample, findings, text.lstrip())


def teaching_notes(language: str) -> list[TeachingNote]:
    """The notes of every bundled sample that has one, in the samples' order."""
    from tpkit.samples import SAMPLE_NAMES

    notes = (teaching_note(name, language) for name in SAMPLE_NAMES)
    return [note for note in notes if note is not None]
