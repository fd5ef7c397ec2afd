"""Colours that colour-blind learners can tell apart (Okabe and Ito, 2008)."""

from bokeh.palettes import Cividis256

PATH_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
"""Blue, vermillion, bluish green, reddish purple, orange, sky blue, yellow, black."""

CONTOUR_PALETTE = Cividis256
"""Dark (low loss) to light (high loss); readable in grey and for every common colour vision."""

MINIMUM_COLOR = "#F0E442"
