"""The workbook store: atomic, lossless under concurrency, and quiet when nothing changed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tpkit import store
from tpkit.errors import TpkitError, WorkbookInvalid
from tpkit.fileformat import dumps
from tpkit.model import Rating, Touchpoint

from .conftest import small_workbook

PYTHON = sys.executable


def test_create_then_read_gives_the_same_workbook(workbook_file, workbook):
    saved = store.read(workbook_file)
    assert saved.meta.updated >= workbook.meta.updated
    saved.meta.updated = workbook.meta.updated
    assert saved == workbook


def test_create_refuses_to_replace_a_file(workbook_file, workbook):
    with pytest.raises(TpkitError, match="already exists"):
        store.create(workbook_file, workbook)


def test_saving_unchanged_content_rewrites_nothing(workbook_file):
    before = workbook_file.stat()
    text = workbook_file.read_text()
    time.sleep(0.01)
    assert store.save(workbook_file, store.read(workbook_file)) is False
    assert store.update(workbook_file, lambda wb: None) is not None
    after = workbook_file.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert workbook_file.read_text() == text


def test_hand_formatting_survives_a_save_without_changes(workbook_file):
    hand_written = "# our own notes on top\n" + workbook_file.read_text().replace(
        "  - discover", "  - 'discover'"
    )
    workbook_file.write_text(hand_written)
    assert store.save(workbook_file, store.read(workbook_file)) is False
    assert workbook_file.read_text() == hand_written


def test_a_change_is_saved_and_stamped(workbook_file):
    old = store.read(workbook_file)
    store.update(workbook_file, lambda wb: setattr(wb.touchpoints[0], "name", "Web shop"))
    new = store.read(workbook_file)
    assert new.touchpoints[0].name == "Web shop"
    assert new.meta.updated >= old.meta.updated
    assert new.meta.created == old.meta.created


def test_renaming_a_touchpoint_keeps_every_link(workbook_file):
    store.update(workbook_file, lambda wb: setattr(wb.touchpoint("website"), "name", "Online shop"))
    wb = store.read(workbook_file)
    assert wb.touchpoint("website").name == "Online shop"
    assert [r.touchpoint for r in wb.ratings] == ["website", "website"]
    assert wb.stages[0].touchpoints == ["website"] and wb.actions[0].touchpoint == "website"


def test_a_change_that_breaks_a_link_is_refused_and_nothing_is_written(workbook_file):
    text = workbook_file.read_text()

    def dangling(wb):
        wb.ratings.append(
            Rating(
                touchpoint="nowhere",
                participant="Cy",
                contact_quality=3,
                process_quality=3,
                importance=3,
            )
        )

    with pytest.raises(WorkbookInvalid, match="'nowhere' is not the id of any touchpoint"):
        store.update(workbook_file, dangling)
    assert workbook_file.read_text() == text


def test_a_failed_write_leaves_the_old_file_and_no_litter(workbook_file, monkeypatch):
    text = workbook_file.read_text()

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.update(workbook_file, lambda wb: setattr(wb.meta, "team", "Changed"))
    assert workbook_file.read_text() == text
    assert sorted(p.name for p in workbook_file.parent.iterdir()) == [
        ".team.yaml.lock",
        "team.yaml",
    ]


def test_file_permissions_are_kept(workbook_file):
    workbook_file.chmod(0o640)
    store.update(workbook_file, lambda wb: setattr(wb.meta, "team", "Changed"))
    assert workbook_file.stat().st_mode & 0o777 == 0o640


def test_reading_a_missing_file_or_a_folder_says_so(tmp_path):
    with pytest.raises(TpkitError, match="does not exist"):
        store.read(tmp_path / "nope.yaml")
    with pytest.raises(TpkitError, match="is a folder"):
        store.read(tmp_path)


def test_set_rating_replaces_the_participants_earlier_rating(workbook):
    workbook.set_rating(
        Rating(
            touchpoint="website",
            participant="Ana",
            contact_quality=1,
            process_quality=1,
            importance=1,
        )
    )
    ana = [r for r in workbook.ratings if r.participant == "Ana"]
    assert len(ana) == 1 and ana[0].contact_quality == 1


# --- several processes at once -------------------------------------------------------------

_WRITER = """
import sys
from tpkit.model import Touchpoint
from tpkit.store import update
path, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    update(path, lambda wb: wb.touchpoints.append(
        Touchpoint(id=f"w{writer}-{i}", name=f"Writer {writer} #{i}", phase="after")))
