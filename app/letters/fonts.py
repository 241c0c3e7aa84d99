"""The letter fonts: DejaVu Sans (regular and bold), shipped in resources/fonts/ and embedded in every PDF, so
Swedish characters print the same on every machine. The same files are handed to Qt for printing."""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.resources import as_file, files
from pathlib import Path
from weakref import WeakKeyDictionary

REGULAR = "LotsenSans"
BOLD = "LotsenSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def font_files() -> dict[str, Path]:
    """Font name -> TTF file on disk (resources are plain files in both the source tree and the frozen app)."""
    out = {}
    for name, filename in _FILES.items():
        with as_file(files("resources") / "fonts" / filename) as path:
            out[name] = Path(path)
    return out


@cache
def register() -> None:
    """Register the fonts with reportlab once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    class _CachedTTFont(TTFont):
        """A letter batch repeats the same template lines thousands of times. Encoding a string for a document's
        font subset is pure Python per character; a character's code never changes once it is assigned in a
        document, so the encoded form of a string can be reused for the rest of that document."""

        def __init__(self, name: str, filename: str):
            super().__init__(name, filename)
            self._split: WeakKeyDictionary = WeakKeyDictionary()
            # Building a subset font program is the largest cost of a one-letter PDF. Documents seeded with the
            # same characters in the same order (seed()) get identical subsets, built once per process.
            build = self.face.makeSubset
            built = lru_cache(maxsize=32)(lambda codes: build(list(codes)))
            self.face.makeSubset = lambda subset: built(tuple(subset))

        def splitString(self, text, doc, encoding="utf-8"):
            known = self._split.get(doc)
            if known is None:
                known = self._split[doc] = {}
            parts = known.get(text)
            if parts is None:
                parts = known[text] = super().splitString(text, doc, encoding)
            return parts

    for name, path in font_files().items():
        pdfmetrics.registerFont(_CachedTTFont(name, str(path)))


@cache
def _font(bold: bool):
    from reportlab.pdfbase.pdfmetrics import getFont

    register()
    return getFont(BOLD if bold else REGULAR)


# The characters of nearly every letter, in a fixed order: printable ASCII, Swedish and other common Latin letters,
# and the punctuation the templates use.
SEED = "".join(map(chr, range(32, 127))) + "ÅÄÖåäöÉéÈèÜüØøÆæÁáÍíÓóÚúÑñÇçß–—“”’‘•·…§°€"


def seed(doc) -> None:
    """Give a new document the shared character order, so that its font subsets come from the cache."""
    register()
    for bold in (False, True):
        _font(bold).splitString(SEED, doc)


@lru_cache(maxsize=100_000)
def width(text: str, bold: bool, size: float) -> float:
    """Width in points. Cached: letters are made of the same words over and over."""
    return _font(bold).stringWidth(text, size)
