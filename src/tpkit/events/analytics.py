"""What the stored events say about the journey: paths, drop-off, attribution, next steps.

Every figure is an Ibis expression over the events table, so the same code runs on
embedded DuckDB and on Spark (:mod:`tpkit.events.engines` opens either); only small
results come back to Python, where the Markov chain is solved with numpy. The
building block is :func:`steps`: each customer's touchpoint events in time order, a
run of events on the same touchpoint counted once (ties in time broken by the line
of the log, then the touchpoint).

Definitions (also in the README, with the JSON each command prints):

- a *transition* is two consecutive steps of one customer; ``customers`` counts the
  customers who made it at least once, ``events`` how often it happened;
- a *path* is a customer's first :data:`PATH_STEPS` steps;
- the *funnel* follows the journey map's stage order: a customer reaches a stage with
  an event on any of its touchpoints, drops off at the furthest stage reached, and
  takes the time between first reaching a stage and first reaching the next one;
- *attribution* credits a customer's first conversion to the steps before it: first
  touch, last touch, and the Markov chain's removal effect;
- the *next best touchpoint* goes to customers who have not converted, grouped by
  their last two steps in the recent window, and counts only those whose latest
  marketing choice is a yes and who are under the over-contact limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from tpkit.events.engines import keep
from tpkit.model import Workbook

PATH_STEPS = 5  # a path is a customer's first five steps
TOP_PATHS = 20
TOP_UNMAPPED = 10
RECENT_DAYS = 30  # the window whose steps show a customer's current interest

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"  # not valid touchpoint ids


def _rows(expr: ir.Table) -> list[dict[str, Any]]:
    """A small result as plain Python rows (whichever engine the table is bound to)."""
    return expr.to_pyarrow().to_pylist()


def _order(table: ir.Table) -> list[Any]:
    return [table.ts, table.line, table.touchpoint]


# --- the building block ----------------------------------------------------------------


def steps(events: ir.Table) -> ir.Table:
    """Each customer's touchpoint events in time order, a run on one touchpoint once;
    ``previous`` is the touchpoint before, ``gap`` the seconds since its last event."""
    mapped = events.filter(events.touchpoint.notnull())
    window = ibis.window(group_by=mapped.customer, order_by=_order(mapped))
    mapped = mapped.mutate(
        previous=mapped.touchpoint.lag().over(window),
        previous_ts=mapped.ts.lag().over(window),
    )
    kept = mapped.filter(mapped.previous.isnull() | (mapped.previous != mapped.touchpoint))
    return kept.select(
        "customer",
        "ts",
        "line",
        "touchpoint",
        "previous",
        gap=kept.ts.epoch_seconds() - kept.previous_ts.epoch_seconds(),
    )


# --- journeys, transitions, paths ------------------------------------------------------


@dataclass(frozen=True)
class Journeys:
    events: int
    customers: int
    sessions: int
    touchpoint_events: int
    first: str  # ISO time of the first event, "" when there are none
    last: str


def journeys(events: ir.Table) -> Journeys:
    """How much the store holds: events, customers, sessions, and the period."""
    (row,) = _rows(
        events.aggregate(
            events=events.count(),
            customers=events.customer.nunique(),
            sessions=(events.customer.concat("\x1f", events.session)).nunique(),
            touchpoint_events=events.touchpoint.count(),
            first=events.ts.min(),
            last=events.ts.max(),
        )
    )
    return Journeys(
        int(row["events"]),
        int(row["customers"]),
        int(row["sessions"] or 0),
        int(row["touchpoint_events"]),
        _iso(row["first"]),
        _iso(row["last"]),
    )


def _iso(moment: datetime | None) -> str:
    """An instant as ISO text in UTC (Spark hands back naive UTC times, DuckDB aware ones)."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    customers: int
    events: int
    median_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        """The contract of ``tpkit events paths --json``."""
        return {
            "from": self.source,
            "to": self.target,
            "customers": self.customers,
            "events": self.events,
        }


