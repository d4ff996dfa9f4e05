"""The diagnostic rules: each a small pure function from :class:`Evidence` to findings.

A rule looks for one thing the method teaches to watch for, and for each subject it
finds (a stage, a phase, an axis, the whole workbook) returns a :class:`Finding` with
its severity (1–5), the touchpoints and stages involved and the numbers behind it.
Thresholds come from ``evidence.thresholds`` (the workbook's own, else the defaults of
:mod:`tpkit.diagnostics.settings`). :data:`RULES` is the registry, in the order ties
are shown; its keys are the stable rule ids that actions and weights refer to.
Each rule's severity formula is in its docstring and, for readers, in the texts
``diagnostics.RULE.severity``.
"""

from __future__ import annotations

from collections.abc import Callable

from tpkit.diagnostics import facts, ipa
from tpkit.diagnostics.evidence import Evidence
from tpkit.diagnostics.findings import Finding, Item, severity
from tpkit.metrics import lowest_stage
from tpkit.model import Stage, Thresholds
from tpkit.survey.metrics import gaps

Rule = Callable[[Evidence], list[Finding]]


# --- shared pieces -----------------------------------------------------------------------


def poor_outcome(stage: Stage, thresholds: Thresholds) -> bool:
    """A stage ends badly: its KPI misses the target, or the customer feels low there."""
    return stage.emotion <= thresholds.low_emotion or (facts.kpi_shortfall(stage.kpi) or 0) > 0


def outcome_items(stage: Stage, thresholds: Thresholds) -> list[Item]:
    """The evidence of a stage's poor outcome: its feeling, its KPI against the target."""
    items = []
    if stage.emotion <= thresholds.low_emotion:
        items.append(Item("outcome_emotion", stage=stage.id, values={"emotion": stage.emotion}))
    if (facts.kpi_shortfall(stage.kpi) or 0) > 0 and stage.kpi is not None:
        values = {"kpi": stage.kpi.name, "value": stage.kpi.value, "target": stage.kpi.target}
        items.append(Item("outcome_kpi", stage=stage.id, values=values))
    return items


def _ids(records: list) -> tuple[str, ...]:
    return tuple(record.id for record in records)


# --- the rules ---------------------------------------------------------------------------


def post_purchase_neglect(e: Evidence) -> list[Finding]:
    """Few touchpoints after the purchase (count or share), or after-purchase stages
    without any. Severity = 1 + 4 × the share missing to the bar (of the share or of the
    count, whichever is larger) + 1 per after-purchase stage without a touchpoint + 1 per
    after-purchase stage with a poor outcome."""
    wb, th = e.workbook, e.thresholds
    total = len(wb.touchpoints)
    if not total:
        return []
    after = wb.touchpoints_in("after")
    share = 100 * len(after) / total
    empty = [s for s in facts.stages_without_touchpoints(wb) if s.phase == "after"]
    few = share < th.after_percent or len(after) < th.after_minimum
    if not (few or empty):
        return []
    missing = max(
        1 - share / th.after_percent if th.after_percent else 0.0,
        1 - len(after) / th.after_minimum if th.after_minimum else 0.0,
        0.0,
    )
    poor = [s for s in wb.stages if s.phase == "after" and s not in empty and poor_outcome(s, th)]
    items = [Item("empty_stage", stage=s.id) for s in empty]
    items += [item for s in poor for item in outcome_items(s, th)]
    return [
        Finding(
            "post_purchase_neglect",
            "after",
            severity(1 + 4 * missing + len(empty) + len(poor)),
            _ids(after),
            _ids(empty + poor),
            {
                "count": len(after),
                "total": total,
                "share": share,
                "bar": th.after_percent,
                "minimum": th.after_minimum,
            },
            tuple(items),
            variant="" if few else "stages",
        )
    ]


def over_contact(e: Evidence) -> list[Finding]:
    """Marketing contacts per customer and month above the limit (from each one's
    frequency): severity = 1 + 4 × (1 − limit ÷ contacts per month). One channel
    reaching out more often than allowed in a stage: severity = 1 + the excess."""
    wb, th = e.workbook, e.thresholds
    found = []
    load = facts.marketing_contacts_per_month(wb)
    per_month = sum(load.values())
    if per_month > th.contacts_per_month:
        pushed = sorted((tp for tp in load if load[tp] > 0), key=lambda tp: -load[tp])
        frequency = {tp.id: tp.frequency for tp in wb.touchpoints}
        found.append(
            Finding(
                "over_contact",
                "",
                severity(1 + 4 * (1 - th.contacts_per_month / per_month)),
                tuple(pushed),
                evidence={"per_month": per_month, "limit": th.contacts_per_month},
                items=tuple(
                    Item("contact", tp, values={"per_month": load[tp], "frequency": frequency[tp]})
                    for tp in pushed
                ),
                variant="load",
            )
        )
    for stage in wb.stages:
        crowded = {
            channel: ids
            for channel, ids in facts.repeated_channels(wb, stage).items()
            if len(ids) > th.same_channel
        }
        if not crowded:
            continue
        worst = max(len(ids) for ids in crowded.values())
        found.append(
            Finding(
                "over_contact",
                stage.id,
                severity(1 + worst - th.same_channel),
                tuple(tp for ids in crowded.values() for tp in ids),
                (stage.id,),
                {"stage": stage.id, "limit": th.same_channel},
                tuple(
                    Item("channel", values={"channel": channel, "count": len(ids), "ids": ids})
                    for channel, ids in crowded.items()
                ),
                variant="channel",
            )
        )
    return found


