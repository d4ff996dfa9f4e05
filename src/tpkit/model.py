"""The domain model: one workbook, the single source of truth.

The YAML file, the spreadsheet, the forms, the charts and the report are all
views of these classes. Everything that links (ratings to touchpoints, stages to
touchpoints, actions to either) links by stable id, so renaming never breaks a
link. Field-level rules live in the types; rules that span the workbook live in
:func:`integrity_problems`, which returns every problem instead of stopping at the
first, so a user can fix a file in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

SCHEMA_VERSION = 2

Phase = Literal["before", "during", "after"]
Kind = Literal["human", "digital", "print", "third_party"]
Channel = Literal[
    "website",
    "email",
    "phone",
    "in_person",
    "social_media",
    "advertising",
    "app",
    "sms",
    "chat",
    "print_mail",
    "event",
    "review_site",
    "word_of_mouth",
    "other",
]
Frequency = Literal[
    "once", "per_purchase", "yearly", "quarterly", "monthly", "weekly", "daily", "on_demand"
]
Industry = Literal[
    "electrical_installer", "retail_ecommerce", "online_subscription", "saas", "bank", "other"
]
Language = Literal["en", "it", "de", "fr"]
ActionStatus = Literal["open", "in_progress", "done", "dropped"]
Better = Literal["higher", "lower"]  # which way a KPI improves
# The diagnostic rules (tpkit.diagnostics), by their stable ids: an action names the rule
# of the finding it answers, and a workbook may re-weight each rule.
RuleId = Literal[
    "post_purchase_neglect",
    "over_contact",
    "consent",
    "no_owner",
    "handoffs",
    "high_scores_yet_churn",
    "contact_vs_process",
    "importance_performance",
    "disagreement",
    "team_vs_customers",
    "unbacked",
    "low_point",
]

PHASES: tuple[str, ...] = get_args(Phase)
KINDS: tuple[str, ...] = get_args(Kind)
CHANNELS: tuple[str, ...] = get_args(Channel)
FREQUENCIES: tuple[str, ...] = get_args(Frequency)
INDUSTRIES: tuple[str, ...] = get_args(Industry)
LANGUAGES: tuple[str, ...] = get_args(Language)
ACTION_STATUSES: tuple[str, ...] = get_args(ActionStatus)
BETTER: tuple[str, ...] = get_args(Better)
RULE_IDS: tuple[str, ...] = get_args(RuleId)

# The kind a new touchpoint of each channel most likely is (the forms' default, still
# editable): a phone call is a person, a letter is print, a review site is a third party.
CHANNEL_KINDS: dict[str, str] = {
    "website": "digital",
    "email": "digital",
    "phone": "human",
    "in_person": "human",
    "social_media": "digital",
    "advertising": "digital",
    "app": "digital",
    "sms": "digital",
    "chat": "digital",
    "print_mail": "print",
    "event": "human",
    "review_site": "third_party",
    "word_of_mouth": "third_party",
    "other": "digital",
}

# How many times a year a customer meets a touchpoint of each frequency; the
# over-contact diagnostics and the summary reason with these numbers.
CONTACTS_PER_YEAR: dict[str, float] = {
    "once": 0.0,
    "per_purchase": 1.0,
    "yearly": 1.0,
    "quarterly": 4.0,
    "monthly": 12.0,
    "weekly": 52.0,
    "daily": 365.0,
    "on_demand": 0.0,
}


def _as_utc(value: Any) -> Any:
    """Hand-written dates and naive times are read as UTC, so files stay comparable."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


# Limits far above what a real team writes (the Shawna sample: 22 touchpoints, 66 ratings,
# names under 60 characters), low enough that a broken or hostile file is refused at once
# instead of taking minutes and gigabytes. README "Limits" lists them.
MAX_NAME_LENGTH = 300
MAX_TEXT_LENGTH = 10_000
MAX_LIST_ITEMS = 200  # goals, pain points, aliases, … of one record
MAX_TOUCHPOINTS = 1_000
MAX_STAGES = 100
MAX_RATINGS = 10_000
MAX_ACTIONS = 1_000

