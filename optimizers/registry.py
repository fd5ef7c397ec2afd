"""The one table of optimizers: the UI's selectors, the tests and the reference tables read it."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .adam import adam, adamax, adamw, nadam, radam
from .adaptive import adagrad, rmsprop
from .modern import adafactor, lamb, lion, sophia
from .sgd import sgd


@dataclass(frozen=True)
class OptimizerSpec:
    """What the course knows about one optimizer.

    `rule` is the update function a learner reads on the chapter page. `defaults` are its
    hyperparameters, named and valued as in torch.optim where PyTorch has the method (`torch`
    names that class). `lr_range` bounds the learning-rate slider (log scale).
    """

    name: str
    title: str
    rule: Callable
    defaults: Mapping
    chapter: int
    year: int
    source: str
    lr_range: tuple[float, float]
    torch: str | None = None
    needs_hessian: bool = False
    fixed: Mapping = field(default_factory=dict)
    """Hyperparameters a shortcut name pins ("nesterov" is SGD with nesterov=True)."""


def _spec(name, title, rule, chapter, year, source, lr_range, torch=None, fixed=None,
          **defaults):
    fixed = fixed or {}
    return OptimizerSpec(name, title, rule, MappingProxyType({**defaults, **fixed}), chapter,
                         year, source, lr_range, torch, name == "sophia",
                         MappingProxyType(fixed))


_SPECS = [
    _spec("sgd", "SGD", sgd, 1, 1951, "Robbins and Monro", (1e-4, 2.0), "SGD",
          lr=1e-3, momentum=0.0, nesterov=False, weight_decay=0.0),
    _spec("momentum", "Momentum", sgd, 2, 1964, "Polyak", (1e-4, 1.0), "SGD",
          lr=1e-3, momentum=0.9, nesterov=False, weight_decay=0.0),
    _spec("nesterov", "Nesterov", sgd, 2, 1983, "Nesterov; Sutskever et al. 2013", (1e-4, 1.0),
          "SGD", fixed={"nesterov": True}, lr=1e-3, momentum=0.9, weight_decay=0.0),
    _spec("adagrad", "AdaGrad", adagrad, 3, 2011, "Duchi, Hazan and Singer", (1e-3, 10.0),
          "Adagrad", lr=1e-2, eps=1e-10, weight_decay=0.0),
    _spec("rmsprop", "RMSProp", rmsprop, 3, 2012, "Hinton (lecture 6e)", (1e-4, 1.0), "RMSprop",
          lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
    _spec("adam", "Adam", adam, 4, 2015, "Kingma and Ba", (1e-4, 1.0), "Adam",
          lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
          bias_correction=True),
    _spec("adamw", "AdamW", adamw, 5, 2019, "Loshchilov and Hutter", (1e-4, 1.0), "AdamW",
          lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    _spec("amsgrad", "AMSGrad", adam, 6, 2018, "Reddi, Kale and Kumar", (1e-4, 1.0), "Adam",
          fixed={"amsgrad": True}, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
          bias_correction=True),
    _spec("adamax", "Adamax", adamax, 6, 2015, "Kingma and Ba", (1e-4, 1.0), "Adamax",
          lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    _spec("nadam", "NAdam", nadam, 6, 2016, "Dozat", (1e-4, 1.0), "NAdam",
          lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3),
    _spec("radam", "RAdam", radam, 6, 2020, "Liu et al.", (1e-4, 1.0), "RAdam",
          lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    _spec("adafactor", "AdaFactor", adafactor, 6, 2018, "Shazeer and Stern", (1e-3, 1.0),
          "Adafactor", lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0),
    _spec("lion", "Lion", lion, 6, 2023, "Chen et al.", (1e-5, 0.3), None,
          lr=1e-4, betas=(0.9, 0.99), weight_decay=1e-3),
    _spec("lamb", "LAMB", lamb, 6, 2020, "You et al.", (1e-4, 1.0), None,
          lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0),
    _spec("sophia", "Sophia", sophia, 6, 2023, "Liu et al.", (1e-5, 1.0), None,
          lr=1e-4, betas=(0.965, 0.99), rho=0.04, eps=1e-12, weight_decay=0.0,
          hessian_interval=10),
]

REGISTRY: Mapping[str, OptimizerSpec] = MappingProxyType({s.name: s for s in _SPECS})


def names() -> list[str]:
    """Every optimizer `run` accepts, in course order."""
    return list(REGISTRY)


def get_spec(name: str) -> OptimizerSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(REGISTRY)}") from None