def transitions(step_table: ir.Table) -> list[Transition]:
    """The directly-follows transitions, most customers first."""
    moved = step_table.filter(step_table.previous.notnull())
    grouped = moved.group_by(source=moved.previous, target=moved.touchpoint).aggregate(
        customers=moved.customer.nunique(),
        events=moved.count(),
        median_seconds=moved.gap.median(),
    )
    rows = _rows(grouped)
    found = [
        Transition(
            r["source"],
            r["target"],
            int(r["customers"]),
            int(r["events"]),
            None if r["median_seconds"] is None else float(r["median_seconds"]),
        )
        for r in rows
    ]
    return sorted(found, key=lambda t: (-t.customers, -t.events, t.source, t.target))


@dataclass(frozen=True)
class TouchpointPath:
    touchpoints: tuple[str, ...]
    customers: int

    def as_dict(self) -> dict[str, Any]:
        return {"touchpoints": list(self.touchpoints), "customers": self.customers}


def paths(step_table: ir.Table, top: int = TOP_PATHS) -> list[TouchpointPath]:
    """The most common paths (a customer's first :data:`PATH_STEPS` steps)."""
    window = ibis.window(group_by=step_table.customer, order_by=_order(step_table))
    numbered = step_table.mutate(step=ibis.row_number().over(window))
    numbered = numbered.filter(numbered.step < PATH_STEPS)
    names = [f"s{i}" for i in range(PATH_STEPS)]
    per_customer = numbered.group_by("customer").aggregate(
        **{
            name: ibis.ifelse(numbered.step == i, numbered.touchpoint, ibis.null("string")).max()
            for i, name in enumerate(names)
        }
    )
    counted = per_customer.group_by(names).aggregate(customers=per_customer.count())
    found = [
        TouchpointPath(tuple(r[n] for n in names if r[n] is not None), int(r["customers"]))
        for r in _rows(counted)
    ]
    found.sort(key=lambda p: (-p.customers, p.touchpoints))
    return found[:top]


# --- funnel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    stage: str
    reached: int  # customers with an event on a touchpoint of this stage
    at_least: int  # customers whose furthest stage is this one or a later one
    dropped: int  # customers whose furthest stage is this one
    median_seconds: float | None  # first reaching this stage → first reaching the next

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _stage_table(workbook: Workbook) -> ir.Table:
    rows = [
        (tp_id, position)
        for position, stage in enumerate(workbook.stages)
        for tp_id in stage.touchpoints
    ]
    return ibis.memtable(
        {"touchpoint": [r[0] for r in rows], "position": [r[1] for r in rows]},
        schema={"touchpoint": "string", "position": "int64"},
    )


def funnel(step_table: ir.Table, workbook: Workbook) -> list[FunnelStage]:
    """Customers along the journey map's stages, where they drop off, time per stage."""
    if not workbook.stages:
        return []
    joined = step_table.join(_stage_table(workbook), "touchpoint")
    firsts = joined.group_by(["customer", "position"]).aggregate(first=joined.ts.min())
    reached = {
        r["position"]: int(r["n"])
        for r in _rows(firsts.group_by("position").aggregate(n=firsts.count()))
    }
    furthest = firsts.group_by("customer").aggregate(furthest=firsts.position.max())
    ends = {
        r["furthest"]: int(r["n"])
        for r in _rows(furthest.group_by("furthest").aggregate(n=furthest.count()))
    }
    later = firsts.select("customer", position=firsts.position - 1, next_first=firsts.first)
    pairs = firsts.join(later, ["customer", "position"])
    pairs = pairs.filter(pairs.next_first >= pairs.first)
    times = {
        r["position"]: r["median"]
        for r in _rows(
            pairs.group_by("position").aggregate(
                median=(pairs.next_first.epoch_seconds() - pairs.first.epoch_seconds()).median()
            )
        )
    }
    stages, beyond = [], 0
    for position in reversed(range(len(workbook.stages))):
        beyond += ends.get(position, 0)
        median = times.get(position)
        stages.append(
            FunnelStage(
                workbook.stages[position].id,
                reached.get(position, 0),
                beyond,
                ends.get(position, 0),
                None if median is None else float(median),
            )
        )
    return stages[::-1]


