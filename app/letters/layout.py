"""Place a letter on A4 pages: positioned text runs, rules and a logo, in points from the top-left corner.

The same laid-out pages are drawn by reportlab (PDF) and by Qt (printing), so what is printed is what is archived.
The address sits in the left window of a Swedish C5/C4 window envelope: 22 mm from the left edge, from about
46 mm from the top. Every page carries the case reference, the date and "page n of m".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from string import Template

from app.letters import fonts
from app.letters.templates import Block, Bullets, Facts, Heading, Paragraph

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
LEFT = 22 * MM
RIGHT = PAGE_WIDTH - 20 * MM
RIGHT_COLUMN = 118 * MM
BODY_SIZE, BODY_LEADING = 10.5, 14.5
FIRST_BODY_TOP, LATER_BODY_TOP, BODY_BOTTOM = 88 * MM, 30 * MM, 274 * MM
FACT_LABEL_WIDTH = 62 * MM
BULLET_INDENT = 5 * MM


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # baseline, from the top of the page
    text: str
    bold: bool
    size: float


@dataclass(frozen=True, slots=True)
class Rule:
    x1: float
    x2: float
    y: float


@dataclass(frozen=True, slots=True)
class Picture:
    path: str
    x: float
    y: float  # top edge
    width: float
    height: float


Op = Text | Rule | Picture


@dataclass(frozen=True)
class LetterContent:
    """Everything printed, as text: composed from the case and the templates by app.letters.compose."""

    region: str
    unit: str
    logo: str
    reference: tuple[tuple[str, str], ...]     # ("Datum", "2026-11-22"), ("Ärende", "123")
    return_address: str
    address: tuple[str, ...]                  # recipient lines; empty when a person must handle the letter
    manual_note: str | None                   # e.g. "Skyddad identitet – hanteras manuellt"
    regarding: tuple[str, ...]                # right of the address: whom the letter is about
    title: str
    blocks: tuple[Block, ...]
    closing: tuple[str, ...]
    footer: str                               # left of every page's footer
    page_label: str                           # Template with ${page} and ${pages}


@dataclass(frozen=True)
class LaidOut:
    pages: tuple[tuple[Op, ...], ...]


@dataclass
class _Chunk:
    """Lines that stay together on one page; `ops` are relative to the chunk's top."""

    height: float
    ops: list[Op]


def lay_out(content: LetterContent) -> LaidOut:
    chunks = _body_chunks(content)
    pages: list[list[Op]] = [_first_page_head(content)]
    y = FIRST_BODY_TOP
    for chunk in chunks:
        if y + chunk.height > BODY_BOTTOM and y > LATER_BODY_TOP:
            pages.append(_later_page_head(content))
            y = LATER_BODY_TOP
        pages[-1].extend(_shift(op, y) for op in chunk.ops)
        y += chunk.height
    total = len(pages)
    for number, page in enumerate(pages, 1):
        page.extend(_footer(content, number, total))
    return LaidOut(tuple(tuple(p) for p in pages))


def wrap(text: str, width: float, bold: bool = False, size: float = BODY_SIZE) -> list[str]:
    return list(_wrap(text, width, bold, size))


@lru_cache(maxsize=20_000)
def _wrap(text: str, width: float, bold: bool, size: float) -> tuple[str, ...]:
    """Greedy line breaking on spaces; a word longer than the line is broken where it must be. Cached: a batch
    repeats most paragraphs word for word."""
    lines: list[str] = []
    space = fonts.width(" ", bold, size)
    for part in text.split("\n"):
        line, used = "", 0.0
        for word in part.split():
            w = fonts.width(word, bold, size)
            if line and used + space + w <= width:
                line, used = f"{line} {word}", used + space + w
                continue
            if line:
                lines.append(line)
            while w > width:  # a very long word (a URL, say)
                cut = max(1, int(len(word) * width / w))
                lines.append(word[:cut])
                word = word[cut:]
                w = fonts.width(word, bold, size)
            line, used = word, w
        lines.append(line)
    return tuple(lines)


def _body_chunks(content: LetterContent) -> list[_Chunk]:
    width = RIGHT - LEFT
    chunks = [_lines_chunk(wrap(content.title, width, True, 15), True, 15, 20, after=8)]
    pending_heading: _Chunk | None = None
    for block in content.blocks:
        if isinstance(block, Heading):
            pending_heading = _lines_chunk(wrap(block.text, width, True, 11.5), True, 11.5, 15, before=6, after=2)
            continue
        new = _block_chunks(block, width)
        if pending_heading is not None and new:  # a heading never ends a page
            new[0] = _join(pending_heading, new[0])
            pending_heading = None
        chunks.extend(new)
    closing = _lines_chunk(list(content.closing), False, BODY_SIZE, BODY_LEADING, before=4)
    chunks[-1] = _join(chunks[-1], closing)  # the greeting never stands alone on a page
    return chunks


