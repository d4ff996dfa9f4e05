"""One proposal, three places: ``tpkit survey import`` prints it, notebook 04's mapping
form and the app's Feedback tab show it, each from the same export's bytes — the same
columns, measures, touchpoints, scales, confidence, evidence and doubtful marks."""

from __future__ import annotations

import ast
import html
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w
import pytest

from tests.conftest import SAMPLES
from tests.test_survey_cli import Done
from tpkit.cli import main
from tpkit.forms.app import App
from tpkit.forms.dropzone import DropZone
from tpkit.i18n import t
from tpkit.model import LANGUAGES
from tpkit.store import create, read
from tpkit.survey import responses
from tpkit.survey.display import about_text
from tpkit.survey.importer import ImportResult
from tpkit.survey.scales import scale_label

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = sorted((ROOT / "data" / "samples" / "surveys").iterdir()) + sorted(
    (ROOT / "tests" / "fixtures" / "surveys").iterdir()
)
NOTEBOOK = ROOT / "notebooks" / "04_navigator.ipynb"
SHOWN = 48  # characters of a question the command line's table shows


@dataclass(frozen=True)
class Line:
    """One question column's line as a person reads it."""

    doubtful: bool
    column: str
    measure: str
    about: str
    scale: str
    sure: str
    evidence: str


def cli_lines(printed: str, language: str) -> list[Line]:
    """The proposal's table as ``tpkit survey import`` prints it, cut at its columns."""
    personal = "  " + t("survey.cli.import.personal_left_out", language, columns="\0")
    personal = personal.split("\0")[0]
    lines = printed.splitlines()
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"[ -]+", line) and "--" in line)
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    if lines[rule].startswith("  "):  # no line is doubtful: the mark's column is empty
        spans.insert(0, (0, 0))
    found: list[Line] = []
    for line in lines[rule + 1 :]:
        if line.startswith("     ") and found:
            found[-1] = Line(**{**found[-1].__dict__, "evidence": line.strip()})
            continue
        if not line.startswith(("  ", "?")) or line.startswith(personal):
            break
        cells = [line[start:end].strip() for start, end in spans[:-1]]
        cells.append(line[spans[-1][0] :].strip())
        found.append(Line(cells[0] == "?", *cells[1:], evidence=""))
    return found


def form_lines(root: w.Widget, workbook_path: Path, language: str) -> list[Line]:
    """The mapping form's lines as shown in its widgets: the three drop-downs, the mark
    and the caption beside them, the evidence under them."""
    found: list[Line] = []
    workbook = read(workbook_path)
    pairs = [
        (box, after)
        for parent in _walk(root)
        for box, after in itertools.pairwise(getattr(parent, "children", ()))
        if isinstance(box, w.HBox)
        and len(box.children) == 6
        and sum(isinstance(c, w.Dropdown) for c in box.children) == 3
    ]
    for box, evidence in pairs:
        children = box.children
        mark, caption, measure, touchpoint, scale, sure = children
        header = html.unescape(caption.value)
        measured = bool(measure.value)
        found.append(
            Line(
                doubtful="⚠" in mark.value,
                column=header if len(header) <= SHOWN else header[: SHOWN - 1] + "…",
                measure=t(f"survey.measure.{measure.value}", language)
                if measured
                else t("survey.proposal.not_imported", language),
                about=about_text(touchpoint.value, workbook, language) if measured else "",
                scale=scale_label(scale.value, language) if measured and scale.value else "",
                sure=html.unescape(sure.value),
                evidence=html.unescape(re.sub(r"<[^>]+>", "", evidence.value)),
            )
        )
    return found


