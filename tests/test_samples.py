"""The bundled samples and the catalogue: valid, canonical, and rich enough to teach with."""

from __future__ import annotations

import pytest

from tpkit.catalogue import all_suggestions, suggestions
from tpkit.fileformat import dumps
from tpkit.i18n import t
from tpkit.metrics import team_scores
from tpkit.model import CHANNELS, CONTACTS_PER_YEAR, INDUSTRIES, KINDS, LANGUAGES, PHASES, Workbook
from tpkit.samples import SAMPLE_NAMES, from_sample, sample_path
from tpkit.store import read


@pytest.fixture(scope="module", params=SAMPLE_NAMES)
def sample(request) -> tuple[str, Workbook]:
    return request.param, read(sample_path(request.param))


def test_samples_are_in_canonical_form(sample):
    name, workbook = sample
    assert sample_path(name).read_text(encoding="utf-8") == dumps(workbook)


def test_samples_cover_all_three_phases_and_are_fully_rated(sample):
    _, wb = sample
    assert all(wb.touchpoints_in(phase) for phase in PHASES)
    assert len(wb.participants()) == 3
    assert set(team_scores(wb)) == {tp.id for tp in wb.touchpoints}
    assert wb.persona and wb.stages and wb.actions
    assert all(stage.touchpoints for stage in wb.stages)


def test_shawna_is_an_english_subscription_with_a_low_point_at_onboarding():
    wb = read(sample_path("shawna"))
    assert (wb.meta.language, wb.meta.industry, wb.persona.name) == (
        "en",
        "online_subscription",
        "Shawna",
    )
    assert 6 <= len(wb.stages) <= 7 and 18 <= len(wb.touchpoints) <= 24
    lowest = min(wb.stages, key=lambda s: s.emotion)
    assert lowest.emotion == -2 and "onboard" in (lowest.id + lowest.name).lower()
    assert wb.stages[0].emotion > lowest.emotion < wb.stages[-1].emotion
    disagreements = [s for s in team_scores(wb).values() if s.spread >= 3]
    assert len(disagreements) >= 3
    assert any(tp.marketing_contact and not (tp.consent and tp.opt_out) for tp in wb.touchpoints)
    assert any(not tp.owner for tp in wb.touchpoints)


def test_ticino_is_an_italian_installer_with_weak_processes_and_few_after_purchase():
    wb = read(sample_path("ticino"))
    assert (wb.meta.language, wb.meta.industry) == ("it", "electrical_installer")
    after = wb.touchpoints_in("after")
    assert len(after) <= min(len(wb.touchpoints_in(p)) for p in PHASES)
    assert len(after) / len(wb.touchpoints) < 1 / 3
    scores = team_scores(wb).values()
    assert any(s.contact_quality >= 4 and s.process_quality <= 2.5 for s in scores)


def test_a_sample_copy_gets_fresh_dates_and_the_asked_language():
    original = read(sample_path("shawna"))
    copy = from_sample("shawna", "de")
    assert copy.meta.language == "de" and copy.meta.created > original.meta.created
    assert copy.touchpoints == original.touchpoints


def test_catalogue_entries_use_the_models_values():
    entries = all_suggestions()
    assert len({s.key for s in entries}) == len(entries)
    for s in entries:
        assert s.phase in PHASES and s.channel in CHANNELS and s.kind in KINDS
        assert set(s.industries) <= {*INDUSTRIES, "all"}


@pytest.mark.parametrize("industry", [i for i in INDUSTRIES if i != "other"])
def test_every_industry_has_suggestions_in_every_phase(industry):
    for phase in PHASES:
        assert len(suggestions(industry, phase)) >= 3, (industry, phase)


def test_suggestions_are_translated_and_become_valid_touchpoints():
    for language in LANGUAGES:
        for s in all_suggestions():
            assert s.name(language) and s.hint(language)
    taken: list[str] = []
    for s in suggestions("bank"):
        touchpoint = s.to_touchpoint(taken, "fr")
        assert touchpoint.id not in taken
        taken.append(touchpoint.id)
    assert t("suggestion.website.name", "it")


@pytest.mark.parametrize("name", ["shawna", "ticino"])
def test_samples_give_kpi_targets_and_actions_that_answer_findings(name):
    """What the diagnostics and the action plan read: targets with their direction, and
    actions that name the finding they answer and when they started."""
    wb = read(sample_path(name))
    kpis = [stage.kpi for stage in wb.stages if stage.kpi and stage.kpi.target is not None]
    assert len(kpis) >= 5 and all(kpi.better in ("higher", "lower") for kpi in kpis)
    assert any(action.finding for action in wb.actions)
    assert any(action.start for action in wb.actions)


def test_saas_scores_high_everywhere_yet_the_journey_drops_between_hand_offs():
    """The seeds' company whose touchpoints all scored above 90 % and still lost customers."""
    wb = read(sample_path("saas"))
    assert (wb.meta.language, wb.meta.industry) == ("de", "saas")
    scores = team_scores(wb).values()
    assert all((s.contact_quality + s.process_quality) / 2 >= 4 for s in scores)
    lowest = min(wb.stages, key=lambda s: s.emotion)
    assert lowest.emotion == -2 and not lowest.owner
    chain = ["linkedin-anzeigen", "erstgespraech", "kickoff", "support-tickets"]
    owners = [wb.touchpoint(tp_id).owner for tp_id in chain]
    assert owners == ["Marketing", "Vertrieb", "Onboarding", "Support"]  # four departments
    hand_offs = [tp for tp in wb.touchpoints if tp.id.startswith("uebergabe")]
    assert len(hand_offs) == 2 and not any(tp.owner for tp in hand_offs)


def test_ecoshop_follows_the_seeds_chain_and_contacts_too_often_after_purchase():
    wb = read(sample_path("ecoshop"))
    assert (wb.meta.language, wb.meta.industry) == ("fr", "retail_ecommerce")
    chain = ["pub-instagram", "site-marchand", "suggestion-panier", "remerciement", "lettre-hebdo"]
    stage_of = {tp_id: i for i, stage in enumerate(wb.stages) for tp_id in stage.touchpoints}
    assert [stage_of[tp_id] for tp_id in chain] == sorted(stage_of[tp_id] for tp_id in chain)
    assert wb.touchpoint("lettre-hebdo").frequency == "weekly"
    after = wb.touchpoints_in("after")
    assert sum(CONTACTS_PER_YEAR[tp.frequency] for tp in after) > 365
    unconsented = [tp.id for tp in after if tp.marketing_contact and not tp.consent]
    assert "remerciement" in unconsented and "lettre-hebdo" in unconsented
    lowest = min(wb.stages, key=lambda s: s.emotion)
    assert lowest.phase == "after" and lowest.emotion == -2


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_tpkit_new_offers_every_sample(tmp_path, name):
    from tpkit.cli import main

    target = tmp_path / f"{name}.yaml"
    assert main(["new", str(target), "--sample", name]) == 0
    assert read(target).touchpoints == read(sample_path(name)).touchpoints
