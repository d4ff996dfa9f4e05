"""The diagnostics' thresholds and priority weights: the kit's defaults, and a workbook's own.

A workbook's ``diagnostics:`` block holds only what a team chose; every threshold it
leaves out takes the default here, so an improved default still reaches old files.
"""

from __future__ import annotations

from tpkit.model import Thresholds, Workbook

# Why each default is what it is.
DEFAULTS = Thresholds(
    after_percent=100 / 3,  # fewer than an even third of touchpoints after the purchase
    after_minimum=3,  # invoice, service and one reason to stay in touch, at the least
    contacts_per_month=4,  # about one marketing contact a week: available, not pushy
    same_channel=2,  # a third e-mail (SMS, letter …) in one stage is one too many
    owners_per_stage=2,  # two departments share a stage: someone must own the whole
    good_quality=4,  # "good" on the 1–5 scales, as the charts' traffic lights
    good_csat=90,  # the seeds' company: every touchpoint at 90 % or more, still losing customers
    low_emotion=-1,  # the customer feels bad here (−2 … +2)
    axis_gap=1,  # a whole point between contact and process quality decides which to fix
    spread=2,  # raters two points apart should talk first (charts.data.DISPUTED)
    team_gap=0.5,  # half a point above what customers say, and outside their 95 % interval
    min_answers=30,  # survey.metrics.MIN_SAMPLE: fewer answers are read with care
)


def thresholds(workbook: Workbook) -> Thresholds:
    """The thresholds in force for a workbook: its own where set, else the defaults."""
    chosen = workbook.diagnostics.thresholds.model_dump(exclude_none=True)
    return DEFAULTS.model_copy(update=chosen)
