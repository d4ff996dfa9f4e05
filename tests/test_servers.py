"""``tpkit app`` gives its address once the kernel it keeps ready has done its imports.

Voila is stood in for by a small Python process that plays the kept kernel's part
(touching the file named in TPKIT_READY_FILE, as ``ready_for_page`` does); the real
server is started this way by every browser test (``tests/e2e/conftest.py``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tpkit import servers


@pytest.fixture(autouse=True)
def _importable_tpkit(monkeypatch):
    """The stand-in imports tpkit from this checkout, as the real kernel does."""
    source = str(Path(servers.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", source)


def stand_in(ready_after: float | None, exit_after: float) -> list[str]:
    """A "server" that signals readiness after ``ready_after`` s (never if None)."""
    code = (
        "import time; from tpkit.servers import signal_ready\n"
        + (f"time.sleep({ready_after}); signal_ready()\n" if ready_after is not None else "")
        + f"time.sleep({exit_after}); print('server stopped')\n"
    )
    return [sys.executable, "-c", code]


def serve(command: list[str]) -> tuple[int, list[float]]:
    """Runs serve_app; the moments (from the start) at which it gave the address."""
    start, given = time.monotonic(), []
    code = servers.serve_app(
        command,
        dict(os.environ),
        "http://127.0.0.1:1/",
        lambda url: given.append(time.monotonic() - start),
        browser=False,
    )
    return code, given


def test_the_address_is_given_when_the_kept_kernel_is_ready_not_before():
    code, given = serve(stand_in(ready_after=1.5, exit_after=0.5))
    assert code == 0 and len(given) == 1 and given[0] >= 1.5


def test_the_address_is_given_anyway_when_no_kernel_ever_says_ready(monkeypatch):
    monkeypatch.setattr(servers, "READY_WAIT", 1)
    code, given = serve(stand_in(ready_after=None, exit_after=2))
    assert code == 0 and len(given) == 1 and 1 <= given[0] < 2


def test_a_server_that_stops_at_once_gives_no_address_and_its_exit_code():
    code, given = serve([sys.executable, "-c", "raise SystemExit(3)"])
    assert code == 3 and given == []


def test_the_ready_file_is_removed_afterwards(monkeypatch, tmp_path):
    monkeypatch.setattr(servers.tempfile, "tempdir", str(tmp_path))
    serve(stand_in(ready_after=0, exit_after=0))
    assert not list(tmp_path.iterdir())


def test_the_first_free_port_skips_one_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert servers.first_free_port(port) > port


def test_signal_ready_touches_the_named_file_and_elsewhere_does_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv(servers.READY_FILE, str(tmp_path / "ready"))
    servers.signal_ready()
    assert (tmp_path / "ready").exists()
    monkeypatch.delenv(servers.READY_FILE)
    servers.signal_ready()  # JupyterLab, papermill: no file to touch, no error


def test_tpkit_app_terminated_stops_its_server_too(tmp_path):
    """A terminated ``tpkit app`` left Voila and its kernels running with no parent."""
    pid_file = tmp_path / "server.pid"
    server = (
        "import os, pathlib, time; "
        f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); time.sleep(60)"
    )
    runner = (
        "import os, sys; from tpkit import servers; "
        f"sys.exit(servers.serve_app([sys.executable, '-c', {server!r}], dict(os.environ), "
        "'http://127.0.0.1:1/', print, browser=False))"
    )
    app = subprocess.Popen([sys.executable, "-c", runner])
    deadline = time.monotonic() + 30
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    server_pid = int(pid_file.read_text())
    app.terminate()
    assert app.wait(timeout=30) != 0
    deadline = time.monotonic() + 10
    while Path(f"/proc/{server_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{server_pid}").exists(), "the server outlived tpkit app"


def test_the_app_and_lab_take_a_dropped_export_in_one_message():
    """Tornado's 10 MiB default closed the page's connection on a bigger export."""
    from tpkit.forms.dropzone import MAX_MESSAGE_BYTES, MAX_UPLOAD_BYTES

    assert MAX_MESSAGE_BYTES > MAX_UPLOAD_BYTES
    for command, option in (
        (servers.app_command(), "--Voila.tornado_settings="),
        (servers.lab_command(), "--ServerApp.tornado_settings="),
    ):
        (setting,) = [part for part in command if part.startswith(option)]
        assert json.loads(setting.removeprefix(option)) == {
            "websocket_max_message_size": MAX_MESSAGE_BYTES
        }
