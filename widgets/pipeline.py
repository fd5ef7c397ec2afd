"""A method's per-step pipeline drawn as boxes joined by arrows; it wraps on a phone."""

import html

import panel as pn

STYLE = """
<style>
.pipeline {display: flex; flex-wrap: wrap; align-items: stretch; gap: 6px; margin: 6px 0 12px 0;}
.pipeline .stage {border: 2px solid #0072B2; border-radius: 8px; padding: 6px 10px; min-width: 120px;
                  flex: 1 1 120px; background: rgba(0, 114, 178, 0.06);}
.pipeline .stage b {display: block; margin-bottom: 4px;}
.pipeline .stage div {font-family: monospace; font-size: 13px; white-space: pre-wrap;}
.pipeline .arrow {align-self: center; font-size: 22px; color: #0072B2;}
</style>
"""


def pipeline(stages: list[tuple[str, str]], *, name: str) -> pn.pane.HTML:
    """`stages`: (title, the formulas of that stage, one per line)."""
    boxes = [f'<div class="stage"><b>{html.escape(title)}</b><div>{html.escape(body)}</div></div>'
             for title, body in stages]
    return pn.pane.HTML(STYLE + '<div class="pipeline">' + '<span class="arrow">→</span>'.join(boxes) + "</div>",
                        sizing_mode="stretch_width", name=name)