# Characters that no text of a workbook may hold: C0/C1 controls other than tab and line
# feed (a NUL breaks HTML, PDF, spreadsheets and QR codes), lone surrogates (not
# encodable) and the two non-characters U+FFFE and U+FFFF.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def plain_line_feeds(value: Any) -> Any:
    """Windows and old Mac line ends (from a pasted cell) become plain line feeds."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _no_control_characters(text: str) -> str:
    found = CONTROL_CHARACTERS.search(text)
    if found:
        raise PydanticCustomError(
            "control_character",
            "holds the control character {character} at position {position}",
            {"character": f"U+{ord(found.group()):04X}", "position": found.start() + 1},
        )
    return text


def _text(min_length: int, max_length: int) -> Any:
    return Annotated[
        str,
        # constraints first: pydantic then checks the length after stripping, and the
        # line-feed validator still runs before them
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        BeforeValidator(plain_line_feeds),
        AfterValidator(_no_control_characters),
    ]


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = _text(0, MAX_TEXT_LENGTH)
Name = _text(1, MAX_NAME_LENGTH)
Texts = Annotated[list[Text], Field(max_length=MAX_LIST_ITEMS)]
Score = Annotated[int, Field(ge=1, le=5)]
Emotion = Annotated[int, Field(ge=-2, le=2)]
Number = Annotated[int | float, Field(allow_inf_nan=False)]  # whole numbers stay whole
Percent = Annotated[int | float, Field(ge=0, le=100)]
Weight = Annotated[int | float, Field(ge=0, le=10)]
Points = Annotated[int | float, Field(gt=0, le=4)]  # a difference on the 1–5 scales
Timestamp = Annotated[datetime, BeforeValidator(_as_utc)]


def now() -> datetime:
    """The current time as stored in workbooks: UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


class _Record(BaseModel):
    # Unknown keys are typos in hand-edited files: refuse them rather than lose them.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Meta(_Record):
    team: Name
    company: Text = ""
    industry: Industry = "other"
    language: Language = "en"
    created: Timestamp = Field(default_factory=now)
    updated: Timestamp = Field(default_factory=now)


class Persona(_Record):
    name: Name
    description: Text = ""
    goals: Texts = []
    frustrations: Texts = []


class Touchpoint(_Record):
    id: Id
    name: Name
    phase: Phase
    stages: list[Id] = []
    channel: Channel = "other"
    kind: Kind = "digital"
    owner: Text = ""
    marketing_contact: bool = False
    consent: bool = False
    opt_out: bool = False
    frequency: Frequency = "once"
    aliases: Texts = []
    notes: Text = ""


class Rating(_Record):
    """One participant's rating of one touchpoint. Scores may be missing: a form stores
    a rating as soon as any part of it is typed (a comment first, the scores later), and
    every figure counts a score only where it exists (:func:`tpkit.metrics.team_scores`)."""

    touchpoint: Id
    participant: Name
    contact_quality: Score | None = None
    process_quality: Score | None = None
    importance: Score | None = None
    strengths: Text = ""
    problems: Text = ""
    rated_at: Timestamp = Field(default_factory=now)

    @property
    def complete(self) -> bool:
        """All three scores given."""
        return None not in (self.contact_quality, self.process_quality, self.importance)


class Kpi(_Record):
    """A stage's key figure; with a target and the way it improves, the diagnostics can
    tell whether the stage's outcome is poor (``better: lower`` for waiting days)."""

    name: Name
    value: Number | None = None
    target: Number | None = None
    better: Better | None = None  # required with a target: the kit never guesses it


class Stage(_Record):
    id: Id
    name: Name
    phase: Phase
    doing: Text = ""
    touchpoints: list[Id] = []
    thinking: Text = ""
    feeling: Text = ""
    emotion: Emotion = 0
    pain_points: Texts = []
    opportunities: Texts = []
    owner: Text = ""
    kpi: Kpi | None = None


