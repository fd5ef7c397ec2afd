"""Chapter prose: Markdown whose rendered HTML is kept across sessions.

Every learner gets the same chapter text, yet Panel renders a Markdown pane's text anew for
each session (about 20 ms a pane, 0.2 s on a long chapter). The cache holds one rendering per
distinct text and renderer settings; the pane itself is still a fresh object per session.
"""

import re

import panel as pn

from lessons.numbers import typeset

_RENDERED: dict[tuple, dict] = {}


_MATHS = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_TEX_ESCAPE = re.compile(r"""(?<!\\)\\([!"#%&'()*+,\-./:;<=>?@\[\]^_`{|}~])""")


def markdown_safe(text: str) -> str:
    """Text whose TeX (between $$) reaches MathJax as written. Markdown reads a backslash before
    punctuation as an escape, so `\\,` (a thin space) would arrive as a bare comma and `\\{` as a
    bare brace; doubling those backslashes leaves one for MathJax."""
    return _MATHS.sub(lambda maths: "$$" + _TEX_ESCAPE.sub(r"\\\\\1", maths.group(1)) + "$$", text)


class Prose(pn.pane.Markdown):
    """Markdown with TeX, rendered once per distinct text for the whole process, its numbers
    typeset (`lessons.numbers`)."""

    def _transform_object(self, obj):
        if not isinstance(obj, str):
            return super()._transform_object(obj)
        key = (obj, self.renderer, self.dedent, self.hard_line_break, self.disable_anchors,
               tuple(self.plugins), tuple(self.extensions))
        if key not in _RENDERED:
            _RENDERED[key] = super()._transform_object(markdown_safe(typeset(obj)))
        return _RENDERED[key]


class Reading(pn.pane.HTML):
    """HTML that a lesson wrote with figures of the core in it, its numbers typeset."""

    def _transform_object(self, obj):
        return super()._transform_object(typeset(obj) if isinstance(obj, str) else obj)


INLINE_CODE = {"default": "#1f5c99", "dark": "#82aaff"}
"""Code in a sentence, per theme (app.py sets it on the page): Panel's own colour is a light blue
made for its dark code boxes, faint on a white page."""
WIDE_MATHS = ("mjx-container { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden; "
              "vertical-align: middle; } "
              "pre, pre code, .codehilite pre { white-space: pre !important; overflow-x: auto; max-width: 100%; } "
              f":not(pre) > code {{ color: var(--inline-code-color, {INLINE_CODE['default']}); }}")
"""A displayed equation or a code listing wider than a phone scrolls on its own instead of
widening the page (and a listing keeps its lines: a wrapped comment would look like code); code
in a sentence takes INLINE_CODE."""


def prose(text: str, **params) -> Prose:
    return Prose(text, sizing_mode="stretch_width", stylesheets=[WIDE_MATHS], **params)


def fill(text: str, facts: dict) -> str:
    """Prose with each [[name]] replaced by a figure measured with the core (TeX's braces make
    str.format unusable here)."""
    for key, value in facts.items():
        text = text.replace(f"[[{key}]]", str(value))
    if "[[" in text:
        raise ValueError(f"no figure for {text[text.index('[['):].split(']]')[0]}]]")
    return text


def displayed(lines) -> str:
    """TeX lines as displayed equations in the page's Markdown, one paragraph each."""
    return "\n\n".join("$$" + line + "$$" for line in lines)
