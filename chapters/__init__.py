"""Chapter pages: each chapter's declaration, and `build`, which makes one visit's page from a link."""

import panel as pn

from . import (
    ch0_landscape,
    ch1_sgd,
    ch2_momentum,
    ch3_adaptive,
    ch4_adam,
    ch5_adamw,
    ch6_beyond,
    ch7_schedules,
    ch8_arena,
    ch9_cheatsheet,
)
from .base import Chapter, Lesson
from .catalog import CHAPTERS, ChapterInfo

MODULES = (ch0_landscape, ch1_sgd, ch2_momentum, ch3_adaptive, ch4_adam, ch5_adamw, ch6_beyond, ch7_schedules,
           ch8_arena, ch9_cheatsheet)
"""One module per chapter, in order: each declares its CHAPTER and its quiz()."""
WRITTEN: dict[int, Chapter] = {module.CHAPTER.number: module.CHAPTER for module in MODULES}


def build(number: int, query: dict[str, str] | None = None) -> tuple[pn.viewable.Viewable, list, list[str]]:
    """Chapter `number`'s page for one visit, with the settings `query` (the link) asks for:
    (page, the page's links, notices about link values that could not be used)."""
    chapter = WRITTEN[number]
    lessons = chapter.lessons()
    links = [link for lesson in lessons.values() for link in lesson.links()]
    notices = []
    for link in links:
        notices += link.apply(query or {})
    return chapter.page(lessons), links, notices


__all__ = ["CHAPTERS", "MODULES", "WRITTEN", "Chapter", "ChapterInfo", "Lesson", "build"]
