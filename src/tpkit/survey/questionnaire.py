"""The customer questionnaire of a touchpoint, as text to read and as a survey tool's import.

Every touchpoint gets the same short questionnaire (the measures of
:mod:`tpkit.survey.measures`), its questions naming the touchpoint. The texts come from
the catalogue (``questionnaire.question.<measure>``) and the answer labels are the
verbal scales of ``data/survey/``, so whatever a survey tool exports — codes or
labels, in any of the four languages — the import reads back as the right number.

The tool format is LimeSurvey's tab-separated survey structure (``.txt``): LimeSurvey
is open source and self-hostable, the format is documented and meant to be written by
hand or by a spreadsheet, it imports several languages at once, and it needs no ids.
One survey serves every touchpoint: a hidden question ``tp`` receives the link's
``?tp=<id>`` (through LimeSurvey's panel integration, one setting after the import) and
each touchpoint's group of questions is shown only when ``tp`` names it, so the
export carries the touchpoint id as a column.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from tpkit.errors import TpkitError
from tpkit.i18n import catalogue, label, t
from tpkit.model import LANGUAGES, PHASES, Touchpoint, Workbook
from tpkit.safety import spreadsheet_csv
from tpkit.survey.measures import MEASURES

# The order a customer reads: the ratings, the open "why?", then what they want from us.
QUESTION_ORDER: tuple[str, ...] = (
    "contact",
    "process",
    "csat",
    "nps",
    "ces",
    "comment",
    "channels",
    "offers",
    "consent",
)
# Channels a customer can be reached through (the model's other channels are places
# where customers meet the company, not ways to write to them).
CONTACT_CHANNELS: tuple[str, ...] = (
    "email",
    "phone",
    "sms",
    "print_mail",
    "app",
    "chat",
    "social_media",
    "in_person",
)
OFFERS: tuple[str, ...] = ("news", "discounts", "tips", "events")
FORMATS: tuple[str, ...] = ("text", "limesurvey")
LINK_PARAMETER = "tp"  # the query parameter and the hidden question that carry the id

Kind = Literal["single", "multiple", "open"]


@dataclass(frozen=True)
class Question:
    """One question as a customer sees it: the text, and the answers to choose from."""

    measure: str
    text: str
    kind: Kind
    options: tuple[tuple[str, str], ...] = ()  # (code, label); a score's code is its number


def questions(touchpoint: str, language: str) -> list[Question]:
    """The questionnaire of one touchpoint (by name) in one language."""
    return [_question(measure, touchpoint, language) for measure in QUESTION_ORDER]


def _question(measure: str, touchpoint: str, language: str) -> Question:
    text = t(f"questionnaire.question.{measure}", language, touchpoint=touchpoint)
    spec = MEASURES[measure]
    if measure == "channels":
        options = tuple((c, label("channel", c, language)) for c in CONTACT_CHANNELS)
        return Question(measure, text, "multiple", options)
    if measure == "offers":
        options = tuple((o, t(f"questionnaire.offer.{o}", language)) for o in OFFERS)
        return Question(measure, text, "multiple", options)
    if not spec.is_score:
        return Question(measure, text, "open")
    values = range(spec.low, spec.high + 1)
    if measure == "consent":
        values = range(spec.high, spec.low - 1, -1)  # "I agree" first; neither is preset
    labels = _LABELS[measure]
    words = {v: catalogue(language).get(f"questionnaire.scale.{labels}.{v}") for v in values}
    partial = None in words.values()
    return Question(
        measure, text, "single", tuple((str(v), _score_label(v, words[v], partial)) for v in values)
    )


# The labels each score question offers (questionnaire.scale.<name> in the catalogue):
# labels the import's vocabulary (data/survey) reads back on the question's scale.
_LABELS = {
    "contact": "quality",
    "process": "quality",
    "csat": "satisfaction",
    "nps": "likelihood",
    "ces": "agreement",
    "consent": "yes_no",
}


def _score_label(value: int, words: str | None, partial: bool) -> str:
    """The scale's own label; on a scale that labels only its ends (0–10) the number
    leads every choice. The import reads a label or a leading number alike."""
    if not partial:
        return words or str(value)
    return f"{value} – {words}" if words else str(value)


def selected(workbook: Workbook, touchpoint_id: str | None = None) -> list[Touchpoint]:
    """The touchpoints to ask about, in the order of the journey's phases."""
    if touchpoint_id is not None:
        try:
            return [workbook.touchpoint(touchpoint_id)]
        except KeyError:
            allowed = ", ".join(tp.id for tp in workbook.touchpoints)
            raise TpkitError(
                "questionnaire.error.unknown_touchpoint", value=touchpoint_id, allowed=allowed
            ) from None
    return sorted(workbook.touchpoints, key=lambda tp: PHASES.index(tp.phase))


