"""The domain model: field rules, links by id, and the helpers forms will lean on."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tpkit.metrics import team_scores
from tpkit.model import (
    CONTACTS_PER_YEAR,
    FREQUENCIES,
    Action,
    Rating,
    Touchpoint,
    integrity_problems,
    new_id,
)


def test_scores_are_one_to_five_and_emotion_minus_two_to_two(workbook):
    with pytest.raises(ValidationError):
        Rating(
            touchpoint="website",
            participant="A",
            contact_quality=6,
            process_quality=3,
            importance=3,
        )
    with pytest.raises(ValidationError):
        workbook.stages[0].emotion = 3  # assignments are checked too (forms rely on it)


def test_text_is_trimmed_and_names_may_not_be_blank():
    assert Touchpoint(id="a", name="  Web  ", phase="before").name == "Web"
    with pytest.raises(ValidationError):
        Touchpoint(id="a", name="   ", phase="before")


def test_unknown_fields_are_refused_not_dropped():
    with pytest.raises(ValidationError, match="onwer"):
        Touchpoint(id="a", name="A", phase="before", onwer="Sales")


def test_new_ids_are_readable_unique_and_ascii():
    assert new_id("Site web & blog", []) == "site-web-blog"
    assert new_id("Fattura è pronta", ["fattura-e-pronta"]) == "fattura-e-pronta-2"
    assert new_id("!!!", []) == "item"


def test_a_valid_workbook_has_no_integrity_problems(workbook):
    assert integrity_problems(workbook) == []


def test_integrity_finds_every_broken_link_at_once(workbook):
    workbook.touchpoints[0].stages = ["nowhere"]
    workbook.stages[1].touchpoints = ["ghost"]
    workbook.actions.append(Action(id="faster-site", what="Again", stage="void"))
    keys = [(p.path, p.key) for p in integrity_problems(workbook)]
    assert keys == [
        (("actions", 1, "id"), "problem.duplicate_id"),
        (("touchpoints", 0, "stages", 0), "problem.no_stage"),
        (("stages", 1, "touchpoints", 0), "problem.no_touchpoint"),
        (("actions", 1, "stage"), "problem.no_stage"),
    ]


def test_lookups(workbook):
    assert workbook.touchpoint("newsletter").channel == "email"
    with pytest.raises(KeyError):
        workbook.touchpoint("nope")
    assert [tp.id for tp in workbook.touchpoints_in("after")] == ["newsletter"]
    assert workbook.participants() == ["Ana", "Ben"]


def test_every_frequency_has_a_yearly_count():
    assert set(CONTACTS_PER_YEAR) == set(FREQUENCIES)


def test_team_scores_give_means_and_spread(workbook):
    scores = team_scores(workbook)
    assert list(scores) == ["website"]
    website = scores["website"]
    assert (website.raters, website.contact_quality, website.process_quality) == (2, 3.0, 2.5)
    assert website.spread == 2
