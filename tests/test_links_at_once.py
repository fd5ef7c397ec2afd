"""A link sets every one of a lesson's parameters in one update. Every chapter's models and views
must take several changes at once: a watcher on several names is then called with several events."""

import numpy as np
import param
import pytest

from chapters import WRITTEN, build
from lessons.links import text_of
from widgets.deferred import draw_all


def another_value(parameter: param.Parameter, current):
    """A valid value of `parameter` other than `current`, or None when there is no obvious one."""
    if isinstance(parameter, param.ListSelector):
        objects = list(parameter.objects)
        return objects[:2] if list(current) != objects[:2] else objects[:1]
    if isinstance(parameter, param.Selector):
        return next((o for o in parameter.objects if o != current), None)
    if isinstance(parameter, param.Boolean):
        return not current
    if isinstance(parameter, param.NumericTuple):
        return tuple(0.9 * v + 0.05 for v in current)
    if isinstance(parameter, param.Number) and parameter.bounds:
        high = parameter.bounds[1]
        if isinstance(parameter, param.Integer):
            return current + 1 if high is None or current < high else current - 1
        target = high if high is not None and high < 1e6 else current * 2 + 1
        value = current + (target - current) / 3
        return int(value) if isinstance(current, int) and value == int(value) else value
    return None


def everything_changed(lessons) -> dict[str, str]:
    """A link in which every parameter of every lesson differs from the lesson's defaults."""
    query = {}
    for lesson in lessons.values():
        for link in lesson.links():
            for name in link.names:
                value = another_value(link.model.param[name], getattr(link.model, name))
                if value is not None:
                    query[link.key(name)] = text_of(value)
    return query


@pytest.mark.parametrize("number", sorted(WRITTEN))
def test_a_link_that_changes_every_setting_at_once_builds_the_page_and_applies(number):
    query = everything_changed(WRITTEN[number].lessons())
    page, links, notices = build(number, query)
    draw_all(page)
    for link in links:
        for name in link.names:
            key = link.key(name)
            if key in query:
                applied = link.query()[key] == query[key]
                assert applied or any(key in n or link.prefix in n for n in notices), (key, query[key], notices)


@pytest.mark.parametrize("number", sorted(WRITTEN))
def test_a_drawn_page_takes_every_setting_changed_in_one_update(number):
    """What a preset or a multi-value update does to a page already on screen."""
    page, links, _ = build(number, {})
    draw_all(page)
    for link in links:
        model = link.model
        changes = {name: another_value(model.param[name], getattr(model, name)) for name in link.names}
        changes = {name: value for name, value in changes.items() if value is not None}
        try:
            model.param.update(**changes)
        except ValueError:
            continue  # a combination the model refuses as a whole (it says so in the link's notice)
        assert all(np.all(np.asarray(getattr(model, n) == v)) for n, v in changes.items())


@pytest.mark.parametrize("value", [np.log10(0.05), np.float64(0.1) + np.float64(0.2), -1.3010299956639813, 2.5])
def test_a_float_is_written_as_a_number_that_reads_back_exactly_numpy_floats_too(value):
    text = text_of(value)
    assert float(text) == value and "np" not in text and "(" not in text
