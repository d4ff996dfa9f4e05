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
from typing import TYPE_CHECKING

from tpkit.cli import EXIT_OK, EXIT_PROBLEMS
from tpkit.errors import TpkitError
from tpkit.i18n import t
from tpkit.model import Workbook

if TYPE_CHECKING:  # the survey modules load when their command runs, not with the parser
    from tpkit.survey.export import Export
    from tpkit.survey.importer import ImportResult, Skipped
    from tpkit.survey.mapping import Mapping

Command = Callable[..., argparse.ArgumentParser]


def add_survey_commands(command: Command, commands: argparse._SubParsersAction) -> None:
    """``tpkit survey ACTION``; ``command`` is the main parser's helper that names,
    translates and wires a subcommand."""
    survey = command("survey", None, "questionnaire.cli.survey", commands)
    actions = survey.add_subparsers(metavar="ACTION", required=True)
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

_SHOWN_PROBLEMS = 20  # printed; all of them go to the problems file
# Exclusions the survey tool itself asks for: reported, but the import still succeeds.
_EXPECTED = frozenset({"preview", "incomplete", "duplicate"})


def _add_import(command: Command, actions: argparse._SubParsersAction) -> None:
    sub = command("import", _import, "survey.cli.import.help", actions)
    sub.add_argument("export", metavar="EXPORT", help=t("survey.cli.import.export"))
    sub.add_argument(
        "--workbook", required=True, metavar="PATH", help=t("survey.cli.import.workbook")
    )
    sub.add_argument("--mapping", metavar="FILE", help=t("survey.cli.import.mapping"))
    sub.add_argument("--save-mapping", metavar="FILE", help=t("survey.cli.import.save_mapping"))
    sub.add_argument(
        "--keep-personal-data", action="store_true", help=t("survey.cli.import.keep_personal")
    )
    sub.add_argument("--dry-run", action="store_true", help=t("survey.cli.import.dry_run"))


def _import(arguments: argparse.Namespace) -> int:
    from tpkit.store import read
    from tpkit.survey.formats import read_export
    from tpkit.survey.importer import import_export
    from tpkit.survey.mapping import mapping_file_text, propose, read_mapping_file

    workbook_path = Path(arguments.workbook)
    workbook = read(workbook_path)
    export = read_export(Path(arguments.export))
    if arguments.mapping:
        mapping = read_mapping_file(Path(arguments.mapping), export, workbook)
    else:
        mapping = propose(export, workbook)
    if arguments.save_mapping:
        target = Path(arguments.save_mapping)
        text = mapping_file_text(mapping, export)
        _write(target, lambda: target.write_text(text, encoding="utf-8"))
    _print_mapping(export, mapping, workbook)
    result = import_export(
        export,
        workbook,
        workbook_path,
        mapping,
        keep_personal_data=arguments.keep_personal_data,
        dry_run=arguments.dry_run,
    )
    _print_result(result, workbook_path, arguments.dry_run)
    fixable = [skip for skip in result.skipped if skip.reason not in _EXPECTED]
    return EXIT_PROBLEMS if fixable or not mapping else EXIT_OK


def _print_mapping(export: Export, mapping: Mapping, workbook: Workbook) -> None:
    from tpkit.survey.mapping import ROW_TOUCHPOINT, WHOLE_FIRM

    names = {tp.id: tp.name for tp in workbook.touchpoints}
    print(t("survey.cli.import.found", file=export.source, tool=t(f"survey.tool.{export.tool}")))
    for index, target in mapping.items():
        about = {
            ROW_TOUCHPOINT: t("survey.cli.import.about_link"),
            WHOLE_FIRM: t("survey.cli.import.about_firm"),
        }.get(target.touchpoint) or names.get(target.touchpoint, target.touchpoint)
        measure = t(f"survey.measure.{target.measure}")
        header = export.columns[index].header
        print("  " + t("survey.cli.import.column", column=header, measure=measure, about=about))
    if not mapping:
        print(t("survey.cli.import.nothing_mapped", file=export.source), file=sys.stderr)


def _print_result(result: ImportResult, workbook_path: Path, dry_run: bool) -> None:
    from tpkit.survey.responses import responses_path

    for header in result.unmapped:
        print("  " + t("survey.cli.import.unmapped", column=header))
    if result.personal_left_out:
        columns = ", ".join(result.personal_left_out)
        print("  " + t("survey.cli.import.personal_left_out", columns=columns))
    key = "survey.cli.import.dry_run_result" if dry_run else "survey.cli.import.result"
    print(t(key, file=responses_path(workbook_path), **result.counts()))
    if not result.skipped:
        return
    print(t("survey.cli.import.skipped", count=len(result.skipped)), file=sys.stderr)
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
    import csv

    from tpkit.safety import neutralise_formula

    with target.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([t(f"survey.cli.import.problems_{name}") for name in _PROBLEM_FIELDS])
        for skip in result.skipped:
            cells = (result.source.name, skip.line, skip.column, skip.value, skip.reason)
            writer.writerow([neutralise_formula(str(cell)) for cell in cells])


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
    figures = figures_for(workbook, arguments.path, arguments.by)
    found_gaps = gaps(figures, workbook) if arguments.by == "touchpoint" else []
    if arguments.json:
        document = {
            "by": arguments.by,
            "min_sample": MIN_SAMPLE,
            "figures": [item.as_dict() for item in figures],
            "gaps": [{**vars(gap), "gap": gap.gap} for gap in found_gaps],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
        return EXIT_OK
    if not figures:
        print(t("survey.cli.metrics.none", file=arguments.path))
        return EXIT_OK
    from tpkit.survey.display import figures_text, gaps_text

    print(figures_text(figures, arguments.by, workbook))
    if found_gaps:
        print()
        print(gaps_text(found_gaps, workbook))
    return EXIT_OK
