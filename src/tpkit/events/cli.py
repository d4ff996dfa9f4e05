"""``tpkit events …``: interaction logs on the command line.

``import`` stores logs beside the workbook; ``paths``, ``funnel``, ``attribution`` and
``next`` print what the stored events say, as text or as JSON (the shapes are in the
README), on DuckDB or, with ``--engine spark``, on Spark. Like the rest of the CLI the
commands only parse, call the package and print.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tpkit.cli import EXIT_OK, EXIT_PROBLEMS
from tpkit.errors import TpkitError
from tpkit.i18n import plural, t
from tpkit.model import Workbook

Command = Callable[..., argparse.ArgumentParser]
SHOWN_PROBLEMS = 20  # printed; all of them go to the problems file


def add_events_commands(command: Command, commands: argparse._SubParsersAction) -> None:
    """``tpkit events ACTION``, wired with the main parser's ``command`` helper."""
    from tpkit.events.engines import ENGINES

    events = command("events", None, "events.cli.help", commands)
    actions = events.add_subparsers(metavar="ACTION", required=True)
    load = command("import", _import, "events.cli.import.help", actions)
    load.add_argument("logs", nargs="+", metavar="LOG", help=t("events.cli.import.log"))
    load.add_argument("--workbook", required=True, metavar="PATH", help=t("events.cli.workbook"))
    load.add_argument("--mapping", metavar="FILE", help=t("events.cli.import.mapping"))
    for name, run in (
        ("paths", _paths),
        ("funnel", _funnel),
        ("attribution", _attribution),
        ("next", _next),
    ):
        sub = command(name, run, f"events.cli.{name}.help", actions)
        sub.add_argument("path", metavar="PATH", help=t("events.cli.workbook"))
        sub.add_argument("--json", action="store_true", help=t("events.cli.json"))
        sub.add_argument("--engine", choices=ENGINES, default="duckdb", help=t("events.cli.engine"))
        if name in ("attribution", "next"):
            sub.add_argument("--conversion", metavar="EVENT", help=t("events.cli.conversion"))
        if name == "next":
            sub.add_argument("--customers", metavar="CSV", help=t("events.cli.next.customers"))


# --- import ----------------------------------------------------------------------------


def _import(arguments: argparse.Namespace) -> int:
    from tpkit.events.store import events_folder, import_logs
    from tpkit.store import read

    workbook_path = Path(arguments.workbook)
    workbook = read(workbook_path)
    mapping = Path(arguments.mapping) if arguments.mapping else None
    result = import_logs([Path(p) for p in arguments.logs], workbook, workbook_path, mapping)
    for log in result.logs:
        if log.already_imported:
            print(t("events.cli.import.already", file=log.source))
            continue
        found = ", ".join(
            f"{t(f'events.field.{name}')} ← {' | '.join(headers)}"
            for name, headers in log.columns.items()
        )
        rows = plural("events.counts.rows", log.rows)
        print(t("events.cli.import.read", file=log.source, rows=rows, columns=found))
    print(t("events.cli.import.result", folder=events_folder(workbook_path), **result.counted()))
    for group in result.top_unmapped:
        where = f"{group.event} {group.page}".strip()
        events = plural("events.counts.events", group.events)
        print("  " + t("events.cli.import.unmapped", event=where, events=events))
    if result.top_unmapped:
        print(t("events.cli.import.map_hint"))
    if not result.skipped:
        return EXIT_OK
    print(plural("events.cli.import.skipped", len(result.skipped)), file=sys.stderr)
    for skip in result.skipped[:SHOWN_PROBLEMS]:
        reason = t(f"events.reason.{skip.reason}")
        detail = f" ({skip.value})" if skip.value else ""
        print(
            "  "
            + t("events.cli.import.skip", file=skip.file, line=skip.line, reason=reason)
            + detail,
            file=sys.stderr,
        )
    if len(result.skipped) > SHOWN_PROBLEMS:
        problems = workbook_path.with_name(f"{workbook_path.stem}.events-problems.csv")
        _write_problems(result.skipped, problems)
        more = len(result.skipped) - SHOWN_PROBLEMS
        print("  " + t("events.cli.import.more", count=more, file=problems), file=sys.stderr)
    return EXIT_PROBLEMS


def _write_problems(skipped: list[Any], target: Path) -> None:
    """Every skipped row for a spreadsheet; log text cannot run as a formula."""
    from tpkit.safety import spreadsheet_csv
    from tpkit.store import write_atomic

    header = [t(f"events.cli.import.problems_{name}") for name in _PROBLEM_FIELDS]
    rows = [
        (Path(skip.file).name, skip.line, t(f"events.reason.{skip.reason}"), skip.value)
        for skip in skipped
    ]
    write_atomic(target, spreadsheet_csv([header, *rows]).encode("utf-8-sig"))


_PROBLEM_FIELDS = ("file", "line", "reason", "value")


# --- the analytics ---------------------------------------------------------------------


def _open(arguments: argparse.Namespace) -> tuple[Workbook, Any, Any]:
    from tpkit.events.analytics import steps
    from tpkit.events.engines import keep, open_events
    from tpkit.store import read

    workbook = read(Path(arguments.path))
    events = open_events(Path(arguments.path), arguments.engine)
    return workbook, events, keep(steps(events))


