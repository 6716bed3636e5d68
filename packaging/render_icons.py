"""Render the SVG app icon to PNG, ICO (Windows) and ICNS (macOS) with Qt's own image writers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent / "icons"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(HERE / "omaliref.svg")).render(painter)
    painter.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv)
    for size in (16, 32, 48, 64, 128, 256, 512):
        render(size).save(str(HERE / f"omaliref-{size}.png"))
    render(256).save(str(HERE / "omaliref.ico"))
    render(512).save(str(HERE / "omaliref.icns"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
