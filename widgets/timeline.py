"""A shared clock for everything that animates together, played in the browser.

The server computes whole runs once and sends them. A timeline's data lives in *groups*; a group
has one row per series (one optimizer's path, one bar) and three ColumnDataSources:

- `full`: every row's *sequence* columns hold a whole run, one value per step (never drawn);
- `trail`: the same rows with each sequence cut to steps 0..k (a path drawn so far);
- `point`: the same rows with each sequence replaced by its value at step k (a ball, a bar).

*Static* columns (a label, a colour) are copied to all three. The number of rows is free: an
optimizer ticked on or off changes the data, never the page's models. Play, Step, Back and
Reset run in JavaScript and rewrite the arrays inside `trail` and `point` in place, which is no
Bokeh property change, so no websocket message per frame (plots drawn from them need fixed
ranges: auto-ranging would sync). The clock tells the server its step (in the state source's `tags`) only when it stops.
"""

from dataclasses import dataclass

import numpy as np
import panel as pn
from bokeh.layouts import row
from bokeh.models import Button, ColumnDataSource, CustomJS, Div, Slider

from lessons import Player

from .controls import FINGER_HANDLES
from .lean import CLIP_OVERLAYS

_JS = CLIP_OVERLAYS + """
const api = (window.__optimizerLab ??= {timers: {}, last: {}});
const id = state.id;
const actions = new Map([[play, "play"], [forward, "forward"], [back, "back"], [reset, "reset"], [replay, "replay"]]);
const action = actions.get(cb_obj.origin);
function stepNow() { return state.data.step[0]; }
function last() { return state.data.last[0]; }
function plain(seq) {  // a typed array's plain view (an NDArray's own subarray() ignores the offset)
  if (!ArrayBuffer.isView(seq)) return null;
  return new (Object.getPrototypeOf(seq.constructor))(seq.buffer, seq.byteOffset, seq.length);
}
function typedRows(group) {  // per sequence column, each row's plain view (null if not typed), kept
  const full = group.full.data;
  const cache = (api.rows ??= new WeakMap());
  let entry = cache.get(group.full);
  if (entry == null || entry.data !== full || group.keys.some((key) => entry.columns[key] !== full[key])) {
    entry = {data: full, columns: {}, rows: {}};
    for (const key of group.keys) { entry.columns[key] = full[key]; entry.rows[key] = full[key].map(plain); }
    cache.set(group.full, entry);
  }
  return entry.rows;
}
function render(k) {
  k = Math.max(0, Math.min(k, last()));
  state.data.step[0] = k;
  for (const group of groups) {
    const full = group.full.data;
    const typed = group.trail ? typedRows(group) : null;
    for (const key of group.keys) {
      const rows = full[key];
      if (group.trail) {  // views, not copies, of the typed rows
        group.trail.data[key] = rows.map((seq, i) => typed[key][i]?.subarray(0, k + 1) ?? seq.slice(0, k + 1));
      }
      if (group.point) group.point.data[key] = rows.map((seq) => seq[Math.min(k, seq.length - 1)]);
    }
    // "streaming", not "change": glyphs redraw from the new arrays, but a legend labelled from
    // this source is not rebuilt (a change rebuilds every entry, canvases included, each frame)
    if (group.trail) group.trail.streaming.emit();
    if (group.point) group.point.streaming.emit();
  }
}
function tell() {  // one message: the step the learner stopped at
  state.tags = [stepNow(), last()];
}
function stop() {
  cancelAnimationFrame(api.timers[id]);
  api.timers[id] = null;
  state.data.playing[0] = 0;
  play.label = "\\u25B6 Play";
}
function tick() {
  if (!state.data.playing[0]) { stop(); return; }
  const now = performance.now();  // advance by the time that passed: steps per second hold at any frame rate
  state.data.carry[0] += speed.value * (now - api.last[id]) / 1000;
  api.last[id] = now;
  const advance = Math.floor(state.data.carry[0]);
  state.data.carry[0] -= advance;
  render(stepNow() + advance);
  if (stepNow() >= last()) { stop(); tell(); return; }
  api.timers[id] = requestAnimationFrame(tick);  // once a displayed frame, whatever the screen's rate
}
if (action === "play" || action === "replay") {
  if (action === "play" && api.timers[id]) { stop(); tell(); return; }
  if (api.timers[id]) stop();
  if (action === "replay" || stepNow() >= last()) render(0);
  state.data.playing[0] = 1;
  state.data.carry[0] = 1;
  api.last[id] = performance.now();
  play.label = "\\u2016 Pause";
  api.timers[id] = requestAnimationFrame(tick);
} else {
  if (api.timers[id]) stop();
  if (action === "forward") render(stepNow() + 1);
  if (action === "back") render(stepNow() - 1);
  if (action === "reset") render(0);
  tell();
}
"""


@dataclass
class Group:
    """Rows that animate together: `sequences` change with the step, `statics` do not."""

    name: str
    sequences: tuple[str, ...]
    statics: tuple[str, ...]
    full: ColumnDataSource
    trail: ColumnDataSource | None
    point: ColumnDataSource | None

    def js(self) -> dict:
        return {"full": self.full, "trail": self.trail, "point": self.point, "keys": list(self.sequences)}