def consent(e: Evidence) -> list[Finding]:
    """Marketing contacts without consent or opt-out. Severity = 2 + their number: a
    legal duty, not a matter of taste."""
    lacking = facts.marketing_without_permission(e.workbook)
    if not lacking:
        return []
    items = tuple(Item(gap, tp.id) for tp, gap in lacking)
    touchpoints = tuple(tp.id for tp, _ in lacking)
    return [
        Finding(
            "consent",
            "",
            severity(2 + len(lacking)),
            touchpoints,
            (),
            {"count": len(lacking)},
            items,
        )
    ]


def no_owner(e: Evidence) -> list[Finding]:
    """Touchpoints nobody is responsible for. Severity = 1 + ½ × their number."""
    unowned = facts.touchpoints_without_owner(e.workbook)
    if not unowned:
        return []
    evidence = {"count": len(unowned), "total": len(e.workbook.touchpoints)}
    items = tuple(Item("name", tp.id) for tp in unowned)
    return [
        Finding("no_owner", "", severity(1 + len(unowned) / 2), _ids(unowned), (), evidence, items)
    ]


def handoffs(e: Evidence) -> list[Finding]:
    """A stage without an owner whose touchpoints belong to several owners: the customer
    is passed from one department to the next and nobody looks after the whole.
    Severity = owners + ½ per touchpoint without an owner + 1 if the stage ends badly."""
    wb, th = e.workbook, e.thresholds
    found = []
    for stage in wb.stages:
        owners = facts.owners_of(wb, stage)
        if stage.owner.strip() or len(owners) < th.owners_per_stage:
            continue
        touchpoints = facts.stage_touchpoints(wb, stage)
        unowned = [tp for tp in touchpoints if not tp.owner.strip()]
        poor = poor_outcome(stage, th)
        items = [
            Item("owned", tp.id, values={"owner": tp.owner.strip()})
            if tp.owner.strip()
            else Item("unowned", tp.id)
            for tp in touchpoints
        ]
        found.append(
            Finding(
                "handoffs",
                stage.id,
                severity(len(owners) + len(unowned) / 2 + (1 if poor else 0)),
                _ids(touchpoints),
                (stage.id,),
                {"stage": stage.id, "count": len(owners), "owners": ", ".join(owners)},
                tuple(items + outcome_items(stage, th)),
            )
        )
    return found


def does_well(e: Evidence, touchpoint: str) -> Item | None:
    """Whether a touchpoint does well, with the evidence: customers' CSAT where enough of
    them answered, else the team's quality; None when neither is known."""
    th = e.thresholds
    csat = e.customers.figure(touchpoint, "csat")
    if csat is not None and csat.n >= th.min_answers:
        key = "customers_well" if csat.score >= th.good_csat else "customers_not"
        return Item(key, touchpoint, values={"csat": csat.score, "n": csat.n})
    team = facts.quality(e.scores.get(touchpoint))
    if team is None:
        return None
    return Item(
        "team_well" if team >= th.good_quality else "team_not", touchpoint, values={"quality": team}
    )


def high_scores_yet_churn(e: Evidence) -> list[Finding]:
    """Every touchpoint of a stage does well (customers' CSAT ≥ good_csat, or the team's
    quality ≥ good_quality) while the stage's outcome is poor (KPI short of its target,
    or the feeling at or below low_emotion): the problem lies between the touchpoints.
    Severity = 2 + 1 if the feeling is low + 4 × the KPI's shortfall (at most 2)."""
    wb, th = e.workbook, e.thresholds
    found = []
    for stage in wb.stages:
        touchpoints = facts.stage_touchpoints(wb, stage)
        verdicts = [does_well(e, tp.id) for tp in touchpoints]
        judged = [item for item in verdicts if item is not None]
        if not judged or any(item.key.endswith("_not") for item in judged):
            continue
        if not poor_outcome(stage, th):
            continue
        shortfall = facts.kpi_shortfall(stage.kpi) or 0
        low = stage.emotion <= th.low_emotion
        unjudged = [
            Item("unjudged", tp.id)
            for tp, item in zip(touchpoints, verdicts, strict=True)
            if item is None
        ]
        found.append(
            Finding(
                "high_scores_yet_churn",
                stage.id,
                severity(2 + (1 if low else 0) + min(2.0, 4 * shortfall)),
                _ids(touchpoints),
                (stage.id,),
                {"stage": stage.id, "judged": len(judged), "count": len(touchpoints)},
                tuple(outcome_items(stage, th) + judged + unjudged),
            )
        )
    return found


