"""Getting a chart in front of people: static SVG/PNG for reports, a live view for notebooks.

Both work without a network. vl-convert carries Vega and renders on the server; the
live view is altair's JupyterChart (an anywidget) switched to the JavaScript bundle that
vl-convert ships, because the default renderers load Vega from a CDN and the
``mimetype`` renderer does not work with altair 6 in JupyterLab 4.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

# The Vega-Lite version altair writes, in the form vl-convert expects: "v6.4.1" → "6.4".
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec, not checked against the schema again: the kit's charts
    are built by its own code, and the tests validate every one of them on every sample
    (``test_every_chart_builds_a_valid_spec``). Checking it for each picture was a
    quarter of a report's chart time."""
    return chart.to_dict(validate=False)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document with real text (for HTML and PDF reports)."""
    return vl_convert.vegalite_to_svg(_spec(chart), vl_version=VL_VERSION)


def to_png(chart: alt.TopLevelMixin, scale: float = 1) -> bytes:
    """The chart as a PNG image; ``scale=2`` for sharp slides."""
    return vl_convert.vegalite_to_png(_spec(chart), vl_version=VL_VERSION, scale=scale)


def bundle_cache() -> Path:
    """Where the offline bundle is kept between kernels: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tpkit" / f"jupyterchart-{alt.__version__}-{vl_convert.__version__}.js"


@cache
def _offline() -> None:
    """Switch JupyterChart to the Vega bundle that vl-convert ships (no CDN).

    Building that bundle takes over a second, in every new kernel; it depends only on
    the altair and vl-convert versions, so it is built once and kept on disk. Should a
    future altair move its internals, this falls back to altair's own (slower) switch.
    """
    from tpkit.store import write_atomic

    chart_class = alt.JupyterChart
    cached = bundle_cache()
    if cached.is_file() and hasattr(chart_class, "_is_offline"):
        chart_class._esm = cached.read_text(encoding="utf-8")
        chart_class._is_offline = True
        return
    chart_class.enable_offline()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, chart_class._esm.encode("utf-8"))
    except (OSError, AttributeError):
        pass  # no cache folder to write: the next kernel builds the bundle again


_REDRAW_HOOK = 'model.on("change:spec",reembed);'
_SERIAL_REDRAW = (
    "let tpkitQueue=Promise.resolve();"
    "const tpkitRedraw=()=>(tpkitQueue=tpkitQueue.then(reembed,reembed));"
    'model.on("change:spec",tpkitRedraw);'
)


@cache
def _serial_chart() -> type[alt.JupyterChart]:
    """JupyterChart with its redraws one after the other.

    altair's view starts a new vega-embed for every new spec without waiting for the
    one in progress; two saves close together (an emotion slider moved twice) could
    finish in the wrong order and leave the older journey map on screen. Queued, each
    redraw reads the latest spec. Should a future altair word its bundle differently,
    its own behaviour stays.
    """
    esm = alt.JupyterChart._esm
    if _REDRAW_HOOK not in esm:
        return alt.JupyterChart
    return type(
        "SerialJupyterChart",
        (alt.JupyterChart,),
        {"_esm": esm.replace(_REDRAW_HOOK, _SERIAL_REDRAW)},
    )


# vega-embed's texts for the chart's "…" menu, by the catalogue key that translates them
_MENU_TEXTS = {
    "CLICK_TO_VIEW_ACTIONS": "chart.menu.open",
    "SVG_ACTION": "chart.menu.svg",
    "PNG_ACTION": "chart.menu.png",
}


def embed_options(language: str | None = None) -> dict[str, Any]:
    """vega-embed's options for a live chart: its "…" menu only saves the picture.

    No "Open in Vega Editor" (it sends the chart to an outside site), no "View Source"
    or "View Compiled Vega" (they mean nothing to a marketer); the two items that stay
    speak the page's language.
    """
    from tpkit.i18n import t

    return {
        "actions": {
            "export": {"svg": True, "png": True},
            "source": False,
            "compiled": False,
            "editor": False,
        },
        "i18n": {name: t(key, language) for name, key in _MENU_TEXTS.items()},
    }


class ChartView:
    """A chart that updates in place in JupyterLab and Voila, with no internet needed.

    Display ``view.widget`` (or the view itself); call ``view.update(chart)`` when the
    workbook changes, and the browser swaps the chart without re-rendering the cell.
    ``language`` is the one of the chart's menu (default: the current language).
    """

    def __init__(self, chart: alt.TopLevelMixin, language: str | None = None) -> None:
        _offline()
        self.widget = _serial_chart()(chart, embed_options=embed_options(language))
        # a map wider than the notebook scrolls instead of being cut off (JupyterLab)
        self.widget.layout.max_width = "100%"
        self.widget.layout.overflow = "auto"

    def update(self, chart: alt.TopLevelMixin) -> None:
        self.widget.chart = chart

    def on_pick(self, selection: str, field: str, listener: Callable[[Any], None]) -> None:
        """Call ``listener(value)`` with ``field`` of what a click on the chart selected
        (a point selection named ``selection``); a cleared selection calls nothing."""
        from altair.utils.selection import PointSelection

        def changed(change: dict[str, Any]) -> None:
            state = change["new"].get(selection)
            if not state or not state.get("value"):
                return
            picked = PointSelection.from_vega(selection, state["value"], state["store"])
            values = [point.get(field) for point in picked.value]
            if values and values[0] not in (None, ""):
                listener(values[0])

        self.widget.observe(changed, names="_vl_selections")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
