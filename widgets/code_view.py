"""The source of a function that really runs, highlighted (never a copy).

The docstring's maths is typeset above the listing, and the listing shows the code without it:
TeX inside highlighted code is unreadable, and typeset inside it would break the layout.
"""

import ast
import inspect
import re
import textwrap

import panel as pn
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from .sizing import sideways_scroll
from .text import prose

_FORMATTER = HtmlFormatter(noclasses=True, style="monokai", nobackground=True)
_BOX = ("border-radius:8px;padding:12px 16px;font-size:13px;line-height:1.45;"
        + sideways_scroll("#272822", "rgba(255,255,255,.35)"))
"""The listing's box: a listing wider than the screen scrolls sideways, with a light shadow."""
_INLINE_MATHS = re.compile(r"(?<!\$)\$(?!\$)(.+?)(?<!\$)\$(?!\$)")


def split_docstring(function) -> tuple[str, str]:
    """The function's source without its docstring, and the docstring."""
    source = textwrap.dedent(inspect.getsource(function))
    body = ast.parse(source).body[0].body[0]
    docstring = inspect.getdoc(function) or ""
    if isinstance(body, ast.Expr) and isinstance(body.value, ast.Constant) and isinstance(body.value.value, str):
        lines = source.splitlines()
        source = "\n".join(lines[:body.lineno - 1] + lines[body.end_lineno:])
    return source, docstring


def markdown_maths(text: str) -> str:
    """Docstring TeX as the page's Markdown writes it: $...$ inline becomes $$...$$, and each
    displayed equation (lines from one that starts with $$ to the $$ that closes it) becomes one
    line and a paragraph of its own. Markdown would otherwise run consecutive equations together,
    and read a continued equation's "+ ..." line as a list."""
    paragraphs, display = [], None
    for line in text.splitlines():
        if display is None and line.lstrip().startswith("$$"):
            display = []
        if display is None:
            paragraphs.append(line)
            continue
        display.append(line.strip())
        joined = " ".join(display)
        if joined.count("$$") >= 2:
            paragraphs += ["", joined, ""]
            display = None
    if display is not None:
        paragraphs.append(" ".join(display))
    return _INLINE_MATHS.sub(r"$$\1$$", "\n".join(paragraphs))


def code_view(function, intro: str = "") -> pn.Column:
    source, docstring = split_docstring(function)
    where = f"`{function.__module__}.{function.__qualname__}`"
    return pn.Column(
        prose(f"{intro}\n\n**{where}**, read from the running core. What it computes:\n\n"
              f"{markdown_maths(docstring)}"),
        pn.pane.HTML(f'<div style="{_BOX}">{highlight(source, PythonLexer(), _FORMATTER)}</div>',
                     sizing_mode="stretch_width", name=f"code-{function.__name__}"),
        sizing_mode="stretch_width",
    )
