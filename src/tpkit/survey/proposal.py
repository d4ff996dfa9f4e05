"""The mapping of an export as a proposal, checked before anything is stored.

For every question column, :func:`propose` says which measure it answers, on which
scale, about which touchpoint — each with a confidence and the evidence for it: the
header's words ("recommend", "Come valuta"), the touchpoint it names or the link, and
what the answers are (0–10, 1–5, verbal labels, yes/no, free text). A measure is only
proposed on a scale its answers fit. A column is *doubtful* when it is scored with too
little confidence, or when its answers look like a scale but nothing says what they
measure; the import stores nothing while any column is doubtful, until the user
confirms (``--accept``) or corrects the proposal (``--mapping FILE``).

The same proposal is written as a mapping file (:func:`mapping_file_text`, read back
by :func:`read_mapping_file`), printed as a table by the command line, and shown with
the same marks by the navigator's mapping form. A mapping file is complete: a column it
does not name is left out, and said once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from tpkit.errors import TpkitError
from tpkit.i18n import plural, t
from tpkit.model import Workbook
from tpkit.survey.export import Column, Export
from tpkit.survey.mapping import (
    ROW_TOUCHPOINT,
    WHOLE_FIRM,
    Mapping,
    Target,
    is_touchpoint_name,
    touchpoints_in,
    without_names,
)
from tpkit.survey.measures import MEASURES
from tpkit.survey.scales import (
    ACCEPTED,
    FIT,
    SCALES,
    Answers,
    ScaleFit,
    best_scale,
    fit,
    scale_key,
    scales_fitting,
)
from tpkit.survey.vocabulary import (
    NAME_ALONE,
    RATING,
    STRONG,
    UNNAMED_RATING,
    HeaderMatch,
    header_measures,
    rating_phrase,
)

CONFIDENT = 0.7  # a scored column below this confidence is doubtful
IGNORE = "ignore"
_ASPECTS = ("contact", "process")  # what a satisfaction or rating question may be about
_PRECEDENCE = {measure: rank for rank, measure in enumerate(("nps", "ces", "consent", *_ASPECTS))}


@dataclass(frozen=True)
class Say:
    """A text to say in the reader's language, translated only when it is shown: an
    import that stores without asking never loads the catalogue."""

    key: str  # a catalogue key
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: str | None = None) -> str:
        return t(self.key, language, **{n: _said(v, language) for n, v in self.values})


@dataclass(frozen=True)
class Listed:
    """Texts said one after the other, with ``joint`` between them."""

    items: tuple[Say, ...]
    joint: str

    def text(self, language: str | None = None) -> str:
        return self.joint.join(item.text(language) for item in self.items)


def _said(value: object, language: str | None) -> str:
    return value.text(language) if isinstance(value, Say | Listed) else str(value)


@dataclass(frozen=True)
class Evidence:
    """One reason for (or against) a column's proposal, as a catalogue message."""

    key: str  # survey.evidence.<key>
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: str | None = None) -> str:
        values = {name: _said(value, language) for name, value in self.values}
        count = dict(self.values).get("count")
        key = f"survey.evidence.{self.key}"
        return (
            plural(key, count, language, **values)
            if count is not None
            else t(key, language, **values)
        )


def _evidence(key: str, **values: object) -> Evidence:
    return Evidence(key, tuple(values.items()))


@dataclass(frozen=True)
class ColumnProposal:
    """What one question column is proposed to answer, how sure that is, and why."""

    index: int
    column: Column
    target: Target | None  # None: not imported
    confidence: float  # 0–1
    evidence: tuple[Evidence, ...]
    answered: int  # answers in the column, blanks and "n/a" left out
    looks_scored: bool  # its answers fit a score scale
    chosen: bool = False  # set by a mapping file or a person: not a guess any more
    suggested: Target | None = None  # what the header names, when the answers do not fit

    @property
    def scored(self) -> bool:
        return self.target is not None and MEASURES[self.target.measure].is_score

    @property
    def doubtful(self) -> bool:
        """Too unsure to store: a scored column below :data:`CONFIDENT`, or answers that
        look like a scale with no measure found for them."""
        if self.chosen or not self.answered:
            return False
        if self.scored:
            return self.confidence < CONFIDENT
        return self.target is None and self.looks_scored

    @property
    def key(self) -> str:
        """How a mapping file names the column: its code where the tool has one."""
        return self.column.code or self.column.header


