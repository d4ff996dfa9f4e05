"""The app's look: the report's colours, type scale and spacing, on screen.

One visual language with the PDF report (``report/report.css``, ``charts/style.py``):
DejaVu Sans, the same ink, muted, rule and paper colours, headings in the report's
accent, tables with a paper header over an accent rule. The CSS reaches the page as a
``<style>`` in the app's first widget, so Voila and an app opened in JupyterLab look
the same; layouts (grids, widths) are set on the widgets themselves.
"""

from __future__ import annotations

import ipywidgets as w

from tpkit.charts import style
from tpkit.report.document import DEFAULT_ACCENT

# Screen sizes for the report's print scale (9 pt text, 18 / 12 / 9.5 pt headings).
TEXT_PX, H1_PX, H2_PX, H3_PX = 14, 26, 19, 15
GAP = "0.75rem"  # the spacing unit between fields, cards and columns

_CSS = """
body, .tpkit-app, .tpkit-app .widget-label, .tpkit-app .widget-html-content,
.tpkit-app input, .tpkit-app textarea, .tpkit-app select, .tpkit-app button {
  font-family: @font@;
  font-size: @text@px;
  color: @ink@;
}
body { background: @paper@; }
.tpkit-app { max-width: 1360px; margin: 0 auto; gap: @gap@; }
.tpkit-app textarea, .tpkit-app input { font-family: @font@ !important; line-height: 1.4; }
.tpkit-app h1, .tpkit-app h2 { color: @accent@; line-height: 1.25; margin: 0; }
.tpkit-app h1 { font-size: @h1@px; }
.tpkit-app h2 { font-size: @h2@px; }
.tpkit-app h4 {
  font-size: @h3@px; color: @ink@; margin: 1.1em 0 0.4em;
  padding-bottom: 0.2em; border-bottom: 1px solid @rule@;
}
.tpkit-header {
  background: #ffffff; border-bottom: 3px solid @accent@; padding: 0.6rem 1rem;
  align-items: center; gap: 1.5rem; flex-wrap: wrap;
}
.tpkit-header .tpkit-header-workbook { color: @muted@; }
.tpkit-card, .tpkit-app .lm-TabPanel, .tpkit-app .p-TabPanel, .tpkit-app .widget-tab-contents {
  background: #ffffff; border: 1px solid @rule@; border-radius: 4px; padding: 1rem 1.25rem;
}
.tpkit-tabs > .lm-TabBar .lm-TabBar-tab, .tpkit-tabs > .p-TabBar .p-TabBar-tab {
  font-size: @text@px; flex: 0 0 auto !important; min-width: 0 !important;
  max-width: none !important; padding: 0.35em 1em !important;
}
.tpkit-app .lm-TabBar-tab.lm-mod-current, .tpkit-app .p-TabBar-tab.p-mod-current {
  border-top: 3px solid @accent@; color: @accent@; font-weight: bold;
}
.tpkit-app .widget-button.mod-primary, .tpkit-app .jupyter-button.mod-primary {
  background: @accent@; color: @on_accent@;
}
.tpkit-caption { white-space: normal; overflow-wrap: anywhere; line-height: 1.3; }
.tpkit-caption .widget-html-content { white-space: normal; line-height: 1.3; }
.tpkit-grid { gap: @gap@; align-items: start; }
.tpkit-table { border-collapse: collapse; margin: 0.3em 0 0.8em; }
.tpkit-table th {
  background: @paper@; border-bottom: 2px solid @accent@; font-weight: bold;
  text-align: left; padding: 4px 10px !important;
}
.tpkit-table td { border-bottom: 1px solid @rule@; padding: 4px 10px !important; }
/* The rating grid: one CSS grid per line with the same columns, so it reads as a table
   and nothing moves when a message appears at the end of a line. */
.tpkit-rating-line {
  display: grid !important;
  grid-template-columns: 16em 6.5em 6.5em 6.5em 16em 16em minmax(14em, 1fr);
  column-gap: 0.5em; align-items: center;
}
.tpkit-rating-line > * { width: auto !important; min-width: 0; margin: 2px 0 !important; }
.tpkit-rating-line .widget-label, .tpkit-rating-line .widget-html-content {
  white-space: normal; overflow-wrap: anywhere; line-height: 1.25;
  height: auto !important; min-height: 28px; display: flex; align-items: center;
}
.tpkit-tabs .tpkit-save-status { display: none; }  /* the header shows the one status */
/* A stage clicked on the journey map: its editor in a panel at the right of the window,
   with the fields as wide as the panel; while it is open the whole tab keeps that strip
   free, so the panel covers no part of it: the persona and the stage list above the map
   go one under the other where they no longer fit side by side, and the map scrolls
   sideways in what is left. */
.tpkit-map-panel:not(:empty) {
  position: fixed; top: 4.5rem; right: 1.25rem; z-index: 30;
  width: var(--tpkit-panel-width); max-height: calc(100vh - 6rem); overflow: auto;
  background: #ffffff; border: 1px solid @rule@; border-top: 3px solid @accent@;
  border-radius: 4px; padding: 0.75rem 1rem; box-shadow: 0 6px 24px rgba(0, 0, 0, 0.18);
}
/* the panel scrolls; its fields keep their height */
.tpkit-map-panel > *, .tpkit-map-panel .widget-vbox > * { flex-shrink: 0; }
.tpkit-map-panel .widget-hbox { flex-wrap: wrap; }
.tpkit-map-panel .widget-button { width: auto; }
.tpkit-map-panel > .tpkit-map-panel-head {
  flex-wrap: nowrap; justify-content: space-between; align-items: center;
}
.tpkit-map-panel-head h4 { margin-top: 0; border-bottom: none; }
.tpkit-map-panel .widget-text, .tpkit-map-panel .widget-textarea,
.tpkit-map-panel .widget-dropdown, .tpkit-map-panel .widget-select-multiple {
  width: 100% !important; max-width: 30rem;
}
.tpkit-map-hint { color: @muted@; }
.tpkit-app { --tpkit-panel-width: min(34rem, 46vw); }
.tpkit-tab-journey:has(.tpkit-map-panel:not(:empty)) {
  padding-right: calc(var(--tpkit-panel-width) + 1.5rem) !important;
}
/* the stage list's buttons keep whole words, on two lines where the column is narrow */
.tpkit-tab-journey .widget-hbox:has(> .tpkit-stages-insert) { flex-wrap: wrap; }
.tpkit-tab-journey .widget-hbox:has(> .tpkit-stages-insert) > .widget-button { width: auto; }
/* Voila lays its page out in panels with `contain: strict`, and such a panel, not the
   window, is what `position: fixed` holds to: the stage panel scrolled away with the
   page (above the window once the map was scrolled to). Lumino sets it on the element
   itself, hence !important; only the panels around the app. */
.lm-BoxPanel:has(.tpkit-app), .lm-BoxPanel-child:has(.tpkit-app) { contain: none !important; }
/* The survey export's drop zone (tpkit.forms.dropzone): drop a file or click to choose. */
.tpkit-drop {
  border: 2px dashed @rule@; border-radius: 6px; background: #ffffff; color: @muted@;
  padding: 1.5rem 1rem; text-align: center; cursor: pointer; max-width: 46em;
}
.tpkit-drop:hover, .tpkit-drop:focus, .tpkit-drop.tpkit-drop-over {
  border-color: @accent@; color: @ink@; background: @paper@; outline: none;
}
.tpkit-drop.tpkit-drop-busy { opacity: 0.6; cursor: progress; }
.tpkit-rating-head { border-bottom: 2px solid @accent@; background: @paper@; padding: 4px 0; }
"""


def app_css(accent: str = DEFAULT_ACCENT) -> str:
    """The app's stylesheet, filled in with the report's colours and sizes."""
    from tpkit.report.document import ink_on

    values = {
        "@font@": style.FONT,
        "@ink@": style.INK,
        "@muted@": style.MUTED,
        "@rule@": style.RULE,
        "@paper@": style.PAPER,
        "@accent@": accent,
        "@on_accent@": ink_on(accent),
        "@text@": str(TEXT_PX),
        "@h1@": str(H1_PX),
        "@h2@": str(H2_PX),
        "@h3@": str(H3_PX),
        "@gap@": GAP,
    }
    css = _CSS
    for token, value in values.items():
        css = css.replace(token, value)
    return css


def style_widget() -> w.HTML:
    """The stylesheet as a widget, placed first in the app."""
    return w.HTML(f"<style>{app_css()}</style>", layout=w.Layout(display="none"))
