"""Every styling choice for the report figures, in one place: seaborn palettes and theme, sizes, output settings.

Colours come from seaborn, not typed by hand: the groups use seaborn's «colorblind» palette (a
colour-blind-safe set close to Okabe–Ito), the five-point scale ColorBrewer's PuOr diverging scheme via
`seaborn.color_palette`, with a light grey from seaborn's «Greys» for the neutral middle so «verken eller»
reads as neutral. Text colour on a segment is computed for contrast (WCAG), not chosen per colour.

Importing this module imports seaborn (and matplotlib): only the figure code does, lazily.
"""

from __future__ import annotations

import seaborn as sns
from matplotlib.colors import to_hex, to_rgb

_COLORBLIND = sns.color_palette("colorblind").as_hex()
GROUP_COLORS = {"ppt": _COLORBLIND[0], "skoleleder": _COLORBLIND[1], "skoleeier": _COLORBLIND[2]}
# Pulje comparison: PPT's colour for the puljer, seaborn's colour-blind grey for «alle puljer».
PULJE_COLOR = GROUP_COLORS["ppt"]
ALL_PULJE_COLOR = _COLORBLIND[7]

_PUOR = sns.color_palette("PuOr", 5).as_hex()
SCALE_COLORS = {1: _PUOR[0], 2: _PUOR[1], 3: to_hex(sns.color_palette("Greys", 6)[1]), 4: _PUOR[3], 5: _PUOR[4]}


def _luminance(color) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_color_on(color) -> str:
    """Black or white, whichever has the higher contrast on `color` (WCAG relative luminance)."""
    lum = _luminance(color)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


SCALE_TEXT_COLORS = {code: text_color_on(c) for code, c in SCALE_COLORS.items()}
SUPPRESSED_COLOR = "#555555"
WHISKER_COLOR = "#222222"

# Sizes in inches; dpi fixed so the PNG is the same everywhere.
GROUPED_BARS_SIZE = (8.0, 6.0)
DISTRIBUTION_SIZE = (8.0, 3.0)
PANEL_WIDTH = 2.35  # one small-multiple panel of the pulje comparison
PANEL_HEIGHT = 1.75
LIKERT_ROW_HEIGHT = 0.42  # one group's bar in the five-point distribution figure
DPI = 120
LABEL_WRAP = 30  # characters per line of an item label
PANEL_TITLE_WRAP = 28

# seaborn's «ticks» theme and «paper» context, then our fixed choices on top. Used as an rc context while
# a figure is drawn, so the user's settings are untouched. DejaVu Sans ships with matplotlib, so the same
# font is used on every machine.
RC = {
    **sns.axes_style("ticks"),
    **sns.plotting_context("paper", font_scale=1.1),
    "font.family": "DejaVu Sans",
    "font.sans-serif": ["DejaVu Sans"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9.0,
    "axes.titleweight": "bold",
    "legend.frameon": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "path.simplify": False,
    # SVG: fixed hash salt for element ids, text as paths (looks the same without the font installed).
    "svg.hashsalt": "lmp",
    "svg.fonttype": "path",
    "text.antialiased": True,
}

# Output metadata: no software version or date, so the bytes are identical on rerun.
PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}

BAR_HEIGHT = 0.26
