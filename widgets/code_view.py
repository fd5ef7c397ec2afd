"""The source of the function that really runs, highlighted (never a copy)."""

import inspect

import panel as pn


def code_view(function, *, note: str = "") -> pn.pane.Markdown:
    source = inspect.getsource(function)
    where = f"`{function.__module__}.{function.__qualname__}`"
    text = f"{note}\n\nThe code below is {where}, read from the running core.\n\n```python\n{source}```"
    return pn.pane.Markdown(text.strip(), sizing_mode="stretch_width", name=f"code-{function.__name__}")
