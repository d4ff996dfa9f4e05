"""``tpkit guide`` and ``tpkit worksheets``: the printouts of the teaching kit.

:func:`add_teaching_commands` is called by the main parser, as the survey commands are.
WeasyPrint and the guide's Markdown load when a command runs, not with the parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from tpkit.cli import EXIT_OK
from tpkit.errors import TpkitError
from tpkit.i18n import current_language, plural, t
from tpkit.teaching.worksheets import PAPERS, SHEETS

Command = Callable[..., argparse.ArgumentParser]


def add_teaching_commands(command: Command, commands: argparse._SubParsersAction) -> None:
    guide = command("guide", _guide, "teaching_cli.guide.help", commands)
    guide.add_argument(
        "-o", "--output", metavar="OUT", default="guide.pdf", help=t("teaching_cli.guide.output")
    )
    sheets = command("worksheets", _worksheets, "teaching_cli.worksheets.help", commands)
    sheets.add_argument("--workbook", metavar="PATH", help=t("teaching_cli.worksheets.workbook"))
    sheets.add_argument(
        "-o", "--output", metavar="OUT", default="worksheets.pdf",
        help=t("teaching_cli.worksheets.output"),
    )  # fmt: skip
    sheets.add_argument(
        "--sheets",
        metavar="LIST",
        default=",".join(SHEETS),
        help=t("teaching_cli.worksheets.sheets", names=",".join(SHEETS)),
    )
    sheets.add_argument(
        "--participants", type=_count, metavar="N", help=t("teaching_cli.worksheets.participants")
    )
    sheets.add_argument(
        "--paper", choices=PAPERS, default="a4", help=t("teaching_cli.worksheets.paper")
    )


def _count(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 200:
        raise argparse.ArgumentTypeError(t("teaching_cli.worksheets.bad_count", value=value))
    return int(value)


def _guide(arguments: argparse.Namespace) -> int:
    from tpkit.teaching.guide_pdf import write_guide_pdf

    language = getattr(arguments, "lang", None) or current_language()
    path = write_guide_pdf(language, Path(arguments.output))
    print(t("guide_pdf.written", file=path))
    return EXIT_OK


def _sheet_names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in SHEETS]
    if unknown or not names:
        raise TpkitError(
            "teaching_cli.worksheets.unknown_sheet",
            value=", ".join(unknown) or text,
            names=", ".join(SHEETS),
        )
    return names


def _worksheets(arguments: argparse.Namespace) -> int:
    from tpkit.store import read
    from tpkit.teaching.worksheets import SheetOptions, printed_pages, write_worksheets_pdf

    sheets = _sheet_names(arguments.sheets)
    workbook = read(Path(arguments.workbook)) if arguments.workbook else None
    language = getattr(arguments, "lang", None) or (
        workbook.meta.language if workbook else current_language()
    )
    options = SheetOptions(language, workbook, sheets, arguments.participants, arguments.paper)
    path = write_worksheets_pdf(options, Path(arguments.output))
    count = len(printed_pages(options))
    print(plural("worksheets.written", count, file=path, pages=count))
    return EXIT_OK