"""


@pytest.mark.slow
def test_six_processes_times_twenty_updates_lose_nothing(tmp_path):
    path = store.create(tmp_path / "shared.yaml", small_workbook())
    writers = [subprocess.Popen([PYTHON, "-c", _WRITER, str(path), str(n), "20"]) for n in range(6)]
    assert [w.wait(timeout=300) for w in writers] == [0] * 6
    ids = {tp.id for tp in store.read(path).touchpoints}
    expected = {f"w{n}-{i}" for n in range(6) for i in range(20)}
    assert expected <= ids
    assert len(ids) == 120 + len(small_workbook().touchpoints)


# Writes pre-rendered files back to back, so that a kill lands inside a write (not in
# parsing or rendering) most of the time: an in-place writer fails this test at once.
_SAVER = """
import sys
from pathlib import Path
from tpkit.store import write_atomic
path, a, b = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
contents = [a.read_bytes(), b.read_bytes()]
print("ready", flush=True)
i = 0
while True:
    write_atomic(path, contents[i % 2])
    i += 1
"""


def _big_workbook(marker: str):
    wb = small_workbook()
    wb.meta.team = marker
    wb.touchpoints += [
        Touchpoint(
            id=f"{marker.lower()}-{i}",
            name=f"{marker} {i}",
            phase="during",
            notes=("long note " * 40).strip(),
        )
        for i in range(300)
    ]
    return wb


@pytest.mark.slow
def test_a_writer_killed_at_random_moments_never_leaves_a_broken_file(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    store.create(a, _big_workbook("Alpha"))
    store.create(b, _big_workbook("Beta"))
    target = tmp_path / "target.yaml"
    store.create(target, _big_workbook("Alpha"))
    rng = random.Random(20261122)
    teams = set()
    for _ in range(40):
        saver = subprocess.Popen(
            [PYTHON, "-c", _SAVER, str(target), str(a), str(b)], stdout=subprocess.PIPE, text=True
        )
        assert saver.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.05))
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        workbook = store.read(target)  # raises if the file were broken
        assert len(workbook.touchpoints) == 302
        teams.add(workbook.meta.team)
    assert teams <= {"Alpha", "Beta"}
    leftovers = [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    assert all(p.name.startswith(".target.yaml.") for p in leftovers)
    store.update(target, _rename_team)  # the next save of that file cleans up
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def _rename_team(workbook) -> None:
    workbook.meta.team += " (saved again)"


def test_only_temporaries_of_gone_writers_or_old_ones_are_removed(tmp_path):
    target = store.create(tmp_path / "team.yaml", small_workbook())
    gone = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead = tmp_path / f".team.yaml.{int(gone.stdout)}.abc.tmp"
    alive = tmp_path / f".team.yaml.{os.getppid()}.def.tmp"  # a live writer, mid-save
    mine = tmp_path / f".team.yaml.{os.getpid()}.ghi.tmp"
    unnamed_old, unnamed_new = tmp_path / ".team.yaml.jkl.tmp", tmp_path / ".team.yaml.mno.tmp"
    other = tmp_path / f".other.yaml.{int(gone.stdout)}.pqr.tmp"
    for file in (dead, alive, mine, unnamed_old, unnamed_new, other):
        file.write_text("half a save")
    old = time.time() - store.STALE_TEMPORARY_SECONDS - 1
    os.utime(unnamed_old, (old, old))
    store.update(target, _rename_team)
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == sorted(
        p.name for p in (alive, mine, unnamed_new, other)
    )


def test_the_written_text_is_exactly_the_canonical_dump(workbook_file):
    assert workbook_file.read_text(encoding="utf-8") == dumps(store.read(workbook_file))


def test_paths_may_be_strings_or_paths(workbook_file):
    assert store.read(str(workbook_file)) == store.read(Path(workbook_file))


def test_a_change_by_another_writer_is_always_seen(workbook_file):
    """Reads are served from the last parse only when the file's bytes are the same."""
    first = store.read(workbook_file)
    text = workbook_file.read_text().replace("team: Test team", "team: Edited by hand")
    workbook_file.write_text(text)  # same size class, another writer, no lock
    assert store.read(workbook_file).meta.team == "Edited by hand"
    assert first.meta.team == "Test team"


def test_reads_return_independent_copies(workbook_file):
    one, two = store.read(workbook_file), store.read(workbook_file)
    one.touchpoints[0].name = "Changed in memory"
    assert two.touchpoints[0].name == "Website"
    assert store.read(workbook_file).touchpoints[0].name == "Website"
