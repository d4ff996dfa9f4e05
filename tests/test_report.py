"""Reports end to end: papermill → nbconvert → WeasyPrint, checked with poppler's tools."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tpkit.errors import TpkitError
from tpkit.report import pipeline
from tpkit.report.batch import run_batch
from tpkit.report.engine import NAME as IN_PROCESS
from tpkit.report.engine import register
from tpkit.report.params import ReportParameters, check, with_overrides
from tpkit.report.sections import section_title
from tpkit.samples import sample_path
from tpkit.store import create, read

from .conftest import CORPUS

INJECTION = "<script>alert('x')</script> **bold** $\\frac{1}{2}$ {{ jinja }} <b>tag</b>"


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory) -> dict[str, Path]:
    """The two samples in their own languages, through a real kernel (the CLI's path)."""
    folder = tmp_path_factory.mktemp("reports")
    return {
        name: pipeline.build(
            ReportParameters(workbook=str(sample_path(name))), folder / f"{name}.pdf"
        )
        for name in ("shawna", "ticino")
    }


@pytest.mark.parametrize(("name", "language"), [("shawna", "en"), ("ticino", "it")])
def test_a_sample_report_has_every_section_and_touchpoint(sample_reports, name, language):
    text = " ".join(pdf_text(sample_reports[name]).split())
    for section in ("summary", "inventory", "ratings", "journey"):
        assert section_title(section, language) in text
    for touchpoint in read(sample_path(name)).touchpoints:
        assert " ".join(touchpoint.name.split()) in text, touchpoint.name


@pytest.mark.parametrize("name", ["shawna", "ticino"])
def test_every_page_renders_and_charts_are_vector(sample_reports, name, tmp_path):
    path = sample_reports[name]
    count = pages(path)
    assert count >= 5
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == count
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert images == [], "charts must be vector drawings, not raster images"


def test_the_journey_map_is_on_a_landscape_page(sample_reports):
    import re

    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(sample_reports["shawna"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = [
        (round(float(w)), round(float(h)))
        for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    ]
    assert sizes[0] == (595, 842)  # A4 portrait: cover and most sections
    assert sizes[-1] == (842, 595)  # A4 landscape: the journey map comes last


def test_parameters_are_checked_before_any_kernel_starts(monkeypatch, tmp_path):
    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(pipeline, "execute", no_kernel)
    shawna = str(sample_path("shawna"))
    cases = {
        ReportParameters(workbook=str(tmp_path / "missing.yaml")): "does not exist",
        ReportParameters(
            workbook=shawna, sections=("summary", "gossip")
        ): "unknown report section 'gossip'",
        ReportParameters(workbook=shawna, language="es"): "'es' is not a supported language",
        ReportParameters(workbook=shawna, accent="url(x)"): "is not a colour",
        ReportParameters(workbook=str(CORPUS / "bad" / "unknown_phase.yaml")): "is not one of",
    }
    for parameters, message in cases.items():
        with pytest.raises(TpkitError, match=message):
            pipeline.build(parameters, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


def test_command_line_parameters_get_their_types():
    base = ReportParameters(workbook="x.yaml")
    changed = with_overrides(
        base,
        [("sections", "journey, summary"), ("mask_personal_data", "no"), ("period", "2026-Q4")],
    )
    assert changed.sections == ("journey", "summary") and changed.mask_personal_data is False
    assert changed.period == "2026-Q4"
    with pytest.raises(TpkitError, match="'colour' is not a report parameter"):
        with_overrides(base, [("colour", "red")])
    with pytest.raises(TpkitError, match="must be true or false"):
        with_overrides(base, [("mask_personal_data", "maybe")])


def _workbook_with(tmp_path: Path, name: str, change) -> Path:
    workbook = read(sample_path("shawna"))
    change(workbook)
    return create(tmp_path / f"{name}.yaml", workbook)


def test_injected_text_appears_literally(tmp_path):
    register()

    def inject(workbook):
        workbook.touchpoints[0].name = INJECTION
        workbook.stages[0].doing = INJECTION

    source = _workbook_with(tmp_path, "evil", inject)
    html = pipeline.build(
        ReportParameters(workbook=str(source)), tmp_path / "evil.html", "html", engine=IN_PROCESS
    ).read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>tag</b>" not in html
    pdf = pipeline.build(
        ReportParameters(workbook=str(source)), tmp_path / "evil.pdf", engine=IN_PROCESS
    )
    text = " ".join(pdf_text(pdf).split())
    assert "<script>alert('x')</script>" in text and "**bold**" in text and "{{ jinja }}" in text


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


def test_every_image_of_a_report_has_alternative_text(tmp_path):
    """nbconvert's own pass that gives images a stock alt text is left out: the report's
    images carry their own (the charts their titles; the logo none, as decoration)."""
    register()
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    parameters = ReportParameters(workbook=str(sample_path("shawna")), logo=str(logo))
    html = pipeline.build(parameters, tmp_path / "r.html", "html", engine=IN_PROCESS)
    parser = _Images()
    parser.feed(html.read_text(encoding="utf-8"))
    alts = [image.get("alt") for image in parser.images]
    charts = [
        alt
        for alt, image in zip(alts, parser.images, strict=True)
        if "tp-logo" not in (image.get("class") or "")
    ]
    assert len(alts) == len(charts) + 1 and charts, alts  # the logo and the charts
    assert None not in alts and all(charts), alts


def test_personal_data_is_masked_unless_asked(tmp_path):
    register()

    def contacts(workbook):
        workbook.touchpoints[0].notes = "Call Anna on +41 91 123 45 67 or anna.rossi@firm.ch"
        workbook.touchpoints[0].owner = "anna.rossi@firm.ch"

    source = _workbook_with(tmp_path, "contacts", contacts)
    participants = read(source).participants()
    masked = pipeline.build(
        ReportParameters(workbook=str(source)), tmp_path / "m.html", "html", engine=IN_PROCESS
    ).read_text()
    assert "anna.rossi@firm.ch" not in masked and "123 45 67" not in masked
    assert not any(name in masked for name in participants)
    plain = pipeline.build(
        ReportParameters(workbook=str(source), mask_personal_data=False),
        tmp_path / "p.html",
        "html",
        engine=IN_PROCESS,
    ).read_text()
    assert "anna.rossi@firm.ch" in plain


def test_a_failing_section_is_named_and_leaves_no_file(tmp_path, monkeypatch):
    register()
    import tpkit.report.sections as sections

    def broken(name, context):
        raise ValueError("the chart engine is on strike")

    monkeypatch.setattr(sections, "section_html", broken)
    target = tmp_path / "r.pdf"
    with pytest.raises(TpkitError) as caught:
        pipeline.build(
            ReportParameters(workbook=str(sample_path("ticino"))), target, engine=IN_PROCESS
        )
    assert "section 'summary' failed" in caught.value.message()
    assert "on strike" in caught.value.message()
    assert not target.exists()


def test_plain_papermill_runs_the_report_notebook(tmp_path):
    output = tmp_path / "out.ipynb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(pipeline.report_notebook()),
            str(output),
            "-p",
            "workbook",
            str(sample_path("ticino")),
            "-p",
            "sections",
            "summary,journey",
            "-k",
            "python3",
            "--no-progress-bar",
            "--cwd",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    assert "tpkit_section" in output.read_text()


def test_a_batch_reports_a_bad_workbook_and_finishes_the_rest(tmp_path):
    good = [
        _workbook_with(tmp_path, f"team-{i}", lambda wb, i=i: setattr(wb.meta, "team", f"T{i}"))
        for i in range(3)
    ]
    bad = tmp_path / "broken.yaml"
    bad.write_text("schema_version: 1\nmeta: [oops\n")
    workbooks = [str(good[0]), str(bad), str(good[1]), str(good[2])]
    outcomes = run_batch(
        workbooks, tmp_path / "out", ReportParameters(workbook=""), workers=2, progress=False
    )
    assert [outcome.ok for outcome in outcomes] == [True, False, True, True]
    assert "broken.yaml line 3: this is not valid YAML" in outcomes[1].error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "team-0.pdf",
        "team-1.pdf",
        "team-2.pdf",
    ]


class _InlineExecutor:
    """The smallest executor: what a Dask client offers (submit → future with result())."""

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_result(fn(*args))
        return future


def test_a_batch_runs_on_any_executor_with_submit(tmp_path):
    source = _workbook_with(tmp_path, "solo", lambda wb: None)
    template = ReportParameters(workbook="", sections=("summary",))
    outcomes = run_batch(
        [str(source)],
        tmp_path / "out",
        template,
        "html",
        executor=_InlineExecutor(),
        progress=False,
    )
    assert outcomes[0].ok and Path(outcomes[0].output).read_text().count("tp-section") >= 1


def test_state_does_not_leak_between_in_process_reports(tmp_path):
    register()
    first = _workbook_with(tmp_path, "first", lambda wb: setattr(wb.meta, "team", "First team"))
    second = _workbook_with(tmp_path, "second", lambda wb: setattr(wb.meta, "team", "Second team"))
    html = [
        pipeline.build(
            replace(ReportParameters(workbook=str(path)), sections=("summary",)),
            tmp_path / f"{path.stem}.html",
            "html",
            engine=IN_PROCESS,
        ).read_text()
        for path in (first, second)
    ]
    assert "First team" in html[0] and "First team" not in html[1]


def test_check_fills_in_the_workbook_language():
    assert check(ReportParameters(workbook=str(sample_path("ticino")))).language == "it"


def test_a_hanging_section_is_stopped_in_a_worker_thread_too(tmp_path, monkeypatch):
    """Dask workers run reports in threads, where no signal reaches: the time limit is
    an exception sent into the thread."""
    import threading
    import time

    import tpkit.report.sections as sections

    register()

    def busy(name, context):  # a section stuck in Python code (a layout loop)
        end = time.perf_counter() + 60
        while time.perf_counter() < end:
            pass

    monkeypatch.setattr(pipeline, "CELL_TIMEOUT_SECONDS", 1)
    monkeypatch.setattr(sections, "section_html", busy)
    raised = []

    def worker() -> None:
        try:
            pipeline.build(
                ReportParameters(workbook=str(sample_path("ticino"))),
                tmp_path / "r.pdf",
                engine=IN_PROCESS,
            )
        except TpkitError as error:
            raised.append(str(error))

    start = time.perf_counter()
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and time.perf_counter() - start < 20
    assert raised and "CellTimeout" in raised[0]


def test_a_finished_cell_in_a_thread_is_never_interrupted_later():
    import threading
    import time

    from tpkit.report.engine import _time_limit

    outcome = []

    def quick() -> None:
        with _time_limit(1):
            total = sum(range(1000))
        time.sleep(1.5)  # past the limit, outside the cell: nothing may arrive now
        outcome.append(total)

    thread = threading.Thread(target=quick)
    thread.start()
    thread.join(timeout=10)
    assert outcome == [499500]


def test_a_hanging_section_is_stopped_by_the_cell_timeout(tmp_path, monkeypatch):
    register()
    import time

    import tpkit.report.sections as sections

    monkeypatch.setattr(pipeline, "CELL_TIMEOUT_SECONDS", 1)
    monkeypatch.setattr(sections, "section_html", lambda name, context: time.sleep(30))
    start = time.perf_counter()
    with pytest.raises(TpkitError, match="section 'summary' failed: CellTimeout"):
        pipeline.build(
            ReportParameters(workbook=str(sample_path("ticino"))),
            tmp_path / "r.pdf",
            engine=IN_PROCESS,
        )
    assert time.perf_counter() - start < 15


def test_the_in_process_engine_leaves_the_host_process_as_it_was(tmp_path):
    """IPython installs its own __main__; a later spawn pool in the same process needs ours."""
    register()
    before = sys.modules["__main__"]
    pipeline.build(
        ReportParameters(workbook=str(sample_path("ticino")), sections=("summary",)),
        tmp_path / "r.html",
        "html",
        engine=IN_PROCESS,
    )
    assert sys.modules["__main__"] is before


@pytest.mark.parametrize(
    ("accent", "accepted"),
    [
        ("#1f6f8b", True),
        ("teal", True),
        ("rgb(10, 20, 30)", True),
        ("#abcd", True),
        ("red; } body { display: none", False),
        ("url(x)", False),
        ("", False),
    ],
)
def test_the_report_accepts_exactly_the_colours_its_stylesheet_uses(accent, accepted):
    from tpkit.safety import css_colour

    parameters = ReportParameters(workbook=str(sample_path("ticino")), accent=accent)
    if accepted:
        assert check(parameters).accent == accent
        assert css_colour(accent, "#000000") == accent
    else:
        with pytest.raises(TpkitError, match="is not a colour"):
            check(parameters)
