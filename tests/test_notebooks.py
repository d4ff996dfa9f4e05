"""Every notebook runs top to bottom in a real kernel, with its defaults and with parameters."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import papermill
import pytest

from tpkit.i18n import t
from tpkit.model import LANGUAGES
from tpkit.samples import sample_path
from tpkit.store import create, read

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"


def execute(name: str, output: Path, **parameters: str) -> nbformat.NotebookNode:
    papermill.execute_notebook(
        NOTEBOOKS / f"{name}.ipynb",
        output,
        parameters=parameters,
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        execution_timeout=180,
    )
    return nbformat.read(output, as_version=4)


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [
        o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
    ]


@pytest.mark.parametrize(
    "name", ["00_start", "01_inventory", "02_rating", "03_journey", "05_diagnostics", "app"]
)
def test_notebook_runs_with_its_defaults(name, folder, tmp_path):
    notebook = execute(name, tmp_path / f"{name}.ipynb")
    results = outputs(notebook)
    assert not [o for o in results if o.get("output_type") == "error"]
    assert any(WIDGET in o.get("data", {}) for o in results), "no form was displayed"
    assert all(
        "text/html" not in o.get("data", {}) or "cdn." not in o["data"]["text/html"]
        for o in results
    )


def test_the_inventory_notebook_in_italian_on_a_given_workbook(folder, tmp_path):
    workbook = create(folder / "ticino.yaml", read(sample_path("ticino")))
    notebook = execute(
        "01_inventory", tmp_path / "out.ipynb", workbook=str(workbook), language="it"
    )
    markdown = [
        o["data"]["text/markdown"]
        for o in outputs(notebook)
        if "text/markdown" in o.get("data", {})
    ]
    assert markdown[0] == t("guide.inventory.intro", "it")
    assert notebook.metadata.papermill.parameters == {"workbook": str(workbook), "language": "it"}


def test_notebooks_call_the_package_and_stay_short():
    for path in NOTEBOOKS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            short = (
                "parameters" in cell.metadata.get("tags", []) or len(cell.source.splitlines()) <= 5
            )
            assert cell.cell_type == "code" and short, path.name
            assert not cell.get("outputs"), f"{path.name} is committed with outputs"


INTROS = {
    "00_start": "guide.start.intro",
    "01_inventory": "guide.inventory.intro",
    "02_rating": "guide.rating.intro",
    "03_journey": "guide.journey.intro",
    "04_navigator": "navigator.guide.intro",
    "05_diagnostics": "guide.diagnostics.intro",
    "06_digital": "events.guide.intro",
}


def test_a_notebooks_settings_are_explained_in_its_intro_in_every_language():
    """The first cell holds code only (a comment there is English for every team); the
    intro under it says what each setting does, in the reader's language."""
    assert sorted(INTROS) == sorted(p.stem for p in NOTEBOOKS.glob("0*.ipynb"))
    for name, key in INTROS.items():
        cells = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells
        (settings,) = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
        assert "#" not in settings.source, name
        names = re.findall(r"^(\w+)", settings.source, flags=re.MULTILINE)
        for language in LANGUAGES:
            intro = t(key, language)
            assert all(f"`{setting}`" in intro for setting in names), (name, language)


@pytest.mark.parametrize("name", ["01_inventory", "02_rating", "03_journey"])
def test_notebooks_run_on_a_blank_workbook_in_italian(name, folder, tmp_path):
    from tpkit.samples import blank

    workbook = create(folder / "nuovo.yaml", blank("Nuovo team", "it"))
    notebook = execute(name, tmp_path / f"{name}.ipynb", workbook=str(workbook), language="it")
    results = outputs(notebook)
    assert not [o for o in results if o.get("output_type") == "error"]
    assert any(WIDGET in o.get("data", {}) for o in results)


def test_the_diagnostics_notebook_ranks_shawnas_findings_in_german(folder, tmp_path):
    """Notebook 05 on a team's workbook with imported feedback: the guidance in German,
    the ranked findings with their buttons, the IPA chart and the plan's before/after."""
    import shutil

    from tpkit.diagnostics import diagnose
    from tpkit.diagnostics.evidence import customers_of
    from tpkit.diagnostics.text import words

    path = create(folder / "glowbox.yaml", read(sample_path("shawna")))
    shutil.copy(
        sample_path("shawna").with_suffix(".responses.parquet"),
        folder / "glowbox.responses.parquet",
    )
    notebook = execute("05_diagnostics", tmp_path / "out.ipynb", workbook=str(path), language="de")
    results = outputs(notebook)
    assert not [o for o in results if o.get("output_type") == "error"]
    markdown = [o["data"]["text/markdown"] for o in results if "text/markdown" in o.get("data", {})]
    assert markdown[0] == t("guide.diagnostics.intro", "de")
    state = str(notebook.metadata.get("widgets", {}))
    workbook = read(path)
    first = diagnose(workbook, customers_of(workbook, path))[0]
    assert words(first, workbook, "de").title in state
    assert t("diagnostics.make_action", "de") in state and "<svg" in state
    assert t("diagnostics.plan.remeasure_title", "de") in state


@pytest.mark.parametrize(
    ("name", "check", "not_here"),
    [
        ("01_inventory", "no_after_purchase", "one_participant"),
        ("02_rating", "one_participant", "stage_without_touchpoint"),
        ("03_journey", "stage_without_touchpoint", "no_action_owner"),
        ("05_diagnostics", "no_action_owner", "no_after_purchase"),
    ],
)
def test_each_notebook_checks_its_step_of_the_teams_workbook(
    name, check, not_here, folder, tmp_path
):
    """Under the forms, in French: what the team's own workbook lacks for this step (and
    not another step's remark), and the progress line with what comes next."""
    from tests.test_exercises import one_gap_per_step
    from tpkit.teaching.exercise_view import remark_text
    from tpkit.teaching.exercises import remarks

    path = create(folder / "equipe.yaml", one_gap_per_step())
    notebook = execute(name, tmp_path / f"{name}.ipynb", workbook=str(path), language="fr")
    assert not [o for o in outputs(notebook) if o.get("output_type") == "error"]
    state = json.dumps(notebook.metadata.get("widgets", {}), ensure_ascii=False)
    text = {r.check: html.escape(remark_text(r, "fr")) for r in remarks(read(path))}
    assert text[check] in state and text[not_here] not in state
    assert html.escape(t("exercises.title", "fr")) in state
    assert (
        html.escape(t("exercises.progress.next", "fr", step=t("exercises.step.inventory", "fr")))
        in state
    )