class Timeline:
    """Steps 0..last, shared by every group drawn in step with one player."""

    def __init__(self, name: str, player: Player | None = None):
        self.name = name
        self.player = player or Player()
        self.state = ColumnDataSource({"step": [0], "last": [0], "playing": [0], "carry": [0.0]},
                                      name=f"{name}-state")
        self.groups: list[Group] = []
        self.play = Button(label="\u25B6 Play", button_type="primary", width=90, name=f"{name}-play")
        self.forward = Button(label="Step \u25B7", width=76, name=f"{name}-forward")
        self.back = Button(label="\u25C1 Back", width=76, name=f"{name}-back")
        self.reset = Button(label="\u21BA Reset", width=76, name=f"{name}-reset")
        self.replay = Button(label="Drop ball", button_type="success", width=90, name=f"{name}-replay")
        self.speed = Slider(title="Speed (steps per second)", start=1, end=240, step=1, value=self.player.speed,
                            width=200, name=f"{name}-speed", stylesheets=[FINGER_HANDLES])
        self.speed.on_change("value", lambda _attr, _old, new: setattr(self.player, "speed", int(new)))
        self.player.param.watch(lambda event: setattr(self.speed, "value", event.new), "speed")
        self.state.on_change("tags", self._told)
        self._loaded_last = 0
        self._wired = False

    def group(self, name: str, sequences: tuple[str, ...], statics: tuple[str, ...] = (), *,
              trail: bool = True, point: bool = True) -> Group:
        if self._wired:
            raise RuntimeError("add every group before calling controls()")
        columns = {key: [] for key in (*sequences, *statics)}

        def source(kind):
            return ColumnDataSource(dict(columns), name=f"{self.name}-{name}-{kind}")

        group = Group(name, tuple(sequences), tuple(statics), source("full"), source("trail") if trail else None,
                      source("point") if point else None)
        self.groups.append(group)
        return group

    @property
    def step(self) -> int:
        """The step shown (the browser moves it during playback and reports where it stopped)."""
        return self.state.data["step"][0]

    @property
    def last(self) -> int:
        return self.state.data["last"][0]

    def load(self, group: Group, rows: dict, last: int):
        """Give `group` new rows: `rows[column]` is a list with one entry per row (a sequence of
        at most last + 1 values for a sequence column; shorter ones repeat their last value)."""
        self._loaded_last = last
        columns = {key: list(rows.get(key, [])) for key in (*group.sequences, *group.statics)}
        group.full.data = {key: ([_padded(seq, last + 1) for seq in values] if key in group.sequences else values)
                           for key, values in columns.items()}

    def show(self, k: int | None = None, last: int | None = None):
        """Display step k (default: the player's step, or the end) from the server side."""
        last = self._loaded_last if last is None else last
        if k is None:
            k = self.player.step if self.player.step >= 0 else last
        k = max(0, min(int(k), last))
        for group in self.groups:
            data = group.full.data
            statics = {key: data[key] for key in group.statics}
            if group.trail is not None:
                group.trail.data = {**statics, **{key: [seq[: k + 1] for seq in data[key]] for key in group.sequences}}
            if group.point is not None:
                group.point.data = {**statics, **{key: [seq[k] if len(seq) else np.nan for seq in data[key]]
                                                  for key in group.sequences}}
        self.state.data = {"step": [k], "last": [last], "playing": [0], "carry": [0.0]}

    def _told(self, _attr, _old, new):
        step, last = (int(value) for value in new)
        self.player.step = -1 if step >= last else step

    def controls(self, replay: bool = False):
        """The player's buttons and speed slider, wired to the browser-side clock.
        `replay` adds a button that restarts from step 0 and plays ("Drop ball")."""
        if not self._wired:
            buttons = {"play": self.play, "forward": self.forward, "back": self.back, "reset": self.reset,
                       "replay": self.replay}
            player = CustomJS(code=_JS, args={"state": self.state, "groups": [g.js() for g in self.groups],
                                              "speed": self.speed, **buttons})
            for button in buttons.values():
                button.js_on_event("button_click", player)  # the script tells them apart by the click's origin
            self._wired = True
        first = [self.replay] if replay else []
        return row(*first, self.play, self.back, self.forward, self.reset, Div(width=6), self.speed,
                   sizing_mode="stretch_width", styles={"flex-wrap": "wrap"})


def _padded(values, rows: int):
    """`values` as `rows` values: cut, or extended by repeating the last one (NaN if none)."""
    values = np.asarray(values)
    if len(values) >= rows:
        return values[:rows]
    fill = values[-1] if len(values) else np.nan
    return np.concatenate([values, np.full(rows - len(values), fill, dtype=np.result_type(values, type(fill)))])


def clip_overlays():
    """A pane that runs CLIP_OVERLAYS as the page is built, before any plot is painted (the
    player's script runs it too, at its first click)."""
    return pn.pane.HTML(f"<script>{CLIP_OVERLAYS}</script>", width=0, height=0, margin=0, sizing_mode="fixed",
                        name="clip-overlays")
