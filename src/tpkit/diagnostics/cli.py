"""``tpkit diagnose PATH [--json] [--lang LANG] [--top N]``: the ranked findings.

Reads the workbook and the customer responses stored beside it; the texts are in the
workbook's language unless ``--lang`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from tpkit.i18n import t

Command = Callable[..., argparse.ArgumentParser]


def add_diagnose_command(command: Command, commands: argparse._SubParsersAction) -> None:
    """``tpkit diagnose``; ``command`` is the main parser's helper for a subcommand."""
    sub = command("diagnose", _diagnose, "diagnostics.cli.help", commands)
    sub.add_argument("path", metavar="PATH", help=t("diagnostics.cli.path"))
    sub.add_argument("--json", action="store_true", help=t("diagnostics.cli.json"))
    sub.add_argument("--top", type=int, metavar="N", help=t("diagnostics.cli.top"))


def _diagnose(arguments: argparse.Namespace) -> int:
    from tpkit.cli import EXIT_OK
    from tpkit.diagnostics import diagnose, listing
    from tpkit.diagnostics.evidence import customers_of
    from tpkit.store import read

    workbook = read(Path(arguments.path))
    language = getattr(arguments, "lang", None) or workbook.meta.language
    found = diagnose(workbook, customers_of(workbook, arguments.path))
    if arguments.top is not None:
        found = found[: max(arguments.top, 0)]
    if arguments.json:
        document = listing.document(found, workbook, language)
        print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(listing.text(found, workbook, language), end="")
    return EXIT_OK
