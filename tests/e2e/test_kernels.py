"""No kernel left behind: every closed or reloaded page of the app shuts its kernel down."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.test_browser import TIMEOUT


def live_kernels(server_pid: int) -> int:
    """The Voila server's kernel processes (ipykernel children), counted in /proc."""
    count = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            parent = next(
                line for line in status.read_text().splitlines() if line.startswith("PPid:")
            )
            command = (status.parent / "cmdline").read_bytes()
        except (OSError, StopIteration):
            continue
        if int(parent.split()[1]) == server_pid and b"ipykernel" in command:
            count += 1
    return count


def settle(server_pid: int, expected: int, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    while (count := live_kernels(server_pid)) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return count


def test_pages_opened_reloaded_and_closed_leave_no_kernel(app_workbook, voila_server, browser):
    """The issue's case: one load, a reload, two more tabs; each closed page's kernel goes."""
    url, pid = voila_server
    before = live_kernels(pid)  # the server's readiness probe opened the app once, too
    context = browser.new_context()
    for number in range(3):
        page = context.new_page()
        page.goto(url, timeout=TIMEOUT)
        page.locator(".tpkit-touchpoints-name input").wait_for(timeout=TIMEOUT)
        if number == 0:  # a reload: the old page's kernel goes, the new page has one
            page.reload(timeout=TIMEOUT)
            page.locator(".tpkit-touchpoints-name input").wait_for(timeout=TIMEOUT)
            assert settle(pid, before + 1) == before + 1
        page.close(run_before_unload=True)
    context.close()
    assert settle(pid, before) == before, "closed pages left kernels running"
