"""Batches on a real Dask cluster: ``tpkit report --batch … --dask local`` starts a
LocalCluster of worker processes, and every PDF they write is read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tpkit.i18n import t
from tpkit.report.sections import section_title
from tpkit.samples import sample_path
from tpkit.store import create, read

from .pdf_pages import pages

TPKIT = Path(sys.executable).with_name("tpkit")
GOOD = 6


def tpkit(
    *arguments: str, cwd: Path, python: list[str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        python or [str(TPKIT), *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "TPKIT_LANG": "en"},
        timeout=600,
    )


@pytest.fixture(scope="module")
def dask_batch(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """Six member firms' workbooks and one broken file, in a batch on 2 Dask workers; the
    paths are relative to the command's folder, as a user types them."""
    folder = tmp_path_factory.mktemp("dask")
    (folder / "firms").mkdir()
    base = read(sample_path("shawna"))
    for index in range(GOOD):
        workbook = base.model_copy(deep=True)
        workbook.meta.team = f"Member firm {index + 1:02d}"
        create(folder / "firms" / f"member-{index + 1:02d}.yaml", workbook)
    (folder / "firms" / "broken.yaml").write_text("schema_version: 1\nmeta: [oops\n")
    done = tpkit(
        "report",
        "--batch",
        "firms",
        "--out-dir",
        "out",
        "--dask",
        "local",
        "--workers",
        "2",
        cwd=folder,
    )
    return folder, done


def test_a_batch_on_a_local_dask_cluster_writes_every_report(dask_batch):
    folder, done = dask_batch
    written = sorted((folder / "out").glob("*.pdf"))
    assert [path.name for path in written] == [f"member-{i + 1:02d}.pdf" for i in range(GOOD)]
    assert "Traceback" not in done.stderr
    first = pages(written[0])
    text = " ".join(" ".join(page.text for page in first).split())
    for section in ("summary", "inventory", "ratings", "journey"):
        assert section_title(section, "en") in text
    for touchpoint in read(sample_path("shawna")).touchpoints:
        assert " ".join(touchpoint.name.split()) in text, touchpoint.name
    # the same workbook under another team name: the same pages, the same words
    for index, path in enumerate(written):
        report = pages(path)
        assert len(report) == len(first) >= 5, path.name
        assert f"Member firm {index + 1:02d}" in report[0].text, path.name
        assert [
            page.text.replace(f"Member firm {index + 1:02d}", "Member firm 01") for page in report
        ] == [page.text for page in first], path.name


def test_a_failure_in_a_dask_batch_is_listed_not_fatal(dask_batch):
    _, done = dask_batch
    assert done.returncode == 1, done.stderr
    assert "broken.yaml line 3: this is not valid YAML" in done.stderr
    failures = [line for line in done.stderr.splitlines() if "broken.yaml" in line]
    assert len(failures) == 1, done.stderr
    assert t("cli.report.batch_summary", "en", done=GOOD, failed=1, folder="out") in done.stdout


def test_without_distributed_dask_says_how_to_install_it(tmp_path):
    source = create(tmp_path / "solo.yaml", read(sample_path("shawna")))
    hide_dask = (
        "import sys; sys.modules['distributed'] = None; from tpkit.cli import main; "
        f"sys.exit(main(['report', '--batch', {str(source)!r}, '--out-dir', 'out', "
        "'--dask', 'local']))"
    )
    done = tpkit(cwd=tmp_path, python=[sys.executable, "-c", hide_dask])
    assert done.returncode != 0
    assert done.stderr.strip() == f"tpkit: error: {t('error.report_dask_missing', 'en')}"
    assert not (tmp_path / "out").exists()


def test_dask_without_batch_and_an_unreachable_scheduler_are_one_line(tmp_path):
    source = create(tmp_path / "solo.yaml", read(sample_path("shawna")))
    alone = tpkit("report", str(source), "--dask", "local", cwd=tmp_path)
    assert alone.returncode != 0 and t("error.report_dask_needs_batch", "en") in alone.stderr
    nobody = tpkit(
        "report",
        "--batch",
        str(source),
        "--out-dir",
        "out",
        "--dask",
        "tcp://127.0.0.1:9",
        cwd=tmp_path,
    )
    assert nobody.returncode != 0 and "Traceback" not in nobody.stderr
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in nobody.stderr