@dataclass(frozen=True)
class Proposal:
    """Every question column's proposal for one export."""

    source: str  # the export's file name
    tool: str
    columns: tuple[ColumnProposal, ...]
    mapping_file: str = ""  # the mapping file it was read from, if any
    left_out: tuple[str, ...] = field(default=())  # columns that file does not name

    def mapping(self) -> Mapping:
        return {c.index: c.target for c in self.columns if c.target is not None}

    @property
    def doubtful(self) -> list[ColumnProposal]:
        return [c for c in self.columns if c.doubtful]

    @property
    def scored(self) -> bool:
        """Whether any scored column has answers: else there is nothing to measure."""
        return any(c.scored and c.answered for c in self.columns)

    @property
    def ready(self) -> bool:
        """Confident enough to store without asking: scored, and nothing doubtful."""
        return self.scored and not self.doubtful

    def accepted(self) -> Proposal:
        """The proposal as it is, confirmed by the user (``--accept``)."""
        return replace(self, columns=tuple(replace(c, chosen=True) for c in self.columns))

    def chosen(self, mapping: Mapping) -> Proposal:
        """This proposal with the targets a person chose (the mapping form's drop-downs):
        no line is a guess any more, and what is not in ``mapping`` is not imported."""
        columns = []
        for column in self.columns:
            target = mapping.get(column.index)
            evidence = column.evidence if target == column.target else (_evidence("by_you"),)
            columns.append(replace(column, target=target, evidence=evidence, chosen=True))
        return replace(self, columns=tuple(columns))


# --- proposing ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    measure: str
    strength: float
    evidence: Evidence


def _candidates(header: str, workbook: Workbook) -> list[_Candidate]:
    """The measures a header suggests, most likely first. A touchpoint's name in the
    header says what the question is about, not what it measures ("Lieferung")."""
    matches: dict[str, HeaderMatch] = {
        m.measure: m for m in header_measures(without_names(header, workbook))
    }
    found = [
        _Candidate(
            m.measure,
            m.strength,
            _evidence("words", words="”, “".join(m.words), measure=_measure_name(m.measure)),
        )
        for m in matches.values()
    ]
    if phrase := rating_phrase(header):
        # a rating of a touchpoint it names is its CSAT; of something else, who knows
        strength = RATING if touchpoints_in(header, workbook) else UNNAMED_RATING
        found.append(_Candidate("csat", strength, _evidence("rating", words=phrase)))
    elif is_touchpoint_name(header, workbook):
        found.append(_Candidate("csat", NAME_ALONE, _evidence("name_alone")))
    rating = max((c.strength for c in found if c.measure == "csat"), default=0.0)
    if rating and any(c.measure in _ASPECTS for c in found):
        # "How satisfied were you with the speed …": satisfaction *with* an aspect
        found = [
            replace(c, strength=max(c.strength, rating)) if c.measure in _ASPECTS else c
            for c in found
            if c.measure != "csat"
        ]
    order = list(MEASURES)
    return sorted(
        found,
        key=lambda c: (-c.strength, _PRECEDENCE.get(c.measure, 99), order.index(c.measure)),
    )


def _measure_name(measure: str) -> Say:
    return Say(f"navigator.measure.{measure}")


def _scale_name(name: str) -> Say:
    return Say(scale_key(name))


