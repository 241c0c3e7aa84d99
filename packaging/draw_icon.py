"""Draw Lotsen's icon: a white beacon (a pilot's light) with its beam over a wave, on a dark blue tile.

Writes resources/icons/lotsen.png (256 px, for Qt's window icon) and packaging/lotsen.ico (16-256 px, for the exe and
the installer). Run again after a change: `python packaging/draw_icon.py` (needs Pillow, a build-only dependency).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
PNG = ROOT / "resources" / "icons" / "lotsen.png"
ICO = ROOT / "packaging" / "lotsen.ico"
NAVY, WHITE, AMBER, TEAL = "#17375E", "#FFFFFF", "#F2B233", "#3FA7B5"
SIZES = [16, 20, 24, 32, 40, 48, 64, 128, 256]


def draw(size: int = 1024) -> Image.Image:
    """Drawn large on a 100-unit grid and scaled down, so the small sizes stay smooth."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    u = size / 100

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * u, y0 * u, x1 * u, y1 * u]

    pen.rounded_rectangle(box(2, 2, 98, 98), radius=18 * u, fill=NAVY)
    pen.polygon([(56 * u, 30 * u), (94 * u, 16 * u), (94 * u, 44 * u)], fill=AMBER)  # the beam
    pen.polygon([(38 * u, 76 * u), (42 * u, 34 * u), (58 * u, 34 * u), (62 * u, 76 * u)], fill=WHITE)  # tower
    pen.rectangle(box(41, 50, 59, 56), fill=NAVY)                                          # its stripe
    pen.rectangle(box(43, 22, 57, 34), fill=AMBER)                                         # the lantern
    pen.polygon([(40 * u, 22 * u), (50 * u, 13 * u), (60 * u, 22 * u)], fill=WHITE)      # the roof
    pen.rounded_rectangle(box(10, 74, 90, 84), radius=5 * u, fill=TEAL)                    # the sea
    return image


def main() -> None:
    large = draw()
    PNG.parent.mkdir(parents=True, exist_ok=True)
    large.resize((256, 256), Image.LANCZOS).save(PNG, optimize=True)
    large.resize((256, 256), Image.LANCZOS).save(ICO, sizes=[(s, s) for s in SIZES])
    print(f"Skrev {PNG.relative_to(ROOT)} och {ICO.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