def _walk(widget: w.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        if isinstance(child, w.Widget):
            yield from _walk(child)


def upload(root: w.Widget, export: Path) -> DropZone:
    """Drop the export on the form's drop zone, as the browser hands it over."""
    zone = next(b for b in _walk(root) if isinstance(b, DropZone))
    data = memoryview(export.read_bytes())  # as a message's buffer arrives from the page
    zone.set_state({"name": export.name, "content": data, "sent": zone.sent + 1})
    return zone


def notebook_form(workbook: Path, language: str) -> w.Widget:
    """Notebook 04's cells up to its mapping form, run as they are written, with the
    parameters papermill would inject; the form is the last cell's value."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    parameters = f"workbook = {str(workbook)!r}\nlanguage = {language!r}\n"
    namespace: dict[str, object] = {}
    for number, cell in enumerate(c for c in cells if c["cell_type"] == "code"):
        source = "".join(cell["source"]) + (f"\n{parameters}None" if number == 0 else "")
        tree = ast.parse(source)
        *body, last = tree.body
        exec(compile(ast.Module(body, []), "cell", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "cell", "eval"), namespace)
        if isinstance(value, w.Widget) and any(isinstance(b, DropZone) for b in _walk(value)):
            return value
    raise AssertionError("notebook 04 shows no mapping form with an upload")


def app_feedback_tab(workbook: Path, language: str) -> tuple[App, w.Widget]:
    app = App(with_charts=False)
    app.start.language.value = language
    app.start.open(workbook)
    index = list(app.tabs.titles).index(t("app.tab.feedback", language))
    app.tabs.selected_index = index  # a tab is filled when it is first shown
    return app, app.tabs.children[index]


def cli(*arguments: str, capsys) -> Done:
    capsys.readouterr()
    code = main(list(arguments))
    printed = capsys.readouterr()
    return Done(code, printed.out, printed.err)


@pytest.mark.parametrize(
    ("export", "language"),
    [(e, LANGUAGES[i % len(LANGUAGES)]) for i, e in enumerate(EXPORTS)],
    ids=[e.name for e in EXPORTS],
)
def test_the_command_line_the_notebook_and_the_app_show_the_same_proposal(
    export, language, tmp_path, folder, capsys
):
    workbook = create(folder / "firm.yaml", read(SAMPLES / "shawna.yaml"))
    copy = tmp_path / export.name  # the user's download
    copy.write_bytes(export.read_bytes())
    printed = cli(
        "survey",
        "import",
        str(copy),
        "--workbook",
        str(workbook),
        "--dry-run",
        "--lang",
        language,
        capsys=capsys,
    )
    assert printed.returncode in (0, 1, 2), printed.stderr
    expected = cli_lines(printed.stdout, language)
    assert expected, printed.stdout
    notebook = notebook_form(workbook, language)
    upload(notebook, copy)
    assert form_lines(notebook, workbook, language) == expected
    _, tab = app_feedback_tab(workbook, language)
    upload(tab, copy)
    assert form_lines(tab, workbook, language) == expected
    assert not responses.responses_path(workbook).exists()  # showing stores nothing


def test_the_sample_with_a_doubtful_line_is_marked_alike(tmp_path, folder, capsys):
    """A yes/no "would you recommend" is no NPS: all three mark it and leave it out."""
    workbook = create(folder / "firm.yaml", read(SAMPLES / "shawna.yaml"))
    export = tmp_path / "export.csv"
    export.write_text(
        "Timestamp,Would you recommend GlowBox?,How satisfied are you?\n"
        + "".join(f"2026/03/0{d} 10:00:00 AM GMT+1,{a},4\n" for d, a in enumerate("YNY", 1)),
        encoding="utf-8",
    )
    printed = cli("survey", "import", str(export), "--workbook", str(workbook), capsys=capsys)
    assert printed.returncode == 2
    expected = cli_lines(printed.stdout, "en")
    assert [line.doubtful for line in expected] == [True, False]
    for root in (notebook_form(workbook, "en"), app_feedback_tab(workbook, "en")[1]):
        upload(root, export)
        assert form_lines(root, workbook, "en") == expected


def _texts(root: w.Widget) -> str:
    """Every text the page shows: HTML, labels, button captions, drop-down choices."""
    shown = []
    for widget in _walk(root):
        for name in ("value", "description", "tooltip", "placeholder", "label"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                shown.append(html.unescape(re.sub(r"<[^>]+>", " ", value)))
        shown += [str(label) for label in getattr(widget, "_options_labels", ())]
    return "\n".join(shown)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_apps_feedback_tab_imports_an_upload_in_a_marketers_words(language, tmp_path, folder):
    workbook = create(folder / "firm.yaml", read(SAMPLES / "shawna.yaml"))
    (folder / "on-the-server.csv").write_bytes(b"Question\n1\n")  # never offered in the app
    app, tab = app_feedback_tab(workbook, language)
    export = SAMPLES / "surveys" / "shawna-typeform.csv"
    before = _texts(tab)
    button = next(b for b in _walk(tab) if isinstance(b, w.Button) and b.icon == "upload")
    assert button.disabled  # nothing to import before an upload
    upload(tab, export)
    assert app.mapping.lines and not button.disabled
    assert not responses.responses_path(workbook).exists()  # nothing stored before the click
    button.click()
    stored = responses.load(workbook)
    assert stored.num_rows == 68 and set(stored.column("source").to_pylist()) == {export.name}
    shown = before + _texts(tab)
    counts = ImportResult(export, "", None, rows=72, added=68, answers=216, blank=56)
    assert t("navigator.form.result", language, **counts.counted(language)) in shown
    for word in (str(folder), "on-the-server", "firm.yaml", "parquet", "tpkit", "notebook"):
        assert word not in shown.lower(), word
    assert t("navigator.form.drop", language) in shown
    assert t("navigator.form.empty", language) in before  # said before the first import
    assert t("navigator.form.empty", language) not in _texts(tab)  # and the figures after


def test_an_export_over_the_limit_is_refused_with_its_size_and_what_to_do(tmp_path, folder):
    from tpkit.forms.dropzone import MAX_UPLOAD_BYTES

    workbook = create(folder / "firm.yaml", read(SAMPLES / "shawna.yaml"))
    app, tab = app_feedback_tab(workbook, "de")
    zone = next(b for b in _walk(tab) if isinstance(b, DropZone))
    assert zone.limit == MAX_UPLOAD_BYTES  # the page refuses it before sending a byte
    zone.set_state({"refused": {"name": "zehn-jahre.csv", "size": 150 * 2**20, "at": 1}})
    shown = _texts(tab)
    assert "zehn-jahre.csv ist 150,0 MB groß" in shown
    assert f"bis {MAX_UPLOAD_BYTES // 2**20} MB" in shown
    assert app.mapping.source is None and not app.mapping.lines
