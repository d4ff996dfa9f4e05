"""Form figures: a form change → saved file → updated chart spec, and notebook 01's start.

The same made-up workbook as ``charts.py`` (200 touchpoints, 10 raters, 8 stages). Run
with ``make bench`` (or ``.venv/bin/python benchmarks/forms.py``). Targets from the
notebooks issue: a form change → updated chart spec under 100 ms server-side;
notebook 01 usable under 3 s after the kernel is ready.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from charts import big_workbook  # noqa: E402  (the same workbook as the chart figures)
from foundation import _median_ms, print_figures  # noqa: E402

from tpkit.forms import InventoryForm, RatingForm, WorkbookSession  # noqa: E402
from tpkit.store import create  # noqa: E402


def form_change_figures(folder: Path) -> dict[str, str]:
    path = create(folder / "big.yaml", big_workbook())
    session = WorkbookSession(path)
    inventory = InventoryForm(session)  # with its live coverage chart
    editor = inventory.editor
    editor.picker.value = "t3"
    names = iter(f"Renamed {i}" for i in range(10_000))

    def rename() -> None:
        editor.inputs["name"].value = next(names)

    rating = RatingForm(session)
    rating.participant.value = "Rater 1"
    line = rating.rows["t5"]
    scores = iter(str(1 + i % 5) for i in range(10_000))

    def rate() -> None:
        line.scores["importance"].value = next(scores)

    redraw = inventory.chart
    return {
        "rename a touchpoint (check, lock, re-read, save, views + charts)": (
            f"{_median_ms(rename, runs=15):.0f} ms"
        ),
        "change a score (same path, rating grid + charts)": f"{_median_ms(rate, runs=15):.0f} ms",
        "  of which: redraw the coverage chart spec": (
            f"{_median_ms(lambda: redraw.redraw(session.workbook), runs=15):.0f} ms"
        ),
        "  of which: the locked update of the file": (
            f"{_median_ms(lambda: session.apply(lambda wb: None), runs=15):.0f} ms"
        ),
    }


def notebook_figures(folder: Path) -> dict[str, str]:
    """Time from a ready kernel to notebook 01's form on screen (its first three cells)."""
    import nbformat
    from nbclient import NotebookClient

    path = create(folder / "shawna.yaml", big_workbook())
    notebook = nbformat.read(ROOT / "notebooks" / "01_inventory.ipynb", as_version=4)
    notebook.cells[0].source = f'workbook = "{path}"\nlanguage = "en"'
    client = NotebookClient(
        notebook, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    with client.setup_kernel():
        start = time.perf_counter()
        for index in range(3):  # parameters, open the session + guide, the form
            client.execute_cell(notebook.cells[index], index)
        form = time.perf_counter() - start
        for index in range(3, len(notebook.cells)):  # tables, guidance, the live chart
            client.execute_cell(notebook.cells[index], index)
        whole = time.perf_counter() - start
    return {
        "notebook 01: kernel ready → form displayed (200 touchpoints)": f"{form:.2f} s",
        "notebook 01: kernel ready → every cell done, chart included": f"{whole:.2f} s",
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TPKIT_WORKBOOK_DIR"] = folder
        figures = {**form_change_figures(Path(folder)), **notebook_figures(Path(folder))}
    print_figures("Forms (200 touchpoints, 10 raters, 2,000 ratings):", figures)


if __name__ == "__main__":
    main()
