"""The optimizer family tree as a lesson: where each registered method sits (its year across,
one lane each down, in course order) and which one the learner has selected."""

import param

from optimizers import REGISTRY

LABEL_YEARS_PER_CHARACTER = 1.2
"""How far a node's label reaches to its right, in years per character, on the tree's axis (a
click on the label selects the node too)."""


def positions() -> dict[str, tuple[int, int]]:
    """(year, lane) of every optimizer; lane 0 is the oldest in course order."""
    return {name: (spec.year, lane) for lane, (name, spec) in enumerate(REGISTRY.items())}


def label(name: str) -> str:
    spec = REGISTRY[name]
    return f"{spec.title} (ch. {spec.chapter})"


class FamilyTree(param.Parameterized):
    selected = param.Selector(default="adam", objects=list(REGISTRY), label="Selected optimizer")

    def __init__(self, **params):
        self.param.selected.objects = list(REGISTRY)
        super().__init__(**params)

    def pick(self, x: float, y: float) -> bool:
        """Select the node whose marker or label is at (year x, lane y); False if there is none."""
        for name, (year, lane) in positions().items():
            reach = 3 + LABEL_YEARS_PER_CHARACTER * len(label(name))
            if abs(y - lane) < 0.5 and year - 3 <= x <= year + reach:
                self.selected = name
                return True
        return False
