"""Every word typed into the app reaches the file, in any order, and comes back.

A participant types into every text field of every form (touchpoint, persona, stage,
rating) in a random order (a rating's comment before its scores), the file is compared
with what was typed; then the page's kernel is killed (a crash: no clean shutdown)
and the page reloaded, and every field shows what was typed. In English and German;
then two participants type comments at once; and each form's refused and accepted
actions show one message, never one of each (a refused duplicate stage showed
"hinzugefügt" beside the refusal).
"""

from __future__ import annotations

import os
import random
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import TIMEOUT, eventually, fill
from tpkit.i18n import t
from tpkit.model import Workbook
from tpkit.store import read

PARTICIPANT_FIELD = ".tpkit-participant input"
FORM = ".tpkit-touchpoints-name input"


@dataclass
class Typing:
    """One field typed: where it is, what goes in, and where the file keeps it."""

    tab: str  # the tab's title key
    field: str  # CSS selector of the input
    text: str
    stored: Any  # the value the file must hold
    where: Callable[[Workbook], Any]  # the value the file holds
    pick: tuple[str, str] | None = None  # (picker selector, option label) to choose first


def typings(path: Path, language: str, participant: str) -> list[Typing]:
    """Every text field of every form, on the sample's first touchpoint and stage."""
    workbook = read(path)
    first, second, stage = workbook.touchpoints[0], workbook.touchpoints[1], workbook.stages[0]

    def touchpoint(wb: Workbook) -> Any:
        return next(x for x in wb.touchpoints if x.id == first.id)

    def step(wb: Workbook) -> Any:
        return next(x for x in wb.stages if x.id == stage.id)

    def rating(tp_id: str, name: str) -> Callable[[Workbook], Any]:
        def held(wb: Workbook) -> Any:
            found = [r for r in wb.ratings if (r.touchpoint, r.participant) == (tp_id, participant)]
            return getattr(found[0], name) if found else None

        return held

    def attribute(record: Callable[[Workbook], Any], name: str) -> Callable[[Workbook], Any]:
        return lambda wb: getattr(record(wb), name)

    pick_tp = (".tpkit-touchpoints-pick select", first.name)
    pick_stage = (".tpkit-stages-pick select", stage.name)
    area, text = "textarea", "input"
    fields = [  # (tab, selector, one line / several / a score, where the file keeps it, pick)
        *(
            (
                "inventory",
                f".tpkit-touchpoints-{name} {tag}",
                kind,
                attribute(touchpoint, name),
                pick_tp,
            )
            for name, tag, kind in (
                ("notes", area, "line"),
                ("owner", text, "line"),
                ("aliases", area, "lines"),
            )
        ),
        *(
            (
                "journey",
                f".tpkit-persona-{name} {area}",
                kind,
                attribute(lambda wb: wb.persona, name),
                None,
            )
            for name, kind in (
                ("description", "line"),
                ("goals", "lines"),
                ("frustrations", "lines"),
            )
        ),
        *(
            ("journey", f".tpkit-stages-{name} {tag}", kind, attribute(step, name), pick_stage)
            for name, tag, kind in (
                ("doing", area, "line"),
                ("thinking", area, "line"),
                ("feeling", text, "line"),
                ("owner", text, "line"),
                ("pain_points", area, "lines"),
                ("opportunities", area, "lines"),
            )
        ),
        (
            "journey",
            ".tpkit-stages-kpi_name input",
            "line",
            lambda wb: step(wb).kpi and step(wb).kpi.name,
            pick_stage,
        ),
        *(
            (
                "rating",
                f".tpkit-rating-{tp.id} .tpkit-{kind}-{name} input",
                what,
                rating(tp.id, name),
                None,
            )
            for tp, kind, name, what in (
                (first, "rating", "strengths", "line"),
                (first, "rating", "problems", "line"),
                (second, "rating", "problems", "line"),
                (second, "score", "importance", "score"),
            )
        ),
    ]
    items = []
    for number, (tab, field, kind, where, pick) in enumerate(fields):
        text = {
            "line": f"{language} {number} « ü & <b> »",  # markup and accents, as typed
            "lines": f"{language} {number} one\n{language} {number} two",
            "score": "4",
        }[kind]
        stored = {"line": text, "lines": text.split("\n"), "score": 4}[kind]
        items.append(Typing(f"app.tab.{tab}", field, text, stored, where, pick))
    return items


