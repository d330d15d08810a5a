"""Save part of a QGraphicsScene as a PNG image or an SVG drawing (the Graph and Loss exports)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter

__all__ = ["render_png", "render_svg"]


def render_png(scene, source: QRectF, path, scale: float = 2.0, background: QColor | None = None) -> bool:
    """Draw ``source`` (scene coordinates) at ``scale`` pixels per unit into a PNG file; True on success."""
    image = QImage(
        max(1, int(source.width() * scale)), max(1, int(source.height() * scale)), QImage.Format.Format_ARGB32
    )
    image.fill(background if background is not None else QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    return image.save(str(path), "PNG")


def render_svg(scene, source: QRectF, path, title: str) -> bool:
    """Draw ``source`` (scene coordinates) into an SVG file with Qt's SVG generator; True on success."""
    from PySide6.QtSvg import QSvgGenerator  # loaded on first export only

    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(max(1, int(source.width())), max(1, int(source.height()))))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title)
    generator.setDescription("Exported from Gradient Playground")
    painter = QPainter()
    if not painter.begin(generator):
        return False
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    return True
