"""Browser tests: real JupyterLab and Voila servers on 127.0.0.1, driven by Debian's chromium.

Every request that would leave the machine is blocked and recorded, so a chart that
needs a CDN fails the test instead of passing on a networked laptop. Screenshots go
to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


def wait_for_line(text: str, log: Path, process: subprocess.Popen, seconds: float = 90) -> None:
    """Waits for a server's own word that it is ready (``tpkit app`` prints one)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log}")
        if text in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise TimeoutError(f"{text!r} never appeared in {log}")


class Server:
    def __init__(
        self,
        command: list[str],
        ready_url: str,
        environment: dict[str, str],
        log: Path,
        ready_line: str | None = None,
    ) -> None:
        """``ready_line``: wait for that line in the log instead of loading ``ready_url``."""
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, env=environment, stdout=self.log, stderr=subprocess.STDOUT
        )
        if ready_line:
            wait_for_line(ready_line, log, self.process)
        else:
            wait_for(ready_url, self.process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "screens" / "changes.txt").unlink(missing_ok=True)  # this run's changes only
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """Chromium from Debian (Playwright's own download does not work offline)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the CI script does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def offline_page(browser) -> Iterator:
    """A page that may only talk to this machine; ``page.external`` lists what it tried."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.external = []

    def guard(route) -> None:
        if urlparse(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            page.external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield page
    context.close()


@pytest.fixture(scope="module")
def workbook_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("e2e") / "workbook"
    folder.mkdir()
    return folder


def server_environment(workbook_dir: Path, home: Path) -> dict[str, str]:
    """The environment ``tpkit app``/``tpkit lab`` give their servers, in private folders."""
    from tpkit.servers import environment

    return {
        **environment(),
        "TPKIT_WORKBOOK_DIR": str(workbook_dir),
        "TPKIT_LANG": "en",
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }


@pytest.fixture(scope="module")
def voila(voila_server) -> str:
    return voila_server[0]


@pytest.fixture(scope="module")
def voila_server(workbook_dir, tmp_path_factory, artifacts) -> Iterator[tuple[str, int]]:
    """``tpkit app`` itself, started as a user does: its address, once it says it is
    ready, and its process id (Voila and the kernels run under it)."""
    from tpkit.i18n import t

    home = tmp_path_factory.mktemp("voila-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [str(Path(sys.executable).parent / "tpkit"), "app", "--no-browser", f"--port={port}"]
    server = Server(
        command,
        url,
        server_environment(workbook_dir, home),
        artifacts / "voila.log",
        ready_line=t("cli.app.ready", "en", url=url),
    )
    yield url, server.process.pid
    server.stop()


@pytest.fixture(scope="module")
def lab(workbook_dir, tmp_path_factory, artifacts) -> Iterator[str]:
    """JupyterLab on a copy of the notebooks, so nothing is written into the repository."""
    from tpkit.servers import lab_command

    home = tmp_path_factory.mktemp("lab-home")
    root = home / "notebooks"
    shutil.copytree(NOTEBOOKS, root)
    port = free_port()
    command = [
        *lab_command(port, browser=False, root=root),
        "--ServerApp.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        "--allow-root",
    ]
    server = Server(
        command,
        f"http://127.0.0.1:{port}/api/status",
        server_environment(workbook_dir, home),
        artifacts / "lab.log",
    )
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="module")
def app_workbook(workbook_dir, monkeypatch_module):
    """The Shawna sample as the workbook the app opens (remembered, as after notebook 00)."""
    from tpkit.forms.session import remember
    from tpkit.samples import from_sample
    from tpkit.store import create

    monkeypatch_module.setenv("TPKIT_WORKBOOK_DIR", str(workbook_dir))
    path = create(workbook_dir / "glowbox.yaml", from_sample("shawna"))
    remember(path, "en")
    return path


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch
