"""App figures: how soon ``tpkit app`` is usable, in Debian's Chromium.

Starts ``tpkit app --no-browser`` on a copy of the Shawna sample remembered as the
team's workbook, and measures what a participant waits for (targets of issue 9):

- ``tpkit app`` started → it prints its address (once the kernel it keeps ready has
  done its imports), and the whole wait from the command to the first form;
- the address printed → the first form usable (the inventory's name field): ≤ 5 s;
- a reload → the form usable again: ≤ 3 s;
- two participants at once, each types a score: the score in the file ≤ 1 s later.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/app.py [--runs N]``). Prints
medians over N fresh servers; nothing here asserts, the figures go in the notes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from foundation import print_figures  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, server_environment  # noqa: E402

from tpkit.forms.session import remember  # noqa: E402
from tpkit.i18n import t  # noqa: E402
from tpkit.samples import from_sample  # noqa: E402
from tpkit.store import create, read  # noqa: E402

FORM = ".tpkit-touchpoints-name input"
TIMEOUT = 120_000  # ms
TPKIT = Path(sys.executable).parent / "tpkit"


def _address_given(log: Path, line: str, process: subprocess.Popen, seconds=120) -> float:
    """Waits for ``tpkit app``'s "ready: open URL" line; the moment it appeared."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tpkit app exited with {process.returncode}; see {log}")
        if line in log.read_text(errors="replace"):
            return time.perf_counter()
        time.sleep(0.02)
    raise TimeoutError(f"no {line!r} in {log}")


def _usable(page) -> float:
    page.locator(FORM).wait_for(timeout=TIMEOUT)
    return time.perf_counter()


def _score_saved(page, path: Path, participant: str, score: str) -> float:
    """Seconds from leaving a typed score's field to the score being in the file."""
    page.get_by_role("tab", name=t("app.tab.rating", "en")).click()
    field = page.locator(".tpkit-participant input")
    field.fill(participant)
    field.press("Tab")
    touchpoint = read(path).touchpoints[0].id
    row = page.locator(f".tpkit-rating-{touchpoint}")
    row.wait_for(timeout=TIMEOUT)
    score_field = row.locator(".tpkit-score-contact_quality input")
    score_field.fill(score)
    start = time.perf_counter()
    score_field.press("Tab")
    deadline = start + 30
    while time.perf_counter() < deadline:
        if any(
            r.participant == participant
            and r.touchpoint == touchpoint
            and r.contact_quality == int(score)
            for r in read(path).ratings
        ):
            return time.perf_counter() - start
        time.sleep(0.01)
    raise TimeoutError(f"{participant}'s score never reached {path}")


def one_start(browser, folder: Path) -> dict[str, float]:
    """One fresh server: the three waits, in seconds."""
    workbooks = folder / "workbook"
    workbooks.mkdir(parents=True)
    path = create(workbooks / "glowbox.yaml", from_sample("shawna"))
    environment = server_environment(workbooks, folder / "home")
    _remembered(path, {"TPKIT_WORKBOOK_DIR": str(workbooks)})
    log = folder / "app.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [str(TPKIT), "app", "--no-browser", f"--port={port}"]
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
        try:
            printed = _address_given(log, t("cli.app.ready", "en", url=url), process)
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            first = context.new_page()
            first.goto(url, timeout=TIMEOUT)
            usable = _usable(first)
            before_reload = time.perf_counter()
            first.reload(timeout=TIMEOUT)
            reloaded = _usable(first) - before_reload
            second = context.new_page()
            second.goto(url, timeout=TIMEOUT)
            _usable(second)
            saves = [
                _score_saved(first, path, "Ana", "4"),
                _score_saved(second, path, "Ben", "2"),
            ]
            context.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {
        "start": printed - started,
        "first": usable - printed,
        "total": usable - started,
        "reload": reloaded,
        "save": max(saves),
    }


def _remembered(path: Path, environment: dict[str, str]) -> None:
    """The workbook remembered as after notebook 00, in the benchmark's own folder."""
    import os

    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        remember(path, "en")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers (default 3)")
    runs = parser.parse_args().runs
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as folder:
                results.append(one_start(browser, Path(folder)))
        browser.close()

    def median(name: str) -> str:
        values = [result[name] for result in results]
        return f"{statistics.median(values):.2f} s (of {', '.join(f'{v:.2f}' for v in values)})"

    print_figures(
        f"App figures (median of {runs} fresh servers, Shawna sample, Chromium)",
        {
            "tpkit app started → address printed": median("start"),
            "address printed → first form usable (target ≤ 5 s)": median("first"),
            "tpkit app started → first form usable": median("total"),
            "reload → form usable (target ≤ 3 s)": median("reload"),
            "two participants: typed score → in the file (target ≤ 1 s)": median("save"),
        },
    )


if __name__ == "__main__":
    main()
