"""argparse's own words ("usage:", "options:", "show this help message and exit", its
error messages) in the command line's language.

argparse marks these texts for gettext and looks them up, at the moment it needs them,
through its module's ``_`` and ``ngettext``. :func:`argparse_speaking` installs a
translations object there while the ``tpkit`` parser is built and reads the command
line, and puts argparse's own functions back afterwards, so a test runner or another
program in the same process is not affected.

The translations live in the catalogue like every other text (``locales/argparse/``):
``argparse.KEY`` in English holds argparse's exact message, the other languages its
translation, with the same ``%`` placeholders. A text argparse has that the catalogue
lacks (a newer Python's) stays in English rather than failing.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from tpkit.i18n import catalogue

PREFIX = "argparse."
PLURAL_SUFFIX = "_one"  # KEY_one holds the singular of an ngettext pair, KEY the plural


@cache
def _keys_by_message() -> dict[str, str]:
    """argparse's English message → its key in the catalogue."""
    return {text: key for key, text in catalogue("en").items() if key.startswith(PREFIX)}


class CatalogueTranslations(gettext.NullTranslations):
    """A gettext translations object that answers from the kit's catalogue."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def gettext(self, message: str) -> str:
        key = _keys_by_message().get(message)
        return catalogue(self.language)[key] if key else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        key = _keys_by_message().get(singular)
        if key is None or not key.endswith(PLURAL_SUFFIX):
            return singular if n == 1 else plural
        chosen = key if n == 1 else key.removesuffix(PLURAL_SUFFIX)
        return catalogue(self.language)[chosen]


@contextmanager
def argparse_speaking(language: str) -> Iterator[None]:
    """While inside, argparse writes its help and its errors in ``language``."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    translations = CatalogueTranslations(language)
    argparse._ = translations.gettext  # type: ignore[attr-defined]
    argparse.ngettext = translations.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class CatalogueHelpFormatter(argparse.HelpFormatter):
    """Help texts come from the catalogue as plain text: the "%" in "95 % intervals" is a
    per cent sign. argparse would read it as a format and fail; only a help that uses
    argparse's own ``%(default)s``-style fields is formatted."""

    def _expand_help(self, action: argparse.Action) -> str:
        text = self._get_help_string(action) or ""
        return super()._expand_help(action) if "%(" in text else text
