"""The workbook as YAML text: parse and check it with line numbers, and write it back stably.

Parsing is the fast C loader; only when something is wrong is the text composed a
second time into nodes to find the line of each problem. A file that could make loading
slow or huge is refused first, cheaply: one over :data:`MAX_FILE_BYTES`, aliases that
stand for more than :data:`ALIAS_BUDGET` values ("billion laughs"), a section with more
records than the model allows (counted on the parser's event stream, nothing built).

Writing is deterministic (field order of the model, empty fields left out, multi-line
text as ``|`` blocks), so a file read and written unchanged is byte-identical and diffs
stay small.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from tpkit.errors import LocatedProblem, WorkbookInvalid
from tpkit.i18n import t
from tpkit.model import SCHEMA_VERSION, Path, Problem, Workbook, integrity_problems

MAX_FILE_BYTES = 4_000_000  # 150 times the Shawna sample; a team at every record limit fits
ALIAS_BUDGET = 10_000  # values that &anchors / *aliases may stand for in one file
_COUNTED_ABOVE = 200_000  # characters: from here on, records are counted before loading
PROBLEMS_SHOWN = 20  # of one file; a line then counts the others
MORE_PROBLEMS = "problem.more_problems"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# schema version N → function turning a version-N document into a version-N+1 one.
# Add an entry whenever SCHEMA_VERSION grows; files are upgraded on load and
# written in the current version on the next save.
def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Version 2 only adds optional fields (a KPI's target and direction, an action's
    start and the finding it answers, the diagnostics settings), so a version-1
    document is already a valid version-2 one. Nothing is guessed for it: a KPI gets
    no direction it did not say, an action no finding."""
    return document


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


class _StrictLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe loading that refuses a key given twice in one mapping (YAML keeps the last,
    silently losing the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(
                    key, seen[key].start_mark.line + 1, key_node.start_mark.line + 1
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    "tag:yaml.org,2002:map",
    _StrictLoader.construct_yaml_map,  # type: ignore[arg-type]
)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first_line: int, line: int) -> None:
        super().__init__(key)
        self.key, self.first_line, self.line = key, first_line, line


class _WorkbookDumper(_Dumper):  # type: ignore[misc, valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True  # no &anchors / *aliases: every value written out where it belongs


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    )


