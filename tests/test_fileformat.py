"""The YAML file format: bad input gets one clear line, good input round-trips exactly."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpkit import fileformat
from tpkit.errors import WorkbookInvalid
from tpkit.fileformat import dumps, loads
from tpkit.model import (
    CHANNELS,
    FREQUENCIES,
    KINDS,
    PHASES,
    Kpi,
    Meta,
    Persona,
    Rating,
    Stage,
    Touchpoint,
    Workbook,
)
from tpkit.store import read

from .conftest import CORPUS

BAD = CORPUS / "bad"
V1 = CORPUS.parent / "fixtures" / "schema_v1"  # the samples as version 1 shipped them
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def test_every_corpus_file_has_an_expected_message():
    assert sorted(EXPECTED) == sorted(
        p.name for p in BAD.glob("*.yaml") if p.name != "expected.yaml"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_gets_its_one_line_message(name, monkeypatch):
    monkeypatch.chdir(BAD)
    with pytest.raises(WorkbookInvalid) as caught:
        read(name)
    assert caught.value.message() == EXPECTED[name]


def test_the_issue_example_reads_as_promised(tmp_path, workbook):
    text = dumps(workbook).replace("phase: after", "phase: durante", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "phase: durante" in row)
    with pytest.raises(WorkbookInvalid) as caught:
        loads(text, "workbook/x.yaml")
    assert caught.value.message() == (
        f"workbook/x.yaml line {line}: touchpoints[1].phase 'durante' is not one of: "
        "before, during, after"
    )


def test_several_problems_are_reported_together():
    text = dumps(Workbook(meta=Meta(team="T"))) + (
        "touchpoints:\n- id: a\n  name: A\n  phase: nope\n- id: b\n  phase: before\n"
    )
    with pytest.raises(WorkbookInvalid) as caught:
        loads(text, "t.yaml")
    lines = caught.value.message().splitlines()
    assert len(lines) == 2
    assert "touchpoints[0].phase 'nope'" in lines[0]
    assert "touchpoints[1].name is required" in lines[1]


def test_yaml_tags_that_run_code_are_refused():
    text = "schema_version: 1\nmeta: !!python/object/apply:os.system ['echo hacked']\n"
    with pytest.raises(WorkbookInvalid, match="not valid YAML"):
        loads(text, "evil.yaml")


def test_a_byte_order_mark_is_accepted(workbook):
    raw = b"\xef\xbb\xbf" + dumps(workbook).encode()
    assert loads(fileformat.decode(raw, "bom.yaml"), "bom.yaml") == workbook


def test_hand_written_dates_are_read_as_utc():
    text = (
        "schema_version: 1\nmeta:\n  team: T\n  created: 2026-11-01\n"
        "  updated: 2026-11-01 10:00:00\n"
    )
    meta = loads(text, "t.yaml").meta
    assert meta.created == datetime(2026, 11, 1, tzinfo=UTC)
    assert meta.updated == datetime(2026, 11, 1, 10, tzinfo=UTC)


def test_older_schema_versions_are_migrated(monkeypatch, workbook):
    """The migration path: a version-0 file whose teams were called 'name'."""

    def rename_team(document):
        document["meta"]["team"] = document["meta"].pop("name")
        return document

    monkeypatch.setitem(fileformat.MIGRATIONS, 0, rename_team)
    text = dumps(workbook).replace("schema_version: 2", "schema_version: 0")
    text = text.replace("  team: Test team", "  name: Test team")
    monkeypatch.setattr(fileformat, "_schema_version_problem", lambda version: None)
    assert loads(text, "old.yaml") == workbook  # 0 → 1 (the rename) → 2


@pytest.mark.parametrize("name", ["shawna", "ticino"])
def test_a_version_1_file_upgrades_and_saves_as_version_2_without_loss(name):
    """The version-1 samples as they were shipped: every value survives, and the file
    written back differs in its version line only (nothing is guessed for new fields)."""
    text = (V1 / f"{name}.yaml").read_text(encoding="utf-8")
    workbook = loads(text, f"{name}.yaml")
    assert workbook.schema_version == 2
    assert dumps(workbook) == text.replace("schema_version: 1\n", "schema_version: 2\n", 1)
    old = yaml.safe_load(text)
    assert [s.get("kpi") for s in old["stages"]] == [
        s.kpi.model_dump(exclude_none=True) if s.kpi else None for s in workbook.stages
    ]
    assert all(a.finding is None and a.start is None for a in workbook.actions)


def test_a_kpi_target_needs_a_direction_and_the_message_says_where():
    text = dumps(Workbook(meta=Meta(team="T"))) + (
        "stages:\n- id: s\n  name: S\n  phase: after\n  kpi:\n"
        "    name: Days to invoice\n    value: 48\n    target: 10\n"
    )
    with pytest.raises(WorkbookInvalid) as caught:
        loads(text, "t.yaml")
    line = text.splitlines().index("  kpi:") + 1
    assert caught.value.message() == (
        f"t.yaml line {line}: stages[0].kpi.better is missing: the KPI has a target, so say which "
        "way is better with 'better: higher' or 'better: lower'"
    )
    fixed = loads(text + "    better: lower\n", "t.yaml").stages[0].kpi
    assert (fixed.value, fixed.target, fixed.better) == (48, 10, "lower")


def test_diagnostics_settings_are_checked_and_only_what_was_set_is_written():
    base = dumps(Workbook(meta=Meta(team="T")))
    assert "diagnostics" not in base  # nothing set, nothing written
    text = base + "diagnostics:\n  thresholds:\n    after_percent: 25\n  weights:\n    consent: 2\n"
    workbook = loads(text, "t.yaml")
    assert workbook.diagnostics.thresholds.after_percent == 25
    assert workbook.diagnostics.weights == {"consent": 2}
    assert dumps(workbook) == text
    with pytest.raises(WorkbookInvalid) as caught:
        loads(text.replace("consent: 2", "consnet: 2").replace(": 25\n", ": 250\n"), "t.yaml")
    lines = caught.value.message().splitlines()
    assert "diagnostics.thresholds.after_percent 250 is too large" in lines[0]
    assert "'consnet' is not one of: post_purchase_neglect, over_contact" in lines[1]


def test_an_action_names_the_finding_it_answers_and_when_it_started():
    text = dumps(Workbook(meta=Meta(team="T"))) + (
        "actions:\n- id: a\n  what: Name one owner\n  start: 2026-11-02\n"
        "  finding:\n    rule: handoffs\n    subject: onboarding\n"
    )
    action = loads(text, "t.yaml").actions[0]
    assert (action.start.isoformat(), action.finding.rule, action.finding.subject) == (
        "2026-11-02",
        "handoffs",
        "onboarding",
    )
    with pytest.raises(WorkbookInvalid, match=r"finding\.rule 'handof' is not one of"):
        loads(text.replace("rule: handoffs", "rule: handof"), "t.yaml")


def test_dump_is_stable_and_leaves_out_empty_fields(workbook):
    text = dumps(workbook)
    assert dumps(loads(text, "t.yaml")) == text
    assert "notes:" not in text and "aliases:" not in text and "consent: true" in text
    assert text.startswith("# Touchpoint Kit workbook.")


def test_multi_line_text_is_written_as_a_block(workbook):
    workbook.touchpoints[0].notes = "first line\nsecond line"
    text = dumps(workbook)
    assert "  notes: |-\n    first line\n    second line\n" in text


def test_zero_is_a_value_not_an_empty_field(workbook):
    workbook.stages[0].kpi = Kpi(name="Complaints", value=0)
    workbook.stages[0].emotion = 0
    text = dumps(workbook)
    assert "    value: 0\n" in text and "  emotion: 0\n" in text
    assert loads(text, "t.yaml").stages[0].kpi.value == 0


def test_equal_values_are_written_out_not_aliased(workbook):
    assert workbook.meta.created == workbook.meta.updated
    assert "&" not in dumps(workbook) and "*" not in dumps(workbook)


# --- property-based round trip -----------------------------------------------------------

# any text the model accepts: no control characters but tab and line feed (see test_hostile_files)
_letters = st.characters(
    exclude_categories=("Cs", "Cc"), include_characters="\t\n", exclude_characters="\ufffe\uffff"
)
_text = st.text(alphabet=_letters, max_size=40).map(str.strip)
_tricky = st.sampled_from(
    [
        "yes",
        "no",
        "null",
        "~",
        "1.5",
        "007",
        "2026-11-22",
        "- item",
        "# hash",
        "a: b",
        "'quoted'",
        '"dq"',
        "@at",
        "=SUM(A1)",
        "multi\nline",
        "tab\there",
        "ünïcødé ✓",
        "[x]",
    ]
)
_any_text = st.one_of(_text, _tricky)
_name = _any_text.filter(bool)
_ids = st.text(alphabet=string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=12)
_ids = _ids.filter(lambda s: s[0] not in "-_")
_moment = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)


@st.composite
def workbooks(draw):
    touchpoint_ids = draw(st.lists(_ids, unique=True, max_size=5))
    stage_ids = draw(st.lists(_ids, unique=True, max_size=3))
    touchpoints = [
        Touchpoint(
            id=tp_id,
            name=draw(_name),
            phase=draw(st.sampled_from(PHASES)),
            stages=draw(st.lists(st.sampled_from(stage_ids), max_size=2)) if stage_ids else [],
            channel=draw(st.sampled_from(CHANNELS)),
            kind=draw(st.sampled_from(KINDS)),
            owner=draw(_any_text),
            marketing_contact=draw(st.booleans()),
            consent=draw(st.booleans()),
            frequency=draw(st.sampled_from(FREQUENCIES)),
            aliases=draw(st.lists(_any_text, max_size=2)),
            notes=draw(_any_text),
        )
        for tp_id in touchpoint_ids
    ]
    stages = [
        Stage(
            id=s,
            name=draw(_name),
            phase=draw(st.sampled_from(PHASES)),
            touchpoints=draw(st.lists(st.sampled_from(touchpoint_ids), max_size=3))
            if touchpoint_ids
            else [],
            emotion=draw(st.integers(-2, 2)),
            thinking=draw(_any_text),
            pain_points=draw(st.lists(_any_text, max_size=2)),
        )
        for s in stage_ids
    ]
    participants = draw(st.lists(_name, unique=True, max_size=3))
    ratings = [
        Rating(
            touchpoint=tp,
            participant=p,
            contact_quality=draw(st.integers(1, 5)),
            process_quality=draw(st.integers(1, 5)),
            importance=draw(st.integers(1, 5)),
            problems=draw(_any_text),
            rated_at=draw(_moment),
        )
        for tp in touchpoint_ids
        for p in participants
    ]
    return Workbook(
        meta=Meta(
            team=draw(_name), company=draw(_any_text), created=draw(_moment), updated=draw(_moment)
        ),
        persona=draw(
            st.none() | st.builds(Persona, name=_name, goals=st.lists(_any_text, max_size=2))
        ),
        touchpoints=touchpoints,
        stages=stages,
        ratings=ratings,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_round_trip_loses_nothing(workbook):
    text = dumps(workbook)
    again = loads(text, "rt.yaml")
    assert again == workbook
    assert dumps(again) == text
