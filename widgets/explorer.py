"""One or more optimizers on one landscape: contour map, player, loss chart and readout.

The chapters configure it; it computes each path with the core's `run` and pushes the data to
the browser, where the Timeline plays it.
"""

from dataclasses import dataclass

import numpy as np
import panel as pn
from bokeh.layouts import column, row

from landscapes import Landscape
from optimizers import Trajectory, run

from .landscape_view import LandscapeView
from .loss_chart import LossChart, loss_gap
from .readout import Readout, step_lines
from .timeline import Timeline


@dataclass
class Contestant:
    """An optimizer in the explorer: its registry name, label, colour and hyperparameters."""

    name: str
    label: str
    color: str
    hyper: dict
    dash: str = "solid"
    ghost: bool = False
    """Draw Nesterov's lookahead: the ball follows internals["ball"], a ghost marks the parameters."""

    def path(self, traj: Trajectory) -> np.ndarray:
        if self.ghost:
            return np.vstack([traj.params[:1], traj.internals["ball"]])
        return traj.params


def landscape_minimum(landscape: Landscape) -> float:
    return float(min(landscape.f(np.array(m)) for m in landscape.minima))


class Explorer:
    """Paths of several optimizers from one start, drawn on one map and played together."""

    def __init__(self, name: str, landscape: Landscape, contestants: list[Contestant], steps: int,
                 *, width: int = 520, height: int = 440, title: str = "", separate_maps: bool = False):
        self.name = name
        self.landscape = landscape
        self.contestants = contestants
        self.steps = steps
        self.start = np.array(landscape.start, dtype=float)
        self.timeline = Timeline(name)
        titles = [f"{c.label} (click to set the start)" for c in contestants] if separate_maps else [title]
        self.views = [LandscapeView(landscape, self.timeline, width=width, height=height, title=t,
                                    name=f"{name}-map{i if i else ''}") for i, t in enumerate(titles)]
        self.view = self.views[0]
        self.paths = [self.views[i if separate_maps else 0].add_path(c.label, c.color, c.dash)
                      for i, c in enumerate(contestants)]
        self.ghosts = {i: self.views[i if separate_maps else 0].add_ghost("lookahead (ghost)", c.color)
                       for i, c in enumerate(contestants) if c.ghost}
        self.loss = LossChart(self.timeline, width=width, height=height, name=f"{name}-loss")
        for c in contestants:
            self.loss.add_series(c.label, c.color, c.dash)
        self.readouts = [Readout(self.timeline, view.figure, name=f"{view.figure.name}-readout") for view in self.views]
        self.trajectories: list[Trajectory] = []
        for view in self.views:
            view.on_tap(self.set_start)

    def layout(self, *extra_rows, replay: bool = False, loss: bool = True):
        """Player, maps and loss chart. With several maps the loss chart goes below them, unless
        `loss=False`: then the chapter places `self.loss.figure` itself (beside some text, say)."""
        if len(self.views) > 1:
            maps = row(*(v.figure for v in self.views))
            return column(self.timeline.controls(replay), *extra_rows, maps, *([row(self.loss.figure)] if loss else []))
        return column(self.timeline.controls(replay), *extra_rows, row(self.view.figure, self.loss.figure))

    def set_start(self, x: float, y: float):
        """Move the start to a clicked point (clicks outside the map are ignored)."""
        if x is None or y is None or not self.landscape.contains((x, y)):
            return
        self.start = np.array([x, y], dtype=float)
        self.recompute()

    def set_landscape(self, landscape: Landscape):
        self.landscape = landscape
        self.start = np.array(landscape.start, dtype=float)
        with pn.io.hold():
            for view in self.views:
                view.set_landscape(landscape)
            self._send()

    def set_contestants(self, contestants: list[Contestant], steps: int | None = None):
        """New settings (hyperparameters, or the number of steps): recompute every path."""
        self.contestants = contestants
        self.steps = self.steps if steps is None else steps
        self.recompute()

    def compute(self) -> list[Trajectory]:
        surface = self.landscape
        return [run(c.name, surface.grad, self.start, self.steps, bound=surface.escape_bound,
                    hess_fn=surface.hess_diag, **c.hyper)
                for c in self.contestants]

    def recompute(self, show: int | None = None):
        """Run every contestant from the current start and send the paths to the browser."""
        with pn.io.hold():  # one websocket message for everything the recomputation changes
            self._send(show)

    def _send(self, show: int | None = None):
        self.trajectories = self.compute()
        surface, minimum = self.landscape, landscape_minimum(self.landscape)
        updates, gaps, lines = {}, [], []
        for i, (contestant, layer, traj) in enumerate(zip(self.contestants, self.paths, self.trajectories,
                                                           strict=True)):
            path = contestant.path(traj)
            updates.update(layer.updates(path))
            if i in self.ghosts:
                updates.update(self.ghosts[i].updates(traj.params, path))
            with np.errstate(all="ignore"):
                losses = surface.f(path)
                grads = surface.grad(path)
            gaps.append(loss_gap(losses, minimum))
            lines.append(step_lines(contestant.label, path, losses, grads, traj.diverged_at))
        updates.update(self.loss.updates(gaps))
        if len(self.readouts) == 1:
            updates.update(self.readouts[0].updates(*lines))
        else:
            for readout, path_lines in zip(self.readouts, lines, strict=True):
                updates.update(readout.updates(path_lines))
        self.timeline.load(updates, last=self.steps, show=show)
        for view in self.views:
            view.show_starts()

    def steps_to_reach(self, tolerance: float) -> list[int | None]:
        """For each contestant, the first step whose loss is within `tolerance` of the minimum."""
        minimum = landscape_minimum(self.landscape)
        found = []
        for contestant, traj in zip(self.contestants, self.trajectories, strict=True):
            with np.errstate(all="ignore"):
                close = np.flatnonzero(self.landscape.f(contestant.path(traj)) - minimum < tolerance)
            found.append(int(close[0]) if close.size else None)
        return found
