"""A Race drawn: its paths on one map (or one map per optimizer), the loss chart, optional bars
of an internal, and a player. Ticking an optimizer on or off, a new landscape or a new setting
changes data only; the page's models stay."""

import html

import numpy as np
import panel as pn
from bokeh.layouts import column

from lessons import Entry, Lane, Player, Race, RaceResult
from lessons.kept import Kept

from .bars import InternalsBars
from .loss_chart import LossChart, loss_gap
from .map_view import PATH_SEQUENCES, PATH_STATICS, MapView, path_row, paths_columns
from .palette import MINIMUM_COLOR, legend_entry, optimizer_style
from .readout import readout_lines
from .sizing import plots_row
from .text import Reading
from .timeline import Timeline


def entry_style(entry: Entry) -> tuple[str, str]:
    color, dash = optimizer_style(entry.optimizer)
    return entry.color or color, entry.dash or dash


def verdict_pane(race: Race, name: str, styles: dict | None = None) -> pn.pane.HTML:
    """The race's `verdict()`, refreshed after each recomputation (a slider move or a click on a map).
    HTML, not Markdown: parsing Markdown on every move would be a tenth of the server's time for it."""
    pane = Reading(race.verdict(), name=name, sizing_mode="stretch_width", styles=styles or {})
    race.param.watch(lambda *_: setattr(pane, "object", race.verdict()), "result")
    return pane


ROWS = Kept(max_bytes=32 * 2**20)
"""The rows each map of a race view sends, by the race's settings: every visitor at the same
settings gets the same paths and read-out text, formatted once per process."""


def path_rows(result: RaceResult, lanes: list[Lane], *, readout: bool = True) -> tuple[dict, list[np.ndarray]]:
    """The rows of a paths group for `lanes` (one per lane) and the loss gaps of the lanes that ran.
    A lane that could not run keeps its row, with no path, and its legend label says so."""
    last = result.steps
    rows, gaps = [], []
    for lane in lanes:
        color, dash = entry_style(lane.entry)
        gap = loss_gap(lane.losses, result.minimum) if lane.ok else None
        rows.append(path_row(lane.path if lane.ok else np.full((1, 2), np.nan), last,
                             label=lane.entry.title + ("" if lane.ok else " (not run)"), color=color, dash=dash,
                             start=result.start, ghost=lane.ghost, gap=gap,
                             text=readout_lines(lane, result.landscape, result.minimum, last) if readout else [""]))
        if lane.ok:
            gaps.append(gap)
    return paths_columns(rows), gaps


class RaceView:
    """`split` puts each of the race's entries on a map of its own, and `panels` lists which
    entries (by index) share each map (their number is then fixed by the lesson); otherwise every
    entry shares one map. `player` is the lesson's (`chapters.base.Lesson`), which goes back to
    showing the whole path whenever the race has a new result. `text_legend` writes the legend
    as text above the plots (on a phone, just over the map) instead of inside the map, for races
    with many entries: a legend of fifteen lines inside the map covers a third of it, and a click
    there would not move the start."""

    def __init__(self, race: Race, name: str, *, player: Player | None = None, split: bool = False,
                 panels: list[list[int]] | None = None,
                 titles: list[str] | None = None, loss: bool = True,
                 readout: bool = True, ghosts: bool = False, bars: dict | None = None,
                 text_legend: bool = False):
        self.race, self.name, self.readout = race, name, readout
        self.panels = panels or ([[i] for i in range(len(race.entries()))] if split else None)
        self.timeline = Timeline(name, player)
        count = len(self.panels) if self.panels else 1
        titles = titles or [""] * count
        self.maps = [MapView(race.surface, title=titles[i], name=f"{name}-map{i or ''}",
                             legend=not text_legend) for i in range(count)]
        self.legend = pn.pane.HTML("", name=f"{name}-legend", sizing_mode="stretch_width",
                                   visible=text_legend, styles={"line-height": "1.7"}, css_classes=["race-legend"])
        self.groups = [self.timeline.group(f"paths{i or ''}", PATH_SEQUENCES, PATH_STATICS) for i in range(count)]
        for view, group in zip(self.maps, self.groups, strict=True):
            view.draw_paths(group, readout=readout, ghosts=ghosts)
            view.on_tap(self.race.set_start)
        self.loss = LossChart(name=f"{name}-loss") if loss else None
        if self.loss:
            for group in self.groups:
                self.loss.draw(group)
        self.bars = InternalsBars(self.timeline, name=f"{name}-bars", **bars) if bars else None
        self.notice = pn.pane.HTML("", visible=False, name=f"{name}-notice", sizing_mode="stretch_width",
                                   styles={"color": "#8a1c12"})
        race.param.watch(lambda *_: self.draw(), "result")
        self.draw()

    def _lanes_per_map(self, result: RaceResult):
        if self.panels:
            return [[result.lanes[i] for i in panel] for panel in self.panels]
        return [list(result.lanes)]

    def draw(self):
        """Send the race's current result to the browser, in one message."""
        with pn.io.hold():
            self._send(self.race.result)

    def _send(self, result: RaceResult):
        last = result.steps
        gaps = []
        panels = tuple(map(tuple, self.panels)) if self.panels else None
        for index, (view, group, lanes) in enumerate(zip(self.maps, self.groups, self._lanes_per_map(result),
                                                         strict=True)):
            view.set_landscape(result.landscape)
            view.fit_readout(len(lanes))
            key = (self.race.result_key(), panels, index, self.readout)
            rows, lane_gaps = ROWS.get(key, lambda lanes=lanes: path_rows(result, lanes, readout=self.readout))
            gaps += lane_gaps
            self.timeline.load(group, rows, last)
        if self.loss:
            self.loss.fit(gaps, last)
        if self.bars:
            colored = [(lane, entry_style(lane.entry)[0]) for lane in result.lanes]
            self.timeline.load(self.bars.group, self.bars.rows(colored), last)
        self.timeline.show(last=last)
        problems = [f"<b>{html.escape(lane.entry.title)}</b> was not run: {html.escape(lane.error)}"
                    for lane in result.lanes if not lane.ok]
        self.notice.object = "<br>".join(problems)
        self.notice.visible = bool(problems)
        if self.legend.visible:
            self.legend.object = self._legend_text(result)

    @staticmethod
    def _legend_text(result: RaceResult) -> str:
        lines = [legend_entry(*entry_style(lane.entry), lane.entry.title) for lane in result.lanes]
        marks = [f'<span style="white-space:nowrap"><span style="color:{MINIMUM_COLOR};'
                 '-webkit-text-stroke:1px #000">★</span> minimum</span>',
                 '<span style="white-space:nowrap">▪ start</span>']
        return " &nbsp; ".join(lines + marks)

    def layout(self, replay: bool = False) -> pn.Column:
        """Player, maps (side by side where the screen is wide enough), loss chart and bars."""
        plots = [view.plot for view in self.maps] + ([self.loss.figure] if self.loss else [])
        plots += [self.bars.figure] if self.bars else []
        return pn.Column(
            pn.pane.Bokeh(column(self.timeline.controls(replay), sizing_mode="stretch_width")),
            self.notice,
            self.legend,
            plots_row(*plots, name=f"{self.name}-plots"),
            sizing_mode="stretch_width", name=self.name,
        )
