"""Chapter 9: the cheat sheet. A decision tree to a starting recipe, quick-reference tables read
from the advice table and the registry, and every chapter in a few lines."""

import functools
import html

import numpy as np
import panel as pn

from lessons.advice import RECIPES, DecisionTree, Recipe, recipe_paths, walk
from lessons.arena import first_sweep
from optimizers import REGISTRY
from widgets.links import copy_link_button
from widgets.quiz import Choice, Quiz
from widgets.text import Reading, prose
from widgets.worked_table import Table, WorkedTable

from .base import Chapter, Lesson
from .catalog import CHAPTERS

SCHEDULE_CHAPTER, DECAY_CHAPTER = 7, 5

TEXT_INTRO = """
# Chapter 9 · Cheat sheet

Everything before this page was about *why*. This one is about *where to start*: answer a few
questions and get a first recipe, with a link to the chapter that explains each part of it.

A recipe is a starting point, not an answer. The rates below are ranges to sweep, the way the
arena's sweep does in chapter 8: try a handful of log-spaced values, keep the best, and only then
tune the rest. These numbers are the only ones in the course not measured on its maps: they are
common practice for real networks, kept in one table that this page, its tables and its quiz all
read.
"""

TEXT_TABLES = """
## Quick reference

Every recipe of the tree, with the answers that lead to it:
"""

TEXT_DEFAULTS = """
The defaults of every optimizer in the course: PyTorch's where PyTorch has the method, except
momentum 0.9 for Momentum and Nesterov, the course's choice (PyTorch's SGD defaults to 0). The
third column is measured: the rates of chapter 8's sweep at which the method arrives on the
ravine, with the arena's first settings (a semicolon separates windows with failing rates
between them). For the methods whose steps are about η long (Adam and its family),
these rates suit maps whose minimum lies several units from the start; a network's weights are
mostly far smaller than 1, and good rates for them are smaller too (chapter 8 says more). For SGD
the limit is the curvature instead: the rate must stay below 2/c (chapter 0), and with heavy-ball
momentum β, below 2(1+β)/c (chapter 2).
"""

TEXT_PRIORITY = """
### What to tune first

1. **The learning rate.** It matters more than anything else: sweep it on a log scale (chapter 8
   shows a sweep). A good rate for one optimizer says little about another's.
2. **The schedule and warmup** (chapter 7): warmup for adaptive methods and large batches, then a
   decay to a small rate by the end.
3. **The batch size**, together with the rate: a larger batch gives less noisy gradients and
   usually wants a larger rate.
4. **Weight decay** (chapter 5): decoupled, as in AdamW; its best value depends on the rate.
5. **The betas.** $$\\beta_1$$ = 0.9 almost always; a smaller $$\\beta_2$$ (0.95 or 0.98) reacts faster
   to changing gradient sizes in long, unstable runs.
6. **ε**, last: it only matters where $$\\sqrt{\\hat v}$$ is tiny.
"""

SUMMARIES = {
    0: "A loss landscape, its gradient, and one rate for all: too small crawls, too large diverges, and on a "
       "ravine no single rate suits both directions.",
    1: "The gradient of a mini-batch is a noisy but unbiased estimate of the full one; the noise shrinks with "
       "the batch size and can shake the ball off a saddle.",
    2: "Momentum adds up past gradients into a velocity, which speeds progress along steady slopes and damps "
       "zig-zags; Nesterov measures the gradient where the velocity is taking the ball.",
    3: "AdaGrad and RMSProp divide each coordinate's step by the size of its past gradients (all of them for "
       "AdaGrad, the recent ones for RMSProp), so steep and flat directions move at similar speeds; AdaGrad's "
       "sum only grows, RMSProp's average forgets.",
    4: "Adam combines momentum with RMSProp's scaling and corrects both averages for starting at zero; its "
       "steps do not depend on the loss's scale, as long as the gradients are far above ε.",
    5: "Weight decay added to the gradient gets divided by Adam's scaling; AdamW shrinks the weights directly, "
       "so every weight decays alike.",
    6: "After Adam: a rectified warmup (RAdam), a divisor built on the largest v so far (AMSGrad), a max norm "
       "(Adamax), lookahead (NAdam), factored memory (AdaFactor), sign steps (Lion), trust ratios (LAMB) and "
       "clipped curvature-scaled steps (Sophia).",
    7: "Warmup, then decay: step, cosine, linear, inverse square root, warmup-stable-decay, and Schedule-Free "
       "AdamW, which averages instead of decaying.",
    8: "Every optimizer on one landscape, at one rate or each at its best, with the sweep, the leaderboard and "
       "the basins of attraction, and a landscape you type.",
}


