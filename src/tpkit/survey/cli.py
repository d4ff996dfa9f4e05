"""``tpkit survey …``: the customer feedback loop on the command line.

:func:`add_survey_commands` is called by the main parser; each action adds itself with a
function of its own (``_add_…``), so that further actions join without touching the
others. The commands only parse, call the package and print, as the rest of the CLI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tpkit.cli import EXIT_OK
from tpkit.errors import TpkitError
from tpkit.i18n import t
from tpkit.model import Workbook

Command = Callable[..., argparse.ArgumentParser]


def add_survey_commands(command: Command, commands: argparse._SubParsersAction) -> None:
    """``tpkit survey ACTION``; ``command`` is the main parser's helper that names,
    translates and wires a subcommand."""
    survey = command("survey", None, "questionnaire.cli.survey", commands)
    actions = survey.add_subparsers(metavar="ACTION", required=True)
    for add in (_add_questionnaire, _add_links):
        add(command, actions)


def _read(path: str) -> Workbook:
    """The workbook; one without touchpoints has nothing to ask customers about."""
    from tpkit.store import read

    workbook = read(Path(path))
    if not workbook.touchpoints:
        raise TpkitError("questionnaire.error.no_touchpoints", file=path)
    return workbook


# ---------------------------------------------------------------------------------------
# tpkit survey questionnaire


def _add_questionnaire(command: Command, actions: argparse._SubParsersAction) -> None:
    from tpkit.survey.questionnaire import FORMATS

    sub = command("questionnaire", _questionnaire, "questionnaire.cli.questionnaire.help", actions)
    sub.add_argument("path", metavar="PATH", help=t("questionnaire.cli.workbook"))
    sub.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help=t("questionnaire.cli.questionnaire.format"),
    )
    sub.add_argument(
        "-o", "--output", metavar="OUT", help=t("questionnaire.cli.questionnaire.output")
    )
    sub.add_argument(
        "--touchpoint", metavar="ID", help=t("questionnaire.cli.questionnaire.touchpoint")
    )


def _questionnaire(arguments: argparse.Namespace) -> int:
    from tpkit.survey.questionnaire import render

    workbook = _read(arguments.path)
    text = render(workbook, arguments.format, arguments.touchpoint)
    if not arguments.output:
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(arguments.output)
    # LimeSurvey writes its own .txt files with a byte order mark; spreadsheets need it
    # to read the accents of a file someone opens to edit before importing.
    encoding = "utf-8-sig" if arguments.format == "limesurvey" else "utf-8"
    _write(target, lambda: target.write_text(text, encoding=encoding))
    print(t("questionnaire.cli.questionnaire.written", file=target))
    if arguments.format == "limesurvey":
        print(t("questionnaire.limesurvey_hint", file=target.name))
    return EXIT_OK


def _write(target: Path, write: Callable[[], object]) -> None:
    """Run ``write``; a folder that is missing or not writable is the user's to fix."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write()
    except OSError as error:
        raise TpkitError("error.cannot_write", file=target, detail=error.strerror) from None


# ---------------------------------------------------------------------------------------
# tpkit survey links


def _add_links(command: Command, actions: argparse._SubParsersAction) -> None:
    from tpkit.survey.links import DEFAULT_CAMPAIGN, DEFAULT_SOURCES, SOURCES

    sub = command("links", _links, "questionnaire.cli.links.help", actions)
    sub.add_argument("path", metavar="PATH", help=t("questionnaire.cli.workbook"))
    sub.add_argument(
        "--base-url", required=True, metavar="URL", help=t("questionnaire.cli.links.base_url")
    )
    sub.add_argument(
        "--out-dir", required=True, metavar="DIR", help=t("questionnaire.cli.links.out_dir")
    )
    sub.add_argument(
        "--campaign",
        default=DEFAULT_CAMPAIGN,
        metavar="NAME",
        help=t("questionnaire.cli.links.campaign", default=DEFAULT_CAMPAIGN),
    )
    sub.add_argument(
        "--source",
        nargs="+",
        choices=SOURCES,
        default=list(DEFAULT_SOURCES),
        metavar="SOURCE",
        help=t(
            "questionnaire.cli.links.source",
            names=", ".join(SOURCES),
            default=", ".join(DEFAULT_SOURCES),
        ),
    )


def _links(arguments: argparse.Namespace) -> int:
    from tpkit.survey.cards import write_cards_pdf
    from tpkit.survey.links import check_base_url, survey_links, write_csv, write_qr_codes
    from tpkit.survey.questionnaire import selected

    check_base_url(arguments.base_url)  # before reading anything: the cheapest mistake first
    workbook = _read(arguments.path)
    links = survey_links(
        selected(workbook), arguments.base_url, arguments.campaign, arguments.source
    )
    folder = Path(arguments.out_dir)
    table, codes, cards = folder / "links.csv", folder / "qr", folder / "qr-cards.pdf"
    _write(table, lambda: write_csv(links, table))
    _write(codes, lambda: write_qr_codes(links, codes))
    language = workbook.meta.language  # the cards speak to customers, in their language
    _write(cards, lambda: write_cards_pdf(links, workbook.meta.team, language, cards))
    print(
        t(
            "questionnaire.cli.links.written",
            links=len(links),
            touchpoints=len(workbook.touchpoints),
            csv=table,
            folder=codes,
            pdf=cards,
        )
    )
    return EXIT_OK
