"""Printable worksheets, so a group can work on paper and type it in afterwards.

Four sheets, each with the fields of the form it feeds, in the form's order and under
the form's own captions (a test holds them to the forms):

- **inventory** — one page per purchase phase (notebook 01), with the allowed channels,
  kinds and frequencies printed below, as the form's drop-down lists offer them;
- **rating** — a grid per participant (notebook 02): the three scores to circle, a
  strength and a problem per touchpoint, the touchpoints pre-printed by phase when a
  workbook is given;
- **journey** — the journey-map canvas (notebook 03): the persona, then a column per
  stage and a lane per field, the emotion as five levels to mark; A4 or A3 landscape;
- **actions** — the action plan.

Given a workbook, the sheets carry the team's name and what it already holds (its
touchpoints, stages, participants and actions), with empty rows to add more. Every page
is laid out by this module, not by the PDF engine's page breaks: a fixed number of rows
per page, so that the number of pages is known and nothing runs off a page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from tpkit.i18n import label, t
from tpkit.model import (
    ACTION_STATUSES,
    CHANNELS,
    FREQUENCIES,
    KINDS,
    PHASES,
    RULE_IDS,
    Stage,
    Workbook,
)
from tpkit.safety import css_string, shown_text
from tpkit.teaching.printing import html_document, write_pdf

SHEETS = ("inventory", "rating", "journey", "actions")
PAPERS = ("a4", "a3")

# The forms' fields, in their order (tests compare them with the forms themselves).
INVENTORY_FIELDS = (
    "name",
    "stages",
    "channel",
    "kind",
    "owner",
    "frequency",
    "marketing_contact",
    "consent",
    "opt_out",
    "aliases",
    "notes",
)
FLAGS = ("marketing_contact", "consent", "opt_out")  # ticked, not written
INVENTORY_CHOICES = (("channel", CHANNELS), ("kind", KINDS), ("frequency", FREQUENCIES))
RATING_FIELDS = ("contact_quality", "process_quality", "importance", "strengths", "problems")
SCORE_CAPTIONS = {  # the rating form's column titles
    "contact_quality": "summary.contact_short",
    "process_quality": "summary.process_short",
    "importance": "field.importance",
}
PERSONA_FIELDS = ("name", "description", "goals", "frustrations")
JOURNEY_LANES = (
    "doing",
    "touchpoints",
    "thinking",
    "feeling",
    "emotion",
    "pain_points",
    "opportunities",
    "owner",
    "kpi",
)
EMOTIONS = (2, 1, 0, -1, -2)
# The action plan of notebook 05 starts from a finding ("Make an action"), then asks owner,
# start, due date and status; what and the expected effect come with the finding.
ACTION_FIELDS = (
    "finding",
    "what",
    "touchpoint",
    "owner",
    "start",
    "due",
    "status",
    "expected_effect",
)

# Rows per page, so every page holds what fits (see worksheets.css for the heights).
INVENTORY_ROWS = 10
RATING_ROWS = 15  # touchpoint rows; a phase's heading row counts as half of one
ACTION_ROWS = 9
STAGES_PER_CANVAS = 8
BLANK_STAGES = 6
MIN_BLANK_ROWS = 3  # a pre-printed sheet always leaves this many rows to add to

# Pre-printed text is cut to what a cell holds, with an ellipsis, rather than overflow.
CELL_CHARACTERS = {
    "team": 45,
    "name": 60,
    "notes": 90,
    "aliases": 50,
    "what": 110,
    "expected_effect": 120,
}
DEFAULT_CHARACTERS = 40


@dataclass(frozen=True)
class SheetOptions:
    """What to print: in which language, for which workbook (or blank), which sheets."""

    language: str
    workbook: Workbook | None = None
    sheets: tuple[str, ...] = SHEETS
    participants: int | None = None  # rating grids; default: one per known participant
    paper: str = "a4"  # of the journey canvas

    def text(self, key: str, **values: object) -> str:
        return t(f"worksheets.{key}", self.language, **values)

    def caption(self, name: str) -> str:
        return t(f"field.{name}", self.language)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def clip(text: str, field: str) -> str:
    """Pre-printed text on one line, cut near a word to what its cell holds, safe to
    print as every view prints user text (:func:`tpkit.safety.shown_text`: no direction
    controls, long words breakable)."""
    return shown_text(" ".join(text.split()), CELL_CHARACTERS.get(field, DEFAULT_CHARACTERS))


def chunks(items: Sequence, size: int) -> list[Sequence]:
    """``items`` in pages of ``size``; an empty list still makes one (empty) page."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [items[:0]]