def chapter_link(number: int) -> str:
    return f"[chapter {number}](?chapter={number})"


def recipe_markdown(recipe: Recipe) -> str:
    spec = REGISTRY[recipe.optimizer]
    return (f"### Start with {spec.title}\n\n"
            f"- **Optimizer:** {spec.title} ({chapter_link(spec.chapter)})\n"
            f"- **Learning rate:** {recipe.rate_text} (sweep it)\n"
            f"- **Schedule:** {recipe.schedule}, warmup {recipe.warmup_text} ({chapter_link(SCHEDULE_CHAPTER)})\n"
            f"- **Weight decay:** {recipe.decay_text} ({chapter_link(DECAY_CHAPTER)})\n\n"
            f"{recipe.why}")


def situation(answers: list[str]) -> str:
    text = ", ".join(option.short for _, option in walk(answers)[0])
    return text[:1].upper() + text[1:]


def recipes_table() -> Table:
    rows = []
    for key, answers in recipe_paths().items():
        recipe = RECIPES[key]
        rows.append([situation(answers), recipe.title, recipe.rate_text, recipe.schedule,
                     recipe.warmup_text, recipe.decay_text])
    return Table(["situation", "optimizer", "learning rate", "schedule", "warmup", "weight decay"], rows,
                 words=True)


def _default_text(value) -> str:
    """One default as the table writes it; None (AdaFactor's first ε) means the float's own machine ε."""
    if value is None:
        return "machine ε"
    return f"{value:g}" if isinstance(value, float | int) else str(value)


def defaults_text(defaults) -> str:
    shown = []
    for name, value in defaults.items():
        if name in ("lr", "foreach", "maximize") or isinstance(value, bool) or value is None:
            continue
        text = ", ".join(_default_text(v) for v in value) if isinstance(value, tuple) else _default_text(value)
        shown.append(f"{name} {text}")
    return "; ".join(shown)


RATES_COLUMN = "rates at which it arrives on the ravine"


@functools.cache
def arriving_rates(name: str) -> str:
    """The rates of the arena's sweep at which `name` arrives on the ravine, as a range (the same
    for every visitor, so kept for the process)."""
    result = first_sweep(name)
    arrived = np.flatnonzero(np.isfinite(result.steps_to_tolerance))
    if not arrived.size:
        return "none of the 40"
    windows = np.split(arrived, np.flatnonzero(np.diff(arrived) > 1) + 1)
    rates = result.rates
    return "; ".join(f"{rates[w[0]]:.2g}" if len(w) == 1 else f"{rates[w[0]]:.2g} to {rates[w[-1]]:.2g}"
                     for w in windows)


def defaults_table() -> Table:
    rows = [[spec.title, f"{spec.defaults['lr']:g}", arriving_rates(name), defaults_text(spec.defaults),
             f"torch.optim.{spec.torch}" if spec.torch else "not in torch.optim"]
            for name, spec in REGISTRY.items()]
    return Table(["method", "default rate", RATES_COLUMN, "other defaults", "in PyTorch"],
                 rows, words=True)


def summaries_markdown() -> str:
    lines = ["## Every chapter in a few lines", ""]
    for info in CHAPTERS:
        if info.number in SUMMARIES:
            lines.append(f"- **[{info.number} · {info.title}](?chapter={info.number})**: {SUMMARIES[info.number]}")
    return "\n".join(lines)


