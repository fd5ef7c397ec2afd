"""A shared clock for everything that animates together, played in the browser.

The server computes whole paths once and sends them. Each animated thing is a *track*: a
`full` ColumnDataSource holding one row per step, and a `shown` source the plot draws. A
`trail` track shows rows 0..k (a path drawn so far); a `point` track shows row k only (a
marker, a line of readout text). Play, Step, Step back and Reset run in JavaScript and only
rewrite the arrays inside `shown.data` in place: no Bokeh property changes, so no websocket
message per frame (plots that use these must have fixed ranges, or auto-ranging would sync).
"""

import numpy as np
from bokeh.layouts import row
from bokeh.models import Button, ColumnDataSource, CustomJS, Div, Slider

_JS = """
const api = (window.__optimizerLab ??= {timers: {}});
const id = state.id;
function stepNow() { return state.data.step[0]; }
function last() { return state.data.last[0]; }
function render(k) {
  k = Math.max(0, Math.min(k, last()));
  state.data.step[0] = k;
  for (let i = 0; i < fulls.length; i++) {
    const full = fulls[i].data, shown = showns[i];
    for (const name of Object.keys(full)) {
      const column = full[name];
      const j = Math.min(k, column.length - 1);
      shown.data[name] = modes[i] === "trail" ? Array.from(column.slice(0, j + 1)) : [column[j]];
    }
    shown.change.emit();
  }
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
  play.label = "\u23F8 Pause";
  api.timers[id] = setInterval(tick, 1000 / 30);
} else {
  if (api.timers[id]) stop();
  if (action === "forward") render(stepNow() + 1);
  if (action === "back") render(stepNow() - 1);
  if (action === "reset") render(0);
}
"""


class Timeline:
    """Steps 0..last, shared by paths, markers, loss curves and readouts."""

    def __init__(self, name: str, speed: int = 30):
        self.name = name
        self.state = ColumnDataSource({"step": [0], "last": [0], "playing": [0], "carry": [0.0]},
                                      name=f"{name}-state")
        self._tracks: list[tuple[ColumnDataSource, ColumnDataSource, str]] = []
        self.play = Button(label="\u25B6 Play", button_type="primary", width=95, name=f"{name}-play")
        self.forward = Button(label="Step \u25B7", width=80, name=f"{name}-forward")
        self.back = Button(label="\u25C1 Back", width=80, name=f"{name}-back")
        self.reset = Button(label="\u21BA Reset", width=80, name=f"{name}-reset")
        self.replay = Button(label="Drop ball", button_type="success", width=95, name=f"{name}-replay")
        self.speed = Slider(title="Speed (steps per second)", start=1, end=240, step=1, value=speed,
                            width=210, name=f"{name}-speed")
        self._wired = False

    def trail(self, **columns) -> tuple[ColumnDataSource, ColumnDataSource]:
        """A track that shows rows 0..k of `columns`."""
        return self._track("trail", columns)

    def point(self, **columns) -> tuple[ColumnDataSource, ColumnDataSource]:
        """A track that shows row k of `columns` only."""
        return self._track("point", columns)

    def _track(self, mode, columns):
        if self._wired:
            raise RuntimeError("add every track before calling controls()")
        full = ColumnDataSource({k: list(v) for k, v in columns.items()})
        shown = ColumnDataSource({k: [] for k in columns})
        self._tracks.append((full, shown, mode))
        return full, shown

    @property
    def step(self) -> int:
        """The step the server last showed (the browser moves it during playback)."""
        return self.state.data["step"][0]

    @property
    def last(self) -> int:
        return self.state.data["last"][0]

    def load(self, updates: dict, last: int, show: int | None = None):
        """Replace the data of some tracks (`{full_source: columns}`) and show step `show`
        (default: the end, so a new setting's whole path is visible at once)."""
        for full, columns in updates.items():
            full.data = {k: np.asarray(v) if not isinstance(v, list) else v for k, v in columns.items()}
        self.show(last if show is None else show, last)

    def show(self, k: int, last: int | None = None):
        """Display step k from the server side (after a recomputation, or in tests)."""
        last = self.last if last is None else last
        k = max(0, min(int(k), last))
        for full, shown, mode in self._tracks:
            data = {}
            for name, column in full.data.items():
                j = min(k, len(column) - 1)
                data[name] = column[: j + 1] if mode == "trail" else [column[j]] if len(column) else []
            shown.data = data
        self.state.data = {"step": [k], "last": [last], "playing": [0], "carry": [0.0]}

    def controls(self, replay: bool = False):
        """The player's buttons and speed slider, wired to the browser-side clock.
        `replay` adds a button that restarts from step 0 and plays ("Drop ball")."""
        if not self._wired:
            fulls = [t[0] for t in self._tracks]
            showns = [t[1] for t in self._tracks]
            modes = [t[2] for t in self._tracks]
            for button, action in ((self.play, "play"), (self.forward, "forward"), (self.back, "back"),
                                   (self.reset, "reset"), (self.replay, "replay")):
                button.js_on_event("button_click", CustomJS(
                    args={"state": self.state, "fulls": fulls, "showns": showns, "modes": modes,
                          "play": self.play, "speed": self.speed, "action": action},
                    code=_JS))
            self._wired = True
        buttons = [self.replay] if replay else []
        return row(*buttons, self.play, self.back, self.forward, self.reset, Div(width=10), self.speed)
