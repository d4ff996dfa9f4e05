"""The ``tpkit`` command line. Thin: it parses arguments, calls the package, prints.

A user's mistake ends as one clear line per problem on stderr and exit status 1
(2 for a malformed command line, from argparse; a command may document codes of its
own, as ``survey import`` does); never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tpkit import __version__
from tpkit.argparse_words import CatalogueHelpFormatter, argparse_speaking
from tpkit.errors import TpkitError, WorkbookInvalid, path_error
from tpkit.i18n import current_language, label, set_language, t
from tpkit.model import INDUSTRIES, LANGUAGES, PHASES, Workbook

EXIT_OK, EXIT_PROBLEMS, EXIT_INTERNAL = 0, 1, 3


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _choose_language_early(argv)
    with argparse_speaking(current_language()):
        parser = _parser()
        arguments, extra = parser.parse_known_args(argv)
        if extra and not getattr(arguments, "passes_options", False):
            parser.parse_args(argv)  # argparse's own "unrecognized arguments" and exit 2
        arguments.server_options = extra  # `tpkit lab --allow-root`: for Jupyter itself
    try:
        return arguments.run(arguments)
    except TpkitError as error:
        _print_error(error)
        return getattr(arguments, "error_exit", EXIT_PROBLEMS)  # a command may document its own
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # ``tpkit … | head`` stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # quiet at exit
        return EXIT_OK
    except OSError as error:  # a path the user named: a folder, read-only, too long, …
        if error.filename is None or os.environ.get("TPKIT_DEBUG"):
            return _internal(error)
        _print_error(path_error(error, error.filename2 or error.filename))
        return EXIT_PROBLEMS
    except Exception as error:
        return _internal(error)


def _internal(error: Exception) -> int:
    """A bug of ours, not the user's: say so briefly (TPKIT_DEBUG=1 shows the traceback)."""
    if os.environ.get("TPKIT_DEBUG"):
        raise error
    detail = f"{type(error).__name__}: {error}"
    print(f"tpkit: {t('error.unexpected', detail=detail)}", file=sys.stderr)
    return EXIT_INTERNAL


def _print_error(error: TpkitError) -> None:
    if isinstance(error, WorkbookInvalid):
        for problem in error.problems:
            print(problem.message(), file=sys.stderr)
    else:
        print(f"tpkit: {t('error.prefix')}: {error.message()}", file=sys.stderr)


def _choose_language_early(argv: list[str]) -> None:
    """Honour --lang before the parser is built, so that --help is translated too."""
    for index, argument in enumerate(argv):
        value = None
        if argument == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif argument.startswith("--lang="):
            value = argument.split("=", 1)[1]
        if value in LANGUAGES:
            set_language(value)


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise argparse.ArgumentTypeError(
            t("error.unknown_language", value=value, allowed=", ".join(LANGUAGES))
        )
    return value


