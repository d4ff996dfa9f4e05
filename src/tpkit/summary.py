"""A workbook in a few readable lines of text: what the CLI prints and tests read."""

from __future__ import annotations

from tpkit.i18n import label, t
from tpkit.metrics import incomplete_ratings, incomplete_text, lowest_stage, team_scores
from tpkit.model import PHASES, Workbook


def describe(workbook: Workbook, language: str | None = None) -> str:
    lines = [*_overview(workbook, language), ""]
    lines += _inventory(workbook, language)
    return "\n".join(lines)


def _overview(wb: Workbook, language: str | None) -> list[str]:
    meta = wb.meta

    def tr(key: str, **values: object) -> str:
        return t(key, language, **values)

    lines = [
        tr("summary.title", team=meta.team),
        tr(
            "summary.company_line",
            company=meta.company or "–",
            industry=label("industry", meta.industry, language),
            language_name=label("language", meta.language, language),
        ),
        tr("summary.touchpoints", count=len(wb.touchpoints)),
    ]
    lines += [
        "  "
        + tr(
            "summary.per_phase",
            phase=label("phase", phase, language),
            count=len(wb.touchpoints_in(phase)),
        )
        for phase in PHASES
    ]
    if wb.ratings:
        lines.append(
            tr("summary.ratings", count=len(wb.ratings), participants=len(wb.participants()))
        )
        if incomplete_ratings(wb):
            lines.append("  " + incomplete_text(incomplete_ratings(wb), language))
    else:
        lines.append(tr("summary.no_ratings"))
    if wb.stages:
        persona = wb.persona.name if wb.persona else "–"
        lines.append(tr("summary.journey", count=len(wb.stages), persona=persona))
        lowest = lowest_stage(wb)
        lines.append(
            "  " + tr("summary.low_point", stage=lowest.name, emotion=f"{lowest.emotion:+d}")
        )
    else:
        lines.append(tr("summary.no_journey"))
    still_open = sum(action.status in ("open", "in_progress") for action in wb.actions)
    lines.append(tr("summary.actions", count=len(wb.actions), open=still_open))
    return lines


def _inventory(wb: Workbook, language: str | None) -> list[str]:
    scores = team_scores(wb)
    missing = t("summary.not_rated", language)
    lines = []
    for phase in PHASES:
        touchpoints = wb.touchpoints_in(phase)
        if not touchpoints:
            continue
        lines.append(label("phase", phase, language).upper())
        lines.append(
            "  "
            + t(
                "summary.table_row",
                language,
                name=t("field.name", language),
                kind=t("field.kind", language),
                owner=t("field.owner", language),
                contact=t("summary.contact_short", language),
                process=t("summary.process_short", language),
            )
        )
        for tp in touchpoints:
            score = scores.get(tp.id)
            lines.append(
                "  "
                + t(
                    "summary.table_row",
                    language,
                    name=_clip(tp.name, 34),
                    kind=_clip(label("kind", tp.kind, language), 12),
                    owner=_clip(tp.owner or "–", 18),
                    contact=_score(score and score.contact_quality, missing),
                    process=_score(score and score.process_quality, missing),
                )
            )
        lines.append("")
    return lines


def _score(value: float | None, missing: str) -> str:
    return missing if value is None else f"{value:.1f}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
