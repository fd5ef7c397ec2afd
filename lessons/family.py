"""The optimizer family tree as a lesson: where each registered method sits (its year across,
one lane each down, in course order) and which one the learner has selected."""

import param

from optimizers import REGISTRY


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

    def pick(self, height: float) -> bool:
        """Select the method whose lane holds a click at `height` on the tree's lane axis; False
        if none does. Each method has a lane of its own, so a click on its dot, its label or
        anywhere along its row picks it, whatever the year under the click and the plot's width."""
        for name, (_, lane) in positions().items():
            if abs(height - lane) < 0.5:
                self.selected = name
                return True
        return False