def _represent_datetime(dumper: yaml.SafeDumper, moment: datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", moment.isoformat())


_WorkbookDumper.add_representer(str, _represent_str)
_WorkbookDumper.add_representer(datetime, _represent_datetime)


def _prune(value: Any) -> Any:
    """Leave out empty and unset fields: they are the defaults and only add noise."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if not _is_empty(v)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _is_empty(value: Any) -> bool:
    # Identity for False: 0 == False in Python, and a KPI value of 0 must be kept.
    return value is None or value is False or (isinstance(value, str | list | dict) and not value)


def dumps(workbook: Workbook) -> str:
    """The workbook as YAML text, headed by a comment that says how to check it."""
    header = "".join(
        f"# {line}\n" for line in t("file.header", workbook.meta.language).splitlines()
    )
    body = yaml.dump(
        _prune(workbook.model_dump(mode="python")),
        Dumper=_WorkbookDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return header + body


def too_large(size: int, source: str) -> WorkbookInvalid | None:
    """The refusal of a file of ``size`` bytes, or None if it is within the limit."""
    if size <= MAX_FILE_BYTES:
        return None
    return _invalid(
        source,
        None,
        (),
        "problem.file_too_large",
        size=f"{size / 1_000_000:.1f}",
        limit=MAX_FILE_BYTES // 1_000_000,
    )


def decode(raw: bytes, source: str) -> str:
    """Bytes of a workbook file as text; only UTF-8 (with or without BOM) is accepted."""
    refusal = too_large(len(raw), source)
    if refusal:
        raise refusal
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _invalid(source, line, (), "problem.not_utf8") from None


def loads(text: str, source: str) -> Workbook:
    """Parse and check workbook text; raise :class:`WorkbookInvalid` listing every problem."""
    if not text.strip():
        raise _invalid(source, None, (), "problem.empty_file")
    try:
        if len(text) > _COUNTED_ABOVE or ("&" in text and "*" in text):
            _check_shape(text, source)
        with _without_gc():
            data = yaml.load(text, Loader=_StrictLoader)
    except _DuplicateKey as duplicate:
        raise _invalid(
            source,
            duplicate.line,
            (),
            "problem.duplicate_key",
            value=duplicate.key,
            first_line=duplicate.first_line,
        ) from None
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, source) from None
    if not isinstance(data, dict):
        raise _invalid(source, 1, (), "problem.not_a_workbook")
    workbook, problems = to_workbook(data)
    if workbook is None:
        raise WorkbookInvalid(_locate(text, source, problems))
    return workbook


def to_workbook(data: dict[str, Any]) -> tuple[Workbook | None, list[Problem]]:
    """Check a parsed document (from YAML or a spreadsheet) and build the workbook.

    Returns the workbook, or None with every problem found: schema version first,
    then field types, then the rules that span records.
    """
    version_problem = _schema_version_problem(data.get("schema_version"))
    if version_problem:
        return None, [version_problem]
    try:
        workbook = Workbook.model_validate(migrate(data))
    except ValidationError as error:
        errors = error.errors(include_url=False)
        return None, _first_few([problem_from(e) for e in errors[: PROBLEMS_SHOWN + 1]], errors)
    problems = _first_few(integrity_problems(workbook))
    return (None if problems else workbook), problems


@cache
def record_limits() -> dict[str, int]:
    """The most records each top-level section may hold, as the model says."""
    limits = {}
    for name, info in Workbook.model_fields.items():
        for constraint in info.metadata:
            if getattr(constraint, "max_length", None):
                limits[name] = constraint.max_length
    return limits


class _Collection:
    """An open sequence or mapping while the event stream is walked."""

    __slots__ = ("anchor", "items", "key", "limit", "mapping", "name", "values")

    def __init__(self, anchor: str | None, mapping: bool, name: Any, limit: int | None) -> None:
        self.anchor, self.mapping, self.name, self.limit = anchor, mapping, name, limit
        self.values = 1  # itself
        self.items = 0  # entries (for a mapping: keys and values)
        self.key: Any = None  # a mapping's last key, naming the value that follows


def _check_shape(text: str, source: str) -> None:
    """Refuse aliases that stand for too many values and sections with too many records,
    walking the parser's events once: nothing is built, so this is fast and small."""
    limits = record_limits()
    keys = limits["touchpoints"]  # digital rules are keyed by touchpoint; records have fewer
    sizes: dict[str, int] = {}  # anchor → the values it stands for
    open_: list[_Collection] = []
    aliased = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            weight = sizes.get(event.anchor, 1)
            aliased += weight
            if aliased > ALIAS_BUDGET:
                raise _invalid(
                    source,
                    event.start_mark.line + 1,
                    (),
                    "problem.alias_bomb",
                    anchor=event.anchor,
                    limit=ALIAS_BUDGET,
                )
        elif isinstance(event, yaml.ScalarEvent):
            weight = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            parent = open_[-1] if open_ else None
            name = parent.key if parent is not None and parent.mapping else None
            if parent is not None:
                _add_item(parent, source, event)
            mapping = isinstance(event, yaml.MappingStartEvent)
            # a section's records as the model limits them; no mapping (a record, the
            # digital rules) has more keys than there may be touchpoints
            limit = limits.get(name) if len(open_) == 1 else None
            open_.append(_Collection(event.anchor, mapping, name, keys if mapping else limit))
            continue
        elif isinstance(event, yaml.CollectionEndEvent):
            done = open_.pop()
            if done.anchor:
                sizes[done.anchor] = done.values
            if open_:
                open_[-1].values += done.values
            continue
        else:
            continue
        if open_:
            parent = open_[-1]
            if parent.mapping and parent.items % 2 == 0 and isinstance(event, yaml.ScalarEvent):
                parent.key = event.value
            _add_item(parent, source, event)
            parent.values += weight


def _add_item(collection: _Collection, source: str, event: yaml.Event) -> None:
    collection.items += 1
    entries = collection.items // 2 if collection.mapping else collection.items
    if collection.limit is not None and entries > collection.limit:
        raise _invalid(
            source,
            event.start_mark.line + 1,
            (),
            "problem.too_many_records",
            section=collection.name,
            limit=collection.limit,
        )


def _first_few(problems: list[Problem], every: list[Any] | None = None) -> list[Problem]:
    """The first :data:`PROBLEMS_SHOWN` problems and a line that counts the rest: a file
    with 100,000 wrong fields gets a readable answer, and in a second."""
    total = len(problems if every is None else every)
    if total <= PROBLEMS_SHOWN:
        return problems
    return [
        *problems[:PROBLEMS_SHOWN],
        Problem((), MORE_PROBLEMS, {"count": total - PROBLEMS_SHOWN}),
    ]


@contextmanager
def _without_gc() -> Iterator[None]:
    """Building a large document makes the garbage collector walk every object it made,
    again and again (2–4× the parse time), though nothing of it is garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _syntax_error(error: yaml.MarkedYAMLError, source: str) -> WorkbookInvalid:
    """Point at where the broken token starts (an unclosed quote, a key without ':'),
    which the scanner gives as context; the parser's own mark is the better one."""
    mark = error.problem_mark
    if isinstance(error, yaml.scanner.ScannerError) and error.context_mark:
        mark = error.context_mark
    detail = f"{error.context}: {error.problem}" if error.context else error.problem
    line = mark.line + 1 if mark else None
    return _invalid(source, line, (), "problem.yaml_syntax", detail=detail)


def _schema_version_problem(version: Any) -> Problem | None:
    path = ("schema_version",)
    if version is None:
        return Problem(path, "problem.no_schema_version", {"version": SCHEMA_VERSION})
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return Problem(path, "problem.bad_schema_version", {"value": version})
    if version > SCHEMA_VERSION:
        return Problem(path, "problem.newer_schema", {"value": version, "version": SCHEMA_VERSION})
    return None


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a document of an older schema version up to the current one."""
    version = data["schema_version"]
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
    return data


def _invalid(source: str, line: int | None, path: Path, key: str, **values: Any) -> WorkbookInvalid:
    return WorkbookInvalid([LocatedProblem(source, line, Problem(path, key, values))])


# --- pydantic's errors, in words a workbook editor understands ---------------------------

_SIMPLE_KEYS = {
    "missing": "problem.missing",
    "string_type": "problem.not_text",
    "string_too_short": "problem.empty",
    "string_too_long": "problem.text_too_long",
    "too_long": "problem.too_many",
    "control_character": "problem.control_character",
    "int_type": "problem.not_whole_number",
    "int_parsing": "problem.not_whole_number",
    "int_from_float": "problem.not_whole_number",
    "float_type": "problem.not_number",
    "float_parsing": "problem.not_number",
    "finite_number": "problem.not_number",
    "bool_type": "problem.not_bool",
    "bool_parsing": "problem.not_bool",
    "list_type": "problem.not_list",
    "model_type": "problem.not_section",
    "model_attributes_type": "problem.not_section",
    "dict_type": "problem.not_section",
    "date_type": "problem.not_date",
    "date_parsing": "problem.not_date",
    "date_from_datetime_parsing": "problem.not_date",
    "date_from_datetime_inexact": "problem.not_date",
    "datetime_type": "problem.not_datetime",
    "datetime_parsing": "problem.not_datetime",
    "datetime_from_date_parsing": "problem.not_datetime",
    "string_pattern_mismatch": "problem.bad_id",
    "greater_than_equal": "problem.too_small",
    "less_than_equal": "problem.too_large",
    "literal_error": "problem.not_one_of",
    "extra_forbidden": "problem.unknown_field",
}


def problem_from(error: dict[str, Any]) -> Problem:
    """One of pydantic's errors as a :class:`Problem` with a translatable message."""
    path: Path = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx", {})
    key = _SIMPLE_KEYS.get(kind)
    if key is None:
        return Problem(path, "problem.invalid", {"value": value, "detail": error["msg"]})
    values: dict[str, Any] = {"value": value}
    if kind == "literal_error":
        values["allowed"] = _allowed_values(context.get("expected", ""))
    elif kind == "greater_than_equal":
        values["limit"] = context.get("ge")
    elif kind == "less_than_equal":
        values["limit"] = context.get("le")
    elif kind == "string_too_long":
        key, values = (
            "problem.text_too_long",
            {"length": len(value), "limit": context["max_length"]},
        )
    elif kind == "too_long":
        values = {"count": context.get("actual_length"), "limit": context.get("max_length")}
    elif kind == "control_character":
        values = dict(context)
    elif kind == "extra_forbidden":
        values["value"] = path[-1]
        values["allowed"] = list(_model_at(path[:-1]).model_fields)
    return Problem(path, key, values)


def _allowed_values(expected: str) -> list[str]:
    """pydantic says "'before', 'during' or 'after'"; we list them plainly."""
    return re.findall(r"'([^']*)'", expected) or [expected]


def _model_at(path: Path) -> type[BaseModel]:
    """The model class that a path inside a workbook points at."""
    model: Any = Workbook
    for part in path:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        model = _model_in(annotation)
    return model


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


# --- line numbers, found only when there is something to report --------------------------


def _locate(text: str, source: str, problems: list[Problem]) -> list[LocatedProblem]:
    with _without_gc():
        root = yaml.compose(text, Loader=_Loader)
    return [
        LocatedProblem(source, None if p.key == MORE_PROBLEMS else _line_of(root, p.path), p)
        for p in problems
    ]


def _line_of(node: yaml.Node | None, path: Path) -> int | None:
    """The line of the deepest node along ``path`` that exists in the file."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    child = value_node
                    line = key_node.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
