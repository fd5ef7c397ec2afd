"""Numbers as the pages print them, and the readout lines drawn on a map for each step."""

import numpy as np

from landscapes import Landscape
from lessons import Lane
from lessons.numbers import number

from .loss_chart import FLOOR


def fmt(value: float) -> str:
    """A number in at most four significant figures, readable from 1e-9 to 1e9."""
    if not np.isfinite(value):
        return "—"
    return number(value)


def coordinate(value: float, scale: float) -> str:
    """A coordinate, printed as 0 when it is below a billionth of the map's size."""
    return "0" if np.isfinite(value) and abs(value) < 1e-9 * scale else fmt(value)


def floored(value: float) -> str:
    """A non-negative size (the loss above the minimum, a gradient's length), shown as below the
    loss chart's floor where the chart's log axis floors it."""
    return f"< {number(FLOOR, 1)}" if np.isfinite(value) and value < FLOOR else fmt(value)


def readout_lines(lane: Lane, landscape: Landscape, minimum: float, last: int) -> list[str]:
    """Three short lines per step: who and when, where, how low (a phone-wide map fits ~40
    characters a line)."""
    title = lane.entry.title
    if not lane.ok:
        return [f"{title}: not run\n   (see the note above the map)\n "] * (last + 1)
    scale = max(map(abs, (*landscape.x_range, *landscape.y_range)))
    scaled = lane.entry.loss_scale != 1  # the race runs on k·L; the readout reads L itself
    loss = "L (unscaled) − min" if scaled else "loss − min"
    lines = []
    for k in range(last + 1):
        head = f"{title} · step {k}/{last}"
        if 0 <= lane.diverged_at <= k:
            bound = fmt(landscape.escape_bound)
            if 0 <= lane.left_map_at < lane.diverged_at:
                lines.append(f"{head}\n   diverged at step {lane.diverged_at} (off the map since\n   step "
                             f"{lane.left_map_at}): a coordinate passed {bound}")
            else:
                lines.append(f"{head}\n   diverged at step {lane.diverged_at}: a coordinate\n   passed "
                             f"{bound}, 100× the map's farthest edge")
            continue
        x, y = lane.path[k]
        where = f"θ = ({coordinate(x, scale)}, {coordinate(y, scale)})"
        if not landscape.contains((x, y)):
            where = f"off the map (it first left at step {lane.left_map_at})"
        lines.append(f"{head}\n   {where}\n   {loss} {floored(lane.losses[k] - minimum)} · "
                     f"|∇L| {floored(lane.grad_norms[k])}")
    return lines