def _title(
    workbook: Workbook,
    touchpoints: Sequence[Touchpoint],
    language: str,
    escape: Callable[[str], str],
) -> str:
    """One touchpoint's questionnaire is titled with its name, several with the team's;
    ``escape`` makes the user's text literal in the output's own syntax."""
    if len(touchpoints) == 1:
        return t("questionnaire.title", language, touchpoint=escape(touchpoints[0].name))
    return t("questionnaire.workbook_title", language, team=escape(workbook.meta.team))


# ---------------------------------------------------------------------------------------
# Readable text (Markdown that also reads as plain text)

_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """User text shown literally by a Markdown renderer: '<script>' stays text."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", " ".join(text.split()))


def to_markdown(workbook: Workbook, touchpoints: Sequence[Touchpoint], language: str) -> str:
    """The questionnaire of one touchpoint, or of several with one section each."""
    title = _title(workbook, touchpoints, language, _md)
    lines = [f"# {title}", "", t("questionnaire.intro", language), ""]
    for tp in touchpoints:
        if len(touchpoints) > 1:
            lines += [f"## {_md(tp.name)} ({label('phase', tp.phase, language)})", ""]
        for number, question in enumerate(questions(_md(tp.name), language), start=1):
            lines += [
                f"{number}. **{question.text}**  ",
                f"   {_answers_md(question, language)}",
                "",
            ]
    lines.append(t("questionnaire.thanks", language))
    return "\n".join(lines) + "\n"


def _answers_md(question: Question, language: str) -> str:
    """Empty boxes to tick: nothing is chosen beforehand, consent included."""
    if question.kind == "open":
        return f"_{t('questionnaire.write', language)}_"
    box, hint = ("☐", "choose_any") if question.kind == "multiple" else ("○", "choose_one")
    choices = " · ".join(f"{box} {_md(text)}" for _, text in question.options)
    return f"{choices}  \n   _{t(f'questionnaire.{hint}', language)}_"


# ---------------------------------------------------------------------------------------
# LimeSurvey tab-separated survey structure

# The documented columns LimeSurvey reads; any further column is a question attribute.
LIMESURVEY_COLUMNS: tuple[str, ...] = (
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "other",
    "default",
    "same_default",
    "hidden",
)
# LimeSurvey question types: list (radio), long free text, multiple choice, short text.
_LIMESURVEY_TYPE = {"single": "L", "open": "T", "multiple": "M"}


def _ls_text(text: str) -> str:
    """User text as LimeSurvey shows it literally: its texts are HTML, and braces start
    an expression, so both are escaped (entities are never read as expressions). A
    leading formula sign is made harmless for spreadsheets by :func:`to_limesurvey`."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def _ls_code(measure: str, number: int) -> str:
    """A question code LimeSurvey accepts: a letter first, letters and digits, ≤ 20."""
    return f"T{number}{measure}"


