"""Sections drawn when the reader comes near them: nothing is built before, everything after, and
each chapter's drawn sections join its document as the server sends them."""

import panel as pn
import pytest
from bokeh.core.validation.check import check_integrity
from bokeh.document import Document
from panel.io.state import set_curdoc

import app
from chapters import WRITTEN
from widgets.deferred import Deferred, NearSignal, OnRequest, draw_all


def counted_section(label="section"):
    built = []

    def build():
        built.append(label)
        return pn.pane.Markdown(f"the {label}", name=label)

    return build, built


def test_a_section_is_built_only_when_drawn_and_only_once():
    build, built = counted_section()
    section = Deferred(build, "A race", 500)
    assert built == [] and not section.drawn
    assert "<em>A race</em>" in section.objects[0].object and section.min_height == 500
    section.draw()
    section.draw()
    assert built == ["section"] and section.drawn
    assert [part.name for part in section.objects] == ["section"] and section.min_height is None


def test_the_page_script_draws_a_section_by_setting_its_flag():
    build, built = counted_section()
    section = Deferred(build, "A race")
    section.select(NearSignal)[0].near = True
    assert built == ["section"]


def test_draw_all_draws_sections_inside_sections():
    inner_build, inner_built = counted_section("inner")
    outer = Deferred(lambda: pn.Column(Deferred(inner_build, "inner")), "outer")
    page = pn.Column(outer, Deferred(counted_section("other")[0], "other"))
    assert draw_all(page) == 3
    assert inner_built == ["inner"] and page.select(Deferred) and all(d.drawn for d in page.select(Deferred))
    assert draw_all(page) == 0


def drawn_document(chapter: int) -> tuple[Document, int, int]:
    """A served chapter's document, its model count at opening, and how many sections were drawn."""
    document = Document()
    with set_curdoc(document):
        template = app.create_app({"chapter": [str(chapter).encode()]})
        template.server_doc(document)
        opened = len(document.models)
        drawn = draw_all(*template.main)
    return document, opened, drawn


@pytest.mark.parametrize("chapter", sorted(WRITTEN))
def test_every_chapter_draws_its_sections_into_its_served_document(chapter):
    document, opened, drawn = drawn_document(chapter)
    heavy = {2: 1, 3: 3, 4: 3, 6: 2, 7: 1, 8: 4}  # chapter 8: two sections, the typed box, own settings
    assert drawn == heavy.get(chapter, 0)
    assert (len(document.models) > opened) == bool(drawn)
    issues = check_integrity(document.models)
    assert issues.error == [] and issues.warning == []
    texts = [getattr(model, "text", "") for model in document.models]
    assert not [t for t in texts if isinstance(t, str) and "drawn as you scroll here" in t]


@pytest.mark.parametrize("chapter", sorted(WRITTEN))
def test_two_visits_with_every_section_drawn_share_no_bokeh_model(chapter):
    first, second = drawn_document(chapter)[0], drawn_document(chapter)[0]
    assert not {id(model) for model in first.models} & {id(model) for model in second.models}


def test_a_part_behind_a_button_is_built_on_the_first_press_only():
    build, built = counted_section()
    part = OnRequest(build, "Show more")
    button = part.objects[0]
    assert built == [] and "reveals-more" in button.css_classes and button.label == "Show more"
    button.clicks += 1
    button.clicks += 1
    assert built == ["section"] and part.drawn and part.objects[0].name == "section"
