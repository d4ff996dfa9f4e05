"""German and French to the last word: the forms, a report, the worksheets, the guide and
every ``--help`` are rendered as a user sees them and read for English words.

A word list, not a key check: it catches English wherever it comes from — a text that
bypasses the catalogue, argparse's own words, a chart label, a value printed as its
key. The list holds English words that are not also German or French words (no
"Team", "Journey", "Newsletter", "Notebook", "Feedback", which both languages use).
What a user types stays as typed: command and option names, ``PATH``-style
placeholders, the values an option accepts, file names and identifiers.
"""

from __future__ import annotations

import argparse
import html
import re
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest

from tpkit.argparse_words import argparse_speaking
from tpkit.i18n import set_language
from tpkit.samples import sample_path

from .pdf_pages import pages
from .teaching_printouts import guide_pdf, sheets_pdf

ENGLISH_WORDS = """
    the and with without your you this that these those from which what when where who how
    why are were been has have had not for of to by at if then than there here only each
    every any some more most less many much very can could would should must may might does
    did make made show shows shown help usage optional positional required invalid choose
    expected error exit save saved add added remove removed edit delete new open close file
    files folder workbook workbooks report reports sheet sheets before during after purchase
    stage stages rating ratings rate score scores quality customer customers people owner
    owners survey surveys none nothing yet still already next previous step steps done
    missing check progress good poor bad high low names please click select pick language
    english german french italian yes cancel kind channel frequency once weekly daily
    monthly yearly consent process strengths problems thinks feels doing thinking feeling
    opportunities goals other others aliases inventory industry company created updated
    count number month months week weeks year years days today hours time lowest highest
    findings summary contents gap gaps answers responses mean title chart charts worksheets
    facilitator canvas checklist room printouts write wrote written read sample samples
    review reviews price is
"""
ENGLISH = frozenset(ENGLISH_WORDS.split())
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
SYNTAX = re.compile(
    r"\b(?:tpkit|make)(?: [a-z][\w-]*)+"  # commands written in a text
    r"|(?<![\w-])--?[\w-]+"  # options
    r"|\{[^}]*\}"  # argparse's choice lists
    r"|\S*[/\\.@_=]\S*"  # paths, file names, identifiers, e-mail addresses
    r"|`[^`]*`"  # commands quoted in Markdown
    r"|\b\w+(?:,\w+)+\b"  # a list to type, such as inventory,rating,journey
)


# Words of the list that are also words of a language ("l'usage de l'application").
HOMOGRAPHS = {"de": frozenset(), "fr": frozenset({"usage"})}
# English terms German and French marketing use as their own, written as one phrase.
BORROWED = re.compile(r"\bCustomer[ -]Journey\b")
# The language menu names each language in itself: "English" is right in any interface.
ENDONYMS = frozenset({"english", "italiano", "deutsch", "français"})


def english_in(text: str, language: str, typed: frozenset[str] = frozenset()) -> set[str]:
    """The English words in a ``language`` text, apart from what a user types (``typed``)."""
    text = SYNTAX.sub(" ", BORROWED.sub(" ", text))
    allowed = typed | HOMOGRAPHS[language]
    return {
        word.lower()
        for word in WORD.findall(text)
        if not word.isupper() and word.lower() in ENGLISH and word.lower() not in allowed
    }


def test_the_word_list_catches_english_and_lets_syntax_through():
    found = english_in("Show this help message and exit", "de")
    assert found == {"show", "this", "help", "and", "exit"}
    assert not english_in("Lesen Sie die Customer Journey, dann: tpkit survey import x.csv", "de")
    assert not english_in("Zeigt die Hilfe an: tpkit new PATH --sample NAME {pdf,html}", "de")
    assert not english_in("écrit workbook/our-team.yaml, p. ex. le_nom, l'usage", "fr")
    assert english_in("usage: tpkit", "de") == {"usage"}
    assert english_in("zu viel Kontakt after purchase", "de", frozenset({"after"})) == {"purchase"}


# --- the command line -------------------------------------------------------------------


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every subcommand's, however deep: new commands join by themselves."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from parsers(sub)