def to_limesurvey(
    workbook: Workbook, touchpoints: Sequence[Touchpoint], languages: Sequence[str]
) -> str:
    """A LimeSurvey survey structure (.txt): the first language is the survey's base
    language, the others are its translations, row for row in the same order."""
    rows: list[dict[str, str]] = [
        _row("S", name="language", text=languages[0]),
        _row("S", name="additional_languages", text=" ".join(languages[1:])),
        _row("S", name="format", text="A"),  # all questions on one page: a minute's work
        _row("S", name="datestamp", text="Y"),  # submission dates, for trends per month
        _row("S", name="ipaddr", text="N"),  # no personal data the survey does not need
    ]
    for language in languages:
        rows += _ls_language_rows(workbook, touchpoints, language, base=language == languages[0])
    # People open this file in a spreadsheet to edit it before the import: a name such
    # as '=HYPERLINK(…)' must not run there (its texts are HTML, so no apostrophe shows).
    table = [LIMESURVEY_COLUMNS, *([row.get(c, "") for c in LIMESURVEY_COLUMNS] for row in rows)]
    return spreadsheet_csv(table, delimiter="\t", lineterminator="\n", html=True)


def _row(kind: str, **cells: str) -> dict[str, str]:
    return {"class": kind, **cells}


def _ls_language_rows(
    workbook: Workbook, touchpoints: Sequence[Touchpoint], language: str, base: bool
) -> list[dict[str, str]]:
    title = _title(workbook, touchpoints, language, _ls_text)
    rows = [
        _row("SL", name="surveyls_title", text=title, language=language),
        _row(
            "SL",
            name="surveyls_welcometext",
            text=t("questionnaire.intro", language),
            language=language,
        ),
        _row(
            "SL",
            name="surveyls_endtext",
            text=t("questionnaire.thanks", language),
            language=language,
        ),
        # The touchpoint id from the link: always relevant (an irrelevant question's
        # answer is cleared on submit), hidden from the customer.
        _row("G", **{"type/scale": "G0"}, name=LINK_PARAMETER, relevance="1", language=language),
        _row(
            "Q",
            **{"type/scale": "S"},
            name=LINK_PARAMETER,
            relevance="1",
            text=t("questionnaire.touchpoint_field", language),
            language=language,
            mandatory="N",
            other="N",
            hidden="1" if base else "",  # an attribute of the question, set once
        ),
    ]
    for number, tp in enumerate(touchpoints, start=1):
        shown = "1" if len(touchpoints) == 1 else f'{LINK_PARAMETER}.NAOK == "{tp.id}"'
        rows.append(
            _row(
                "G",
                **{"type/scale": f"G{number}"},
                name=_ls_text(tp.name),
                relevance=shown,
                language=language,
            )
        )
        for question in questions(tp.name, language):
            rows += _ls_question_rows(question, _ls_code(question.measure, number), language)
    return rows


def _ls_question_rows(question: Question, code: str, language: str) -> list[dict[str, str]]:
    hint = {"single": "choose_one", "multiple": "choose_any", "open": "write"}[question.kind]
    rows = [
        _row(
            "Q",
            **{"type/scale": _LIMESURVEY_TYPE[question.kind]},
            name=code,
            relevance="1",
            text=_ls_text(question.text),
            help=t(f"questionnaire.{hint}", language),
            language=language,
            mandatory="N",  # every answer is optional, consent above all
            other="N",
        )
    ]
    # Choices of a multiple-choice question are subquestions; of a list, answers.
    kind = "SQ" if question.kind == "multiple" else "A"
    for option, text in question.options:
        name = re.sub(r"[^A-Za-z0-9]", "", option)
        rows.append(
            _row(kind, **{"type/scale": "0"}, name=name, text=_ls_text(text), language=language)
        )
    return rows


def render(
    workbook: Workbook, fmt: str, touchpoint_id: str | None = None, language: str | None = None
) -> str:
    """The questionnaire in ``fmt``, in the workbook's language unless another is given;
    LimeSurvey's also carries the other three languages as translations."""
    language = language or workbook.meta.language
    touchpoints = selected(workbook, touchpoint_id)
    if fmt == "limesurvey":
        return to_limesurvey(
            workbook, touchpoints, [language, *(x for x in LANGUAGES if x != language)]
        )
    return to_markdown(workbook, touchpoints, language)
