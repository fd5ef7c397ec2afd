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
    """A model on a chapter page, under `prefix` in the page's link, with its player if it has one."""

    prefix: str
    model: param.Parameterized
    link: tuple[str, ...]
    player: Player | None = None

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
