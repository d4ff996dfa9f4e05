"""The workbook as YAML text: parse and check it with line numbers, and write it back stably.

Parsing is the fast C loader; only when something is wrong is the text composed a
second time into nodes to find the line of each problem. Writing is deterministic
(field order of the model, empty fields left out, multi-line text as ``|`` blocks),
so a file read and written unchanged is byte-identical and diffs stay small.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from tpkit.errors import LocatedProblem, WorkbookInvalid
from tpkit.i18n import t
from tpkit.model import SCHEMA_VERSION, Path, Problem, Workbook, integrity_problems

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


def decode(raw: bytes, source: str) -> str:
    """Bytes of a workbook file as text; only UTF-8 (with or without BOM) is accepted."""
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
        return None, [problem_from(e) for e in error.errors(include_url=False)]
    problems = integrity_problems(workbook)
    return (None if problems else workbook), problems


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
    root = yaml.compose(text, Loader=_Loader)
    return [LocatedProblem(source, _line_of(root, p.path), p) for p in problems]


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
