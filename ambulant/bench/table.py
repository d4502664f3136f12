"""Plain-text tables for the bench commands' output."""

from __future__ import annotations

from collections.abc import Sequence


def aligned(lines: Sequence[Sequence[str]], left: int = 0) -> list[str]:
    """The lines (a header, then the rows) in columns two spaces apart: the first `left`
    columns flush left (names), the rest flush right (numbers)."""
    widths = [max(len(line[k]) for line in lines) for k in range(len(lines[0]))]
    return [
        "  ".join(
            c.ljust(w) if k < left else c.rjust(w)
            for k, (c, w) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
