"""Numbers on the pages are written as a reader writes them: a minus sign and powers of ten,
never a hyphen or Python's e-notation, while TeX, code, tags and links keep theirs."""

import re

import numpy as np
import panel as pn
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chapters import CHAPTERS, MODULES, build
from lessons.numbers import number, read_number, typeset
from widgets.deferred import draw_all
from widgets.readout import fmt
from widgets.text import Prose, Reading
from widgets.worked_table import Table, table_html


@pytest.mark.parametrize(("text", "shown"), [
    ("from (-9, 2)", "from (−9, 2)"),
    ("at 7.89e-31 and -1.5e+03", "at 7.89 × 10⁻³¹ and −1.5 × 10³"),
    ("a rate of 1e-05.", "a rate of 10⁻⁵."),
    ("3e5 steps", "3 × 10⁵ steps"),
    ("1.000e-03 and 0.000e+00", "1.000 × 10⁻³ and 0"),
    ("2026-11-24, steps 1-2, θ-3, x1e5", "2026-11-24, steps 1-2, θ-3, x1e5"),
    ("$$10^{-5} - 2e-3$$ `lr=-2` <a href='?log_lr=-2'>-3</a> [link](?start=-9,2)",
     "$$10^{-5} - 2e-3$$ `lr=-2` <a href='?log_lr=-2'>−3</a> [link](?start=-9,2)"),
])
def test_typeset_writes_minus_signs_and_powers_of_ten_and_leaves_code_tex_and_links(text, shown):
    assert typeset(text) == shown


@pytest.mark.parametrize("digits", [1, 2, 4, 6])
def test_number_writes_a_float_exactly_as_typeset_writes_its_text(digits):
    rng = np.random.default_rng(digits)
    values = [*(rng.normal(size=5000) * 10.0 ** rng.integers(-300, 300, 5000)), 0.0, 1e-5, -1e-5, 1.0,
              -1.0, 5e-324, -5e-324, 1e300]
    assert [number(v, digits) for v in values] == [typeset(f"{v:.{digits}g}") for v in values]


def test_zero_is_written_without_a_sign_whichever_sign_bit_it_carries():
    assert number(-0.0) == number(0.0) == fmt(-0.0) == "0"
    assert "−0" not in table_html(Table(["step −η·gradient"], [[-0.5 * 0.0]]))


@given(st.floats(-1e300, 1e300), st.sampled_from([1, 4, 17]))
def test_every_number_the_page_writes_reads_back_when_typed(value, digits):
    assert read_number(number(value, digits)) == float(f"{value:.{digits}g}")


@pytest.mark.parametrize(("text", "value"), [
    ("−0.8", -0.8), ("0,5", 0.5), (" 1e-8 ", 1e-8), ("10⁻⁸", 1e-8), ("−10⁻⁸", -1e-8), ("5 × 10⁻⁴", 5e-4),
    ("5x10^-4", 5e-4), ("2.5*10^3", 2500.0), ("10^+2", 100.0), ("10", 10.0), ("−3 × 10²", -300.0),
])
def test_a_typed_number_reads_in_each_way_a_reader_writes_one(text, value):
    assert read_number(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "−inf", "1e999", "10^999", "2**10", "10**-8", "1/0", "10⁻",
                                  "x10⁻⁸", "1,000,000", "1e5 × 10²", "__import__('os')", ""])
def test_anything_else_typed_is_refused_not_guessed(text):
    with pytest.raises(ValueError):
        read_number(text)


def test_fmt_and_tables_typeset_their_numbers():
    assert fmt(-2.5e-7) == "−2.5 × 10⁻⁷" and fmt(float("nan")) == "—"
    shown = table_html(Table(["η"], [["5.000e-04"], [-0.5]], note="ends at 3.05e-09."))
    assert "5.000 × 10⁻⁴" in shown and "−0.5" in shown and "3.05 × 10⁻⁹." in shown


E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?e[+-]?\d+(?!\w)")
HYPHEN_MINUS = re.compile(r"(?<![\w.\-])-\d")


def shown_text(pane) -> str:
    """What a pane shows a reader, less its TeX, code, tags and link targets."""
    text = str(pane.object)
    if isinstance(pane, Prose | Reading):
        text = typeset(text)
    for left_out in (r"<style.*?</style>", r"<code>.*?</code>", r"\$\$.*?\$\$", r"`[^`]*`", r"<[^>]*>", r"\]\([^)]*\)"):
        text = re.sub(left_out, " ", text, flags=re.DOTALL)
    return text


@pytest.mark.parametrize("chapter", [c.number for c in CHAPTERS])
def test_no_page_shows_e_notation_or_a_hyphen_for_a_minus(chapter):
    page, _, _ = build(chapter)
    draw_all(page)
    for pane in page.select(pn.pane.HTML) + page.select(pn.pane.Markdown):
        text = shown_text(pane)
        assert not E_NOTATION.search(text), (pane.name, E_NOTATION.search(text).group(0))
        assert not HYPHEN_MINUS.search(text), (pane.name, text[HYPHEN_MINUS.search(text).start() - 30:][:60])
    for group in page.select(pn.widgets.RadioBoxGroup):  # the quizzes' answers among them
        for option in group.options:
            assert not E_NOTATION.search(str(option)) and not HYPHEN_MINUS.search(str(option)), option


def test_a_quizs_answers_and_explanations_are_typeset():
    from widgets.quiz import Choice, Quiz

    quiz = Quiz("Which rate, 1e-3 or -2?", [Choice("1e-3", True, "It is 1e-3, not -2."), Choice("-2", False, "No.")])
    assert "10⁻³ or −2" in quiz.question.object
    assert sorted(quiz.options.options) == ["10⁻³", "−2"]
    quiz.options.value = "10⁻³"
    assert "It is 10⁻³, not −2." in quiz.feedback.object


@pytest.mark.parametrize("module", MODULES)
def test_no_quiz_explanation_repeats_the_verdict_the_quiz_writes_itself(module):
    for choice in module.quiz().choices:
        assert not choice.why.startswith(("Right", "Not quite", "Wrong")), choice.why[:40]
