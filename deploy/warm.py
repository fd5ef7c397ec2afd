"""Ready every chapter before the first student arrives: `panel serve --setup deploy/warm.py`.

A chapter's first visit in a process computes the figures its prose quotes and its widgets'
first views (chapter 8's sweep and basin map among them), about 5 s of CPU for the whole
course, kept for every later visitor (lessons/kept.py and the lessons' caches). While one page
is being built the process answers nobody else, so a class that opens a chapter together on a
fresh server would all wait for the first of them. Panel runs this script once in each process
before it accepts anyone (deploy/panel-serve.args names it for every server of the course): it
builds each written chapter at its default settings, every deferred section drawn, and keeps
nothing but what the caches kept.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chapters import WRITTEN, build  # noqa: E402
from widgets.deferred import draw_all  # noqa: E402


def ready_every_chapter() -> None:
    for number in WRITTEN:
        page, _, _ = build(number)
        draw_all(page)


ready_every_chapter()