def padded(rows: list, per_page: int) -> list:
    """Rows plus empty ones (None) up to full pages, with at least a few empty ones."""
    wanted = len(rows) + (MIN_BLANK_ROWS if rows else per_page)
    return rows + [None] * (-(-wanted // per_page) * per_page - len(rows))


# --- the parts every sheet shares ---------------------------------------------------


def page(options: SheetOptions, sheet: str, title: str, body: str, kind: str = "") -> str:
    """One printed page: the sheet's title, where it is typed in, team and date lines."""
    workbook = options.workbook
    team = esc(clip(workbook.meta.team, "team")) if workbook else ""
    return (
        f'<section class="ws-page ws-{sheet} {kind}">'
        '<header class="ws-head"><div class="ws-top">'
        f"<h1>{esc(title)}</h1>"
        '<p class="ws-fill">'
        f'<span>{esc(options.caption("team"))}</span><b class="ws-line">{team}</b>'
        f'<span>{esc(options.text("date"))}</span><b class="ws-line ws-short"></b></p></div>'
        f'<p class="ws-feeds">{esc(options.text(f"feeds.{sheet}"))}</p>'
        f"</header>{body}</section>"
    )


def table(headings: Iterable[tuple[str, str]], rows: Iterable[str], css: str) -> str:
    """A grid: (css class, caption) per column, then already-built rows."""
    columns = list(headings)
    head = "".join(f'<th class="ws-col-{name}">{esc(caption)}</th>' for name, caption in columns)
    body = "".join(rows)
    return (
        f'<table class="ws-grid {css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def cells(values: dict[str, str], fields: Sequence[str]) -> str:
    """A row of cells; flags become a box to tick (ticked if pre-printed as set)."""
    parts = []
    for name in fields:
        if name in FLAGS:
            mark = "☒" if values.get(name) else "☐"
            parts.append(f'<td class="ws-box">{mark}</td>')
        else:
            parts.append(f"<td><div>{esc(clip(values.get(name, ''), name))}</div></td>")
    return f"<tr>{''.join(parts)}</tr>"


# --- inventory ----------------------------------------------------------------------


def _touchpoint_values(workbook: Workbook, touchpoint, language: str) -> dict[str, str]:
    stage_names = {stage.id: stage.name for stage in workbook.stages}
    return {
        "name": touchpoint.name,
        "stages": ", ".join(stage_names.get(s, s) for s in touchpoint.stages),
        "channel": label("channel", touchpoint.channel, language),
        "kind": label("kind", touchpoint.kind, language),
        "owner": touchpoint.owner,
        "frequency": label("frequency", touchpoint.frequency, language),
        "marketing_contact": "x" if touchpoint.marketing_contact else "",
        "consent": "x" if touchpoint.consent else "",
        "opt_out": "x" if touchpoint.opt_out else "",
        "aliases": ", ".join(touchpoint.aliases),
        "notes": touchpoint.notes,
    }


def legend(options: SheetOptions, groups: Iterable[tuple[str, Sequence[str]]]) -> str:
    """The values a form's drop-down lists offer, so paper entries map onto them."""
    lines = [
        (options.caption(group), [label(group, key, options.language) for key in keys])
        for group, keys in groups
    ]
    text = "".join(
        f"<p><b>{esc(name)}:</b> {esc(' · '.join(values))}</p>" for name, values in lines
    )
    return f'<div class="ws-legend">{text}</div>'


def inventory_pages(options: SheetOptions) -> list[str]:
    """One page (or more, if the workbook holds many) per purchase phase."""
    workbook, language = options.workbook, options.language
    headings = [(name, options.caption(name)) for name in INVENTORY_FIELDS]
    pages = []
    for phase in PHASES:
        known = workbook.touchpoints_in(phase) if workbook else []
        rows = padded([_touchpoint_values(workbook, tp, language) for tp in known], INVENTORY_ROWS)
        title = options.text("inventory.title", phase=label("phase", phase, language))
        for part in chunks(rows, INVENTORY_ROWS):
            body = (
                f'<p class="ws-how">{esc(options.text(f"inventory.how_{phase}"))}</p>'
                + table(headings, (cells(v or {}, INVENTORY_FIELDS) for v in part), "ws-inventory")
                + legend(options, INVENTORY_CHOICES)
            )
            pages.append(page(options, "inventory", title, body))
    return pages


# --- rating -------------------------------------------------------------------------


def _rating_rows(workbook: Workbook | None, language: str) -> list[tuple[str, str]]:
    """('phase', label) heading rows and ('touchpoint', name) rows, in the form's order."""
    if workbook is None or not workbook.touchpoints:
        return [("touchpoint", "")] * RATING_ROWS
    rows: list[tuple[str, str]] = []
    for phase in PHASES:
        touchpoints = workbook.touchpoints_in(phase)
        if touchpoints:
            rows.append(("phase", label("phase", phase, language)))
            rows += [("touchpoint", tp.name) for tp in touchpoints]
    return rows


def _rating_pages_of(rows: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Rows split into pages of RATING_ROWS; a phase heading never ends a page."""
    pages: list[list[tuple[str, str]]] = [[]]
    room = 2 * RATING_ROWS  # in half rows
    for kind, text in rows:
        need = 1 if kind == "phase" else 2
        if need + (2 if kind == "phase" else 0) > room:  # a heading takes its first row along
            pages.append([])
            room = 2 * RATING_ROWS
        pages[-1].append((kind, text))
        room -= need
    return pages


def rating_pages(options: SheetOptions) -> list[str]:
    """A grid per participant, their name pre-printed when the workbook knows it."""
    workbook = options.workbook
    names = workbook.participants() if workbook else []
    count = options.participants or max(1, len(names))
    scale = "\u2002".join("①②③④⑤")  # digits in circles: text, cheap to lay out
    headings = [("touchpoint", options.caption("touchpoint"))] + [
        (name, t(SCORE_CAPTIONS.get(name, f"field.{name}"), options.language))
        for name in RATING_FIELDS
    ]
    span = len(headings)
    pages = []
    for index in range(count):
        who = names[index] if index < len(names) else ""
        for part in _rating_pages_of(_rating_rows(workbook, options.language)):
            lines = [
                f'<tr class="ws-phase"><th colspan="{span}">{esc(text)}</th></tr>'
                if kind == "phase"
                else f"<tr><td><div>{esc(clip(text, 'name'))}</div></td>"
                + f'<td class="ws-scale">{scale}</td>' * 3
                + "<td></td><td></td></tr>"
                for kind, text in part
            ]
            body = (
                '<p class="ws-fill ws-who">'
                f"<span>{esc(options.caption('participant'))}</span>"
                f'<b class="ws-line">{esc(who)}</b></p>'
                f'<p class="ws-how">{esc(options.text("rating.how"))}</p>'
                + table(headings, lines, "ws-rating")
            )
            pages.append(page(options, "rating", options.text("rating.title"), body))
    return pages


# --- journey canvas -----------------------------------------------------------------


def _persona_strip(options: SheetOptions) -> str:
    persona = options.workbook.persona if options.workbook else None
    boxes = []
    for name in PERSONA_FIELDS:
        value = getattr(persona, name) if persona else ""
        text = "; ".join(value) if isinstance(value, list) else value
        boxes.append(
            f"<td><b>{esc(options.caption(name))}</b><span>{esc(clip(text, 'notes'))}</span></td>"
        )
    caption = esc(t("section.persona", options.language))
    return f'<table class="ws-persona"><tr><th>{caption}</th>{"".join(boxes)}</tr></table>'


def _lane(options: SheetOptions, lane: str, columns: int) -> str:
    if lane == "emotion":  # five dotted levels in every stage, to mark with a dot
        levels = "".join(f"<i>{value:+d}</i>" if value else "<i>0</i>" for value in EMOTIONS)
        marks = f'<td><span class="ws-marks">{levels.replace("-", "−")}</span></td>'
        return (
            f'<tr class="ws-lane-emotion"><th><b>{esc(options.caption("emotion"))}</b></th>'
            + marks * columns
            + "</tr>"
        )
    return (
        f'<tr class="ws-lane-{lane}"><th><b>{esc(options.caption(lane))}</b></th>'
        + "<td></td>" * columns
        + "</tr>"
    )


def canvas_pages(options: SheetOptions) -> list[str]:
    """The journey canvas: the team's stages across (six blank ones without a workbook)."""
    stages: list[Stage | None] = list(options.workbook.stages) if options.workbook else []
    if not stages:
        stages = [None] * BLANK_STAGES
    pages = []
    for part in chunks(stages, STAGES_PER_CANVAS):
        phase_cells = "".join(
            f"<td>{esc(label('phase', stage.phase, options.language)) if stage else ''}</td>"
            for stage in part
        )
        name_cells = "".join(
            f"<td><div>{esc(clip(stage.name, 'name')) if stage else ''}</div></td>"
            for stage in part
        )
        phase, stage = esc(options.caption("phase")), esc(options.caption("stage"))
        grid = (
            '<table class="ws-canvas"><thead>'
            f'<tr class="ws-canvas-phase"><th>{phase}</th>{phase_cells}</tr>'
            f'<tr class="ws-canvas-stage"><th>{stage}</th>{name_cells}</tr>'
            "</thead><tbody>"
            + "".join(_lane(options, lane, len(part)) for lane in JOURNEY_LANES)
            + "</tbody></table>"
        )
        body = (
            f'<p class="ws-how">{esc(options.text("journey.how"))}</p>'
            + _persona_strip(options)
            + grid
        )
        kind = f"ws-paper-{options.paper}"
        pages.append(page(options, "journey", options.text("journey.title"), body, kind))
    return pages


# --- action plan --------------------------------------------------------------------


def _action_values(workbook: Workbook, action, language: str) -> dict[str, str]:
    names = {tp.id: tp.name for tp in workbook.touchpoints} | {
        stage.id: stage.name for stage in workbook.stages
    }
    target = action.touchpoint or action.stage or ""
    return {
        "finding": label("rule", action.finding.rule, language) if action.finding else "",
        "what": action.what,
        "touchpoint": names.get(target, target),
        "owner": action.owner,
        "start": action.start.isoformat() if action.start else "",
        "due": action.due.isoformat() if action.due else "",
        "status": label("status", action.status, language),
        "expected_effect": action.expected_effect,
    }


def action_pages(options: SheetOptions) -> list[str]:
    workbook = options.workbook
    known = (
        [_action_values(workbook, action, options.language) for action in workbook.actions]
        if workbook
        else []
    )
    headings = [
        (name, options.text("actions.target") if name == "touchpoint" else options.caption(name))
        for name in ACTION_FIELDS
    ]
    statuses = legend(options, [("rule", RULE_IDS), ("status", ACTION_STATUSES)])
    rows = padded(known, ACTION_ROWS)
    return [
        page(
            options,
            "actions",
            options.text("actions.title"),
            f'<p class="ws-how">{esc(options.text("actions.how"))}</p>'
            + table(headings, (cells(v or {}, ACTION_FIELDS) for v in part), "ws-actions")
            + statuses,
        )
        for part in chunks(rows, ACTION_ROWS)
    ]


BUILDERS = {
    "inventory": inventory_pages,
    "rating": rating_pages,
    "journey": canvas_pages,
    "actions": action_pages,
}


def printed_pages(options: SheetOptions) -> list[str]:
    """Every page of the chosen sheets, in order: one HTML ``section`` each."""
    return [html_page for sheet in options.sheets for html_page in BUILDERS[sheet](options)]


def worksheets_html(options: SheetOptions) -> str:
    """All chosen sheets as one HTML document, ready for WeasyPrint."""
    pages = printed_pages(options)
    css = files("tpkit.teaching").joinpath("worksheets.css").read_text(encoding="utf-8")
    css = css.replace("@foot@", css_string(options.text("foot")))
    return html_document(options.language, options.text("document_title"), css, "".join(pages))


def write_worksheets_pdf(options: SheetOptions, path: Path) -> Path:
    """The sheets as a PDF at ``path`` (written atomically)."""
    return write_pdf(worksheets_html(options), path)
