"""A shared clock for everything that animates together, played in the browser.

The server computes whole paths once and sends them. All of a timeline's data lives in three
ColumnDataSources, whatever the number of paths, markers and readouts drawn from it:

- `full`: every column, one row per step (never drawn);
- `trails`: rows 0..k of the columns shown as a trail (a path drawn so far);
- `points`: row k only of the columns shown as a point (a marker, a line of readout text).

A *track* is a named group of columns in them (one path's x and y, say). Play, Step, Step back
and Reset run in JavaScript and only rewrite the arrays inside the two shown sources in place:
no Bokeh property changes, so no websocket message per frame (plots that use these must have
fixed ranges, or auto-ranging would sync). Few sources also means few models for the page to
send and build, which is most of a chapter's load time.
"""

import numpy as np
from bokeh.layouts import row
from bokeh.models import Button, ColumnDataSource, CustomJS, Div, Slider

_JS = """
const api = (window.__optimizerLab ??= {timers: {}});
const id = state.id;
const actions = new Map([[play, "play"], [forward, "forward"], [back, "back"], [reset, "reset"], [replay, "replay"]]);
const action = actions.get(cb_obj.origin);
function stepNow() { return state.data.step[0]; }
function last() { return state.data.last[0]; }
function render(k) {
  k = Math.max(0, Math.min(k, last()));
  state.data.step[0] = k;
  const data = full.data;
  for (const key of trail_keys) trails.data[key] = Array.from(data[key].slice(0, k + 1));
  for (const key of point_keys) points.data[key] = [data[key][k]];
  trails.change.emit();
  points.change.emit();
}
function stop() {
  clearInterval(api.timers[id]);
  api.timers[id] = null;
  state.data.playing[0] = 0;
  play.label = "\u25B6 Play";
}
function tick() {
  if (!state.data.playing[0]) { stop(); return; }
  state.data.carry[0] += speed.value / 30;
  const advance = Math.floor(state.data.carry[0]);
  state.data.carry[0] -= advance;
  render(stepNow() + advance);
  if (stepNow() >= last()) stop();
}
if (action === "play" || action === "replay") {
  if (action === "play" && api.timers[id]) { stop(); return; }
  if (api.timers[id]) stop();
  if (action === "replay" || stepNow() >= last()) render(0);
  state.data.playing[0] = 1;
  state.data.carry[0] = 1;
  play.label = "\u2016 Pause";
  api.timers[id] = setInterval(tick, 1000 / 30);
} else {
  if (api.timers[id]) stop();
  if (action === "forward") render(stepNow() + 1);
  if (action === "back") render(stepNow() - 1);
  if (action === "reset") render(0);
}
"""



class Track:
    """Some columns of a timeline, under keys unique to this track (`track["x"]` is the field
    name to give a glyph). Drawn as a trail from `timeline.trails`, as a point from
    `timeline.points`, or both."""

    def __init__(self, prefix: str, columns: tuple[str, ...]):
        self.keys = {column: f"{prefix}-{column}" for column in columns}

    def __getitem__(self, column: str) -> str:
        return self.keys[column]


class Timeline:
    """Steps 0..last, shared by paths, markers, loss curves and readouts."""

    def __init__(self, name: str, speed: int = 30):
        self.name = name
        self.state = ColumnDataSource({"step": [0], "last": [0], "playing": [0], "carry": [0.0]},
                                      name=f"{name}-state")
        self.full = ColumnDataSource({}, name=f"{name}-full")
        self.trails = ColumnDataSource({}, name=f"{name}-trails")
        self.points = ColumnDataSource({}, name=f"{name}-points")
        self._trail_keys: list[str] = []
        self._point_keys: list[str] = []
        self.play = Button(label="\u25B6 Play", button_type="primary", width=95, name=f"{name}-play")
        self.forward = Button(label="Step \u25B7", width=80, name=f"{name}-forward")
        self.back = Button(label="\u25C1 Back", width=80, name=f"{name}-back")
        self.reset = Button(label="\u21BA Reset", width=80, name=f"{name}-reset")
        self.replay = Button(label="Drop ball", button_type="success", width=95, name=f"{name}-replay")
        self.speed = Slider(title="Speed (steps per second)", start=1, end=240, step=1, value=speed,
                            width=210, name=f"{name}-speed")
        self._wired = False

    def track(self, prefix: str, *columns: str, trail: bool = False, point: bool = False) -> Track:
        """Columns named `{prefix}-{column}`, shown as a trail, a point or both."""
        if self._wired:
            raise RuntimeError("add every track before calling controls()")
        track = Track(prefix, columns)
        keys = list(track.keys.values())
        if set(keys) & set(self.full.data):
            raise ValueError(f"the timeline already has a track named {prefix!r}")
        self.full.data.update({key: [] for key in keys})
        if trail:
            self._trail_keys += keys
            self.trails.data.update({key: [] for key in keys})
        if point:
            self._point_keys += keys
            self.points.data.update({key: [] for key in keys})
        return track

    @property
    def step(self) -> int:
        """The step the server last showed (the browser moves it during playback)."""
        return self.state.data["step"][0]

    @property
    def last(self) -> int:
        return self.state.data["last"][0]

    def column(self, track: Track, column: str) -> np.ndarray | list:
        """A track's whole column, every step."""
        return self.full.data[track[column]]

    def load(self, updates: dict[Track, dict], last: int, show: int | None = None):
        """Replace the data of some tracks (`{track: {column: values}}`) and show step `show`
        (default: the end, so a new setting's whole path is visible at once). Every column is
        made `last + 1` rows long: a shorter one repeats its last row, an empty one is null."""
        data = dict(self.full.data)
        for track, columns in updates.items():
            for column, values in columns.items():
                data[track[column]] = values if isinstance(values, list) else np.asarray(values)
        self.full.data = {key: _padded(values, last + 1) for key, values in data.items()}
        self.show(last if show is None else show, last)

    def show(self, k: int, last: int | None = None):
        """Display step k from the server side (after a recomputation, or in tests)."""
        last = self.last if last is None else last
        k = max(0, min(int(k), last))
        data = self.full.data
        self.trails.data = {key: data[key][: k + 1] for key in self._trail_keys}
        self.points.data = {key: data[key][k: k + 1] for key in self._point_keys}
        self.state.data = {"step": [k], "last": [last], "playing": [0], "carry": [0.0]}

    def controls(self, replay: bool = False):
        """The player's buttons and speed slider, wired to the browser-side clock.
        `replay` adds a button that restarts from step 0 and plays ("Drop ball")."""
        if not self._wired:
            buttons = {"play": self.play, "forward": self.forward, "back": self.back, "reset": self.reset,
                       "replay": self.replay}
            player = CustomJS(code=_JS, args={
                "state": self.state, "full": self.full, "trails": self.trails, "points": self.points,
                "trail_keys": self._trail_keys, "point_keys": self._point_keys, "speed": self.speed, **buttons})
            for button in buttons.values():
                button.js_on_event("button_click", player)  # the script tells them apart by the click's origin
            self._wired = True
        first = [self.replay] if replay else []
        return row(*first, self.play, self.back, self.forward, self.reset, Div(width=10), self.speed)


def _padded(values, rows: int):
    """`values` as `rows` rows: cut, or extended by repeating the last row (null if none)."""
    if len(values) >= rows:
        return values[:rows]
    fill = values[-1] if len(values) else None
    if isinstance(values, np.ndarray) and fill is not None:
        return np.concatenate([values, np.full(rows - len(values), fill, dtype=values.dtype)])
    return list(values) + [fill] * (rows - len(values))
