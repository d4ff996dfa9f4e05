"""Charts of a workbook: pure functions ``(workbook, language) -> altair chart``.

Static output (reports) goes through :func:`to_svg`; live output (JupyterLab, Voila)
through :class:`ChartView`, which works offline. Importing this module loads altair and
pandas, so ``import tpkit`` does not import it.
"""

from tpkit.charts.data import (
    coverage_data,
    journey_data,
    journey_touchpoints,
    level,
    quadrant,
    quality_data,
    spread_data,
)
from tpkit.charts.figures import coverage, quality_matrix, rating_spread
from tpkit.charts.journey import journey_map
from tpkit.charts.render import ChartView, to_png, to_svg

__all__ = [
    "ChartView",
    "coverage",
    "coverage_data",
    "journey_data",
    "journey_map",
    "journey_touchpoints",
    "level",
    "quadrant",
    "quality_data",
    "quality_matrix",
    "rating_spread",
    "spread_data",
    "to_png",
    "to_svg",
]
