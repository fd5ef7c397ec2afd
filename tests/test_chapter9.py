"""Chapter 9: the decision tree's paths, its recipes against the registry and the schedules, the
tables read from them, the quiz, and links with good and bad paths."""

import numpy as np
import pytest

import landscapes
from chapters import build
from chapters.catalog import CHAPTERS
from chapters.ch9_cheatsheet import (
    RATES_COLUMN,
    SUMMARIES,
    defaults_table,
    defaults_text,
    quiz,
    recipe_markdown,
    recipes_table,
)
from lessons.advice import QUESTIONS, RECIPES, DecisionTree, decay_is_decoupled, recipe_paths, walk
from lessons.arena import first_sweep
from lessons.numbers import typeset
from optimizers import REGISTRY, SCHEDULES, get_spec, names


def test_every_path_ends_in_a_recipe_and_every_recipe_is_reached():
    paths = recipe_paths()
    assert set(paths) == set(RECIPES)
    targets = {option.then for question in QUESTIONS.values() for option in question.options}
    assert targets <= set(QUESTIONS) | set(RECIPES) and set(QUESTIONS) - {"start"} <= targets


@pytest.mark.parametrize("key", list(RECIPES))
def test_every_recipe_names_a_registered_optimizer_and_a_schedule_the_core_has(key):
    recipe = RECIPES[key]
    assert recipe.optimizer in REGISTRY and recipe.schedule in SCHEDULES
    low, high = recipe.lr
    assert 0 < low <= high and 0 <= recipe.warmup < 0.5 and recipe.weight_decay >= 0
    text = recipe_markdown(recipe)
    chapter = REGISTRY[recipe.optimizer].chapter
    assert f"(?chapter={chapter})" in text and "(?chapter=7)" in text and "(?chapter=5)" in text


def test_answering_walks_the_tree_and_back_and_restart_undo_it():
    tree = DecisionTree()
    assert tree.question is QUESTIONS["start"] and tree.recipe is None
    for key in recipe_paths()["pretrain"]:
        tree.answer(key)
    assert tree.recipe is RECIPES["pretrain"] and tree.question is None
    with pytest.raises(ValueError, match="goes on after its recommendation"):
        tree.answer("no")
    tree.back()
    assert tree.question is QUESTIONS["memory"]
    with pytest.raises(ValueError, match="not one of"):
        tree.answer("maybe")
    tree.restart()
    assert tree.path == "" and tree.taken == []


def test_the_recipes_table_lists_each_recipe_once_with_its_numbers():
    rows = recipes_table().rows
    assert len(rows) == len(RECIPES)
    for row, key in zip(rows, recipe_paths(), strict=True):
        assert row[1] == RECIPES[key].title and row[2] == RECIPES[key].rate_text


def test_the_defaults_table_is_the_registry():
    rows = defaults_table().rows
    assert [row[0] for row in rows] == [spec.title for spec in REGISTRY.values()]
    for row, spec in zip(rows, REGISTRY.values(), strict=True):
        assert row[1] == f"{spec.defaults['lr']:g}"
        assert (spec.torch is None) == (row[4] == "not in torch.optim")


def test_every_chapter_but_this_one_has_a_summary_that_links_back():
    assert set(SUMMARIES) == {info.number for info in CHAPTERS} - {9}


def test_the_quiz_answer_is_the_fine_tuning_recipe():
    right = [c for c in quiz().choices if c.correct]
    assert len(right) == 1 and typeset(RECIPES["finetune"].rate_text) in right[0].text
    assert RECIPES["finetune"].optimizer == "adamw"


def test_a_link_sets_the_path_and_a_bad_one_is_named():
    _, links, notices = build(9, {"tree.path": "scratch/transformer/usual"})
    assert notices == [] and links[0].model.question is QUESTIONS["length"]
    for bad in ("scratch/xx", "finetune/fits/more", "<script>", "/" * 150):
        _, links, notices = build(9, {"tree.path": bad})
        assert len(notices) == 1 and links[0].model.path == ""


def test_walk_refuses_a_wrong_answer_by_position():
    with pytest.raises(ValueError, match="answer 2"):
        walk(["scratch", "rnn"])


def test_weight_decay_is_called_decoupled_only_where_the_core_keeps_it_out_of_the_gradient():
    assert decay_is_decoupled("adamw") and not decay_is_decoupled("adam") and not decay_is_decoupled("momentum")
    for recipe in RECIPES.values():
        text = recipe.decay_text
        if recipe.weight_decay == 0:
            assert text == "none"
        else:
            assert ("decoupled" in text) == decay_is_decoupled(recipe.optimizer), recipe.optimizer
            assert ("added to the gradient" in text) != ("decoupled" in text)


def test_a_recipe_for_a_run_of_unknown_length_counts_its_warmup_in_steps():
    recipe = RECIPES["open-length"]
    assert recipe.warmup == 0 and recipe.warmup_steps > 0 and "steps" in recipe.warmup_text
    assert "%" not in recipe.warmup_text


def test_the_defaults_tables_rate_column_is_the_arenas_sweep_window_by_window():
    table = defaults_table()
    column = table.headers.index(RATES_COLUMN)
    for (name, _spec), row in zip(REGISTRY.items(), table.rows, strict=True):
        result = first_sweep(name)
        arrives = np.isfinite(result.steps_to_tolerance)
        if not arrives.any():
            assert row[column] == "none of the 40"
            continue
        named = np.zeros_like(arrives)
        for window in row[column].split("; "):
            ends = [float(part) for part in window.split(" to ")]
            low, high = ends[0], ends[-1]
            inside = (result.rates >= low * 0.95) & (result.rates <= high * 1.05)
            assert arrives[inside].all(), (name, window, "every rate of a window arrives")
            named |= inside
        assert (named == arrives).all(), (name, "the windows name every arriving rate")


def test_sgd_and_momentum_arrive_only_below_the_limits_the_defaults_text_gives():
    walls = float(max(landscapes.get("ravine").hess_diag(np.zeros(2))))
    beta = get_spec("momentum").defaults["momentum"]
    for name, limit in (("sgd", 2 / walls), ("momentum", 2 * (1 + beta) / walls)):
        result = first_sweep(name)
        arrived = result.rates[np.isfinite(result.steps_to_tolerance)]
        assert arrived.size and arrived.max() < limit
    momentum = first_sweep("momentum")
    assert momentum.rates[np.isfinite(momentum.steps_to_tolerance)].max() > 2 / walls, "2/c alone is too strict"


@pytest.mark.parametrize("name", names())
def test_the_defaults_column_writes_no_python_none(name):
    shown = defaults_text(REGISTRY[name].defaults)
    assert "None" not in shown and ("machine ε" in shown) == (name == "adafactor")
