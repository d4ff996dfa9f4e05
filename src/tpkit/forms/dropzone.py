"""A file drop zone: drag an export onto it, or click it to choose one.

ipywidgets' FileUpload is a button: nothing happens when a marketer drops a file on the
page. This small anywidget (its JavaScript inline here, nothing loaded from a network)
takes a dropped file or one chosen in the browser's file dialog, refuses one larger
than :data:`MAX_UPLOAD_BYTES` before sending a byte (the page says how big it was), and
hands the bytes and the file's name to ``on_file``.
"""

from __future__ import annotations

from collections.abc import Callable

import anywidget
import traitlets

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # an export of a few hundred thousand responses
# What the app's server accepts in one message: the file and a little room for framing.
MAX_MESSAGE_BYTES = MAX_UPLOAD_BYTES + 8 * 1024 * 1024

_ESM = r"""
function render({ model, el }) {
  el.classList.add("tpkit-drop");
  el.tabIndex = 0;
  const text = document.createElement("div");
  text.className = "tpkit-drop-text";
  const picker = document.createElement("input");
  picker.type = "file";
  picker.className = "tpkit-drop-input";
  picker.style.display = "none";
  const show = () => {
    text.textContent = model.get("label");
    picker.accept = model.get("accept");
  };
  show();
  model.on("change:label", show);
  el.append(text, picker);

  async function send(file) {
    if (!file) return;
    if (file.size > model.get("limit")) {
      model.set("refused", { name: file.name, size: file.size, at: Date.now() });
      model.save_changes();
      return;
    }
    el.classList.add("tpkit-drop-busy");
    const buffer = await file.arrayBuffer();
    model.set("name", file.name);
    model.set("content", new DataView(buffer));
    model.set("sent", model.get("sent") + 1);
    model.save_changes();
    el.classList.remove("tpkit-drop-busy");
  }
  el.addEventListener("click", () => picker.click());
  el.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") picker.click();
  });
  picker.addEventListener("change", () => {
    send(picker.files[0]);
    picker.value = "";
  });
  el.addEventListener("dragover", (event) => {
    event.preventDefault();
    el.classList.add("tpkit-drop-over");
  });
  el.addEventListener("dragleave", () => el.classList.remove("tpkit-drop-over"));
  el.addEventListener("drop", (event) => {
    event.preventDefault();
    el.classList.remove("tpkit-drop-over");
    send(event.dataTransfer.files[0]);
  });
}
export default { render };
"""


def _received(value: object, widget: object) -> bytes:
    """The browser's bytes arrive as a memoryview of the message's buffer."""
    return bytes(value) if value is not None else b""


class DropZone(anywidget.AnyWidget):
    """Drop a file here or click to choose one; ``on_file(name, data)`` gets it and
    ``on_refused(name, size)`` hears of one over the limit."""

    _esm = _ESM
    label = traitlets.Unicode("").tag(sync=True)
    accept = traitlets.Unicode("").tag(sync=True)
    limit = traitlets.Int(MAX_UPLOAD_BYTES).tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    content = traitlets.Bytes(b"").tag(sync=True, from_json=_received)
    sent = traitlets.Int(0).tag(sync=True)  # one more per file: the same file again counts
    refused = traitlets.Dict({}).tag(sync=True)

    def __init__(
        self,
        on_file: Callable[[str, bytes], None],
        on_refused: Callable[[str, int], None],
        **values: object,
    ) -> None:
        super().__init__(**values)
        self.observe(lambda _: self._arrived(on_file), names="sent")
        self.observe(lambda change: self._too_big(on_refused, change["new"]), names="refused")

    def _arrived(self, on_file: Callable[[str, bytes], None]) -> None:
        data, self.content = bytes(self.content), b""  # kept once, by the form
        on_file(self.name, data)

    @staticmethod
    def _too_big(on_refused: Callable[[str, int], None], refused: dict) -> None:
        if refused:
            on_refused(str(refused.get("name", "")), int(refused.get("size", 0)))