def quiz() -> Quiz:
    recipe = RECIPES["finetune"]
    return Quiz(
        "You are fine-tuning a pre-trained transformer on your own text classes. Which optimizer and learning "
        "rate do you start from?",
        [
            Choice("SGD with momentum at 0.1", False,
                   "A rate that large would wreck the pre-trained weights in a few steps; and on transformers "
                   "Adam-style scaling is the norm, because their layers' gradients differ widely in size."),
            Choice(f"AdamW at {recipe.rate_text}, with a short warmup and a decay", True,
                   f"Small rates ({recipe.rate_text}) adjust the pre-trained weights without erasing them; "
                   f"warmup ({recipe.warmup_text} here) protects them while Adam's averages settle, "
                   f"and AdamW's decoupled decay ({recipe.weight_decay:g}) shrinks every weight alike."),
            Choice("Adam at its default 0.001 with L2 weight decay", False,
                   "0.001 is a pre-training rate, often too large for fine-tuning; and L2 added to the gradient "
                   "is divided by Adam's scaling, so weights with large gradients barely decay (chapter 5)."),
            Choice("Lion at the same rate as AdamW", False,
                   "Lion moves every weight by the full rate each step, so it needs a rate several times "
                   "smaller than AdamW's (chapter 6)."),
        ],
        name="quiz9",
    )


def lessons() -> dict[str, Lesson]:
    return {"tree": Lesson("tree", DecisionTree(), ("path",))}


class DecisionTreeView(pn.viewable.Viewer):
    """The answers so far, then the next question's options as buttons, or the recipe."""

    def __init__(self, tree: DecisionTree):
        super().__init__()
        self.tree = tree
        self.trail = Reading("", name="decision-trail", sizing_mode="stretch_width")
        self.body = pn.Column(sizing_mode="stretch_width", name="decision-body")
        self.back = pn.widgets.Button(label="← Back", width=100, css_classes=["decision-back"])
        self.restart = pn.widgets.Button(label="Start over", width=110, css_classes=["decision-restart"])
        self.back.on_click(lambda _: tree.back())
        self.restart.on_click(lambda _: tree.restart())
        tree.param.watch(lambda *_: self.draw(), "path")
        self.draw()

    def draw(self):
        tree = self.tree
        steps = [f"<li>{html.escape(q.text)} <b>{html.escape(o.label)}</b></li>" for q, o in tree.taken]
        self.trail.object = f"<ol>{''.join(steps)}</ol>" if steps else ""
        self.back.disabled = self.restart.disabled = not steps
        if tree.question is not None:
            buttons = []
            for option in tree.question.options:
                button = pn.widgets.Button(label=option.label, color="primary",
                                           css_classes=[f"decision-{option.key}"])
                button.on_click(lambda _, key=option.key: tree.answer(key))
                buttons.append(button)
            self.body.objects = [pn.pane.Markdown(f"**{tree.question.text}**", sizing_mode="stretch_width"),
                                 pn.FlexBox(*buttons, sizing_mode="stretch_width")]
        else:
            self.body.objects = [prose(recipe_markdown(tree.recipe), name="decision-recipe")]

    def __panel__(self):
        return pn.Column(self.trail, self.body, pn.FlexBox(self.back, self.restart, copy_link_button("tree")),
                         sizing_mode="stretch_width", name="decision-tree",
                         styles={"border-left": "4px solid #009E73", "padding-left": "12px"})


def page(lessons: dict[str, Lesson]):
    recipes, defaults = WorkedTable(name="recipes-table"), WorkedTable(name="defaults-table")
    recipes.show(recipes_table())
    defaults.show(defaults_table())
    return pn.Column(
        prose(TEXT_INTRO),
        pn.pane.Markdown("## The decision tree", sizing_mode="stretch_width"),
        DecisionTreeView(lessons["tree"].model),
        prose(TEXT_TABLES),
        recipes,
        prose(TEXT_DEFAULTS),
        defaults,
        prose(TEXT_PRIORITY),
        prose(summaries_markdown()),
        quiz(),
        sizing_mode="stretch_width", name="chapter-9",
    )


CHAPTER = Chapter(9, lessons, page)
