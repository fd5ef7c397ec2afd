"""The one table of optimizers. The UI's selectors, the family tree, the reference tables, the
previews and the tests all read it: adding an optimizer is adding one entry here."""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .adam import adam, adamax, adamax_init, adamw, moments_init, nadam, nadam_init, radam
from .adaptive import adagrad, adagrad_init, rmsprop, rmsprop_init
from .formulas import RULES
from .modern import adafactor, adafactor_init, lamb, lion, lion_init, sophia, sophia_init
from .schedule_free import schedule_free_adamw, schedule_free_init
from .sgd import sgd, sgd_init


@dataclass(frozen=True)
class OptimizerSpec:
    """What the course knows about one optimizer.

    `rule` is the update function a learner reads on the chapter page and `init` makes the state
    it starts from. `defaults` are its hyperparameters, named and valued as in torch.optim where
    PyTorch has the method (`torch` names that class).
    `parents` are the methods it builds on (the family tree's edges).
    """

    name: str
    title: str
    rule: Callable
    init: Callable
    defaults: Mapping
    chapter: int
    year: int
    paper: str
    parents: tuple[str, ...]
    idea: str
    best_for: str
    torch: str | None = None
    fixed: Mapping = field(default_factory=dict)
    """Hyperparameters a shortcut name pins ("nesterov" is SGD with nesterov=True)."""

    @property
    def rule_tex(self) -> tuple[str, ...]:
        """The update rule as TeX, one displayed equation per line (empty if none is written)."""
        return RULES.get(self.name, ())

    @property
    def needs_hessian(self) -> bool:
        """Whether the rule asks for the landscape's Hessian diagonal (`hess_fn`)."""
        return "hess_fn" in inspect.signature(self.rule).parameters

    @property
    def buffers(self) -> tuple[str, ...]:
        """The state kept per parameter between steps, at the default settings."""
        state = self.init(np.zeros(1), **self.defaults)
        return tuple(k for k, v in state.items() if np.shape(v) == (1,))


def make_spec(name, title, rule, init, chapter, year, paper, parents, idea, best_for, torch=None,
              fixed=None, **defaults) -> OptimizerSpec:
    """An entry for the registry: `defaults` are the hyperparameters, `fixed` those a shortcut pins."""
    fixed = fixed or {}
    return OptimizerSpec(name, title, rule, init, MappingProxyType({**defaults, **fixed}), chapter, year, paper,
                         parents, idea, best_for, torch, MappingProxyType(fixed))


