"""The commands behind ``tpkit lab`` and ``tpkit app``: JupyterLab on the notebooks, and the
code-free app in Voila. Both listen on 127.0.0.1 only, and the kernels they start
find the teams' workbooks through TPKIT_WORKBOOK_DIR (the ``workbook/`` folder of
the directory the command was started in)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from tpkit.forms.dropzone import MAX_MESSAGE_BYTES
from tpkit.forms.session import workbook_folder
from tpkit.resources import bundled

HOST = "127.0.0.1"
CULL_IDLE = 300  # seconds a kernel without any page may stay idle (tpkit app)
KEPT_KERNELS = 2  # started ahead of the pages that will use them (tpkit app)
REFILL_DELAY = 5  # seconds after a page took a kept kernel before the next one starts
APP_PORT = 8866  # Voila's own default: the first free port from here
READY_FILE = "TPKIT_READY_FILE"  # where the app's kept kernel says it is ready
READY_WAIT = 60  # seconds: then the address is given anyway (a kernel that never got ready)


JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"  # Voila template, Lab settings


def environment(language: str | None = None) -> dict[str, str]:
    """The servers' environment; ``language`` (``--lang``) reaches the kernels as
    TPKIT_LANG, which wins over the language remembered from an earlier session."""
    folder = workbook_folder().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    search = os.pathsep.join(filter(None, [str(JUPYTER_DATA), os.environ.get("JUPYTER_PATH")]))
    chosen = {"TPKIT_LANG": language} if language else {}
    return {**os.environ, "TPKIT_WORKBOOK_DIR": str(folder), "JUPYTER_PATH": search, **chosen}


def notebooks_folder() -> Path:
    return bundled("notebooks")


# A dropped survey export reaches the kernel in one message: tornado's 10 MiB default
# would close the page's connection on a larger one, without a word.
LARGE_MESSAGES = f'{{"websocket_max_message_size": {MAX_MESSAGE_BYTES}}}'


def lab_command(
    port: int | None = None, browser: bool = True, root: Path | None = None
) -> list[str]:
    """JupyterLab on ``root`` (default: the guided notebooks)."""
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ip={HOST}",
        f"--ServerApp.root_dir={root or notebooks_folder()}",
        # no "fetch Jupyter news?" prompt (and no request for it) in front of a room
        f"--LabApp.app_settings_dir={JUPYTER_DATA / 'lab' / 'settings'}",
        # notebook 04's dropped export comes in one message, as in the app
        f"--ServerApp.tornado_settings={LARGE_MESSAGES}",
    ]
    if port:
        command.append(f"--port={port}")
    if not browser:
        command.append("--no-browser")
    return command


def app_command(port: int | None = None, browser: bool = True) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "voila",
        str(notebooks_folder() / "app.ipynb"),
        f"--Voila.ip={HOST}",
        "--template=tpkit",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # the page's "shut my kernel down" beacon needs the _xsrf cookie Voila never sets
        "--Voila.identity_provider_class=tpkit.voila_identity.XsrfCookieIdentityProvider",
        # a dropped survey export reaches the kernel in one message
        f"--Voila.tornado_settings={LARGE_MESSAGES}",
        # a safety net for pages that never said goodbye (a crashed browser, a lost laptop):
        # kernels with no page connected and idle for CULL_IDLE seconds are shut down
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE}",
        f"--MappingKernelManager.cull_interval={CULL_IDLE // 5}",
        # kernels kept started with the app built (notebooks/app.ipynb waits in
        # ready_for_page): a page then waits for neither a kernel's start nor the
        # building; two, so a reload right after finds one too, and a taken one is
        # replaced only after the page that took it is drawn (two cores are busy until then)
        "--preheat_kernel=True",
        f"--pool_size={KEPT_KERNELS}",
        f"--VoilaKernelManager.fill_delay={REFILL_DELAY}",
    ]
    if port:
        command.append(f"--port={port}")
    if not browser:
        command.append("--no-browser")
    return command


def first_free_port(start: int = APP_PORT) -> int:
    """The first port from ``start`` that nothing on this machine listens on."""
    for port in range(start, start + 100):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port from {start} to {start + 99}")


def signal_ready() -> None:
    """Called by the app's kept kernel once the app is built (see serve_app)."""
    marker = os.environ.get(READY_FILE)
    if marker:
        Path(marker).touch()


def serve_app(
    command: list[str],
    environment: dict[str, str],
    url: str,
    announce: Callable[[str], None],
    browser: bool = True,
) -> int:
    """Runs Voila (``command``, started with --no-browser) and gives the address only
    once a kernel it keeps ready has the app built: a page opened then is usable
    in seconds, where one opened at Voila's own "running at" line waits for a whole
    kernel start. ``announce(url)`` prints the address; the browser opens there too."""
    with tempfile.TemporaryDirectory(prefix="tpkit-app-") as folder:
        marker = Path(folder) / "ready"
        process = subprocess.Popen(command, env={**environment, READY_FILE: str(marker)})
        # terminated itself (a service manager, a test), tpkit stops Voila and its kernels
        # rather than leaving them running with no parent
        stopped = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
        try:
            deadline = time.monotonic() + READY_WAIT
            while process.poll() is None and not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            if process.poll() is None:
                announce(url)
                if browser:
                    webbrowser.open(url)
            return process.wait()
        except KeyboardInterrupt:  # Ctrl-C reached Voila too: let it shut its kernels down
            try:
                return process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait()
        finally:
            signal.signal(signal.SIGTERM, stopped)
