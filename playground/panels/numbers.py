"""Numbers in table cells that always fit: as many significant digits as the column has room for.

A column too narrow for ``-6.923429e-05`` shows ``-6.92e-05`` rather than ``-6.923…``; the exact
value stays in the tooltip. The tables put the number itself in :data:`NUMBER_ROLE`.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

__all__ = ["NUMBER_ROLE", "FittingNumberDelegate", "fitting_text"]

NUMBER_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_DIGITS = 7  # a float32's worth
MIN_DIGITS = 1  # "-0.004" in a narrow column says more than "-0.00…"


def fitting_text(value: float, fits) -> str:
    """The most precise text of ``value`` (7 significant digits down to 1) for which ``fits(text)``."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{MAX_DIGITS}g}"
    for digits in range(MAX_DIGITS, MIN_DIGITS - 1, -1):
        text = f"{value:.{digits}g}"
        if fits(text):
            return text
    return text  # even the shortest does not fit: Qt elides it


class FittingNumberDelegate(QStyledItemDelegate):
    """Draws the number of a cell with as many digits as the cell's width allows."""

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        value = index.data(NUMBER_ROLE)
        if value is None:
            return
        style = option.widget.style() if option.widget is not None else None
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, option.widget) + 1 if style else 3
        room = option.rect.width() - 2 * margin
        metrics = option.fontMetrics

        def fits(text):
            return metrics.horizontalAdvance(text) <= room

        option.text = fitting_text(float(value), fits)
        if fits(option.text):
            # Painting may lay the text out a pixel wider than measured: never "-2.58…" for a number that fits.
            option.textElideMode = Qt.TextElideMode.ElideNone