def typed_words(parser: argparse.ArgumentParser) -> frozenset[str]:
    """Command names and the values options accept: syntax a user types."""
    words: set[str] = set()
    for each in parsers(parser):
        words |= set(each.prog.split())
        for action in each._actions:
            words |= {str(choice).lower() for choice in action.choices or ()}
    return frozenset(words)


def helps_in(language: str) -> tuple[dict[str, str], frozenset[str], str]:
    """Every command's --help in ``language``, the words a user types, the usage line."""
    from tpkit.cli import _parser

    set_language(language)
    with argparse_speaking(language):
        parser = _parser()
        typed = typed_words(parser)
        helps = {each.prog: each.format_help() for each in parsers(parser)}
        usage = parser.format_usage()
    return helps, typed, usage


def test_the_check_finds_english_in_the_english_help():
    """The control: the same reading finds English where English is expected."""
    helps, typed, usage = helps_in("en")
    assert {"usage", "show", "help", "exit"} <= english_in(helps["tpkit new"], "de", typed)
    assert "usage" in english_in(usage, "de", typed)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_help_text_is_in_the_language(language):
    helps, typed, usage_error = helps_in(language)
    assert len(helps) > 15
    left = {prog: english_in(text, language, typed) for prog, text in helps.items()}
    assert not {prog: words for prog, words in left.items() if words}
    assert not english_in(usage_error, language, typed)


# --- the forms ----------------------------------------------------------------------


def widget_texts(widget: w.Widget) -> Iterator[str]:
    """Every text a widget and its children show: captions, values of text displays,
    the labels of options, placeholders, tooltips and tab titles."""
    for name in ("description", "placeholder", "tooltip"):
        text = getattr(widget, name, None)
        if isinstance(text, str):
            yield text
    if isinstance(widget, w.HTML | w.Label | w.HTMLMath):
        yield html.unescape(re.sub(r"<[^>]+>", " ", widget.value))
    for option in getattr(widget, "options", ()) or ():
        yield option[0] if isinstance(option, tuple) else str(option)
    yield from getattr(widget, "titles", ()) or ()
    for child in getattr(widget, "children", ()) or ():
        yield from widget_texts(child)


@pytest.fixture(params=[("de", "saas"), ("fr", "ecoshop")])
def session(request, tmp_path, folder):
    from tpkit.forms.session import WorkbookSession
    from tpkit.samples import from_sample
    from tpkit.store import create

    language, sample = request.param
    path = create(folder / f"{sample}.yaml", from_sample(sample))
    return WorkbookSession(path, language)


def test_the_forms_are_in_the_language(session):
    from tpkit.forms import InventoryForm, JourneyForm, PersonaForm, RatingForm, StartForm, TeamView
    from tpkit.forms.survey import FeedbackView, MappingForm
    from tpkit.teaching.exercise_view import exercise

    forms = [
        StartForm(language=session.language).widget,
        InventoryForm(session, with_chart=False).widget,
        RatingForm(session).widget,
        TeamView(session, with_charts=False).widget,
        PersonaForm(session).widget,
        JourneyForm(session, with_chart=False).widget,
        MappingForm(session).widget,
        *FeedbackView(session).views(),
        exercise(session),
    ]
    texts = [text for form in forms for text in widget_texts(form)]
    assert len(texts) > 150
    left = {text: english_in(text, session.language, ENDONYMS) for text in texts}
    assert not {text: words for text, words in left.items() if words}


# --- a report, the worksheets, the guide ----------------------------------------------------


def report_text(workbook: Path, language: str, folder: Path) -> str:
    from tpkit.report.engine import register
    from tpkit.report.params import ReportParameters
    from tpkit.report.pipeline import build

    target = folder / f"report-{language}.html"
    build(ReportParameters(workbook=str(workbook), language=language), target, "html", register())
    page = target.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(("language", "sample"), [("de", "saas"), ("fr", "ecoshop")])
def test_a_report_is_in_the_language(language, sample, tmp_path):
    text = report_text(sample_path(sample), language, tmp_path)
    assert len(text.split()) > 500
    assert not english_in(text, language)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_printouts_are_in_the_language(language):
    sample = {"de": "saas", "fr": "ecoshop"}[language]
    for path in (guide_pdf(language), sheets_pdf(language), sheets_pdf(language, sample)):
        for number, page in enumerate(pages(path), 1):
            assert not english_in(page.text, language), (path.name, number)
