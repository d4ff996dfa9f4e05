"""No kernel left behind: every closed or reloaded page of the app shuts its kernel down."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.test_browser import TIMEOUT
from tpkit.servers import KEPT_KERNELS, REFILL_DELAY


def live_kernels(server_pid: int) -> int:
    """The kernel processes (ipykernel) under ``tpkit app``'s process, counted in /proc."""
    parents, kernels = {}, []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            parent = next(
                line for line in status.read_text().splitlines() if line.startswith("PPid:")
            )
            command = (status.parent / "cmdline").read_bytes()
        except (OSError, StopIteration):
            continue
        pid = int(status.parent.name)
        parents[pid] = int(parent.split()[1])
        if b"ipykernel" in command:
            kernels.append(pid)

    def under_server(pid: int) -> bool:
        while pid in parents and pid != server_pid:
            pid = parents[pid]
        return pid == server_pid

    return sum(under_server(kernel) for kernel in kernels)


def settle(server_pid: int, expected: int, seconds: float = 90) -> int:
    """The kernel count once it has stayed at ``expected`` for longer than it takes the
    app to replace a kept kernel that a page took (so a leaked kernel cannot pass for
    a kept one not yet replaced); the last count if it never did."""
    steady = REFILL_DELAY + 3
    deadline, since = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        count = live_kernels(server_pid)
        if count != expected:
            since = None
        elif since is None:
            since = time.monotonic()
        elif time.monotonic() - since > steady:
            return count
        time.sleep(0.5)
    return count


def test_pages_opened_reloaded_and_closed_leave_no_kernel(app_workbook, voila_server, browser):
    """The issue's case: a load, a reload, another tab; each closed page's kernel goes."""
    url, pid = voila_server
    before = settle(pid, KEPT_KERNELS)  # the kernels kept ready for the next pages
    assert before == KEPT_KERNELS
    context = browser.new_context()
    for number in range(2):
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
