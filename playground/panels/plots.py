"""What the plot panels share."""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem

import playground.qt_compat  # noqa: F401  (PySide6 reference-count guard)

__all__ = ["cache_axes"]


def cache_axes(plot_item, sides=("bottom", "left")) -> None:
    """Draw ``plot_item``'s axes (and the grid lines they carry) from a pixmap cache.

    Their tick labels are text, whose drawing costs milliseconds a frame, and they change only
    when the view's range or size does (pyqtgraph then updates them, which renews the cache).
    """
    for side in sides:
        plot_item.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
