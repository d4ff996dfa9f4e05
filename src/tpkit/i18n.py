"""Translations: one YAML catalogue per language, read once, used for every text a user reads.

YAML rather than gettext: facilitators translate with a text editor, keys nest by
topic (``phase.before``, ``cli.validate.ok``), and a test checks that every key
exists in every language with the same ``{placeholders}``.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from tpkit.model import LANGUAGES

DEFAULT_LANGUAGE = "en"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ENV_VARIABLE = "TPKIT_LANG"


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    """All messages of one language, keyed by dotted name.

    ``locales/LANG.yaml`` holds the interface; topic folders such as
    ``locales/suggestions/LANG.yaml`` hold longer content and are merged in.
    """
    folder = files("tpkit").joinpath("locales")
    sources = [folder.joinpath(f"{language}.yaml")] + [
        topic.joinpath(f"{language}.yaml")
        for topic in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if topic.is_dir() and topic.joinpath(f"{language}.yaml").is_file()
    ]
    messages: dict[str, str] = {}
    for source in sources:
        tree = yaml.load(source.read_text(encoding="utf-8"), Loader=_Loader)
        messages.update(_flatten(tree))
    return messages


def requested_language() -> str | None:
    """The language asked for on this run (``tpkit app --lang fr`` or TPKIT_LANG=fr), if any.

    An explicit request wins over the choice remembered from an earlier session; the
    system locale does not (see :func:`default_language`)."""
    code = os.environ.get(_ENV_VARIABLE, "")[:2].lower()
    return code if code in LANGUAGES else None


def default_language() -> str:
    """TPKIT_LANG, else the system locale (LC_ALL, LC_MESSAGES, LANG), else English."""
    for variable in (_ENV_VARIABLE, "LC_ALL", "LC_MESSAGES", "LANG"):
        code = os.environ.get(variable, "")[:2].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


_current = [default_language()]


def set_language(language: str) -> None:
    """Choose the language of messages for this process (the CLI's --lang)."""
    if language not in LANGUAGES:
        raise ValueError(language)
    _current[0] = language


def current_language() -> str:
    return _current[0]


def t(key: str, language: str | None = None, **values: Any) -> str:
    """The message ``key`` in ``language`` (default: the current one), with values filled in."""
    return catalogue(language or current_language())[key].format(**values)


def plural(key: str, number: int, language: str | None = None, **values: Any) -> str:
    """The message ``key`` naming ``number`` things as ``{count}``, or its singular
    ``KEY_one`` for exactly one where the catalogue has it (the kit's convention,
    argparse's too). ``values`` may hold ``count`` already written out (``1,234``)."""
    language = language or current_language()
    singular = f"{key}_one"
    chosen = singular if number == 1 and singular in catalogue(language) else key
    return t(chosen, language, **{"count": number, **values})


def decimal(value: float, language: str | None = None, places: int = 1) -> str:
    """A number as the language writes it: 3.8 in English, 3,8 in Italian, German, French."""
    return f"{value:.{places}f}".replace(".", t("chart.decimal_mark", language))


def label(group: str, key: str, language: str | None = None) -> str:
    """The translated label of a fixed value, e.g. ``label("phase", "after")``."""
    return t(f"{group}.{key}", language)
