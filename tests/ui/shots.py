"""Windows rendered to PNG at a case worker's screen size, to be looked at (LOTSEN_SHOTS=DIR keeps them)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

SMALL_SCREEN = (1366, 768)


def shot(widget: QWidget, name: str, fallback: Path, size: tuple[int, int] | None = SMALL_SCREEN) -> Path:
    """Render `widget` (resized to `size`, at most a 1366×768 screen) to NAME.png and return the path."""
    if size:
        widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    folder = Path(os.environ.get("LOTSEN_SHOTS") or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
