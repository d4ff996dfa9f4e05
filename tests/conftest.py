"""Shared fixtures: a small valid workbook built in code, and paths to the samples."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tpkit.i18n import set_language
from tpkit.model import Action, Meta, Persona, Rating, Stage, Touchpoint, Workbook


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run last. Playwright's sync API keeps an asyncio loop running in
    the main thread for the rest of the session (its browser is session-wide), and the
    forms' debounced saver takes a running loop for a kernel's: run before them, the
    other tests see no loop, as in a plain Python process."""
    items.sort(key=lambda item: "e2e" in item.nodeid.split("/")[:2])


ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CORPUS = Path(__file__).resolve().parent / "corpus"
WHEN = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english_messages():
    """Messages in English unless a test asks otherwise, whatever the machine's locale."""
    set_language("en")
    yield
    set_language("en")


def small_workbook() -> Workbook:
    """Every kind of record, linked both ways: enough to exercise every rule."""
    return Workbook(
        meta=Meta(
            team="Test team",
            company="Test SA",
            industry="retail_ecommerce",
            created=WHEN,
            updated=WHEN,
        ),
        persona=Persona(name="Shawna", description="Busy, online", goals=["good skin"]),
        touchpoints=[
            Touchpoint(
                id="website",
                name="Website",
                phase="before",
                stages=["discover"],
                channel="website",
                kind="digital",
                owner="Marketing",
            ),
            Touchpoint(
                id="newsletter",
                name="Newsletter",
                phase="after",
                channel="email",
                marketing_contact=True,
                consent=True,
                frequency="weekly",
            ),
        ],
        stages=[
            Stage(
                id="discover",
                name="Discover",
                phase="before",
                touchpoints=["website"],
                emotion=1,
                pain_points=["too many choices"],
            ),
            Stage(id="stay", name="Stay", phase="after", touchpoints=["newsletter"], emotion=-1),
        ],
        ratings=[
            Rating(
                touchpoint="website",
                participant="Ana",
                contact_quality=4,
                process_quality=2,
                importance=5,
                rated_at=WHEN,
            ),
            Rating(
                touchpoint="website",
                participant="Ben",
                contact_quality=2,
                process_quality=3,
                importance=4,
                rated_at=WHEN,
            ),
        ],
        actions=[
            Action(
                id="faster-site",
                what="Make the site faster",
                touchpoint="website",
                due=date(2027, 1, 31),
            )
        ],
    )


@pytest.fixture
def workbook() -> Workbook:
    return small_workbook()


@pytest.fixture
def workbook_file(tmp_path: Path) -> Path:
    from tpkit.store import create

    return create(tmp_path / "team.yaml", small_workbook())


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A workbook folder of the test's own; kernels it starts inherit the setting."""
    target = tmp_path / "workbook"
    target.mkdir()
    monkeypatch.setenv("TPKIT_WORKBOOK_DIR", str(target))
    return target
