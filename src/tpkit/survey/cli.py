"""``tpkit survey …``: the customer feedback loop on the command line.

:func:`add_survey_commands` is called by the main parser; each action adds itself with a
function of its own (``_add_…``), so that further actions join without touching the
others. The commands only parse, call the package and print, as the rest of the CLI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tpkit.cli import EXIT_OK
from tpkit.errors import TpkitError
from tpkit.i18n import plural, t
from tpkit.model import Workbook

if TYPE_CHECKING:  # the survey modules load when their command runs, not with the parser
    from tpkit.survey.importer import ImportResult, Skipped
    from tpkit.survey.proposal import Proposal

Command = Callable[..., argparse.ArgumentParser]


def add_survey_commands(command: Command, commands: argparse._SubParsersAction) -> None:
    """``tpkit survey ACTION``; ``command`` is the main parser's helper that names,
    translates and wires a subcommand."""
    survey = command("survey", None, "questionnaire.cli.survey", commands)
    actions = survey.add_subparsers(metavar="ACTION", required=True, parser_class=SurveyParser)
    for add in (_add_questionnaire, _add_links, _add_import, _add_metrics):
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


# ---------------------------------------------------------------------------------------
# tpkit survey import

# Its exit codes, as the README documents them.
EXIT_IMPORTED = 0  # imported cleanly (the tool's own exclusions do not count)
EXIT_SKIPPED = 1  # imported, with skipped rows or answers listed
EXIT_NEEDS_MAPPING = 2  # nothing stored: the proposed mapping needs a look
EXIT_FILE_ERROR = 3  # a file is missing, unreadable or not an export; a bad mapping file
EXIT_USAGE = 4  # a malformed command line
_SHOWN_PROBLEMS = 20  # printed; all of them go to the problems file


class SurveyParser(argparse.ArgumentParser):
    """The survey actions' parser: a usage error exits with ``usage_exit``, argparse's 2
    unless an action documents its own codes (``survey import``, where 2 means "the
    mapping needs a look"); unknown arguments are its own to refuse, too."""

    usage_exit = 2

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        words = argparse._("%(prog)s: error: %(message)s\n")  # type: ignore[attr-defined]
        self.exit(self.usage_exit, words % {"prog": self.prog, "message": message})

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        namespace, extras = super().parse_known_args(args, namespace)
        if extras and self.usage_exit != 2:
            words = argparse._("unrecognized arguments: %s")  # type: ignore[attr-defined]
            self.error(words % " ".join(extras))
        return namespace, extras


def _add_import(command: Command, actions: argparse._SubParsersAction) -> None:
    sub = command("import", _import, "survey.cli.import.help", actions)
    sub.usage_exit = EXIT_USAGE
    sub.set_defaults(error_exit=EXIT_FILE_ERROR)
    sub.add_argument("export", metavar="EXPORT", help=t("survey.cli.import.export"))
    sub.add_argument(
        "--workbook", required=True, metavar="PATH", help=t("survey.cli.import.workbook")
    )
    how = sub.add_mutually_exclusive_group()
    how.add_argument("--mapping", metavar="FILE", help=t("survey.cli.import.mapping"))
    how.add_argument("--accept", action="store_true", help=t("survey.cli.import.accept"))
    sub.add_argument("--save-mapping", metavar="FILE", help=t("survey.cli.import.save_mapping"))
    sub.add_argument(
        "--keep-personal-data", action="store_true", help=t("survey.cli.import.keep_personal")
    )
    sub.add_argument("--dry-run", action="store_true", help=t("survey.cli.import.dry_run"))


def _import(arguments: argparse.Namespace) -> int:
    from tpkit.store import read
    from tpkit.survey.display import proposal_text
    from tpkit.survey.formats import read_export
    from tpkit.survey.importer import import_export

    workbook_path = Path(arguments.workbook)
    workbook = read(workbook_path)
    source = Path(arguments.export)
    export = read_export(source)
    result = import_export(
        export,
        workbook,
        workbook_path,
        mapping_file=Path(arguments.mapping) if arguments.mapping else None,
        accept=arguments.accept,
        keep_personal_data=arguments.keep_personal_data,
        dry_run=arguments.dry_run,
    )
    proposal = result.proposal
    print(t("survey.cli.import.found", file=source, tool=t(f"survey.tool.{export.tool}")))
    print(proposal_text(proposal, workbook))
    if proposal.left_out:
        columns = ", ".join(f"'{c}'" for c in proposal.left_out)
        print(t("survey.cli.import.left_out", file=proposal.mapping_file, columns=columns))
    if arguments.save_mapping or result.status == "needs_mapping":
        default = workbook_path.with_name(f"{source.stem}.mapping.yaml")
        target = Path(arguments.save_mapping) if arguments.save_mapping else default
        _write_mapping(target, proposal)
    if result.status == "needs_mapping":
        _say_what_to_do(result, source, workbook_path, target)
        return EXIT_NEEDS_MAPPING
    _print_result(result, workbook_path)
    return EXIT_SKIPPED if result.fixable else EXIT_IMPORTED


def _write_mapping(target: Path, proposal: Proposal) -> None:
    from tpkit.store import write_atomic
    from tpkit.survey.proposal import mapping_file_text

    text = mapping_file_text(proposal).encode("utf-8")
    _write(target, lambda: write_atomic(target, lambda stream: stream.write(text)))


def _say_what_to_do(result: ImportResult, source: Path, workbook: Path, mapping: Path) -> None:
    """One line: nothing was stored, why, and the command that accepts or edits it."""
    doubtful = len(result.proposal.doubtful)
    key = "doubtful" if doubtful else "nothing_scored"
    print(
        t(
            f"survey.cli.import.{key}",
            count=doubtful,
            file=mapping,
            command=f"tpkit survey import {source} --workbook {workbook}",
        ),
        file=sys.stderr,
    )


def _print_result(result: ImportResult, workbook_path: Path) -> None:
    from tpkit.survey.responses import responses_path

    if result.personal_left_out:
        columns = ", ".join(result.personal_left_out)
        print("  " + t("survey.cli.import.personal_left_out", columns=columns))
    dry_run = result.status == "dry_run"
    key = "survey.cli.import.dry_run_result" if dry_run else "survey.cli.import.result"
    print(t(key, file=responses_path(workbook_path), **result.counted()))
    if result.replaced:
        day = result.replaced_on or t("survey.cli.import.earlier")
        print(plural("survey.cli.import.replaced", result.replaced, day=day))
    if not result.skipped:
        return
    print(plural("survey.cli.import.skipped", len(result.skipped)), file=sys.stderr)
    for skip in result.skipped[:_SHOWN_PROBLEMS]:
        print("  " + _skip_text(result.source, skip), file=sys.stderr)
    if len(result.skipped) > _SHOWN_PROBLEMS:
        problems = workbook_path.with_name(f"{workbook_path.stem}.import-problems.csv")
        _write(problems, lambda: _write_problems(result, problems))
        more = len(result.skipped) - _SHOWN_PROBLEMS
        print("  " + t("survey.cli.import.more", count=more, file=problems), file=sys.stderr)


def _skip_text(source: Path, skip: Skipped) -> str:
    reason = t(f"survey.reason.{skip.reason}")
    if not skip.column:
        if skip.value:
            reason = f"{reason} ({skip.value})"
        return t("survey.cli.import.row_skip", file=source, line=skip.line, reason=reason)
    return t(
        "survey.cli.import.cell_skip",
        file=source,
        line=skip.line,
        column=skip.column,
        value=skip.value,
        reason=reason,
    )


def _write_problems(result: ImportResult, target: Path) -> None:
    """Every skipped row and cell, for a spreadsheet; customer text cannot run as a formula."""
    from tpkit.safety import spreadsheet_csv
    from tpkit.store import write_atomic

    header = [t(f"survey.cli.import.problems_{name}") for name in _PROBLEM_FIELDS]
    rows = [
        (result.source.name, skip.line, skip.column, skip.value, skip.reason)
        for skip in result.skipped
    ]
    write_atomic(target, spreadsheet_csv([header, *rows]).encode("utf-8-sig"))


_PROBLEM_FIELDS = ("file", "line", "column", "value", "reason")


# ---------------------------------------------------------------------------------------
# tpkit survey metrics


def _add_metrics(command: Command, actions: argparse._SubParsersAction) -> None:
    from tpkit.survey.metrics import GROUPINGS

    sub = command("metrics", _metrics, "survey.cli.metrics.help", actions)
    sub.add_argument("path", metavar="PATH", help=t("questionnaire.cli.workbook"))
    sub.add_argument(
        "--by", choices=GROUPINGS, default="touchpoint", help=t("survey.cli.metrics.by")
    )
    sub.add_argument("--json", action="store_true", help=t("survey.cli.metrics.json"))


def _metrics(arguments: argparse.Namespace) -> int:
    import json

    from tpkit.store import read
    from tpkit.survey.metrics import MIN_SAMPLE, figures_for, gaps

    workbook = read(Path(arguments.path))
    by = "touchpoint,month" if arguments.by == "month" else arguments.by
    figures = figures_for(workbook, arguments.path, by)
    found_gaps = gaps(figures, workbook) if by == "touchpoint" else []
    if arguments.json:
        first, _, then = by.partition(",")
        document = {
            "by": by,
            "min_sample": MIN_SAMPLE,
            "figures": [
                {first: item.group, **({"month": item.month} if then else {}), **item.as_dict()}
                for item in figures
            ],
            "gaps": [{**vars(gap), "gap": gap.gap} for gap in found_gaps],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
        return EXIT_OK
    if not figures:
        print(t("survey.cli.metrics.none", file=arguments.path))
        return EXIT_OK
    from tpkit.survey.display import figures_text, gaps_text

    print(figures_text(figures, by, workbook))
    if found_gaps:
        print()
        print(gaps_text(found_gaps, workbook))
    return EXIT_OK
