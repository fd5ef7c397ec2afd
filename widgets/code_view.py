"""The source of the function that really runs, highlighted (never a copy).

Rendered to HTML by Pygments rather than through Markdown, so the LaTeX in a docstring stays
source text instead of being typeset by the page's MathJax in the middle of the code.
"""

import inspect

import panel as pn
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

_FORMATTER = HtmlFormatter(noclasses=True, style="monokai", nobackground=False)
_BOX = "border-radius:8px;padding:12px 16px;overflow-x:auto;font-size:13px;line-height:1.45;background:#272822"


def code_view(function) -> pn.Column:
    source = inspect.getsource(function)
    where = f"<code>{function.__module__}.{function.__qualname__}</code>"
    body = highlight(source, PythonLexer(), _FORMATTER)
    return pn.Column(
        pn.pane.HTML(f"<p>The code below is {where}, read from the running core.</p>"),
        pn.pane.HTML(f'<div style="{_BOX}">{body}</div>', sizing_mode="stretch_width",
                     name=f"code-{function.__name__}"),
        sizing_mode="stretch_width",
    )