_SPECS = [
    make_spec("sgd", "SGD", sgd, sgd_init, 1, 1951, "Robbins and Monro, 1951", (),
          "Step against the gradient of a random mini-batch.",
          "convex problems, and a baseline for everything else", "SGD",
          lr=1e-3, momentum=0.0, nesterov=False, weight_decay=0.0),
    make_spec("momentum", "Momentum", sgd, sgd_init, 2, 1964, "Polyak, 1964", ("sgd",),
          "Keep a velocity that adds up past gradients, so steady slopes speed the ball up.",
          "vision models trained with a tuned schedule", "SGD",
          lr=1e-3, momentum=0.9, nesterov=False, weight_decay=0.0),
    make_spec("nesterov", "Nesterov", sgd, sgd_init, 2, 1983, "Nesterov, 1983; Sutskever et al., 2013",
          ("momentum",), "Measure the gradient where the velocity is about to carry you.",
          "the same uses as momentum, with a little less overshoot", "SGD",
          fixed={"nesterov": True}, lr=1e-3, momentum=0.9, weight_decay=0.0),
    make_spec("adagrad", "AdaGrad", adagrad, adagrad_init, 3, 2011, "Duchi, Hazan and Singer, 2011", ("sgd",),
          "Divide each coordinate's step by the root of its summed squared gradients.",
          "sparse features seen rarely (embeddings, linear models)", "Adagrad",
          lr=1e-2, eps=1e-10, weight_decay=0.0),
    make_spec("rmsprop", "RMSProp", rmsprop, rmsprop_init, 3, 2012, "Hinton, lecture 6e, 2012", ("adagrad",),
          "Replace AdaGrad's sum with a moving average, so rates can recover.",
          "recurrent networks and reinforcement learning", "RMSprop",
          lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
    make_spec("adam", "Adam", adam, moments_init, 4, 2015, "Kingma and Ba, 2015", ("momentum", "rmsprop"),
          "Momentum's average of gradients divided by RMSProp's average of their squares, both bias-corrected.",
          "a strong default almost everywhere", "Adam",
          lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, bias_correction=True),
    make_spec("adamw", "AdamW", adamw, moments_init, 5, 2019, "Loshchilov and Hutter, 2019", ("adam",),
          "Shrink the weights directly instead of adding decay to the gradient Adam rescales.",
          "transformers and most large models", "AdamW",
          lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    make_spec("amsgrad", "AMSGrad", adam, moments_init, 6, 2018, "Reddi, Kale and Kumar, 2018", ("adam",),
          "Divide by the largest v seen so far: the denominator cannot drop when gradients shrink (only the "
          "bias correction still lowers it, slowly).",
          "problems where rare large gradients carry the signal and Adam's average forgets them", "Adam",
          fixed={"amsgrad": True}, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
          bias_correction=True),
    make_spec("adamax", "Adamax", adamax, adamax_init, 6, 2015, "Kingma and Ba, 2015", ("adam",),
          "Replace the root-mean-square of gradients with a decaying maximum.",
          "embeddings and gradients with rare spikes", "Adamax",
          lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    make_spec("nadam", "NAdam", nadam, nadam_init, 6, 2016, "Dozat, 2016", ("adam", "nesterov"),
          "Nesterov's lookahead inside Adam's momentum.",
          "a drop-in for Adam that often converges a little faster", "NAdam",
          lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3),
    make_spec("radam", "RAdam", radam, moments_init, 6, 2020, "Liu et al., 2020", ("adam",),
          "Take plain momentum steps until v rests on enough gradients, then rectified Adam steps.",
          "training without a hand-tuned warmup", "RAdam",
          lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    make_spec("adafactor", "AdaFactor", adafactor, adafactor_init, 6, 2018, "Shazeer and Stern, 2018", ("rmsprop",),
          "Store a matrix's second moment as one row and one column average; steps relative to the weights' size.",
          "very large models where optimizer memory is the limit", "Adafactor",
          lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0),
    make_spec("lion", "Lion", lion, lion_init, 6, 2023, "Chen et al., 2023", ("adamw",),
          "Step by the sign of an interpolated momentum: each coordinate moves by η, before weight decay.",
          "large vision and language models, with a rate 3-10 times smaller than AdamW's", None,
          lr=1e-4, betas=(0.9, 0.99), weight_decay=1e-3),
    make_spec("lamb", "LAMB", lamb, moments_init, 6, 2020, "You et al., 2020", ("adamw",),
          "Scale each layer's Adam step to the size of its weights (the trust ratio).",
          "very large batches", None,
          lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0),
    make_spec("sophia", "Sophia", sophia, sophia_init, 6, 2023, "Liu et al., 2023", ("adam",),
          "Divide momentum by a curvature estimate, and clip the step where curvature is flat or negative.",
          "language-model pre-training", None,
          lr=1e-4, betas=(0.965, 0.99), rho=0.04, eps=1e-12, weight_decay=0.0, hessian_interval=10),
    make_spec("schedule_free", "Schedule-Free AdamW", schedule_free_adamw, schedule_free_init, 7, 2024,
          "Defazio et al., 2024", ("adamw",),
          "Evaluate a running average of the iterates and take gradients between it and the iterate: no schedule.",
          "training whose length is not known in advance", None,
          lr=2.5e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, warmup_steps=0, r=0.0, weight_lr_power=2.0),
]


_BY_NAME: dict[str, OptimizerSpec] = {}
REGISTRY: Mapping[str, OptimizerSpec] = MappingProxyType(_BY_NAME)


def register(spec: OptimizerSpec) -> OptimizerSpec:
    """Add an optimizer to the course (its parents must be registered already)."""
    missing = [p for p in spec.parents if p not in _BY_NAME]
    if missing:
        raise ValueError(f"{spec.name}'s parents {missing} must be registered before it")
    if spec.name in _BY_NAME:
        raise ValueError(f"an optimizer named {spec.name!r} is registered already")
    _BY_NAME[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove an optimizer (tests add throwaway ones)."""
    if any(name in spec.parents for spec in _BY_NAME.values()):
        raise ValueError(f"{name} has descendants in the registry")
    del _BY_NAME[name]


for _each in _SPECS:
    register(_each)


def names() -> list[str]:
    """Every optimizer `run` accepts, in course order."""
    return list(REGISTRY)


def in_chapter(number: int) -> list[str]:
    """The optimizers chapter `number` introduces, in course order."""
    return [name for name, spec in REGISTRY.items() if spec.chapter == number]


def get_spec(name: str) -> OptimizerSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(REGISTRY)}") from None
