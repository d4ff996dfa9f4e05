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


def test_a_link_written_on_one_side_is_mirrored_on_the_other(workbook):
    from tpkit.fileformat import dumps, loads

    text = dumps(workbook).replace("  stages:\n  - discover\n", "", 1)  # only the stage side left
    mirrored = loads(text, "t.yaml")
    assert mirrored.touchpoint("website").stages == ["discover"]
    assert mirrored == workbook


def test_link_and_unlink_change_both_sides(workbook):
    workbook.link("newsletter", "discover")
    assert "discover" in workbook.touchpoint("newsletter").stages
    assert workbook.stage("discover").touchpoints == ["website", "newsletter"]
    workbook.link("website", "discover", linked=False)
    assert workbook.touchpoint("website").stages == []
    assert workbook.stage("discover").touchpoints == ["newsletter"]
    assert integrity_problems(workbook) == []


def test_removing_a_touchpoint_takes_its_ratings_and_links_along(workbook):
    workbook.remove_touchpoint("website")
    assert [tp.id for tp in workbook.touchpoints] == ["newsletter"]
    assert workbook.ratings == [] and workbook.stage("discover").touchpoints == []
    assert workbook.actions[0].touchpoint is None and workbook.actions[0].what
    assert integrity_problems(workbook) == []


def test_removing_a_stage_unlinks_its_touchpoints(workbook):
    workbook.remove_stage("discover")
    assert [s.id for s in workbook.stages] == ["stay"]
    assert workbook.touchpoint("website").stages == []
    assert integrity_problems(workbook) == []


def test_setting_all_links_of_a_record_at_once(workbook):
    workbook.set_stages_of("newsletter", ["discover", "stay"])
    assert workbook.stage("discover").touchpoints == ["website", "newsletter"]
    workbook.set_touchpoints_of("discover", ["newsletter"])
    assert workbook.touchpoint("website").stages == []
    assert workbook.touchpoint("newsletter").stages == ["discover", "stay"]
    assert integrity_problems(workbook) == []


def test_moving_a_stage_stays_within_the_journey(workbook):
    workbook.move_stage("discover", 1)
    assert [s.id for s in workbook.stages] == ["stay", "discover"]
    workbook.move_stage("discover", 5)
    assert [s.id for s in workbook.stages] == ["stay", "discover"]
    workbook.move_stage("discover", -9)
    assert [s.id for s in workbook.stages] == ["discover", "stay"]


def test_the_lowest_stage_is_the_first_with_the_lowest_emotion(workbook):
    from tpkit.metrics import lowest_stage

    assert lowest_stage(workbook).id == "stay"
    workbook.stages[0].emotion = -1
    assert lowest_stage(workbook).id == "discover"  # a tie goes to the earlier stage
    workbook.stages = []
    assert lowest_stage(workbook) is None
