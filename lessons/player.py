"""The player's settings: which step is shown and how fast Play advances."""

import param


class Player(param.Parameterized):
    """Playback runs in the browser; the model learns the step when playback stops or a button
    moves it, so a link can reopen the page at that step."""

    step = param.Integer(default=-1, bounds=(-1, None), label="Step shown",
                         doc="-1 shows the last step: a new setting's whole path is visible at once.")
    speed = param.Integer(default=30, bounds=(1, 240), label="Speed (steps per second)")