# --- attribution -----------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    touchpoint: str
    first_touch: int
    last_touch: int
    markov: float  # conversions credited by the removal effect
    removal_effect: float  # share of conversions lost without this touchpoint

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Attribution:
    conversion: str
    journeys: int = 0  # customers with a step or a conversion
    conversions: int = 0  # customers who converted (the first conversion each)
    credits: list[Credit] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversion": self.conversion,
            "journeys": self.journeys,
            "conversions": self.conversions,
            "touchpoints": [credit.as_dict() for credit in self.credits],
        }


def _conversions(events: ir.Table, conversion: str) -> ir.Table:
    hit = events.filter((events.event == conversion) | (events.touchpoint == conversion))
    return hit.group_by("customer").aggregate(converted_at=hit.ts.min())


def attribution(events: ir.Table, step_table: ir.Table, conversion: str) -> Attribution:
    """First touch, last touch and Markov removal effects for ``conversion``."""
    result = Attribution(conversion)
    if not conversion:
        return result
    converted = keep(_conversions(events, conversion))
    before = step_table.filter(step_table.touchpoint != conversion)
    before = before.left_join(converted, "customer").select(
        before.customer, before.ts, before.line, before.touchpoint, converted.converted_at
    )
    before = before.filter(before.converted_at.isnull() | (before.ts < before.converted_at))
    window = ibis.window(group_by=before.customer, order_by=_order(before))
    before = keep(  # read by five queries below: worked out once
        before.mutate(
            step=ibis.row_number().over(window), following=before.touchpoint.lead().over(window)
        )
    )
    won = before.converted_at.notnull()
    end = ibis.ifelse(won, ibis.literal(CONVERSION), ibis.literal(NULL))
    edges = ibis.union(
        before.filter(before.step == 0).select(
            source=ibis.literal(START), target=before.touchpoint
        ),
        before.filter(before.following.notnull()).select(
            source=before.touchpoint, target=before.following
        ),
        before.filter(before.following.isnull()).select(source=before.touchpoint, target=end),
        converted.anti_join(before, "customer").select(
            source=ibis.literal(START), target=ibis.literal(CONVERSION)
        ),
        distinct=False,
    )
    counts = {
        (r["source"], r["target"]): int(r["n"])
        for r in _rows(edges.group_by(["source", "target"]).aggregate(n=edges.count()))
    }
    touches = before.filter(won & ((before.step == 0) | before.following.isnull()))
    first_last = _rows(
        touches.group_by("touchpoint").aggregate(
            first=(touches.step == 0).sum(), last=touches.following.isnull().sum()
        )
    )
    result.conversions = sum(n for (_, target), n in counts.items() if target == CONVERSION)
    result.journeys = sum(n for (source, _), n in counts.items() if source == START)
    effects = removal_effects(counts)
    total = sum(effects.values())
    firsts = {r["touchpoint"]: int(r["first"]) for r in first_last}
    lasts = {r["touchpoint"]: int(r["last"]) for r in first_last}
    names = sorted(set(effects) | set(firsts))
    result.credits = sorted(
        (
            Credit(
                name,
                firsts.get(name, 0),
                lasts.get(name, 0),
                result.conversions * effects.get(name, 0.0) / total if total else 0.0,
                effects.get(name, 0.0),
            )
            for name in names
        ),
        key=lambda c: (-c.markov, -c.last_touch, c.touchpoint),
    )
    return result


def removal_effects(counts: dict[tuple[str, str], int]) -> dict[str, float]:
    """Each touchpoint's removal effect in a first-order Markov chain of journeys.

    ``counts`` holds how often each transition happened, from :data:`START` through
    touchpoints to :data:`CONVERSION` or :data:`NULL`. With ``p(s)`` the probability of
    reaching the conversion from ``START`` (an absorbing chain: solve
    ``(I - Q) x = r``), the removal effect of ``s`` is ``1 - p_without_s / p``, where
    ``p_without_s`` is ``p`` with every transition into ``s`` sent to ``NULL``.
    """
    states = sorted({s for s, _ in counts} | {t for _, t in counts} - {CONVERSION, NULL})
    if START not in states:
        return {}
    index = {state: i for i, state in enumerate(states)}
    size = len(states)
    moves = np.zeros((size, size))
    wins = np.zeros(size)
    outgoing = np.zeros(size)
    for (source, target), n in counts.items():
        i = index[source]
        outgoing[i] += n
        if target == CONVERSION:
            wins[i] += n
        elif target != NULL:
            moves[i, index[target]] += n
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(outgoing > 0, 1.0 / np.maximum(outgoing, 1), 0.0)
    q, r = moves * share[:, None], wins * share

    def reach(removed: int | None) -> float:
        q_kept, r_kept = q.copy(), r.copy()
        if removed is not None:
            q_kept[:, removed] = 0.0  # into the removed state → lost
            q_kept[removed, :] = 0.0
            r_kept[removed] = 0.0
        solved = np.linalg.lstsq(np.eye(size) - q_kept, r_kept, rcond=None)[0]
        return float(solved[index[START]])

    base = reach(None)
    if base <= 0:
        return {state: 0.0 for state in states if state != START}
    return {state: max(0.0, 1.0 - reach(index[state]) / base) for state in states if state != START}