def _looks_like(answers: Answers) -> Say | Listed:
    fitting = scales_fitting(answers)
    if fitting:  # the narrowest two say enough
        return Listed(tuple(_scale_name(s.name) for s in fitting[:2]), ", ")
    if answers.numeric_share >= 0.5:
        low, high = answers.lowest, answers.highest
        return Say("survey.scale.numbers", (("low", f"{low:g}"), ("high", f"{high:g}")))
    closest = max((s for s in SCALES.values() if s.labels), key=lambda s: fit(s, answers))
    share = fit(closest, answers)
    if share >= 0.5:
        values = (("share", f"{100 * share:.0f} %"), ("scale", _scale_name(closest.name)))
        return Say("survey.scale.partly", values)
    return _scale_name("text")


def _touchpoint(header: str, workbook: Workbook, has_link: bool) -> tuple[str, list[Evidence]]:
    named = touchpoints_in(header, workbook)
    names = {tp.id: tp.name for tp in workbook.touchpoints}
    if len(named) > 1:
        shown = ", ".join(names[tp] for tp in named)
        return named[0], [_evidence("several_touchpoints", names=shown)]
    if named:
        return named[0], [_evidence("touchpoint_named", name=names[named[0]])]
    if has_link:
        return ROW_TOUCHPOINT, [_evidence("about_link")]
    return WHOLE_FIRM, [_evidence("about_firm")]


def propose_column(
    index: int, column: Column, answers: Answers, workbook: Workbook, has_link: bool
) -> ColumnProposal:
    """The proposal for one question column, from its header and its answers."""
    candidates = _candidates(column.header, workbook)
    if not candidates and column.code:
        candidates = _candidates(column.code, workbook)
    touchpoint, about = _touchpoint(column.header, workbook, has_link)
    several = len(touchpoints_in(column.header, workbook)) > 1
    # a scale, or numbers where a strong header names a score: either way, ask
    named = [c for c in candidates if MEASURES[c.measure].is_score and c.strength >= STRONG]
    partly = any(fit(SCALES[_closest(c.measure, answers)], answers) >= 0.5 for c in named)
    looks_scored = bool(scales_fitting(answers)) or (
        bool(named) and (partly or answers.numeric_share >= 0.5)
    )
    if not answers.answered:
        best = candidates[0] if candidates else None
        target = Target(best.measure, touchpoint, ACCEPTED[best.measure][0]) if best else None
        reasons = [best.evidence] if best else []
        return ColumnProposal(
            index, column, target, 0.0, (*reasons, _evidence("no_answers")), 0, False
        )
    # answers that look like a scale go to a score measure before any free-text one
    ordered = sorted(candidates, key=lambda c: looks_scored and not MEASURES[c.measure].is_score)
    against: list[Evidence] = []
    for number, candidate in enumerate(ordered):
        chosen = best_scale(candidate.measure, answers, column.header)
        if chosen is None:
            against.append(_misfit(candidate, answers))
            continue
        confidence = candidate.strength * chosen.certainty * (0.7 if several else 1.0)
        reasons = [candidate.evidence, *_scale_evidence(candidate.measure, chosen, answers)]
        rival = _rival(ordered[number + 1 :], candidate, answers, column.header)
        if rival:
            confidence *= 0.75
            reasons.append(_evidence("rival", measure=_measure_name(rival.measure)))
        target = Target(candidate.measure, touchpoint, chosen.scale.name)
        return ColumnProposal(
            index,
            column,
            target,
            round(confidence, 2),
            (*reasons, *about, *against),
            answers.answered,
            looks_scored,
        )
    if not candidates:
        against.append(_evidence("no_words"))
    if scales_fitting(answers):
        against.append(_evidence("looks_like", scale=_looks_like(answers)))
    elif not looks_scored:
        against.append(_evidence("free_text", count=answers.answered))
    suggested = next(
        (
            Target(c.measure, touchpoint, _closest(c.measure, answers))
            for c in named
            if best_scale(c.measure, answers, column.header) is None
        ),
        None,
    )
    return ColumnProposal(
        index, column, None, 0.0, tuple(against), answers.answered, looks_scored, False, suggested
    )