class FindingRef(_Record):
    """The diagnostic finding an action answers: its rule and what it is about."""

    rule: RuleId
    subject: Text = ""  # a stage or touchpoint id, a phase, an axis; "" = the whole workbook


class Action(_Record):
    id: Id
    what: Name
    touchpoint: Id | None = None
    stage: Id | None = None
    owner: Text = ""
    start: date | None = None  # when customers meet the change: later answers count as "after"
    due: date | None = None
    status: ActionStatus = "open"
    expected_effect: Text = ""
    finding: FindingRef | None = None


class Thresholds(_Record):
    """Where the diagnostic rules start to speak, for one workbook. A threshold left out
    takes the kit's default (``tpkit.diagnostics.settings.DEFAULTS``), so a file only
    holds what a team chose and later defaults still reach it."""

    after_percent: Percent | None = None  # after-purchase touchpoints below this share
    after_minimum: Annotated[int, Field(ge=0)] | None = None  # … or fewer than this many
    contacts_per_month: Annotated[int | float, Field(ge=0)] | None = None  # marketing, per customer
    same_channel: Annotated[int, Field(ge=2)] | None = None  # one channel this often in a stage
    owners_per_stage: Annotated[int, Field(ge=2)] | None = None  # owners meaning a hand-off
    good_quality: Annotated[int | float, Field(ge=1, le=5)] | None = None  # a team mean: good
    good_csat: Percent | None = None  # customers' CSAT that does well
    low_emotion: Emotion | None = None  # a stage feeling this low or lower is a poor outcome
    axis_gap: Points | None = None  # contact vs process, points
    spread: Annotated[int, Field(ge=1, le=4)] | None = None  # raters this far apart
    team_gap: Points | None = None  # team above customers
    min_answers: Annotated[int, Field(ge=1)] | None = None  # answers that back a figure


class Diagnostics(_Record):
    """A workbook's own settings of the diagnostics: thresholds and priority weights."""

    thresholds: Thresholds = Field(default_factory=Thresholds)
    weights: dict[RuleId, Weight] = {}  # a rule's priority × weight; 1 when left out


class EventRule(_Record):
    """Which logged events are one touchpoint: exact event names, URL path patterns
    (``*`` stands for any run of characters) and campaign (UTM) sources."""

    events: list[Name] = []
    paths: list[Name] = []
    sources: list[Name] = []


class Digital(_Record):
    """How the firm's interaction logs become touchpoints (:mod:`tpkit.events`).

    An event whose name is a touchpoint's id, name or alias needs no rule. ``columns``
    names the log columns that hold each field when the headers are not the usual ones
    (``customer: [Kundennummer]``); ``time_zone`` is the zone of times written without
    an offset; ``conversion`` is the event name or touchpoint id that counts as a
    conversion (e.g. ``mortgage_application``).
    """

    conversion: Text = ""
    time_zone: Text = ""
    columns: dict[str, list[Name]] = {}
    touchpoints: dict[Id, EventRule] = {}


