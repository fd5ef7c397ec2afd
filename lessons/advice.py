"""Chapter 9's advice: a decision tree of questions that ends in a starting recipe (optimizer,
learning rate, schedule, warmup, weight decay).

These numbers are the one place in the course that the core does not compute: they are common
starting points from published practice for real networks, kept here, in one table, so that the
cheat sheet, its tables and its quiz all read the same values. Tests check that every recipe
names a registered optimizer and a schedule the core has, and that every path through the tree
ends in a recipe.
"""

import functools
from dataclasses import dataclass

import numpy as np
import param

from optimizers import REGISTRY, run


@functools.cache
def decay_is_decoupled(optimizer: str, decay: float = 0.1) -> bool:
    """Whether `optimizer`'s weight decay stays out of its gradient, read off the core: one step
    with decay λ and no gradient differs from one step fed the gradient λθ and no decay."""
    theta = np.array([1.0, 2.0])
    extra = {"hess_fn": np.ones_like} if REGISTRY[optimizer].needs_hessian else {}

    def one_step(gradient, weight_decay):
        return run(optimizer, lambda _: gradient, theta, 1, lr=0.1, weight_decay=weight_decay, **extra).final

    return not np.allclose(one_step(np.zeros(2), decay), one_step(decay * theta, 0.0), rtol=1e-12, atol=0)


@dataclass(frozen=True)
class Recipe:
    optimizer: str
    lr: tuple[float, float]
    """A range to sweep first (low, high); one value when both are equal."""
    schedule: str
    warmup: float
    """Share of the run spent warming up (0 when `warmup_steps` is given instead)."""
    weight_decay: float
    why: str
    warmup_steps: int = 0
    """A warmup counted in steps, for a run whose length is not known in advance."""

    @property
    def warmup_text(self) -> str:
        if self.warmup_steps:
            return f"{self.warmup_steps:,} steps"
        return f"{self.warmup:.0%} of the steps" if self.warmup else "none"

    @property
    def decay_text(self) -> str:
        """The weight decay and how it enters: decoupled, or added to the gradient as L2."""
        if not self.weight_decay:
            return "none"
        if decay_is_decoupled(self.optimizer):
            return f"{self.weight_decay:g}, decoupled"
        torch_class = REGISTRY[self.optimizer].torch
        where = f" (weight_decay of torch.optim.{torch_class})" if torch_class else ""
        return f"{self.weight_decay:g}, added to the gradient{where}"

    @property
    def title(self) -> str:
        return REGISTRY[self.optimizer].title

    @property
    def rate_text(self) -> str:
        low, high = self.lr
        texts = [f"{low:g}", f"{high:g}"]
        if any("e" in text for text in texts):  # both ends written alike: 3e-05 to 3e-04, not 3e-05 to 0.0003
            texts = [np.format_float_scientific(value, trim="-", exp_digits=2) for value in (low, high)]
        return texts[0] if low == high else f"{texts[0]} to {texts[1]}"


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    then: str
    """The next question's key, or a recipe's key."""
    short: str
    """The answer as a phrase that makes sense without its question."""


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[Option, ...]


RECIPES = {
    "finetune": Recipe("adamw", (1e-5, 5e-5), "linear", 0.06, 0.01,
                       "Small rates keep what pre-training learned (these suit transformers; pre-trained "
                       "convolutional networks usually take larger ones); the decay is decoupled, so it shrinks "
                       "every weight alike whatever its gradient."),
    "finetune-memory": Recipe("adafactor", (1e-3, 1e-3), "constant", 0.0, 0.0,
                              "Its factored second moment keeps d₁ + d₂ numbers per weight matrix instead of Adam's "
                              "2·d₁·d₂. For fine-tuning it is usually given a fixed rate like this one, as the step's "
                              "own size (Hugging Face's version, with relative_step=False and "
                              "scale_parameter=False). PyTorch's torch.optim.Adafactor, which this course follows, "
                              "always multiplies its rate by the weights' RMS (at least 10⁻³), so there the same "
                              "rate gives steps that many times smaller."),
    "vision": Recipe("momentum", (0.05, 0.2), "cosine", 0.05, 5e-4,
                     "On convolutional networks a tuned momentum SGD with a decaying schedule often generalises "
                     "at least as well as Adam, with one buffer per weight. The rates assume batches of about "
                     "256 (scale them with the batch); 5e-4 is the usual decay on small-image data sets, 1e-4 "
                     "on ImageNet-sized ones."),
    "small": Recipe("adam", (3e-4, 3e-3), "constant", 0.0, 0.0,
                    "A small network trains fine with Adam's defaults: it forgives a poorly scaled loss, and "
                    "there is little memory to save."),
    "sparse": Recipe("adagrad", (0.01, 0.1), "constant", 0.0, 0.0,
                     "Rare features get large steps on the few occasions they appear, because their summed "
                     "squared gradients stay small."),
    "large-batch": Recipe("lamb", (1e-3, 1e-2), "linear", 0.1, 0.01,
                          "It was designed for this: its trust ratio sizes each layer's step to that layer's "
                          "weights, for the large rates very large batches need. A well-tuned AdamW with warmup is "
                          "a strong alternative at these batch sizes."),
    "open-length": Recipe("schedule_free", (1e-3, 3e-3), "constant", 0.0, 0.01,
                          "It needs no schedule and no planned length: its averaged point can be evaluated, and the "
                          "run stopped or extended, at any step. Its warmup is counted in steps, so it too needs "
                          "no length.", warmup_steps=1000),
    "pretrain": Recipe("adamw", (1e-4, 1e-3), "cosine", 0.02, 0.1,
                       "The standard for transformers: Adam's per-weight scaling with decoupled weight decay, "
                       "warmed up and decayed to a small rate by the planned end."),
    "pretrain-memory": Recipe("lion", (3e-5, 3e-4), "cosine", 0.02, 0.3,
                              "One buffer per weight instead of two. Its sign steps are larger than Adam's, so the "
                              "rate is several times smaller and the decay several times larger than AdamW's."),
}

