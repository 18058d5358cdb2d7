"""Every styling choice for the report figures, in one place (colours, fonts, sizes, PNG settings).

Colours are colour-blind safe: the groups use the Okabe–Ito palette, the five-point scale a
ColorBrewer PuOr diverging scheme (safe for the common forms of colour blindness) with a grey middle.
"""

from __future__ import annotations

# Okabe & Ito (2008), «Color Universal Design»: distinguishable with protan/deutan/tritan vision.
GROUP_COLORS = {
    "ppt": "#0072B2",  # blue
    "skoleleder": "#E69F00",  # orange
    "skoleeier": "#009E73",  # bluish green
}
# ColorBrewer PuOr (5 classes), middle replaced by a neutral grey so «verken eller» reads as neutral.
SCALE_COLORS = {1: "#E66101", 2: "#FDB863", 3: "#D9D9D9", 4: "#B2ABD2", 5: "#5E3C99"}
# Text on a segment: white on the two dark ends, black elsewhere (contrast ≥ 4.5:1).
SCALE_TEXT_COLORS = {1: "#000000", 2: "#000000", 3: "#000000", 4: "#000000", 5: "#FFFFFF"}
SUPPRESSED_COLOR = "#555555"
WHISKER_COLOR = "#222222"
GRID_COLOR = "#DDDDDD"

# Sizes in inches; dpi fixed so the PNG is the same everywhere.
GROUPED_BARS_SIZE = (8.0, 6.4)
DISTRIBUTION_SIZE = (8.0, 3.4)
DPI = 120
LABEL_WRAP = 30  # characters per line of an item label
TITLE_WRAP = 90

# matplotlib rcParams used while a figure is drawn (a context, so the user's settings are untouched).
# DejaVu Sans ships with matplotlib, so the same font is used on every machine.
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.axisbelow": True,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "path.simplify": False,
    "svg.hashsalt": "lmp",
    "text.antialiased": True,
}

# PNG metadata: only fixed keys, no software version or date, so bytes are identical on rerun.
PNG_METADATA = {"Software": None}

BAR_HEIGHT = 0.26
VALUE_FMT_DECIMALS = 1