class Workbook(_Record):
    schema_version: Literal[2] = SCHEMA_VERSION
    meta: Meta
    persona: Persona | None = None
    touchpoints: Annotated[list[Touchpoint], Field(max_length=MAX_TOUCHPOINTS)] = []
    stages: Annotated[list[Stage], Field(max_length=MAX_STAGES)] = []
    ratings: Annotated[list[Rating], Field(max_length=MAX_RATINGS)] = []
    actions: Annotated[list[Action], Field(max_length=MAX_ACTIONS)] = []
    digital: Digital | None = None
    diagnostics: Diagnostics = Field(default_factory=Diagnostics)

    @model_validator(mode="after")
    def _mirror_stage_links(self) -> Workbook:
        """A touchpoint–stage link may be written on either side of the file (the
        touchpoint's ``stages`` or the stage's ``touchpoints``); the model holds it on
        both, so every view agrees. Links to unknown ids are left for the integrity check."""
        stages = {stage.id: stage for stage in self.stages}
        touchpoints = {tp.id: tp for tp in self.touchpoints}
        for tp in self.touchpoints:
            for stage_id in tp.stages:
                stage = stages.get(stage_id)
                if stage is not None and tp.id not in stage.touchpoints:
                    stage.touchpoints.append(tp.id)
        order = {stage_id: i for i, stage_id in enumerate(stages)}
        for stage in self.stages:
            for tp_id in stage.touchpoints:
                tp = touchpoints.get(tp_id)
                if tp is not None and stage.id not in tp.stages:
                    tp.stages.append(stage.id)
                    tp.stages.sort(key=lambda s: order.get(s, len(order)))
        return self

    def link(self, touchpoint_id: str, stage_id: str, linked: bool = True) -> None:
        """Put a touchpoint in a stage of the journey, or take it out (both sides)."""
        tp, stage = self.touchpoint(touchpoint_id), self.stage(stage_id)
        if linked:
            if stage_id not in tp.stages:
                order = [s.id for s in self.stages]
                tp.stages = sorted([*tp.stages, stage_id], key=order.index)
            if touchpoint_id not in stage.touchpoints:
                stage.touchpoints = [*stage.touchpoints, touchpoint_id]
        else:
            tp.stages = [s for s in tp.stages if s != stage_id]
            stage.touchpoints = [t for t in stage.touchpoints if t != touchpoint_id]

    def set_stages_of(self, touchpoint_id: str, stage_ids: list[str]) -> None:
        """Make exactly these stages hold the touchpoint."""
        for stage in self.stages:
            self.link(touchpoint_id, stage.id, stage.id in stage_ids)

    def set_touchpoints_of(self, stage_id: str, touchpoint_ids: list[str]) -> None:
        """Make exactly these touchpoints appear in the stage, in this order."""
        for tp in self.touchpoints:
            if tp.id not in touchpoint_ids:
                self.link(tp.id, stage_id, False)
        for touchpoint_id in touchpoint_ids:
            self.link(touchpoint_id, stage_id, True)
        self.stage(stage_id).touchpoints = list(touchpoint_ids)

    def remove_touchpoint(self, touchpoint_id: str) -> None:
        """Remove a touchpoint with its ratings and links; actions keep their text."""
        self.touchpoints = [tp for tp in self.touchpoints if tp.id != touchpoint_id]
        self.ratings = [r for r in self.ratings if r.touchpoint != touchpoint_id]
        for stage in self.stages:
            stage.touchpoints = [t for t in stage.touchpoints if t != touchpoint_id]
        for action in self.actions:
            if action.touchpoint == touchpoint_id:
                action.touchpoint = None

    def move_stage(self, stage_id: str, offset: int) -> None:
        """Move a stage earlier (offset < 0) or later in the journey."""
        stages = list(self.stages)
        index = [stage.id for stage in stages].index(stage_id)
        target = max(0, min(len(stages) - 1, index + offset))
        stages.insert(target, stages.pop(index))
        self.stages = stages

    def remove_stage(self, stage_id: str) -> None:
        """Remove a journey stage and the links to it."""
        self.stages = [stage for stage in self.stages if stage.id != stage_id]
        for tp in self.touchpoints:
            tp.stages = [s for s in tp.stages if s != stage_id]
        for action in self.actions:
            if action.stage == stage_id:
                action.stage = None

    def stage(self, stage_id: str) -> Stage:
        """The journey stage with this id (KeyError if there is none)."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        """The touchpoint with this id (KeyError if there is none)."""
        for touchpoint in self.touchpoints:
            if touchpoint.id == touchpoint_id:
                return touchpoint
        raise KeyError(touchpoint_id)

    def touchpoints_in(self, phase: str) -> list[Touchpoint]:
        return [tp for tp in self.touchpoints if tp.phase == phase]

    def participants(self) -> list[str]:
        """Everyone who rated, in order of first appearance."""
        return list(dict.fromkeys(rating.participant for rating in self.ratings))

    def rating(self, touchpoint_id: str, participant: str) -> Rating | None:
        """A participant's rating of a touchpoint, if they gave one."""
        pair = (touchpoint_id, participant)
        return next((r for r in self.ratings if (r.touchpoint, r.participant) == pair), None)

    def set_rating(self, rating: Rating) -> None:
        """Record a participant's rating, replacing their earlier one of the same touchpoint
        in its place (a rating typed field by field does not wander through the file)."""
        pair = (rating.touchpoint, rating.participant)
        for i, earlier in enumerate(self.ratings):
            if (earlier.touchpoint, earlier.participant) == pair:
                self.ratings = [*self.ratings[:i], rating, *self.ratings[i + 1 :]]
                return
        self.ratings = [*self.ratings, rating]


def new_id(name: str, taken: Iterable[str], prefix: str = "") -> str:
    """A readable, stable id from a name: 'Site web & blog' → 'site-web-blog' (unique)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "item"
    base = f"{prefix}{slug}"
    taken = set(taken)
    candidate, counter = base, 2
    while candidate in taken:
        candidate, counter = f"{base}-{counter}", counter + 1
    return candidate


Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook: where (a path into it), and what (a message key)."""

    path: Path
    key: str
    values: dict[str, Any] = field(default_factory=dict)


def integrity_problems(workbook: Workbook) -> list[Problem]:
    """Rules that span records: unique ids, links that point somewhere, one rating each."""
    return list(_integrity_problems(workbook))


def _integrity_problems(wb: Workbook) -> Iterator[Problem]:
    touchpoint_ids = yield from _unique_ids("touchpoints", wb.touchpoints)
    stage_ids = yield from _unique_ids("stages", wb.stages)
    yield from _unique_ids("actions", wb.actions)

    def link(path: Path, target: str | None, known: set[str], key: str) -> Iterator[Problem]:
        if target is not None and target not in known:
            yield Problem(path, key, {"value": target})

    for i, tp in enumerate(wb.touchpoints):
        for j, stage_id in enumerate(tp.stages):
            yield from link(
                ("touchpoints", i, "stages", j), stage_id, stage_ids, "problem.no_stage"
            )
    for i, stage in enumerate(wb.stages):
        for j, tp_id in enumerate(stage.touchpoints):
            yield from link(
                ("stages", i, "touchpoints", j), tp_id, touchpoint_ids, "problem.no_touchpoint"
            )
    seen_ratings: dict[tuple[str, str], int] = {}
    for i, rating in enumerate(wb.ratings):
        yield from link(
            ("ratings", i, "touchpoint"), rating.touchpoint, touchpoint_ids, "problem.no_touchpoint"
        )
        pair = (rating.touchpoint, rating.participant)
        if pair in seen_ratings:
            yield Problem(
                ("ratings", i),
                "problem.duplicate_rating",
                {
                    "participant": rating.participant,
                    "value": rating.touchpoint,
                    "first": f"ratings[{seen_ratings[pair]}]",
                },
            )
        seen_ratings.setdefault(pair, i)
    for i, action in enumerate(wb.actions):
        yield from link(
            ("actions", i, "touchpoint"), action.touchpoint, touchpoint_ids, "problem.no_touchpoint"
        )
        yield from link(("actions", i, "stage"), action.stage, stage_ids, "problem.no_stage")
    if wb.digital is not None:
        for tp_id in wb.digital.touchpoints:
            yield from link(
                ("digital", "touchpoints", tp_id), tp_id, touchpoint_ids, "problem.no_touchpoint"
            )
    for i, stage in enumerate(wb.stages):
        if stage.kpi and stage.kpi.target is not None and stage.kpi.better is None:
            yield Problem(("stages", i, "kpi", "better"), "problem.kpi_without_direction")


def _unique_ids(section: str, records: list[Any]) -> Iterator[Problem]:
    first_seen: dict[str, int] = {}
    for i, record in enumerate(records):
        if record.id in first_seen:
            yield Problem(
                (section, i, "id"),
                "problem.duplicate_id",
                {"value": record.id, "first": f"{section}[{first_seen[record.id]}]"},
            )
        first_seen.setdefault(record.id, i)
    return set(first_seen)