def _block_chunks(block: Block, width: float) -> list[_Chunk]:
    if isinstance(block, Paragraph):
        lines = wrap(block.text, width)
        # Paragraph lines may split across pages, but not leave a single line behind or ahead.
        if len(lines) <= 3:
            return [_lines_chunk(lines, False, BODY_SIZE, BODY_LEADING, after=6)]
        head = _lines_chunk(lines[:2], False, BODY_SIZE, BODY_LEADING)
        middle = [_lines_chunk([line], False, BODY_SIZE, BODY_LEADING) for line in lines[2:-2]]
        tail = _lines_chunk(lines[-2:], False, BODY_SIZE, BODY_LEADING, after=6)
        return [head, *middle, tail]
    if isinstance(block, Bullets):
        out = []
        for item in block.items:
            lines = wrap(item, width - BULLET_INDENT)
            chunk = _lines_chunk(lines, False, BODY_SIZE, BODY_LEADING, after=3, indent=BULLET_INDENT)
            chunk.ops.append(Text(LEFT + 1.2 * MM, BODY_SIZE - 1, "•", False, BODY_SIZE))
            out.append(chunk)
        out[-1].height += 3
        return out
    if isinstance(block, Facts):
        return _facts_chunks(block, width)
    return []


def _facts_chunks(block: Facts, width: float) -> list[_Chunk]:
    out = []
    for label, value in block.rows:
        labels = wrap(label, FACT_LABEL_WIDTH - 3 * MM, True)
        values = wrap(value, width - FACT_LABEL_WIDTH)
        ops: list[Op] = [Text(LEFT, 2 + i * BODY_LEADING + BODY_SIZE - 1, line, True, BODY_SIZE)
                         for i, line in enumerate(labels)]
        ops += [Text(LEFT + FACT_LABEL_WIDTH, 2 + i * BODY_LEADING + BODY_SIZE - 1, line, False, BODY_SIZE)
                for i, line in enumerate(values)]
        out.append(_Chunk(max(len(labels), len(values)) * BODY_LEADING + 2, ops))
    if out:
        out[0] = _join(_Chunk(2, [Rule(LEFT, RIGHT, 0)]), out[0])
        out[-1].ops.append(Rule(LEFT, RIGHT, out[-1].height + 1))
        out[-1].height += 10
    return out


def _lines_chunk(lines: list[str], bold: bool, size: float, leading: float, before: float = 0, after: float = 0,
                 indent: float = 0) -> _Chunk:
    ops: list[Op] = [Text(LEFT + indent, before + i * leading + size - 1, line, bold, size)
                     for i, line in enumerate(lines) if line]
    return _Chunk(before + len(lines) * leading + after, ops)


def _join(first: _Chunk, second: _Chunk) -> _Chunk:
    return _Chunk(first.height + second.height, first.ops + [_shift(op, first.height) for op in second.ops])


def _shift(op: Op, dy: float) -> Op:
    if isinstance(op, Text):
        return Text(op.x, op.y + dy, op.text, op.bold, op.size)
    if isinstance(op, Rule):
        return Rule(op.x1, op.x2, op.y + dy)
    return Picture(op.path, op.x, op.y + dy, op.width, op.height)


def _first_page_head(content: LetterContent) -> list[Op]:
    ops: list[Op] = []
    logo = _logo(content.logo)
    if logo:
        ops.append(logo)
        ops.append(Text(LEFT, logo.y + logo.height + 5 * MM, content.unit, False, 10))
    else:
        ops.append(Text(LEFT, 20 * MM, content.region, True, 14))
        ops.append(Text(LEFT, 26 * MM, content.unit, False, 10.5))
    for i, (label, value) in enumerate(content.reference):
        y = 20 * MM + i * 5.5 * MM
        ops.append(Text(RIGHT_COLUMN, y, label, True, 9.5))
        ops.append(Text(RIGHT_COLUMN + 20 * MM, y, value, False, 9.5))
    # The envelope window: return address, then the recipient (or the note for manual handling).
    ops.append(Text(LEFT, 45 * MM, content.return_address, False, 7))
    y = 52 * MM
    if content.manual_note:
        ops.append(Text(LEFT, y, content.manual_note, True, 10.5))
        y += 6 * MM
    for line in content.address[:6]:
        for part in wrap(line, 85 * MM, size=11)[:2]:
            ops.append(Text(LEFT, y, part, False, 11))
            y += 5 * MM
    y = 52 * MM
    for i, line in enumerate(content.regarding):
        ops.append(Text(RIGHT_COLUMN, y, line, i == 0, 9.5))
        y += 5 * MM
    return ops


def _later_page_head(content: LetterContent) -> list[Op]:
    reference = " · ".join(f"{label} {value}" for label, value in content.reference)
    return [
        Text(LEFT, 16 * MM, f"{content.region} · {content.unit}", False, 8.5),
        Text(RIGHT - fonts.width(reference, False, 8.5), 16 * MM, reference, False, 8.5),
        Rule(LEFT, RIGHT, 19 * MM),
    ]


def _footer(content: LetterContent, number: int, total: int) -> list[Op]:
    label = Template(content.page_label).safe_substitute(page=number, pages=total)
    return [
        Rule(LEFT, RIGHT, 279 * MM),
        Text(LEFT, 284 * MM, content.footer, False, 8),
        Text(RIGHT - fonts.width(label, False, 8), 284 * MM, label, False, 8),
    ]


def _logo(path: str) -> Picture | None:
    """The region's logo, 14 mm high; None when there is none or it cannot be read (the name is printed)."""
    if not path:
        return None
    try:
        from reportlab.lib.utils import ImageReader

        w, h = ImageReader(path).getSize()
    except Exception:  # noqa: BLE001 - any unreadable image: fall back to the printed name
        return None
    height = 14 * MM
    width = min(70 * MM, height * w / h)
    return Picture(path, LEFT, 10 * MM, width, width * h / w)
