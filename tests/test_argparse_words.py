"""argparse's own words speak the command line's language, and German is spelled with ß."""

from __future__ import annotations

import argparse
import ast
import inspect
import re

import pytest

from tpkit.argparse_words import CatalogueTranslations, argparse_speaking
from tpkit.cli import main
from tpkit.i18n import catalogue
from tpkit.model import LANGUAGES

# Messages argparse only shows to a programmer who built a parser wrongly, never to a user.
PROGRAMMER_ERRORS = {
    "conflicting subparser: %s",
    "conflicting subparser alias: %s",
    "cannot merge actions - two groups are named %r",
    "'required' is an invalid argument for positionals",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "conflicting option string: %s",
    "conflicting option strings: %s",
    "mutually exclusive arguments must be optional",
    "cannot have multiple subparser arguments",
    "%r is not callable",
    "dest= is required for options like %(option)r",
    ".__call__() not defined",
    'argument "-" with mode %r',
}
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sr]")


def argparse_messages() -> set[str]:
    """Every text the running Python's argparse passes to ``_()`` or ``ngettext()``."""
    tree = ast.parse(inspect.getsource(argparse))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id in ("_", "ngettext"):
                found |= {text for text in texts if isinstance(text, str)}
    return found


def test_every_message_argparse_shows_a_user_is_in_the_catalogue():
    english = {text for key, text in catalogue("en").items() if key.startswith("argparse.")}
    shown = argparse_messages() - PROGRAMMER_ERRORS
    assert len(shown) > 15
    assert not sorted(shown - english)


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_translations_keep_argparses_placeholders(language):
    for key, text in catalogue("en").items():
        if key.startswith("argparse."):
            translated = catalogue(language)[key]
            assert sorted(PERCENT_PLACEHOLDER.findall(translated)) == sorted(
                PERCENT_PLACEHOLDER.findall(text)
            ), (language, key)


def test_plurals_follow_the_count():
    german = CatalogueTranslations("de")
    assert german.ngettext("expected %s argument", "expected %s arguments", 1) == "%s Wert erwartet"
    assert (
        german.ngettext("expected %s argument", "expected %s arguments", 3) == "%s Werte erwartet"
    )
    newer = "a text a newer argparse may have"
    assert german.gettext(newer) == newer


@pytest.mark.parametrize(
    ("language", "usage", "options", "help_line"),
    [
        ("de", "Aufruf: tpkit new", "Optionen:", "diese Hilfe anzeigen und beenden"),
        ("fr", "utilisation : tpkit new", "options :", "afficher cette aide et quitter"),
        ("it", "uso: tpkit new", "opzioni:", "mostra questo aiuto ed esce"),
    ],
)
def test_help_is_in_the_chosen_language(capsys, language, usage, options, help_line):
    with pytest.raises(SystemExit) as stop:
        main(["new", "--help", "--lang", language])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(usage) and options in out and help_line in out
    assert "usage:" not in out and "show this help" not in out


def test_errors_are_in_the_chosen_language(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--lang", "fr", "report", "x.yaml", "--workers", "many"])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "tpkit report : erreur : argument --workers : valeur 'many' invalide" in error
    with pytest.raises(SystemExit):
        main(["--lang", "de", "new"])
    assert "Fehler: diese Argumente fehlen: PATH" in capsys.readouterr().err


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_help_formats_in_every_language(language):
    """Every command's --help, however deep; a "95 %" in a help text is just a per cent."""
    from tpkit.cli import _parser
    from tpkit.i18n import set_language

    set_language(language)
    with argparse_speaking(language):
        parser = _parser()
        helps = [sub.format_help() for sub in all_parsers(parser)]
    assert len(helps) > 15
    assert any("95" in text and "%" in text for text in helps)


def test_french_headings_have_a_space_before_the_colon():
    """argparse adds the heading's colon itself; French typography spaces it, in every
    command's help (the sub-commands' parsers use argparse's own formatter)."""
    from tpkit.cli import _parser
    from tpkit.i18n import set_language

    set_language("fr")
    with argparse_speaking("fr"):
        helps = [sub.format_help() for sub in all_parsers(_parser())]
    headings = {line for text in helps for line in text.splitlines() if line.endswith(":")}
    assert {"arguments positionnels :", "options :", "commandes :"} <= headings
    assert all(line.endswith(" :") for line in headings), headings


def all_parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from all_parsers(sub)


def test_argparse_gets_its_own_words_back_afterwards(capsys):
    before = argparse._  # type: ignore[attr-defined]
    with pytest.raises(SystemExit):
        main(["--lang", "de", "--help"])
    assert argparse._ is before  # type: ignore[attr-defined]
    with argparse_speaking("it"):
        assert argparse._("options") == "opzioni"  # type: ignore[attr-defined]
    assert argparse._("options") == "options"  # type: ignore[attr-defined]


# Swiss spellings (ss for ß) of words the kit uses; German German writes them with ß.
SWISS_SPELLINGS = re.compile(
    r"\b\w*(?:gross|grösse|grösst|schliess|mässig|strasse|gemäss|ausser|äusser|draussen|"
    r"bloss|massnahm|fliess|heiss|weiss|gruss|stoss|spass|fuss)\w*",
    re.IGNORECASE,
)


def test_german_is_spelled_with_sharp_s():
    swiss = {
        key: match
        for key, text in catalogue("de").items()
        for match in SWISS_SPELLINGS.findall(text)
    }
    assert not swiss
    hints = " ".join(text for key, text in catalogue("de").items() if key.startswith("suggestion."))
    assert "abschließen" in hints and "große" in hints and "Regelmäßig" in hints
