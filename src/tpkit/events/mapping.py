"""Which touchpoint an event is: the mapping from logged events to the inventory.

Three kinds of rule, tried in this order: an exact event name (``digital.touchpoints``
in the workbook, or a mapping file of the same shape), an event named like a
touchpoint (its id, name or one of its aliases, compared without case, accents or
punctuation: ``Funds transfer`` = ``funds_transfer``), then URL path patterns and
campaign sources, in the order the rules are written. An event no rule takes stays
unmapped: it is stored, counted and listed by volume, so the team can map the big ones.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from tpkit.errors import TpkitError
from tpkit.model import Digital, EventRule, Workbook
from tpkit.survey.measures import normalise_label


def name_key(name: str) -> str:
    """An event or touchpoint name as compared: 'Funds transfer' = 'funds_transfer'."""
    return normalise_label(name.replace("_", " "))


# Events that say what a customer chose about marketing, as analytics tools name them.
CONSENT_EVENTS: dict[str, bool] = {
    name_key(name): given
    for names, given in (
        (("marketing_opt_in", "consent_granted", "opt_in", "newsletter_subscribe"), True),
        (("marketing_consent_given", "subscribe"), True),
        (("marketing_opt_out", "consent_withdrawn", "consent_denied", "opt_out"), False),
        (("unsubscribe", "newsletter_unsubscribe", "marketing_consent_withdrawn"), False),
    )
    for name in names
}


def digital_settings(workbook: Workbook, mapping_file: Path | None = None) -> Digital:
    """The workbook's ``digital`` settings, with a mapping file's on top (its rules for a
    touchpoint replace the workbook's for that touchpoint)."""
    settings = workbook.digital or Digital()
    if mapping_file is None:
        return settings
    extra = read_mapping_file(mapping_file, workbook)
    return Digital(
        conversion=extra.conversion or settings.conversion,
        time_zone=extra.time_zone or settings.time_zone,
        columns={**settings.columns, **extra.columns},
        touchpoints={**settings.touchpoints, **extra.touchpoints},
    )


def read_mapping_file(path: Path, workbook: Workbook) -> Digital:
    """A YAML file shaped like the workbook's ``digital:`` block; every mistake named."""
    try:
        tree = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise TpkitError("events.mapping.missing", file=str(path)) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        detail = str(error).splitlines()[0]
        raise TpkitError("events.mapping.unreadable", file=str(path), detail=detail) from None
    try:
        settings = Digital.model_validate(tree or {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise TpkitError(
            "events.mapping.invalid", file=str(path), field=where, detail=first["msg"]
        ) from None
    known = {tp.id for tp in workbook.touchpoints}
    for tp_id in settings.touchpoints:
        if tp_id not in known:
            raise TpkitError("events.mapping.unknown_touchpoint", file=str(path), value=tp_id)
    return settings


def event_touchpoints(names: list[str], workbook: Workbook, settings: Digital) -> dict[str, str]:
    """The touchpoint of each event name that a rule or a touchpoint's own name claims."""
    explicit: dict[str, str] = {}
    for tp_id, rule in settings.touchpoints.items():
        for event in rule.events:
            explicit.setdefault(event, tp_id)
    named: dict[str, str] = {}
    for tp in workbook.touchpoints:
        for spelling in (tp.id, tp.name, *tp.aliases):
            named.setdefault(name_key(spelling), tp.id)
    mapped = {}
    for name in names:
        tp_id = explicit.get(name) or named.get(name_key(name))
        if tp_id:
            mapped[name] = tp_id
    return mapped


def consent_of(names: list[str]) -> dict[str, bool]:
    """The event names among ``names`` that record a marketing choice, and the choice."""
    return {
        name: CONSENT_EVENTS[name_key(name)] for name in names if name_key(name) in CONSENT_EVENTS
    }


def pattern_rules(settings: Digital) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(path pattern, touchpoint) and (source, touchpoint) pairs, in the order written.
    Sources compare in lower case, as analytics tools report them inconsistently."""
    paths: list[tuple[str, str]] = []
    sources: list[tuple[str, str]] = []
    for tp_id, rule in settings.touchpoints.items():
        paths += [(pattern, tp_id) for pattern in rule.paths]
        sources += [(source.strip().lower(), tp_id) for source in rule.sources]
    return paths, sources


def with_rule(settings: Digital, touchpoint: str, rule: EventRule) -> Digital:
    """The settings with one touchpoint's rule added or replaced (the notebook's form)."""
    return settings.model_copy(update={"touchpoints": {**settings.touchpoints, touchpoint: rule}})