def _rival(
    rest: list[_Candidate], chosen: _Candidate, answers: Answers, header: str
) -> _Candidate | None:
    """An equally strong other aspect that fits too: contact or process?"""
    for other in rest:
        if other.strength < chosen.strength:
            return None
        aspects = {other.measure, chosen.measure} == set(_ASPECTS)
        if aspects and best_scale(other.measure, answers, header) is not None:
            return other
    return None


def _misfit(candidate: _Candidate, answers: Answers) -> Evidence:
    needs = Listed(tuple(_scale_name(name) for name in ACCEPTED[candidate.measure]), " / ")
    return _evidence(
        "misfit",
        measure=_measure_name(candidate.measure),
        needs=needs,
        found=_looks_like(answers),
    )


def _scale_evidence(measure: str, chosen: ScaleFit, answers: Answers) -> list[Evidence]:
    if chosen.scale.is_text:
        return [_evidence("free_text", count=answers.answered)]
    found = [
        _evidence(
            "fits",
            share=f"{100 * chosen.share:.0f} %",
            count=answers.answered,
            scale=_scale_name(chosen.scale.name),
        )
    ]
    if chosen.stops_at is not None:
        found.append(_evidence("stops_at", top=chosen.stops_at))
    if chosen.rival is not None:
        found.append(_evidence("rival_scale", other=_scale_name(chosen.rival.name)))
    spec = MEASURES[measure]
    if (chosen.scale.low, chosen.scale.high) != (spec.low, spec.high):
        found.append(_evidence("rescaled", low=spec.low, high=spec.high))
    return found


def propose(export: Export, answers: dict[int, Answers], workbook: Workbook) -> Proposal:
    """Every question column's proposal, from its header and its answers."""
    has_link = export.index_of("touchpoint") is not None
    columns = tuple(
        propose_column(index, column, answers.get(index, Answers({})), workbook, has_link)
        for index, column in enumerate(export.columns)
        if column.role == "question"
    )
    return Proposal(export.source.name, export.tool, columns)


# --- mapping files --------------------------------------------------------------------


def mapping_file_text(proposal: Proposal, language: str | None = None) -> str:
    """The proposal as a mapping file a user can check, edit and pass to ``--mapping``.

    Every question column has a line: its measure, touchpoint and scale, or ``ignore``;
    a comment gives the confidence and the evidence, and ``?`` marks a doubtful line.
    """
    lines = [
        f"# {line}" if line else "#"
        for line in t(
            "survey.mapping_file.intro",
            language,
            file=proposal.source,
            tool=t(f"survey.tool.{proposal.tool}", language),
            measures=", ".join(MEASURES),
            scales=", ".join(name for name in SCALES),
        ).splitlines()
    ]
    lines += [f"source: {json.dumps(proposal.source, ensure_ascii=False)}", "columns:"]
    for column in proposal.columns:
        key = json.dumps(column.key, ensure_ascii=False)
        value = IGNORE if column.target is None else _entry(column.target)
        reasons = [e.text(language) for e in column.evidence]
        if column.target is None and column.suggested is not None:
            target = _entry(column.suggested)
            reasons.append(t("survey.evidence.suggest", language, target=target))
        why = "; ".join(reasons)
        mark = "? " if column.doubtful else ""
        sure = f"{100 * column.confidence:.0f} %: " if column.target else ""
        lines.append(f"  {key}: {value}  # {mark}{sure}{why}".replace("\n", " "))
    return "\n".join(lines) + "\n"


def _entry(target: Target) -> str:
    """A target as one line of a mapping file."""
    return (
        f"{{measure: {target.measure}, touchpoint: {json.dumps(target.touchpoint)}, "
        f"scale: {json.dumps(target.scale)}}}"
    )