def _axes(e: Evidence, touchpoint: str) -> tuple[str, float, float] | None:
    """(source, contact, process) of a touchpoint: customers' means where enough answered
    both questions, else the team's; None when neither has both."""
    th = e.thresholds
    contact, process = (e.customers.figure(touchpoint, m) for m in ("contact", "process"))
    if contact and process and min(contact.n, process.n) >= th.min_answers:
        return "customers", contact.mean, process.mean
    score = e.scores.get(touchpoint)
    if score is None or score.contact_quality is None or score.process_quality is None:
        return None
    return "team", score.contact_quality, score.process_quality


def contact_vs_process(e: Evidence) -> list[Finding]:
    """Per touchpoint, which axis to fix first: the lower of contact and process quality
    when they are at least axis_gap apart. One finding per axis, with its touchpoints.
    Severity = 1 + 4 × the share of judged touchpoints weaker on this axis × the mean
    difference ÷ 2 (at most 1)."""
    judged = {tp.id: axes for tp in e.workbook.touchpoints if (axes := _axes(e, tp.id))}
    found = []
    for axis in ("process", "contact"):
        weaker = [
            (tp, source, contact, process)
            for tp, (source, contact, process) in judged.items()
            if (contact - process if axis == "process" else process - contact)
            >= e.thresholds.axis_gap
        ]
        if not weaker:
            continue
        weaker.sort(key=lambda row: -abs(row[2] - row[3]))
        mean_gap = facts.mean(abs(c - p) for _, _, c, p in weaker) or 0.0
        share = len(weaker) / len(judged)
        found.append(
            Finding(
                "contact_vs_process",
                axis,
                severity(1 + 4 * share * min(1.0, mean_gap / 2)),
                tuple(row[0] for row in weaker),
                evidence={"count": len(weaker), "total": len(judged), "gap": mean_gap},
                items=tuple(
                    Item(source, tp, values={"contact": c, "process": p})
                    for tp, source, c, p in weaker
                ),
                variant=axis,
            )
        )
    return found


def importance_performance(e: Evidence) -> list[Finding]:
    """The IPA quadrants (:mod:`tpkit.diagnostics.ipa`). "Concentrate here": severity =
    1 + 2 × the largest distance from the cross-hairs. "Possible overkill": severity =
    1 + ½ × that distance (at most 2): effort that could move elsewhere."""
    analysis = ipa.analyse(e.workbook)
    if analysis is None:
        return []
    evidence = {
        "importance": analysis.importance,
        "performance": analysis.performance,
        **{q: len(analysis.members(q)) for q in ipa.QUADRANTS},
    }
    found = []
    for quadrant, slope, cap in (("concentrate_here", 2.0, 5.0), ("possible_overkill", 0.5, 2.0)):
        members = analysis.members(quadrant)
        if not members:
            continue
        found.append(
            Finding(
                "importance_performance",
                quadrant,
                severity(1 + slope * members[0].distance(analysis), cap),
                tuple(p.touchpoint for p in members),
                evidence={**evidence, "count": len(members)},
                items=tuple(
                    Item(
                        "point",
                        p.touchpoint,
                        values={"importance": p.importance, "performance": p.performance},
                    )
                    for p in members
                ),
                variant=quadrant,
            )
        )
    return found


def disagreement(e: Evidence) -> list[Finding]:
    """Touchpoints whose raters are spread points or more apart on a criterion: discuss
    before deciding. Severity = 1 + ½ per touchpoint + the widest split beyond the
    threshold (at most 3: a reason to talk, not a problem of the customer's)."""
    if len(e.workbook.participants()) < 2:
        return []
    order = {tp.id: i for i, tp in enumerate(e.workbook.touchpoints)}
    disputed = sorted(
        (
            s
            for s in facts.spreads(e.workbook).values()
            if s.points >= e.thresholds.spread and s.touchpoint in order
        ),
        key=lambda s: (-s.points, order[s.touchpoint]),
    )
    if not disputed:
        return []
    widest = disputed[0].points - e.thresholds.spread
    return [
        Finding(
            "disagreement",
            "",
            severity(1 + len(disputed) / 2 + widest, cap=3),
            tuple(s.touchpoint for s in disputed),
            evidence={"count": len(disputed), "spread": e.thresholds.spread},
            items=tuple(
                Item(
                    "split",
                    s.touchpoint,
                    values={"criterion": s.criterion, "low": s.low, "high": s.high},
                )
                for s in disputed
            ),
        )
    ]


