"""App figures: how soon ``tpkit app`` is usable, in Debian's Chromium.

Starts ``tpkit app --no-browser`` on a copy of the Shawna sample remembered as the
team's workbook, and measures what a participant waits for (targets of issue 9):

- ``tpkit app`` started → it prints its address (once the kernel it keeps ready has
  done its imports), and the whole wait from the command to the first form;
- the address printed → the first form usable (the inventory's name field): ≤ 5 s;
- a reload → the form usable again: ≤ 3 s;
- two participants at once, each types a score: the score in the file ≤ 1 s later;
- with ``--day PAGES``, a workshop day in French (issue 15): pages opened, typed into
  and closed one after the other, one in five lost without a goodbye (a crashed
  browser); the kernels left and the memory of the app and its kernels every ten
  pages and once the lost pages' kernels are past the idle limit: it must stay flat.

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
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _app(folder: Path, language: str = "") -> Iterator[tuple[str, Path, float, float, int]]:
    """A fresh ``tpkit app`` on a copy of the Shawna sample (``--lang`` if ``language``):
    its address, the workbook, when it was started and gave its address, its process id."""
    workbooks = folder / "workbook"
    workbooks.mkdir(parents=True)
    path = create(workbooks / "glowbox.yaml", from_sample("shawna"))
    environment = server_environment(workbooks, folder / "home")
    _remembered(path, {"TPKIT_WORKBOOK_DIR": str(workbooks)})
    log = folder / "app.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [str(TPKIT), "app", "--no-browser", f"--port={port}"]
    command += [f"--lang={language}"] if language else []
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
        try:
            ready = t("cli.app.ready", language or "en", url=url)
            printed = _address_given(log, ready, process)
            yield url, path, started, printed, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def one_start(browser, folder: Path) -> dict[str, float]:
    """One fresh server: the three waits, in seconds."""
    with _app(folder) as (url, path, started, printed, _):
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
    return {
        "start": printed - started,
        "first": usable - printed,
        "total": usable - started,
        "reload": reloaded,
        "save": max(saves),
    }


def _tree(pid: int) -> tuple[int, float]:
    """The kernels under process ``pid`` and the memory (RSS, MB) of it and all below."""
    parents, memory, kernels = {}, {}, set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        number = int(status.parent.name)
        parents[number] = int(fields["PPid"])
        memory[number] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        if b"ipykernel" in command:
            kernels.add(number)
    below = {pid}
    grown = True
    while grown:
        more = {child for child, parent in parents.items() if parent in below} - below
        below |= more
        grown = bool(more)
    return len(below & kernels), sum(memory.get(number, 0) for number in below)


def workshop_day(browser, folder: Path, pages: int, language: str) -> list[tuple[str, int, float]]:
    """``pages`` participants' pages one after the other, each opened, typed into and
    closed, as over a workshop day; every fifth one is lost instead of closed (a
    crashed browser, a laptop shut: no goodbye to the server). Every tenth page, the
    kernels left and the memory of the app and its kernels once Voila has refilled its
    pool; at the end, again once the lost pages' kernels are past the idle limit."""
    from tpkit.servers import CULL_IDLE, REFILL_DELAY

    def settled(pid: int, seconds: float = REFILL_DELAY + 5) -> tuple[int, float]:
        time.sleep(seconds)
        return _tree(pid)

    with _app(folder, language) as (url, path, _, _, pid):
        figures = [("at the start", *settled(pid))]
        touchpoint = read(path).touchpoints[0].id
        for number in range(1, pages + 1):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(url, timeout=TIMEOUT)
            _usable(page)
            page.get_by_role("tab", name=t("app.tab.rating", language)).click()
            field = page.locator(".tpkit-participant input")
            field.fill(f"Participant {number}")
            field.press("Tab")
            comment = page.locator(f".tpkit-rating-{touchpoint} .tpkit-rating-strengths input")
            comment.fill(f"comment {number}")
            comment.press("Tab")
            page.wait_for_timeout(1500)  # saved (≤ 1 s), then the page goes
            if number % 5:
                page.close(run_before_unload=True)  # the tab closed: the page says goodbye
            context.close()
            if number % 10 == 0 or number == pages:
                lost = number // 5
                figures.append((f"after {number} pages ({lost} lost)", *settled(pid)))
        figures.append(
            (f"{CULL_IDLE // 60 + 1} min later", *settled(pid, CULL_IDLE + CULL_IDLE // 5 + 10))
        )
    return figures


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
    parser.add_argument(
        "--day", type=int, default=0, metavar="PAGES", help="also a workshop day of PAGES pages"
    )
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results, day = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for _ in range(options.runs):
            with tempfile.TemporaryDirectory() as folder:
                results.append(one_start(browser, Path(folder)))
        if options.day:
            with tempfile.TemporaryDirectory() as folder:
                day = workshop_day(browser, Path(folder), options.day, "fr")
        browser.close()

    def median(name: str) -> str:
        values = [result[name] for result in results]
        return f"{statistics.median(values):.2f} s (of {', '.join(f'{v:.2f}' for v in values)})"

    if results:
        print_figures(
            f"App figures (median of {options.runs} fresh servers, Shawna sample, Chromium)",
            {
                "tpkit app started → address printed": median("start"),
                "address printed → first form usable (target ≤ 5 s)": median("first"),
                "tpkit app started → first form usable": median("total"),
                "reload → form usable (target ≤ 3 s)": median("reload"),
                "two participants: typed score → in the file (target ≤ 1 s)": median("save"),
            },
        )
    if day:
        print_figures(
            f"A workshop day in French: {options.day} pages opened, typed into and closed",
            {
                moment: f"{kernels} kernels, {memory:.0f} MB (app and kernels)"
                for moment, kernels, memory in day
            },
        )


if __name__ == "__main__":
    main()
