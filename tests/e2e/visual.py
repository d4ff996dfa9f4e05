"""What changed on a screen since the screenshot kept in ``docs/screens/``.

The browser tests shoot every tab; each shot is compared with the one the README
shows, and the share of changed pixels goes into ``test-artifacts/screens/changes.txt``
with a picture of where (the new shot greyed, the changed pixels red). A reviewer
looks at those when a change moves something; the test does not fail on a change (the
save time in the header alone differs on every run), only the reviewer decides.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops

TOLERANCE = 24  # a pixel changed when a channel moved more than this (anti-aliasing stays)
CHANGED = (220, 30, 30)


def compare(new: Path, old: Path, diff: Path) -> float | None:
    """Share of ``new``'s pixels that differ from ``old`` (None: nothing to compare
    with); writes ``diff`` when any differ. Shots of different sizes are compared on
    the larger canvas, so added or removed height counts as changed."""
    if not old.is_file():
        return None
    fresh, kept = (Image.open(path).convert("RGB") for path in (new, old))
    size = (max(fresh.width, kept.width), max(fresh.height, kept.height))
    fresh, kept = (_on_canvas(image, size) for image in (fresh, kept))
    delta = ImageChops.difference(fresh, kept).convert("L")
    mask = delta.point(lambda value: 255 if value > TOLERANCE else 0)
    changed = sum(mask.histogram()[255:])
    if changed:
        shown = Image.blend(fresh, Image.new("RGB", size, "white"), 0.6)
        shown.paste(Image.new("RGB", size, CHANGED), mask=mask)
        shown.save(diff)
    return changed / (size[0] * size[1])


def _on_canvas(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    canvas = Image.new("RGB", size, "white")
    canvas.paste(image)
    return canvas


def record(shot: Path, kept: Path) -> str:
    """Compares ``shot`` with ``kept`` and notes the result in ``changes.txt`` beside it."""
    diff = shot.with_name(f"diff-{shot.name}")
    share = compare(shot, kept, diff)
    if share is None:
        line = f"{shot.stem}: new screen (nothing in docs/screens/ to compare with)"
    elif share == 0:
        line = f"{shot.stem}: unchanged"
    else:
        line = f"{shot.stem}: {share:.1%} of the pixels changed, see {diff.name}"
    with open(shot.with_name("changes.txt"), "a", encoding="utf-8") as notes:
        notes.write(line + "\n")
    return line