def shuffled(items: list[Typing], seed: int) -> list[Typing]:
    """A random order, except that a rating's score comes after its comment."""
    order = items[:]
    random.Random(seed).shuffle(order)
    score = next(i for i in order if "tpkit-score-" in i.field)
    comment = next(i for i in order if score.field.split()[0] in i.field and i is not score)
    if order.index(score) < order.index(comment):
        order.remove(score)
        order.insert(order.index(comment) + 1, score)
    return order


def open_app(page, url: str, language: str) -> None:
    page.goto(url, timeout=TIMEOUT)
    page.locator(FORM).wait_for(timeout=TIMEOUT)
    if language != "en":
        page.locator(".tpkit-header-language select").select_option(
            label=t(f"language.{language}", language)
        )
        page.get_by_role("tab", name=t("app.tab.inventory", language)).wait_for(timeout=TIMEOUT)


def shown(value: Any) -> str:
    """What a field shows of a stored value (a list one item per line)."""
    if value is None:
        return ""
    return "\n".join(value) if isinstance(value, list) else str(value)


def go_to(page, item: Typing, language: str, participant: str, path: Path) -> None:
    """The field, with the record it edits shown: a participant types into a field once
    it shows the picked record (typing before the values arrive mixes the two texts)."""
    page.get_by_role("tab", name=t(item.tab, language)).click()
    if item.tab == "app.tab.rating":
        field = page.locator(PARTICIPANT_FIELD)
        if field.input_value() != participant:
            fill(page, PARTICIPANT_FIELD, participant)
        page.locator(item.field).wait_for(timeout=TIMEOUT)
    if item.pick:
        page.locator(item.pick[0]).select_option(label=item.pick[1])
        expect(page.locator(item.field)).to_have_value(
            shown(item.where(read(path))), timeout=TIMEOUT
        )
    page.locator(item.field).wait_for(timeout=TIMEOUT)