# --- next best touchpoint --------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    path: tuple[str, ...]  # the customers' last steps, oldest first
    offer: str  # the touchpoint the journey offers next
    customers: int  # who have not converted and show this path recently
    consenting: int  # of them, whose latest marketing choice is a yes
    eligible: int  # of those, under the over-contact limit
    over_limit: int  # consenting, but already at the limit

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": list(self.path)}


@dataclass
class NextBest:
    as_of: str
    recent_days: int
    contact_limit: float
    segments: list[Segment] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "segments": [segment.as_dict() for segment in self.segments]}


def contact_limit(workbook: Workbook) -> float:
    """Marketing contacts a customer may get in :data:`RECENT_DAYS`, the offer included:
    the workbook's over-contact threshold (``diagnostics.thresholds.contacts_per_month``),
    else the diagnostics' default, the limit their ``over_contact`` rule applies."""
    from tpkit.diagnostics.settings import thresholds

    return thresholds(workbook).contacts_per_month


def offer_after(path: Iterable[str], workbook: Workbook, conversion: str = "") -> str | None:
    """The touchpoint the journey map offers after ``path``: one of the next stage's
    (after the furthest stage of the path's last touchpoint), not met yet, a marketing
    contact first; None when the journey has nothing further."""
    path = list(path)
    positions = {stage.id: i for i, stage in enumerate(workbook.stages)}
    try:
        last = workbook.touchpoint(path[-1])
    except KeyError:
        return None
    here = [positions[s] for s in last.stages if s in positions]
    if not here or max(here) + 1 >= len(workbook.stages):
        return None
    following = workbook.stages[max(here) + 1]
    known = {tp.id: tp for tp in workbook.touchpoints}
    candidates = [
        tp_id
        for tp_id in following.touchpoints
        if tp_id in known and tp_id not in path and tp_id != conversion
    ]
    candidates.sort(key=lambda tp_id: not known[tp_id].marketing_contact)
    return candidates[0] if candidates else None


def _recent_tails(
    step_table: ir.Table, events: ir.Table, conversion: str, since: datetime
) -> ir.Table:
    recent = step_table.filter(step_table.ts > since)
    if conversion:
        converted = _conversions(events, conversion)
        recent = recent.anti_join(converted, "customer")
    window = ibis.window(group_by=recent.customer, order_by=[ibis.desc(c) for c in _order(recent)])
    ranked = recent.mutate(rank=ibis.row_number().over(window))
    ranked = ranked.filter(ranked.rank < 2)
    return ranked.group_by("customer").aggregate(
        previous=ibis.ifelse(ranked.rank == 1, ranked.touchpoint, ibis.null("string")).max(),
        last=ibis.ifelse(ranked.rank == 0, ranked.touchpoint, ibis.null("string")).max(),
    )


def _choices(events: ir.Table, workbook: Workbook, since: datetime) -> tuple[ir.Table, ir.Table]:
    """Each customer's latest marketing choice, and their recent marketing contacts
    (one a touchpoint a day)."""
    said = events.filter(events.consent.notnull())
    consent = said.group_by("customer").aggregate(consent=said.consent.argmax(said.ts))
    marketing = [tp.id for tp in workbook.touchpoints if tp.marketing_contact] or [""]
    contacted = events.filter(events.touchpoint.isin(marketing) & (events.ts > since))
    contacts = contacted.group_by("customer").aggregate(
        contacts=contacted.touchpoint.concat(":", contacted.ts.date().cast("string")).nunique()
    )
    return consent, contacts