def read_mapping_file(
    path: Path, export: Export, answers: dict[int, Answers], workbook: Workbook
) -> Proposal:
    """A mapping file as a proposal the user chose: column header (or question code) →
    ``{measure, touchpoint, scale}`` or ``ignore``. A column the file does not name is
    left out (the proposal lists it in ``left_out``); a missing ``scale`` is read from
    the answers."""
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise TpkitError("survey.mapping.missing", file=str(path)) from None
    except OSError as error:  # a folder, no permission
        detail = error.strerror or str(error)
        raise TpkitError("survey.mapping.unreadable", file=str(path), detail=detail) from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise TpkitError("survey.mapping.unreadable", file=str(path), detail=str(error)) from None
    entries = tree.get("columns") if isinstance(tree, dict) else None
    if not isinstance(entries, dict):
        raise TpkitError("survey.mapping.no_columns", file=str(path))
    proposed = {c.index: c for c in propose(export, answers, workbook).columns}
    chosen: dict[int, ColumnProposal] = {}
    for header, entry in entries.items():
        index = _column_named(str(header), export.columns)
        if index is None or index not in proposed:
            raise TpkitError("survey.mapping.unknown_column", file=str(path), column=header)
        target = None if entry == IGNORE else _target(entry, path, str(header), workbook)
        column_answers = answers.get(index, Answers({}))
        if target is not None and not target.scale:
            found = best_scale(target.measure, column_answers, export.columns[index].header)
            scale = found.scale.name if found else _closest(target.measure, column_answers)
            target = replace(target, scale=scale)
        reasons = [_evidence("from_file", file=path.name)]
        if target is not None and fit(SCALES[target.scale], column_answers) < FIT:
            found_scale = _looks_like(column_answers)
            scale_name = _scale_name(target.scale)
            reasons.append(_evidence("misfit_chosen", scale=scale_name, found=found_scale))
        chosen[index] = replace(
            proposed[index], target=target, confidence=1.0, evidence=tuple(reasons), chosen=True
        )
    left_out = [c for i, c in proposed.items() if i not in chosen]
    columns = tuple(
        chosen.get(i) or replace(c, target=None, chosen=True) for i, c in proposed.items()
    )
    return Proposal(
        export.source.name,
        export.tool,
        columns,
        mapping_file=str(path),
        left_out=tuple(c.column.header for c in left_out),
    )


def _closest(measure: str, answers: Answers) -> str:
    """The accepted scale that reads most of a column's answers, when none fits well."""
    return max(ACCEPTED[measure], key=lambda name: fit(SCALES[name], answers))


def _column_named(name: str, columns: Iterable[Column]) -> int | None:
    wanted = name.strip()
    for index, column in enumerate(columns):
        if wanted in (column.header.strip(), column.code.strip()):
            return index
    return None


def _target(entry: object, path: Path, header: str, workbook: Workbook) -> Target:
    if not isinstance(entry, dict) or entry.get("measure") not in MEASURES:
        raise TpkitError(
            "survey.mapping.bad_measure",
            file=str(path),
            column=header,
            allowed=", ".join(MEASURES),
        )
    measure = str(entry["measure"])
    touchpoint = str(entry.get("touchpoint") or WHOLE_FIRM)
    known = {tp.id for tp in workbook.touchpoints} | {ROW_TOUCHPOINT, WHOLE_FIRM}
    if touchpoint not in known:
        raise TpkitError(
            "survey.mapping.unknown_touchpoint", file=str(path), column=header, value=touchpoint
        )
    scale = str(entry.get("scale") or "")
    if scale and scale not in ACCEPTED[measure]:
        raise TpkitError(
            "survey.mapping.bad_scale",
            file=str(path),
            column=header,
            measure=measure,
            allowed=", ".join(ACCEPTED[measure]),
        )
    return Target(measure, touchpoint, scale)