def _print_json(document: dict[str, Any]) -> int:
    print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))
    return EXIT_OK


def _names(workbook: Workbook) -> Callable[[str], str]:
    names = {tp.id: tp.name for tp in workbook.touchpoints}
    return lambda tp_id: names.get(tp_id, tp_id)


def _paths(arguments: argparse.Namespace) -> int:
    from tpkit.events.analytics import coverage, paths, transitions

    workbook, events, step_table = _open(arguments)
    moves, found = transitions(step_table), paths(step_table)
    if arguments.json:
        return _print_json(
            {
                "transitions": [move.as_dict() for move in moves],
                "paths": [path.as_dict() for path in found],
            }
        )
    name = _names(workbook)
    total = sum(path.customers for path in found) or 1
    print(t("events.cli.paths.paths"))
    for path in found:
        share = f"{100 * path.customers / total:.0f} %"
        chain = " → ".join(name(tp) for tp in path.touchpoints)
        print(f"  {path.customers:>8}  {share:>5}  {chain}")
    print(t("events.cli.paths.transitions"))
    for move in moves:
        print(f"  {move.customers:>8}  {move.events:>8}  {name(move.source)} → {name(move.target)}")
    gaps = coverage(events, workbook)
    for tp_id in gaps.unreached:
        print(t("events.cli.paths.unreached", touchpoint=name(tp_id)))
    for group in gaps.unmapped:
        where = f"{group.event} {group.page}".strip()
        print(t("events.cli.paths.unmapped", event=where, events=group.events))
    return EXIT_OK


def _funnel(arguments: argparse.Namespace) -> int:
    from tpkit.events.analytics import funnel

    workbook, _, step_table = _open(arguments)
    stages = funnel(step_table, workbook)
    if arguments.json:
        return _print_json({"stages": [stage.as_dict() for stage in stages]})
    if not stages:
        print(t("events.cli.funnel.no_stages", file=arguments.path))
        return EXIT_OK
    names = {stage.id: stage.name for stage in workbook.stages}
    for stage in stages:
        print(
            t(
                "events.cli.funnel.stage",
                stage=names[stage.stage],
                reached=stage.reached,
                at_least=stage.at_least,
                dropped=stage.dropped,
                time=_duration(stage.median_seconds),
            )
        )
    return EXIT_OK


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _conversion(arguments: argparse.Namespace, workbook: Workbook) -> str:
    conversion = arguments.conversion or (workbook.digital and workbook.digital.conversion)
    if not conversion:
        raise TpkitError("events.cli.no_conversion", file=arguments.path)
    return conversion


def _attribution(arguments: argparse.Namespace) -> int:
    from tpkit.events.analytics import attribution

    workbook, events, step_table = _open(arguments)
    result = attribution(events, step_table, _conversion(arguments, workbook))
    if arguments.json:
        return _print_json(result.as_dict())
    name = _names(workbook)
    print(
        t(
            "events.cli.attribution.head",
            conversion=result.conversion,
            journeys=result.journeys,
            conversions=result.conversions,
        )
    )
    for credit in result.credits:
        print(
            t(
                "events.cli.attribution.row",
                touchpoint=name(credit.touchpoint),
                first=credit.first_touch,
                last=credit.last_touch,
                markov=f"{credit.markov:.1f}",
                effect=f"{100 * credit.removal_effect:.0f} %",
            )
        )
    return EXIT_OK


def _next(arguments: argparse.Namespace) -> int:
    from tpkit.events.analytics import next_best

    workbook, events, step_table = _open(arguments)
    conversion = _conversion(arguments, workbook)
    result = next_best(events, step_table, workbook, conversion)
    if arguments.customers:
        _write_customers(arguments, events, step_table, workbook, result, conversion)
    if arguments.json:
        return _print_json(result.as_dict())
    name = _names(workbook)
    print(t("events.cli.next.head", days=result.recent_days, limit=result.contact_limit))
    for segment in result.segments:
        print(
            t(
                "events.cli.next.segment",
                path=" → ".join(name(tp) for tp in segment.path),
                offer=name(segment.offer),
                customers=segment.customers,
                consenting=segment.consenting,
                eligible=segment.eligible,
                over_limit=segment.over_limit,
            )
        )
    if not result.segments:
        print(t("events.cli.next.none"))
    return EXIT_OK


def _write_customers(
    arguments: argparse.Namespace,
    events: Any,
    step_table: Any,
    workbook: Workbook,
    result: Any,
    conversion: str,
) -> None:
    """The customers who may receive each segment's offer, one row each, for the CRM."""
    from tpkit.events.analytics import eligible_customers
    from tpkit.safety import spreadsheet_csv
    from tpkit.store import write_atomic

    rows = [
        (customer, segment.offer, " > ".join(segment.path))
        for segment in result.segments
        for customer in eligible_customers(events, step_table, workbook, segment, conversion)
    ]
    target = Path(arguments.customers)
    write_atomic(target, spreadsheet_csv([("customer", "offer", "path"), *rows]).encode("utf-8"))
    print(t("events.cli.next.written", file=target), file=sys.stderr)
