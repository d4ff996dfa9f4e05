"""The screenshot comparison the browser tests report with (tests/e2e/visual.py)."""

from __future__ import annotations

from PIL import Image

from tests.e2e.visual import CHANGED, compare, record


def shot(path, size=(10, 10), dots=()):
    image = Image.new("RGB", size, "white")
    for dot in dots:
        image.putpixel(dot, (0, 0, 0))
    image.save(path)
    return path


def test_a_changed_pixel_is_counted_and_shown_in_red(tmp_path):
    old, diff = shot(tmp_path / "old.png"), tmp_path / "diff.png"
    new = shot(tmp_path / "new.png", dots=[(3, 4)])
    assert compare(new, old, diff) == 1 / 100
    assert Image.open(diff).convert("RGB").getpixel((3, 4)) == CHANGED
    assert Image.open(diff).convert("RGB").getpixel((0, 0)) != CHANGED


def test_the_same_screen_is_unchanged_and_writes_no_picture(tmp_path):
    old, new = shot(tmp_path / "old.png", dots=[(1, 1)]), shot(tmp_path / "new.png", dots=[(1, 1)])
    assert compare(new, old, tmp_path / "diff.png") == 0
    assert not (tmp_path / "diff.png").exists()


def test_a_taller_screen_counts_its_new_part_as_changed(tmp_path):
    old = shot(tmp_path / "old.png", size=(10, 10))
    new = Image.new("RGB", (10, 20), "black")
    new.save(tmp_path / "new.png")
    assert compare(tmp_path / "new.png", old, tmp_path / "diff.png") == 1.0


def test_the_notes_say_what_changed_and_what_is_new(tmp_path):
    kept = shot(tmp_path / "kept.png")
    folder = tmp_path / "screens"
    folder.mkdir()
    assert "unchanged" in record(shot(folder / "same.png"), kept)
    assert "1.0% of the pixels" in record(shot(folder / "moved.png", dots=[(0, 0)]), kept)
    assert "new screen" in record(shot(folder / "fresh.png"), tmp_path / "none.png")
    assert len((folder / "changes.txt").read_text().splitlines()) == 3