def kill_kernel(kernel_id: str) -> None:
    """SIGKILL the page's kernel: no clean shutdown, nothing flushed on the way out."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f"kernel-{kernel_id}".encode() in cmdline.read_bytes():
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
                return
        except OSError:
            continue
    raise AssertionError(f"no process for kernel {kernel_id}")


@pytest.mark.parametrize(("language", "seed"), [("en", 9), ("de", 14)])
def test_every_field_typed_in_any_order_is_in_the_file_and_back_after_a_kernel_crash(
    app_workbook, voila, offline_page, language, seed
):
    page = offline_page
    kernels: list[str] = []
    page.on("websocket", lambda ws: kernels.extend(re.findall(r"kernels/([\w-]+)", ws.url)))
    participant = f"Typist {language}"
    items = shuffled(typings(app_workbook, language, participant), seed)
    open_app(page, voila, language)
    for item in items:
        go_to(page, item, language, participant, app_workbook)
        fill(page, item.field, item.text)

    def missing() -> list[str]:
        workbook = read(app_workbook)
        return [i.field for i in items if i.where(workbook) != i.stored]

    assert eventually(lambda: not missing(), seconds=20), f"not in the file: {missing()}"
    assert kernels, "the page never connected to a kernel"
    kill_kernel(kernels[-1])

    open_app(page, voila, language)  # a reload onto a new kernel
    for item in items:
        go_to(page, item, language, participant, app_workbook)
        expect(page.locator(item.field)).to_have_value(item.text, timeout=10_000)
    assert page.external == []


def test_two_participants_typing_comments_at_once_both_reach_the_file(app_workbook, voila, browser):
    first_tp, second_tp = (tp.id for tp in read(app_workbook).touchpoints[2:4])
    pages = {}
    for name in ("Ana", "Ben"):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = pages[name] = context.new_page()
        page.goto(voila, timeout=TIMEOUT)
        page.locator(FORM).wait_for(timeout=TIMEOUT)
        page.get_by_role("tab", name=t("app.tab.rating", "en")).click()
        fill(page, PARTICIPANT_FIELD, name)
    typed = []
    for round_ in range(3):  # turn by turn, each into a field the other is not in
        for name, page in pages.items():
            for tp_id, field in ((first_tp, "strengths"), (second_tp, "problems")):
                text = f"{name} {field} {round_}"
                fill(page, f".tpkit-rating-{tp_id} .tpkit-rating-{field} input", text)
                typed.append((name, tp_id, field, text))

    def held() -> dict:
        return {
            (r.participant, r.touchpoint, field): getattr(r, field)
            for r in read(app_workbook).ratings
            for field in ("strengths", "problems")
        }

    final = {(n, tp, f): text for n, tp, f, text in typed}  # the last text of each field
    assert eventually(lambda: all(held().get(k) == v for k, v in final.items()), seconds=20), {
        k: (held().get(k), v) for k, v in final.items() if held().get(k) != v
    }
    for page in pages.values():
        page.context.close()


# --- one message per action: each form's refused and accepted actions ---------------

REFUSED, ACCEPTED = "⚠", "✓"  # how every inline message begins (tpkit.forms.fields)


def only(page, form: str, text: str, symbol: str) -> str:
    """Waits for ``text`` in the form; then the form shows no message of the other kind."""
    region = page.locator(form)
    expect(region).to_contain_text(text, timeout=TIMEOUT)
    shown = region.inner_text()
    other = ACCEPTED if symbol == REFUSED else REFUSED
    assert other not in shown, f"{text!r} came with a message of the other kind:\n{shown}"
    return shown


def add_twice(page, language: str, section: str, taken: str, new: str) -> None:
    """A duplicate name is refused alone; a new one is added alone."""
    form = f".tpkit-{section}-form"
    fill(page, f".tpkit-{section}-name input", taken)
    page.locator(f"button.tpkit-{section}-add").click()
    shown = only(page, form, t("form.duplicate_name", language, name=taken), REFUSED)
    assert t("form.added", language, name=taken) not in shown
    fill(page, f".tpkit-{section}-name input", new)
    page.locator(f"button.tpkit-{section}-add").click()
    shown = only(page, form, t("form.added", language, name=new), ACCEPTED)
    assert t("form.fix_first", language) not in shown


@pytest.mark.parametrize("language", ["en", "de"])
def test_each_forms_refused_and_accepted_actions_show_one_message(
    app_workbook, voila, offline_page, language
):
    page = offline_page
    workbook = read(app_workbook)
    open_app(page, voila, language)

    add_twice(page, language, "touchpoints", workbook.touchpoints[0].name, f"Flyer {language}")

    page.get_by_role("tab", name=t("app.tab.journey", language)).click()
    add_twice(page, language, "stages", workbook.stages[0].name, f"Phase {language}")
    fill(page, ".tpkit-persona-name input", "")  # the persona must keep a name
    only(page, ".tpkit-persona-form", t("problem.empty", language), REFUSED)
    expect(page.locator(".tpkit-persona-name input")).to_have_value(workbook.persona.name)

    page.get_by_role("tab", name=t("app.tab.rating", language)).click()
    fill(page, PARTICIPANT_FIELD, f"Rater {language}")
    row = f".tpkit-rating-{workbook.touchpoints[1].id}"
    fill(page, f"{row} .tpkit-score-importance input", "9")
    only(page, ".tpkit-tab-rating", t("field.importance", language), REFUSED)
    fill(page, f"{row} .tpkit-score-importance input", "4")
    saved = t("forms.saved_partial", language, missing="").rstrip()
    only(page, ".tpkit-tab-rating", saved, ACCEPTED)
    assert page.external == []
