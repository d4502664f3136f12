"""Every route colour carries white numbers on the map's stop markers, and the board's lines and
markers use the same colours: axe only sees the colours of the routes a given day happens to have,
so the whole palette is checked here (WCAG AA, 4.5:1 for the markers' 11 px text)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).parents[2] / "api" / "web" / "static"


def _relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast_with_white(colour: str) -> float:
    return 1.05 / (_relative_luminance(colour) + 0.05)


def _marker_colours() -> list[str]:
    css = (STATIC / "css" / "board.css").read_text()
    return re.findall(r"\.route-\d+ span \{ background: (#[0-9a-fA-F]{6}); \}", css)


def test_every_route_colour_reaches_aa_contrast_under_white_text() -> None:
    colours = _marker_colours()
    assert len(colours) >= 10
    weak = {c: round(_contrast_with_white(c), 2) for c in colours if _contrast_with_white(c) < 4.5}
    assert weak == {}


def test_the_board_draws_routes_in_the_markers_colours() -> None:
    script = (STATIC / "js" / "board.js").read_text()
    palette = re.search(r"const COLOURS = \[([^\]]*)\]", script)
    assert palette is not None
    assert re.findall(r"#[0-9a-fA-F]{6}", palette.group(1)) == _marker_colours()