def team_vs_customers(e: Evidence) -> list[Finding]:
    """The team rates a touchpoint's contact or process quality at least team_gap above
    what min_answers or more customers said, and above the customers' 95 % interval.
    Severity = 1 + 2 × the largest difference."""
    th = e.thresholds
    figures = [item for by_measure in e.customers.figures.values() for item in by_measure.values()]
    wider = []
    for gap in gaps(figures, e.workbook):
        customers = e.customers.figure(gap.touchpoint, gap.measure)
        if gap.team is None or customers is None or gap.n < th.min_answers:
            continue
        if gap.gap >= th.team_gap and gap.team > customers.mean_high:
            wider.append(gap)
    if not wider:
        return []
    wider.sort(key=lambda gap: -gap.gap)
    items = tuple(
        Item(
            gap.measure,
            gap.touchpoint,
            values={"team": gap.team, "customers": gap.customers, "n": gap.n},
        )
        for gap in wider
    )
    return [
        Finding(
            "team_vs_customers",
            "",
            severity(1 + 2 * wider[0].gap),
            tuple(dict.fromkeys(gap.touchpoint for gap in wider)),
            evidence={"count": len(wider), "gap": th.team_gap},
            items=items,
        )
    ]


def unbacked(e: Evidence) -> list[Finding]:
    """Journey content (a low point, pain points) with no customer answer behind it, and
    touchpoints with fewer than min_answers answers. Without any responses: severity =
    1.5 + ¼ per stage with such content; else 1 + ½ per unbacked stage + 2 × the share
    of thinly measured touchpoints (at most 3)."""
    wb, th, customers = e.workbook, e.thresholds, e.customers
    if not wb.touchpoints:
        return []
    telling = [s for s in wb.stages if s.pain_points or s.emotion < 0]
    if not customers.responses:
        items = tuple(Item("stage", stage=s.id) for s in telling)
        evidence = {"stages": len(telling), "minimum": th.min_answers}
        return [
            Finding(
                "unbacked",
                "",
                severity(1.5 + len(telling) / 4, cap=3),
                (),
                _ids(telling),
                evidence,
                items,
                variant="none",
            )
        ]
    silent = [
        s
        for s in telling
        if not any(customers.answers(tp.id) for tp in facts.stage_touchpoints(wb, s))
    ]
    thin = [tp for tp in wb.touchpoints if customers.answers(tp.id) < th.min_answers]
    if not silent and not thin:
        return []
    thin.sort(key=lambda tp: -customers.answers(tp.id))
    items = [Item("stage", stage=s.id) for s in silent]
    items += [Item("thin", tp.id, values={"n": customers.answers(tp.id)}) for tp in thin]
    return [
        Finding(
            "unbacked",
            "",
            severity(1 + len(silent) / 2 + 2 * len(thin) / len(wb.touchpoints), cap=3),
            _ids(thin),
            _ids(silent),
            {
                "stages": len(silent),
                "thin": len(thin),
                "total": len(wb.touchpoints),
                "minimum": th.min_answers,
            },
            tuple(items),
        )
    ]


def low_point(e: Evidence) -> list[Finding]:
    """The stage where the emotion curve is lowest, when it is at or below low_emotion.
    Severity = 1.5 × how far below zero + 1 if its KPI misses the target."""
    stage = lowest_stage(e.workbook)
    if stage is None or stage.emotion > e.thresholds.low_emotion:
        return []
    missed = (facts.kpi_shortfall(stage.kpi) or 0) > 0
    items = [Item("pain", stage=stage.id, values={"text": text}) for text in stage.pain_points]
    items += [item for item in outcome_items(stage, e.thresholds) if item.key == "outcome_kpi"]
    return [
        Finding(
            "low_point",
            stage.id,
            severity(1.5 * -stage.emotion + (1 if missed else 0)),
            _ids(facts.stage_touchpoints(e.workbook, stage)),
            (stage.id,),
            {"stage": stage.id, "emotion": stage.emotion},
            tuple(items),
        )
    ]


RULES: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        post_purchase_neglect,
        over_contact,
        consent,
        no_owner,
        handoffs,
        high_scores_yet_churn,
        contact_vs_process,
        importance_performance,
        disagreement,
        team_vs_customers,
        unbacked,
        low_point,
    )
}
