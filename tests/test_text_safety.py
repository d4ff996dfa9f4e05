"""User text that could break or fool what shows it: control characters, bidi overrides,
endless words. Forms clean it on input; reports and charts show it safely."""

from __future__ import annotations

from tpkit.forms import InventoryForm, WorkbookSession
from tpkit.safety import printable
from tpkit.store import read


def test_printable_keeps_tabs_and_line_breaks_and_drops_other_controls():
    assert printable("a\x00b\tc\r\nd\x1b[31me\x7f\x85\ufffe") == "ab\tc\nd[31me"


def test_a_form_removes_control_characters_typed_or_pasted_into_it(workbook_file):
    editor = InventoryForm(WorkbookSession(workbook_file), with_chart=False).editor
    editor.inputs["name"].value = "Show\x00room\x0c visit"
    editor.inputs["phase"].value = "during"
    editor.inputs["notes"].value = "first line\r\nsecond\x1b line"
    editor.inputs["aliases"].value = "show\x00room\nfair"
    editor.add_button.click()
    saved = read(workbook_file).touchpoint("showroom-visit")
    assert (saved.name, saved.notes, saved.aliases) == (
        "Showroom visit",
        "first line\nsecond line",
        ["showroom", "fair"],
    )
