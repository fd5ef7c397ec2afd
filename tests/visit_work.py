"""Print, as JSON, how many start-steps of optimizer runs each chapter's visit computes (every
deferred section drawn) in a fresh process: `python tests/visit_work.py [--warm]`. With --warm the
process first runs deploy/warm.py, as `panel serve` does for every server of the course."""

import json
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import optimizers.runner as runner  # noqa: E402

start_steps = []
advance = runner._advance


def counted_advance(spec, grad_fn, x, hp, lrs, *rest):
    start_steps.append(x.shape[0] * len(lrs))
    return advance(spec, grad_fn, x, hp, lrs, *rest)


runner._advance = counted_advance
if "--warm" in sys.argv:
    runpy.run_path(str(ROOT / "deploy" / "warm.py"))

from chapters import CHAPTERS, build  # noqa: E402
from widgets.deferred import draw_all  # noqa: E402

work = {}
for chapter in CHAPTERS:
    start_steps.clear()
    page, _, _ = build(chapter.number)
    draw_all(page)
    work[chapter.number] = sum(start_steps)
print(json.dumps(work))
