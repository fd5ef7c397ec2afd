"""Chapter pages. `build(n)` returns chapter n's page; unwritten chapters show their outline."""

import importlib

import panel as pn

from .catalog import CHAPTERS, ChapterInfo


def outline_page(info: ChapterInfo) -> pn.viewable.Viewable:
    from .preview import preview

    items = "\n".join(f"- {item}" for item in info.outline)
    parts = [
        pn.pane.Markdown(f"# Chapter {info.number} · {info.title}\n\n*{info.promise}*", sizing_mode="stretch_width"),
        pn.pane.Alert("This chapter is being written. Here is what it will cover:", alert_type="info"),
        pn.pane.Markdown(items, sizing_mode="stretch_width"),
    ]
    plot = preview(info.number)
    if plot is not None:
        parts.append(plot)
    return pn.Column(*parts, sizing_mode="stretch_width", name=f"chapter-{info.number}")


def build(number: int) -> pn.viewable.Viewable:
    info = CHAPTERS[number]
    if info.module is None:
        return outline_page(info)
    return importlib.import_module(info.module).page()


__all__ = ["CHAPTERS", "ChapterInfo", "build"]
