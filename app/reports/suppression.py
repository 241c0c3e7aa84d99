"""Honest small numbers (DOMAIN §5): counts under the threshold are not shown, and a hidden cell must not be
recoverable from its total and the other parts (secondary suppression)."""

from __future__ import annotations

from collections.abc import Sequence

HIDDEN = "–"


def note(min_count: int) -> str:
    return (f"{HIDDEN} = färre än {min_count} patienter, eller dolt för att ett sådant tal inte ska kunna räknas "
            "fram ur summan. Visas inte, så att ingen patient kan pekas ut.")


def hidden_parts(total: int, parts: Sequence[int], min_count: int) -> set[int]:
    """The indexes of `parts` (which add up to `total`) to hide: each count in 1..min_count-1, and, when only
    one is so hidden and the total is shown, the next smallest non-zero part too, so that total − the shown
    parts does not give it back. When the total is hidden, every part is."""
    if 0 < total < min_count:
        return {i for i, n in enumerate(parts) if n}
    hidden = {i for i, n in enumerate(parts) if 0 < n < min_count}
    if len(hidden) == 1:
        others = sorted((n, i) for i, n in enumerate(parts) if i not in hidden and n)
        if others:
            hidden.add(others[0][1])
    return hidden


def small(n: int, min_count: int) -> bool:
    return 0 < n < min_count