QUESTIONS = {
    "start": Question("What are you training?", (
        Option("finetune", "Fine-tuning a pre-trained model", "ft-memory", "fine-tuning"),
        Option("scratch", "A model from scratch", "model", "from scratch"))),
    "ft-memory": Question("Does AdamW's state (two numbers per weight) fit in your memory?", (
        Option("fits", "Yes", "finetune", "AdamW fits in memory"),
        Option("tight", "No, memory is tight", "finetune-memory", "memory is tight"))),
    "model": Question("What kind of model?", (
        Option("transformer", "A transformer (language or vision)", "batch", "a transformer"),
        Option("cnn", "A convolutional network for images", "vision", "a convolutional network"),
        Option("small", "A small network, or reinforcement learning", "small", "a small network or RL"),
        Option("sparse", "A linear model or embeddings with rare features", "sparse",
               "rare features"))),
    "batch": Question("How large are your batches?", (
        Option("usual", "Usual: up to a few thousand examples", "length", "usual batches"),
        Option("huge", "Very large: tens of thousands and more", "large-batch", "very large batches"))),
    "length": Question("Do you know in advance how many steps you will train?", (
        Option("known", "Yes", "memory", "known length"),
        Option("open", "No: I may stop early or train longer", "open-length", "length not known"))),
    "memory": Question("Is optimizer memory your limit?", (
        Option("no", "No", "pretrain", "memory is not the limit"),
        Option("yes", "Yes: at most one buffer per weight", "pretrain-memory",
               "at most one buffer per weight"))),
}


def walk(answers: list[str]) -> tuple[list[tuple[Question, Option]], str]:
    """The questions answered along `answers` with the option taken at each, and where they lead
    (a question's or a recipe's key). ValueError names the first answer that does not fit."""
    taken, here = [], "start"
    for i, key in enumerate(answers):
        if here not in QUESTIONS:
            raise ValueError(f"the path goes on after its recommendation (answer {i + 1}, “{key[:20]}”)")
        question = QUESTIONS[here]
        option = next((o for o in question.options if o.key == key), None)
        if option is None:
            keys = ", ".join(o.key for o in question.options)
            raise ValueError(f"answer {i + 1}, “{key[:20]}”, is not one of {keys}")
        taken.append((question, option))
        here = option.then
    return taken, here


def recipe_paths() -> dict[str, list[str]]:
    """Every recipe with the answers that lead to it."""
    found, pending = {}, [[]]
    while pending:
        answers = pending.pop()
        _, here = walk(answers)
        if here in RECIPES:
            found[here] = answers
        else:
            pending += [[*answers, o.key] for o in QUESTIONS[here].options]
    return found


class DecisionTree(param.Parameterized):
    """The learner's answers so far, as a path such as "scratch/transformer/usual" (in the link)."""

    path = param.String(default="", label="Answers so far")

    def __init__(self, **params):
        super().__init__(**params)
        walk(self.answers)  # a bad path given here raises instead of making a tree without a question

    @property
    def answers(self) -> list[str]:
        return [part for part in self.path.split("/") if part]

    @property
    def taken(self) -> list[tuple[Question, Option]]:
        return walk(self.answers)[0]

    @property
    def here(self) -> str:
        return walk(self.answers)[1]

    @property
    def question(self) -> Question | None:
        return QUESTIONS.get(self.here)

    @property
    def recipe(self) -> Recipe | None:
        return RECIPES.get(self.here)

    def answer(self, key: str):
        walk([*self.answers, key])
        self.path = "/".join([*self.answers, key])

    def back(self):
        self.path = "/".join(self.answers[:-1])

    def restart(self):
        self.path = ""

    def link_problem(self, name, value, accepted):
        if name == "path":
            answers = [part for part in value.split("/") if part]
            if value != "/".join(answers):
                return "the answers must be separated by single slashes"
            try:
                walk(answers)
            except ValueError as problem:
                return str(problem)
        return None

