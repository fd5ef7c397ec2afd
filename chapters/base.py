"""What a written chapter declares: its lessons (fresh models per visit, each with the parameters
its link carries) and how its page is laid out from them. The app routes through these
declarations; the chapter's number and title come from the catalog."""

from collections.abc import Callable
from dataclasses import dataclass

import param

from lessons import Link, Player

PLAYER_LINK = ("speed", "step")


@dataclass(frozen=True)
class Lesson:
    """A model on a chapter page, under `prefix` in the page's link, with its player if it has one.
    When the model has a new result, its player shows the whole of it (step -1), whether or not the
    view that plays it has been drawn yet."""

    prefix: str
    model: param.Parameterized
    link: tuple[str, ...]
    player: Player | None = None

    def __post_init__(self):
        if self.player is not None and "result" in self.model.param:
            self.model.param.watch(lambda *_: setattr(self.player, "step", -1), "result")

    def links(self) -> list[Link]:
        links = [Link(self.model, self.prefix, self.link)]
        if self.player is not None:
            links.append(Link(self.player, self.prefix, PLAYER_LINK))
        return links


@dataclass(frozen=True)
class Chapter:
    number: int
    lessons: Callable[[], dict[str, Lesson]]
    """Fresh lesson models for one visit, by prefix."""
    page: Callable[[dict[str, Lesson]], object]
    """The page drawn from those models."""
