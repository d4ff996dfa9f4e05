"""The commands behind ``tpkit lab`` and ``tpkit app``: JupyterLab on the notebooks, and the
code-free app in Voila. Both listen on 127.0.0.1 only, and the kernels they start
find the teams' workbooks through TPKIT_WORKBOOK_DIR (the ``workbook/`` folder of
the directory the command was started in)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tpkit.forms.session import workbook_folder
from tpkit.resources import bundled

HOST = "127.0.0.1"
CULL_IDLE = 300  # seconds a kernel without any page may stay idle (tpkit app)


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
        # a safety net for pages that never said goodbye (a crashed browser, a lost laptop):
        # kernels with no page connected and idle for CULL_IDLE seconds are shut down
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE}",
        f"--MappingKernelManager.cull_interval={CULL_IDLE // 5}",
    ]
    if port:
        command.append(f"--port={port}")
    if not browser:
        command.append("--no-browser")
    return command