def next_best(
    events: ir.Table,
    step_table: ir.Table,
    workbook: Workbook,
    conversion: str = "",
    recent_days: int = RECENT_DAYS,
) -> NextBest:
    """Segments of customers showing an interest, the offer, and who may receive it."""
    limit = contact_limit(workbook)
    (row,) = _rows(events.aggregate(as_of=events.ts.max()))
    if row["as_of"] is None:
        return NextBest("", recent_days, limit)
    as_of: datetime = row["as_of"]
    since = as_of - timedelta(days=recent_days)
    tails = _recent_tails(step_table, events, conversion, since)
    consent, contacts = _choices(events, workbook, since)
    who = tails.left_join(consent, "customer").select(tails, consent.consent)
    who = who.left_join(contacts, "customer").select(who, contacts.contacts)
    yes = who.consent.fill_null(False)
    under = who.contacts.fill_null(0) + 1 <= limit
    counted = who.group_by(["previous", "last"]).aggregate(
        customers=who.count(),
        consenting=yes.sum(),
        eligible=(yes & under).sum(),
        over_limit=(yes & ~under).sum(),
    )
    segments = []
    for r in _rows(counted):
        path = tuple(tp for tp in (r["previous"], r["last"]) if tp is not None)
        offer = offer_after(path, workbook, conversion)
        if offer:
            segments.append(
                Segment(
                    path,
                    offer,
                    int(r["customers"]),
                    int(r["consenting"] or 0),
                    int(r["eligible"] or 0),
                    int(r["over_limit"] or 0),
                )
            )
    segments.sort(key=lambda s: (-s.eligible, -s.customers, s.path))
    return NextBest(_iso(as_of), recent_days, limit, segments)


def eligible_customers(
    events: ir.Table,
    step_table: ir.Table,
    workbook: Workbook,
    segment: Segment,
    conversion: str = "",
    recent_days: int = RECENT_DAYS,
) -> list[str]:
    """The customers of one segment who may receive its offer, sorted."""
    (row,) = _rows(events.aggregate(as_of=events.ts.max()))
    since = row["as_of"] - timedelta(days=recent_days)
    tails = _recent_tails(step_table, events, conversion, since)
    consent, contacts = _choices(events, workbook, since)
    who = tails.left_join(consent, "customer").select(tails, consent.consent)
    who = who.left_join(contacts, "customer").select(who, contacts.contacts)
    previous = segment.path[0] if len(segment.path) == 2 else None
    match = (who.last == segment.path[-1]) & (
        who.previous.isnull() if previous is None else (who.previous == previous)
    )
    chosen = who.filter(
        match
        & who.consent.fill_null(False)
        & (who.contacts.fill_null(0) + 1 <= contact_limit(workbook))
    )
    return sorted(r["customer"] for r in _rows(chosen.select("customer")))


# --- coverage: the inventory against the events ----------------------------------------


@dataclass(frozen=True)
class UnmappedGroup:
    event: str
    page: str
    events: int
    customers: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Coverage:
    unreached: list[str] = field(default_factory=list)  # digital touchpoints no event reaches
    unmapped: list[UnmappedGroup] = field(default_factory=list)  # heavy events no rule maps


def coverage(events: ir.Table, workbook: Workbook, top: int = TOP_UNMAPPED) -> Coverage:
    """Dead links in the map, and the event paths the inventory lacks."""
    reached = {
        r["touchpoint"]
        for r in _rows(events.filter(events.touchpoint.notnull()).select("touchpoint").distinct())
    }
    unreached = [
        tp.id for tp in workbook.touchpoints if tp.kind == "digital" and tp.id not in reached
    ]
    loose = events.filter(events.touchpoint.isnull())
    grouped = loose.group_by(
        event=loose.event.fill_null(""), page=loose.page.fill_null("")
    ).aggregate(events=loose.count(), customers=loose.customer.nunique())
    groups = [
        UnmappedGroup(r["event"], r["page"], int(r["events"]), int(r["customers"]))
        for r in _rows(grouped.order_by([ibis.desc("events"), "event", "page"]).limit(top))
    ]
    return Coverage(unreached, groups)