def _parser() -> argparse.ArgumentParser:
    from tpkit.samples import SAMPLE_NAMES

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang", type=_language, default=argparse.SUPPRESS, help=t("cli.lang"), metavar="LANG"
    )
    parser = argparse.ArgumentParser(
        prog="tpkit",
        description=t("cli.description"),
        epilog=t("cli.epilog"),
        parents=[common],
        formatter_class=CatalogueHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"tpkit {__version__}", help=t("cli.version")
    )
    commands = parser.add_subparsers(title=t("cli.commands"), metavar="COMMAND", required=True)
    # A path argument may not be empty: '' would name the current folder.
    paths_of = _refuse_empty_paths

    def command(
        name: str,
        run: Callable[[argparse.Namespace], int] | None,
        help_key: str,
        into: argparse._SubParsersAction = commands,
    ) -> argparse.ArgumentParser:
        sub = into.add_parser(
            name,
            help=t(help_key),
            description=t(help_key),
            parents=[common],
            formatter_class=CatalogueHelpFormatter,
        )
        if run:
            sub.set_defaults(run=run)
        return sub

    new = command("new", _new, "cli.new.help")
    new.add_argument("path", metavar="PATH", help=t("cli.new.path"))
    new.add_argument(
        "--sample",
        choices=SAMPLE_NAMES,
        metavar="NAME",
        help=t("cli.new.sample", names=", ".join(SAMPLE_NAMES)),
    )
    new.add_argument("--team", help=t("cli.new.team"))
    new.add_argument(
        "--industry",
        choices=INDUSTRIES,
        metavar="INDUSTRY",
        help=t("cli.new.industry", names=", ".join(INDUSTRIES)),
    )
    new.add_argument("--force", action="store_true", help=t("cli.new.force"))

    validate = command("validate", _validate, "cli.validate.help")
    validate.add_argument("paths", nargs="+", metavar="PATH", help=t("cli.validate.path"))

    summary = command("summary", _summary, "cli.summary.help")
    summary.add_argument("path", metavar="PATH", help=t("cli.summary.path"))

    catalogue = command("catalogue", _catalogue, "cli.catalogue.help")
    catalogue.add_argument(
        "--industry",
        choices=INDUSTRIES,
        metavar="INDUSTRY",
        help=t("cli.catalogue.industry", names=", ".join(INDUSTRIES)),
    )

    from tpkit.report.params import FORMATS

    report = command("report", _report, "cli.report.help")
    report.add_argument("paths", nargs="+", metavar="PATH", help=t("cli.report.path"))
    report.add_argument("-o", "--output", metavar="OUT", help=t("cli.report.output"))
    report.add_argument("--format", choices=FORMATS, default="pdf", help=t("cli.report.format"))
    report.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help=t("cli.report.parameter"),
    )
    report.add_argument("--kernel", action="store_true", help=t("cli.report.kernel"))
    report.add_argument("--batch", action="store_true", help=t("cli.report.batch"))
    report.add_argument("--out-dir", metavar="DIR", help=t("cli.report.out_dir"))
    report.add_argument("--workers", type=int, default=2, metavar="N", help=t("cli.report.workers"))
    report.add_argument("--dask", metavar="ADDRESS", help=t("cli.report.dask"))

    for name, run in (("lab", _lab), ("app", _app)):
        server = command(name, run, f"cli.{name}.help")
        server.add_argument("--port", type=int, help=t("cli.server.port"))
        server.add_argument("--no-browser", action="store_true", help=t("cli.server.no_browser"))
        server.set_defaults(passes_options=True)  # other options go to JupyterLab / Voila

    xlsx = command("xlsx", None, "cli.xlsx.help")
    actions = xlsx.add_subparsers(metavar="ACTION", required=True)
    export = command("export", _xlsx_export, "cli.xlsx.export_help", actions)
    export.add_argument("workbook", metavar="WORKBOOK", help=t("cli.xlsx.workbook"))
    export.add_argument("-o", "--output", metavar="OUT", help=t("cli.xlsx.output"))
    load = command("import", _xlsx_import, "cli.xlsx.import_help", actions)
    load.add_argument("spreadsheet", metavar="SPREADSHEET", help=t("cli.xlsx.spreadsheet"))
    load.add_argument("-o", "--output", metavar="OUT", help=t("cli.xlsx.output"))
    load.add_argument("--force", action="store_true", help=t("cli.new.force"))

    from tpkit.diagnostics.cli import add_diagnose_command
    from tpkit.survey.cli import add_survey_commands

    add_survey_commands(command, commands)
    add_diagnose_command(command, commands)

    from tpkit.events.cli import add_events_commands

    add_events_commands(command, commands)

    from tpkit.teaching.cli import add_teaching_commands

    add_teaching_commands(command, commands)
    paths_of(parser)
    return parser


_PATH_METAVARS = frozenset(
    {"PATH", "OUT", "DIR", "FILE", "WORKBOOK", "SPREADSHEET", "EXPORT", "CSV", "FOLDER", "LOG"}
)


def _non_empty_path(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(t("error.path.empty"))
    return value


def _refuse_empty_paths(parser: argparse.ArgumentParser) -> None:
    """Every argument named as a path (by its metavar), in every command, refuses ''."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _refuse_empty_paths(sub)
        elif action.metavar in _PATH_METAVARS and action.type is None:
            action.type = _non_empty_path


def _new(arguments: argparse.Namespace) -> int:
    from tpkit.samples import blank, from_sample
    from tpkit.store import create

    language = getattr(arguments, "lang", None)
    path = Path(arguments.path)
    if arguments.sample:
        workbook = from_sample(arguments.sample, language)
    else:
        team = path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Team"
        workbook = blank(team, language or current_language())
    if arguments.team is not None:
        if not arguments.team.strip():
            raise TpkitError("error.team_empty")
        workbook.meta.team = arguments.team.strip()
    if arguments.industry:
        workbook.meta.industry = arguments.industry
    create(path, workbook, overwrite=arguments.force)
    print(t("cli.new.created", file=path, **_counts(workbook)))
    if arguments.sample:
        from tpkit.events.store import events_folder
        from tpkit.samples import copy_sample_events

        if copy_sample_events(arguments.sample, path):
            print(t("events.cli.new_with_events", folder=events_folder(path), file=path))
    print(t("cli.new.next", file=path))
    return EXIT_OK


def _counts(workbook: Workbook) -> dict[str, int]:
    """The sizes that messages about a workbook mention."""
    return {
        "touchpoints": len(workbook.touchpoints),
        "ratings": len(workbook.ratings),
        "stages": len(workbook.stages),
        "actions": len(workbook.actions),
    }


def _workbook_files(paths: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith(".")
            )
            if not inside:
                raise TpkitError("error.no_folder_workbooks", file=name)
            found += inside
        else:
            found.append(path)
    return found


def _validate(arguments: argparse.Namespace) -> int:
    from tpkit.store import read

    files = _workbook_files(arguments.paths)
    failed = 0
    for path in files:
        try:
            workbook = read(path)
        except TpkitError as error:
            failed += 1
            _print_error(error)
            continue
        print(t("cli.validate.ok", file=path, **_counts(workbook)))
    if failed:
        if len(files) > 1:
            print(t("cli.validate.failed", count=failed, total=len(files)), file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _summary(arguments: argparse.Namespace) -> int:
    from tpkit.store import read
    from tpkit.summary import describe

    print(describe(read(arguments.path)))
    return EXIT_OK


def _catalogue(arguments: argparse.Namespace) -> int:
    from tpkit.catalogue import suggestions

    industry = arguments.industry
    scope = label("industry", industry) if industry else t("catalogue.all_industries")
    print(t("catalogue.heading", industry=scope))
    for phase in PHASES:
        print(f"\n{label('phase', phase).upper()}")
        for suggestion in suggestions(industry, phase):
            print(
                f"  - {suggestion.name()} ({label('channel', suggestion.channel)}): "
                f"{suggestion.hint()}"
            )
    return EXIT_OK


def _report(arguments: argparse.Namespace) -> int:
    from tpkit.report.params import ReportParameters, with_overrides

    template = with_overrides(
        ReportParameters(workbook="", language=getattr(arguments, "lang", "")), arguments.parameter
    )
    if arguments.batch:
        return _report_batch(arguments, template)
    if arguments.dask:
        raise TpkitError("error.report_dask_needs_batch")
    if len(arguments.paths) > 1:
        raise TpkitError("error.report_one_path")
    from tpkit.report.pipeline import build

    source = Path(arguments.paths[0])
    target = Path(arguments.output or Path("reports") / f"{source.stem}.{arguments.format}")
    from tpkit.report.engine import register

    engine = None if arguments.kernel else register()
    build(replace(template, workbook=str(source)), target, arguments.format, engine, printer=True)
    print(t("cli.report.written", file=target))
    return EXIT_OK


def _report_batch(arguments: argparse.Namespace, template: Any) -> int:
    from contextlib import ExitStack

    from tpkit.report.batch import dask_client, run_batch
    from tpkit.report.params import check_shared

    if not arguments.out_dir:
        raise TpkitError("error.report_needs_out_dir")
    workbooks = [str(path) for path in _workbook_files(arguments.paths)]
    check_shared(template)  # before any work
    with ExitStack() as stack:
        executor = (
            stack.enter_context(dask_client(arguments.dask, arguments.workers))
            if arguments.dask
            else None
        )
        outcomes = run_batch(
            workbooks,
            Path(arguments.out_dir),
            template,
            arguments.format,
            arguments.workers,
            executor,
            progress=sys.stderr.isatty(),
        )
    failed = [outcome for outcome in outcomes if not outcome.ok]
    for outcome in failed:
        print(f"{outcome.workbook}: {outcome.error}", file=sys.stderr)
    print(
        t(
            "cli.report.batch_summary",
            done=len(outcomes) - len(failed),
            failed=len(failed),
            folder=arguments.out_dir,
        )
    )
    return EXIT_PROBLEMS if failed else EXIT_OK


def _lab(arguments: argparse.Namespace) -> int:
    from tpkit.servers import environment, lab_command

    language = getattr(arguments, "lang", None)
    command = lab_command(arguments.port, not arguments.no_browser)
    return _serve([*command, *arguments.server_options], environment(language))


def _app(arguments: argparse.Namespace) -> int:
    from tpkit.servers import HOST, app_command, environment, first_free_port, serve_app

    language = getattr(arguments, "lang", None)
    port = arguments.port or first_free_port()
    command = [*app_command(port, browser=False), *arguments.server_options]
    return serve_app(
        command,
        environment(language),
        f"http://{HOST}:{port}/",
        lambda url: print(t("cli.app.ready", url=url), flush=True),
        browser=not arguments.no_browser,
    )


def _serve(command: list[str], environment: dict[str, str]) -> int:
    import subprocess

    try:
        return subprocess.call(command, env=environment)
    except KeyboardInterrupt:
        return EXIT_OK


def _xlsx_export(arguments: argparse.Namespace) -> int:
    from tpkit.spreadsheet import write_xlsx
    from tpkit.store import read

    source = Path(arguments.workbook)
    target = Path(arguments.output) if arguments.output else source.with_suffix(".xlsx")
    write_xlsx(read(source), target)
    print(t("cli.xlsx.exported", file=target))
    return EXIT_OK


def _xlsx_import(arguments: argparse.Namespace) -> int:
    from tpkit.spreadsheet import read_xlsx
    from tpkit.store import create

    source = Path(arguments.spreadsheet)
    target = Path(arguments.output) if arguments.output else source.with_suffix(".yaml")
    workbook = read_xlsx(source)
    create(target, workbook, overwrite=arguments.force)
    print(t("cli.xlsx.imported", file=target, **_counts(workbook)))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
